package support

// SetCandidateCap changes where searches switch from driving by their
// rarest word to probing conversations in order, so that tests run both
// ways on a few conversations; it returns a function restoring it.
func SetCandidateCap(n int) (restore func()) {
	old := candidateCap
	candidateCap = n
	return func() { candidateCap = old }
}
