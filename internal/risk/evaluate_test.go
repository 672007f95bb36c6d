package risk

import (
	"net/netip"
	"slices"
	"testing"
	"time"
)

var (
	t0        = time.Date(2026, 12, 7, 3, 0, 0, 0, time.UTC) // 10:00 in Hà Nội
	hanoi     = &Location{Country: "VN", City: "Hanoi", Lat: 21.0285, Lon: 105.8542, RadiusKm: 20, TimeZone: "Asia/Ho_Chi_Minh", ASN: 7552, Org: "Viettel Group"}
	saigon    = &Location{Country: "VN", City: "Ho Chi Minh City", Lat: 10.8231, Lon: 106.6297, RadiusKm: 20, ASN: 7552}
	frankfurt = &Location{Country: "DE", City: "Frankfurt am Main", Lat: 50.1109, Lon: 8.6821, RadiusKm: 10, TimeZone: "Europe/Berlin", ASN: 24940}
	vpn       = &Location{Country: "US", Lat: 37.751, Lon: -97.822, RadiusKm: 1000, ASN: 9009}
)

// lived is an account that signed in from Hà Nội on one device, at ten
// in the morning, many times.
func lived() History {
	h := History{Countries: 1, Networks: 1, Devices: 1, Last: &Past{At: t0, Location: hanoi}}
	h.Hours[10] = 20
	return h
}

func at(loc *Location, d time.Duration) Signals {
	return Signals{At: t0.Add(d), IP: netip.MustParseAddr("5.9.0.7"), Geo: true, Location: loc, NetworkKnown: loc != nil && loc.ASN != 0,
		KnownDevice: true, Lists: true}
}

// eval is Evaluate with the history's "seen before?" answered for the
// attempt's place, as the engine's store answers it: lived() knows Viet
// Nam and Viettel.
func eval(s Signals, h History, p Policy) Assessment {
	if s.Location != nil {
		h.SeenCountry = h.Countries > 0 && s.Location.Country == "VN"
		h.SeenNetwork = h.Networks > 0 && s.Location.ASN == 7552
	}
	return Evaluate(s, h, p)
}

func state(t *testing.T, a Assessment, sig string) State {
	t.Helper()
	for _, f := range a.Findings {
		if f.Signal == sig {
			return f.State
		}
	}
	t.Fatalf("no finding for %s in %+v", sig, a.Findings)
	return ""
}

