package risk

import (
	"fmt"
	"net/netip"
	"sync"
	"time"
)

// Signal names, as stored with each sign-in and named in rules.
const (
	SigNewDevice        = "new_device"
	SigNewCountry       = "new_country"
	SigNewNetwork       = "new_network"
	SigImpossibleTravel = "impossible_travel"
	SigUnusualHour      = "unusual_hour"
	SigAccountVelocity  = "account_velocity"
	SigSourceVelocity   = "source_velocity"
	SigStuffing         = "credential_stuffing"
	SigAnonymiser       = "anonymiser"
)

// AllSignals lists every signal in the order findings report them.
var AllSignals = []string{SigNewDevice, SigNewCountry, SigNewNetwork, SigImpossibleTravel, SigUnusualHour,
	SigAccountVelocity, SigSourceVelocity, SigStuffing, SigAnonymiser}

// State says whether a signal was found.
type State string

// States.
const (
	Absent  State = "absent"
	Present State = "present"
	Unknown State = "unknown" // the data to judge it is missing; never guessed
)

// Finding is one signal's state with a short, human explanation.
type Finding struct {
	Signal string `json:"signal"`
	State  State  `json:"state"`
	Detail string `json:"detail,omitempty"`
}

// Location is where an address is, as far as the GeoIP database knows.
type Location struct {
	Country  string  // ISO 3166-1 alpha-2
	City     string  // in English, as the database names it
	Lat, Lon float64 // degrees
	RadiusKm float64 // the database's accuracy radius
	TimeZone string  // IANA name, when known
	ASN      uint    // 0 when unknown
	Org      string  // the network's operator
}

// Place is the location as a person reads it: "Hanoi, VN · Viettel".
func (l *Location) Place() string {
	if l == nil {
		return ""
	}
	s := l.Country
	if l.City != "" {
		s = l.City + ", " + l.Country
	}
	if l.Org != "" {
		s += " · " + l.Org
	}
	return s
}

// Signals are the facts of one attempt.
type Signals struct {
	At time.Time
	IP netip.Addr
	// Private is a loopback, private or link-local address: inside the
	// operator's network, never abroad.
	Private bool
	// Geo is false when no GeoIP database is configured (or it does not
	// open): the place signals are then unknown.
	Geo      bool
	Location *Location // nil when the database does not know the address
	// NetworkKnown is false when no ASN data exists for the address.
	NetworkKnown bool
	KnownDevice  bool
	// Lists is false when no anonymiser list is configured.
	Lists           bool
	Anonymiser      bool
	AccountFailures int // the account's recent failed attempts
	SourceFailures  int // the source's recent failed attempts
	Stuffing        bool
}

func findings(s Signals, h History, p Policy) []Finding {
	out := make([]Finding, 0, len(AllSignals))
	add := func(sig string, st State, detail string) {
		out = append(out, Finding{Signal: sig, State: st, Detail: detail})
	}
	switch {
	case s.KnownDevice:
		add(SigNewDevice, Absent, "")
	case h.Devices == 0:
		add(SigNewDevice, Absent, "first device of the account")
	default:
		add(SigNewDevice, Present, "a device not seen before")
	}

	loc := s.Location
	switch {
	case s.Private:
		add(SigNewCountry, Absent, "private address")
		add(SigNewNetwork, Absent, "private address")
		add(SigImpossibleTravel, Absent, "private address")
	case !s.Geo || loc == nil || loc.Country == "":
		add(SigNewCountry, Unknown, "no location for the address")
		add(SigNewNetwork, Unknown, "no location for the address")
		add(SigImpossibleTravel, Unknown, "no location for the address")
	default:
		switch {
		case h.Countries == 0:
			add(SigNewCountry, Absent, "first known country "+loc.Country)
		case h.SeenCountry:
			add(SigNewCountry, Absent, loc.Country)
		default:
			add(SigNewCountry, Present, "first sign-in from "+loc.Country)
		}
		switch {
		case !s.NetworkKnown || loc.ASN == 0:
			add(SigNewNetwork, Unknown, "no network data")
		case h.Networks == 0 || h.SeenNetwork:
			add(SigNewNetwork, Absent, fmt.Sprintf("AS%d", loc.ASN))
		default:
			add(SigNewNetwork, Present, fmt.Sprintf("first sign-in from AS%d", loc.ASN))
		}
		st, detail := travel(h.Last, loc, s.At, p)
		add(SigImpossibleTravel, st, detail)
	}

	st, detail := unusualHour(s, h, p)
	add(SigUnusualHour, st, detail)
	add(SigAccountVelocity, threshold(s.AccountFailures, p.AccountFailures), fmt.Sprintf("%d recent failures", s.AccountFailures))
	add(SigSourceVelocity, threshold(s.SourceFailures, p.SourceFailures), fmt.Sprintf("%d recent failures from the source", s.SourceFailures))
	if s.Stuffing {
		add(SigStuffing, Present, "the source tried many accounts")
	} else {
		add(SigStuffing, Absent, "")
	}
	switch {
	case !s.Lists:
		add(SigAnonymiser, Unknown, "no anonymiser list")
	case s.Anonymiser:
		add(SigAnonymiser, Present, "listed anonymising proxy or Tor exit")
	default:
		add(SigAnonymiser, Absent, "")
	}
	return out
}

func threshold(n, limit int) State {
	if limit > 0 && n >= limit {
		return Present
	}
	return Absent
}

// unusualHour compares the local hour (the location's time zone, else
// UTC) with the hours of the account's earlier sign-ins: an hour with no
// sign-in within one hour either side is unusual once the account has
// UsualAfter sign-ins.
func unusualHour(s Signals, h History, p Policy) (State, string) {
	total := 0
	for _, n := range h.Hours {
		total += n
	}
	if p.UsualAfter <= 0 || total < p.UsualAfter {
		return Absent, "too few sign-ins to know the usual hours"
	}
	hour := LocalHour(s.At, s.Location)
	near := h.Hours[(hour+23)%24] + h.Hours[hour] + h.Hours[(hour+1)%24]
	if near == 0 {
		return Present, fmt.Sprintf("no earlier sign-in near %02d:00", hour)
	}
	return Absent, ""
}

// LocalHour is the hour of t where the sign-in happened (UTC when the
// time zone is not known).
func LocalHour(t time.Time, loc *Location) int {
	if loc != nil && loc.TimeZone != "" {
		if z := zone(loc.TimeZone); z != nil {
			return t.In(z).Hour()
		}
	}
	return t.UTC().Hour()
}

// zones caches time zones: time.LoadLocation reads the zone database from
// disk on every call, which cost a sign-in 0.1 ms.
var zones sync.Map // name → *time.Location, or nil for an unknown name

func zone(name string) *time.Location {
	if z, ok := zones.Load(name); ok {
		return z.(*time.Location)
	}
	z, err := time.LoadLocation(name)
	if err != nil {
		z = nil
	}
	zones.Store(name, z)
	return z
}
