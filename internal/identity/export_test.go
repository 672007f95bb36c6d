package identity

// HoldChecks takes n of this node's places for concurrent password checks
// from ip, as n sign-ins still hashing would, and returns their release.
func HoldChecks(s *Service, ip string, n int) (release func()) {
	key, _ := sourceKeys("signin", ip)
	for range n {
		if !s.gate.enter(key) {
			panic("identity: no place left to hold")
		}
	}
	return func() {
		for range n {
			s.gate.leave(key)
		}
	}
}