// Every signal on its own: present when its fact is there, absent when
// not, and the default policy's decision for it.
func TestEverySignal(t *testing.T) {
	p := DefaultPolicy("default")
	cases := []struct {
		name   string
		sig    string
		in     func() (Signals, History)
		want   State
		decide Decision
	}{
		{"known device", SigNewDevice, func() (Signals, History) { return at(hanoi, time.Hour), lived() }, Absent, Allow},
		{"new device", SigNewDevice, func() (Signals, History) {
			s := at(hanoi, time.Hour)
			s.KnownDevice = false
			return s, lived()
		}, Present, Allow},
		{"first device ever is not new", SigNewDevice, func() (Signals, History) {
			s := at(hanoi, time.Hour)
			s.KnownDevice = false
			return s, History{}
		}, Absent, Allow},
		{"same country", SigNewCountry, func() (Signals, History) { return at(saigon, 5*time.Hour), lived() }, Absent, Allow},
		{"new country", SigNewCountry, func() (Signals, History) { return at(frankfurt, 14*time.Hour), lived() }, Present, Notify},
		{"new network", SigNewNetwork, func() (Signals, History) {
			l := *hanoi
			l.ASN = 45899
			return at(&l, time.Hour), lived()
		}, Present, Allow},
		{"impossible travel", SigImpossibleTravel, func() (Signals, History) { return at(frankfurt, 20*time.Minute), lived() }, Present, StepUp},
		{"possible travel", SigImpossibleTravel, func() (Signals, History) { return at(frankfurt, 14*time.Hour), lived() }, Absent, Notify},
		{"Hà Nội to Sài Gòn by plane", SigImpossibleTravel, func() (Signals, History) { return at(saigon, 2*time.Hour), lived() }, Absent, Allow},
		{"unusual hour", SigUnusualHour, func() (Signals, History) { return at(hanoi, 12*time.Hour), lived() }, Present, Allow},
		{"usual hour", SigUnusualHour, func() (Signals, History) { return at(hanoi, 24*time.Hour+30*time.Minute), lived() }, Absent, Allow},
		{"account velocity", SigAccountVelocity, func() (Signals, History) {
			s := at(hanoi, time.Hour)
			s.AccountFailures = 3
			return s, lived()
		}, Present, StepUp},
		{"source velocity", SigSourceVelocity, func() (Signals, History) {
			s := at(hanoi, time.Hour)
			s.SourceFailures = 12
			return s, lived()
		}, Present, StepUp},
		{"credential stuffing", SigStuffing, func() (Signals, History) {
			s := at(hanoi, time.Hour)
			s.Stuffing = true
			return s, lived()
		}, Present, StepUp},
		{"anonymiser", SigAnonymiser, func() (Signals, History) {
			s := at(hanoi, time.Hour)
			s.Anonymiser = true
			return s, lived()
		}, Present, StepUp},
		{"stuffing through Tor", SigAnonymiser, func() (Signals, History) {
			s := at(hanoi, time.Hour)
			s.Anonymiser, s.Stuffing = true, true
			return s, lived()
		}, Present, Block},
		{"no anonymiser list", SigAnonymiser, func() (Signals, History) {
			s := at(hanoi, time.Hour)
			s.Lists = false
			return s, lived()
		}, Unknown, Allow},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, h := c.in()
			a := eval(s, h, p)
			if got := state(t, a, c.sig); got != c.want {
				t.Errorf("%s = %s, want %s (%+v)", c.sig, got, c.want, a.Findings)
			}
			if a.Decision != c.decide {
				t.Errorf("decision %s by %q, want %s; present %v", a.Decision, a.Rule, c.decide, a.Present())
			}
		})
	}
}

// The journey: Hà Nội, then Frankfurt 20 minutes later on the
// same device: impossible travel, step-up; 14 hours later: allowed with
// a notice. A new device from the new country is a step-up either way.
func TestHanoiFrankfurt(t *testing.T) {
	p := DefaultPolicy("default")
	if a := eval(at(frankfurt, 20*time.Minute), lived(), p); a.Decision != StepUp || a.Rule != "travel" {
		t.Fatalf("20 minutes: %s by %q, want step_up by travel", a.Decision, a.Rule)
	}
	if a := eval(at(frankfurt, 14*time.Hour), lived(), p); a.Decision != Notify || a.Rule != "country" {
		t.Fatalf("14 hours: %s by %q, want notify by country", a.Decision, a.Rule)
	}
	s := at(frankfurt, 14*time.Hour)
	s.KnownDevice = false
	if a := eval(s, lived(), p); a.Decision != StepUp || a.Rule != "country-device" {
		t.Fatalf("new device abroad: %s by %q", a.Decision, a.Rule)
	}
	if a := eval(at(frankfurt, 20*time.Minute), lived(), DefaultPolicy("pci")); a.Decision != Block {
		t.Fatalf("pci blocks impossible travel, got %s", a.Decision)
	}
}

// A VPN exit's continental accuracy radius cannot prove travel: the
// signal stays absent, while the country is still new.
func TestVPNRadiusTolerated(t *testing.T) {
	a := eval(at(vpn, 5*time.Minute), lived(), DefaultPolicy("default"))
	if got := state(t, a, SigImpossibleTravel); got != Absent {
		t.Fatalf("travel through a VPN exit = %s, want absent", got)
	}
	if a.Decision != Notify {
		t.Fatalf("decision %s, want notify (new country only)", a.Decision)
	}
	// Two accurate places a little apart are within the tolerance.
	near := *hanoi
	near.Lat, near.Lon = 20.86, 106.68 // Hải Phòng, ~100 km
	if got := state(t, eval(at(&near, time.Minute), lived(), DefaultPolicy("default")), SigImpossibleTravel); got != Absent {
		t.Fatalf("Hải Phòng a minute later = %s, want absent within the tolerance", got)
	}
}

