package risk

import (
	"bufio"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"strings"
	"time"
)

// addrSet is a set of addresses and networks read from a list file: one
// address or CIDR per line, "#" starts a comment. Tor's exit list and
// the usual VPN/proxy lists fit this shape.
type addrSet struct {
	addrs    map[netip.Addr]bool
	prefixes map[int]map[netip.Prefix]bool // by prefix length
}

func (s *addrSet) contains(ip netip.Addr) bool {
	ip = ip.Unmap()
	if s.addrs[ip] {
		return true
	}
	for bits, set := range s.prefixes {
		if bits > ip.BitLen() {
			continue
		}
		if p, err := ip.Prefix(bits); err == nil && set[p] {
			return true
		}
	}
	return false
}

func readAddrSet(path string) (*addrSet, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	s := &addrSet{addrs: map[netip.Addr]bool{}, prefixes: map[int]map[netip.Prefix]bool{}}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line, _, _ := strings.Cut(sc.Text(), "#")
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		// Tor's bulk exit list prints bare addresses; some lists prefix
		// "ExitAddress" records: take the first field that parses.
		var ok bool
		for _, field := range strings.Fields(line) {
			if p, err := netip.ParsePrefix(field); err == nil {
				p = p.Masked()
				if s.prefixes[p.Bits()] == nil {
					s.prefixes[p.Bits()] = map[netip.Prefix]bool{}
				}
				s.prefixes[p.Bits()][p] = true
				ok = true
				break
			}
			if a, err := netip.ParseAddr(field); err == nil {
				s.addrs[a.Unmap()] = true
				ok = true
				break
			}
		}
		if !ok && !strings.HasPrefix(line, "ExitNode") && !strings.HasPrefix(line, "Published") && !strings.HasPrefix(line, "LastStatus") {
			return nil, fmt.Errorf("%s line %d: not an address or network", path, n)
		}
	}
	return s, sc.Err()
}

// Anonymisers tells whether an address is a listed anonymising proxy,
// VPN exit or Tor exit node, from operator-supplied files reloaded when
// they change.
type Anonymisers struct {
	lists []*watched[*addrSet]
	now   func() time.Time
}

// OpenAnonymisers reads the list files.
func OpenAnonymisers(paths []string, recheck time.Duration, now func() time.Time, log *slog.Logger) (*Anonymisers, error) {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	a := &Anonymisers{now: now}
	for _, p := range paths {
		w, err := newWatched("anonymiser list", p, recheck, log, readAddrSet)
		if err != nil {
			return nil, fmt.Errorf("anonymiser list: %w", err)
		}
		a.lists = append(a.lists, w)
	}
	return a, nil
}

// Listed reports whether ip is on any list.
func (a *Anonymisers) Listed(ip netip.Addr) bool {
	now := a.now()
	for _, l := range a.lists {
		if l.get(now).contains(ip) {
			return true
		}
	}
	return false
}