// Private and loopback addresses are never abroad, whatever the history.
func TestPrivateNeverAbroad(t *testing.T) {
	for _, ip := range []string{"10.1.2.3", "192.168.1.9", "127.0.0.1", "::1", "fd00::5", "100.64.3.4", "169.254.0.1", "::ffff:10.0.0.1"} {
		if !Private(netip.MustParseAddr(ip)) {
			t.Errorf("%s not private", ip)
		}
	}
	if Private(netip.MustParseAddr("5.9.0.7")) {
		t.Error("a public address counted as private")
	}
	s := Signals{At: t0.Add(time.Minute), IP: netip.MustParseAddr("10.0.0.8"), Private: true, Geo: true, KnownDevice: true, Lists: true}
	h := lived()
	h.Hours = [24]int{} // the hour is not what this test is about
	a := eval(s, h, DefaultPolicy("pci"))
	for _, sig := range []string{SigNewCountry, SigNewNetwork, SigImpossibleTravel} {
		if got := state(t, a, sig); got != Absent {
			t.Errorf("%s from a private address = %s, want absent", sig, got)
		}
	}
	if a.Decision != Allow {
		t.Fatalf("private address: %s", a.Decision)
	}
}

// Without a database the place signals are unknown and decide nothing.
func TestNoDatabaseUnknown(t *testing.T) {
	s := at(nil, 20*time.Minute)
	s.Geo = false
	h := lived()
	h.Hours = [24]int{}
	a := eval(s, h, DefaultPolicy("pci"))
	if got := a.Unknown(); !slices.Equal(got, []string{SigNewCountry, SigNewNetwork, SigImpossibleTravel}) {
		t.Fatalf("unknown = %v", got)
	}
	if a.Decision != Allow {
		t.Fatalf("decision %s on unknown signals", a.Decision)
	}
}

// Rules: the strongest matching rule decides; switched-off rules and
// invalid decisions do nothing; Decide replays stored signals the same way.
func TestRules(t *testing.T) {
	rules := []Rule{
		{ID: "a", When: []string{SigNewCountry}, Then: Notify},
		{ID: "b", When: []string{SigNewCountry, SigNewDevice}, Then: StepUp},
		{ID: "c", When: []string{SigNewDevice}, Then: Block, Off: true},
		{ID: "d", When: []string{SigNewDevice}, Then: "maybe"},
		{ID: "e", When: nil, Then: Block},
	}
	for _, c := range []struct {
		present []string
		want    Decision
		rule    string
	}{
		{nil, Allow, ""},
		{[]string{SigNewCountry}, Notify, "a"},
		{[]string{SigNewDevice, SigNewCountry}, StepUp, "b"},
		{[]string{SigNewDevice}, Allow, ""},
	} {
		if d, r := Decide(c.present, rules); d != c.want || r != c.rule {
			t.Errorf("Decide(%v) = %s %q, want %s %q", c.present, d, r, c.want, c.rule)
		}
	}
}

func TestLocalHour(t *testing.T) {
	if h := LocalHour(t0, hanoi); h != 10 {
		t.Fatalf("Hà Nội hour %d", h)
	}
	if h := LocalHour(t0, nil); h != 3 {
		t.Fatalf("UTC hour %d", h)
	}
	if d := DistanceKm(hanoi.Lat, hanoi.Lon, frankfurt.Lat, frankfurt.Lon); d < 8600 || d > 8850 {
		t.Fatalf("Hà Nội–Frankfurt %f km", d)
	}
}
