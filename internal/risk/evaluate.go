// Package risk decides how much to trust a sign-in and watches what staff
// do with personal data. Evaluate is pure: it turns the signals of one
// attempt, the account's history and a policy into a decision with its
// reasons, so that the same inputs always give the same answer and a dry
// run can replay old sign-ins under new rules. The rest of the package
// gathers the signals (GeoIP, anonymiser lists, the account's places),
// stores what was decided, and raises staff alerts.
package risk

import (
	"slices"
	"time"
)

// Decision is what a sign-in leads to, from the mildest to the strictest.
type Decision string

// Decisions.
const (
	Allow  Decision = "allow"
	Notify Decision = "notify"  // allow, and tell the owner ("was this you?")
	StepUp Decision = "step_up" // a second factor, or an e-mailed code
	Block  Decision = "block"
)

// strength orders decisions; an unknown one counts as allow.
func (d Decision) strength() int {
	switch d {
	case Notify:
		return 1
	case StepUp:
		return 2
	case Block:
		return 3
	}
	return 0
}

// Valid reports whether d is one of the four decisions.
func (d Decision) Valid() bool { return d == Allow || d.strength() > 0 }

// Assessment is the explainable outcome of Evaluate.
type Assessment struct {
	Decision Decision `json:"decision"`
	Rule     string   `json:"rule,omitempty"` // the rule that decided; "" for the default allow
	Findings []Finding
}

// Present lists the names of the signals found, in a fixed order.
func (a Assessment) Present() []string {
	var out []string
	for _, f := range a.Findings {
		if f.State == Present {
			out = append(out, f.Signal)
		}
	}
	return out
}

// Unknown lists the signals that could not be judged (no GeoIP database).
func (a Assessment) Unknown() []string {
	var out []string
	for _, f := range a.Findings {
		if f.State == Unknown {
			out = append(out, f.Signal)
		}
	}
	return out
}

// Evaluate judges one attempt. It never guesses: a signal whose data is
// missing is Unknown, and no rule fires on an unknown signal.
func Evaluate(s Signals, h History, p Policy) Assessment {
	findings := findings(s, h, p)
	present := map[string]bool{}
	for _, f := range findings {
		if f.State == Present {
			present[f.Signal] = true
		}
	}
	a := Assessment{Decision: Allow, Findings: findings}
	for _, r := range p.Rules {
		if r.Off || len(r.When) == 0 || !r.Then.Valid() {
			continue
		}
		if !allOf(r.When, present) {
			continue
		}
		if r.Then.strength() > a.Decision.strength() {
			a.Decision, a.Rule = r.Then, r.ID
		}
	}
	return a
}

// Decide applies rules to the signals present in an earlier assessment:
// what the dry run uses to replay stored sign-ins.
func Decide(present []string, rules []Rule) (Decision, string) {
	set := map[string]bool{}
	for _, s := range present {
		set[s] = true
	}
	d, id := Allow, ""
	for _, r := range rules {
		if r.Off || len(r.When) == 0 || !r.Then.Valid() || !allOf(r.When, set) {
			continue
		}
		if r.Then.strength() > d.strength() {
			d, id = r.Then, r.ID
		}
	}
	return d, id
}

func allOf(want []string, have map[string]bool) bool {
	for _, w := range want {
		if !have[w] {
			return false
		}
	}
	return true
}

// Rule turns a combination of signals into a decision: when every signal
// of When is present, the decision is at least Then.
type Rule struct {
	ID   string   `json:"id"`
	When []string `json:"when"`
	Then Decision `json:"then"`
	Off  bool     `json:"off,omitempty"`
}

// Policy holds the thresholds and rules of a profile.
type Policy struct {
	// MaxSpeedKmh is the fastest believable travel between two sign-ins.
	MaxSpeedKmh float64 `json:"max_speed_kmh"`
	// ToleranceKm is subtracted from every distance, for nearby cities and
	// a mobile network's wandering exits.
	ToleranceKm float64 `json:"tolerance_km"`
	// VPNRadiusKm: a location whose accuracy radius is at least this wide
	// (anonymisers, satellite, some mobile carriers) says too little to
	// call travel impossible.
	VPNRadiusKm float64 `json:"vpn_radius_km"`
	// AccountFailures and SourceFailures are the recent failures that
	// count as velocity (within the identity throttle's window).
	AccountFailures int `json:"account_failures"`
	SourceFailures  int `json:"source_failures"`
	// UsualAfter is how many earlier sign-ins an account needs before an
	// hour it never signs in at counts as unusual.
	UsualAfter int    `json:"usual_after"`
	Rules      []Rule `json:"rules"`
	// Staff holds the staff monitoring thresholds.
	Staff StaffPolicy `json:"staff"`
}

// DefaultPolicy returns the built-in policy of a profile ("default" or
// "pci"). pci steps up sooner and blocks what default only challenges.
func DefaultPolicy(profile string) Policy {
	p := Policy{MaxSpeedKmh: 1000, ToleranceKm: 300, VPNRadiusKm: 500, AccountFailures: 3, SourceFailures: 10, UsualAfter: 10,
		Staff: DefaultStaffPolicy(),
		Rules: []Rule{
			{ID: "travel", When: []string{SigImpossibleTravel}, Then: StepUp},
			{ID: "anonymiser", When: []string{SigAnonymiser}, Then: StepUp},
			{ID: "stuffing", When: []string{SigStuffing}, Then: StepUp},
			{ID: "stuffing-anonymiser", When: []string{SigStuffing, SigAnonymiser}, Then: Block},
			{ID: "country-device", When: []string{SigNewCountry, SigNewDevice}, Then: StepUp},
			{ID: "country", When: []string{SigNewCountry}, Then: Notify},
			{ID: "account-velocity", When: []string{SigAccountVelocity}, Then: StepUp},
			{ID: "source-velocity", When: []string{SigSourceVelocity}, Then: StepUp},
			{ID: "network-device", When: []string{SigNewNetwork, SigNewDevice}, Then: Notify},
			{ID: "hour", When: []string{SigUnusualHour}, Then: Allow},
		}}
	if profile == "pci" {
		p.MaxSpeedKmh, p.ToleranceKm, p.AccountFailures, p.UsualAfter = 900, 200, 2, 5
		p.Rules = slices.Clone(p.Rules)
		for i, r := range p.Rules {
			switch r.ID {
			case "travel", "anonymiser":
				p.Rules[i].Then = Block
			case "country", "network-device", "hour":
				p.Rules[i].Then = StepUp
			}
		}
	}
	return p
}

// Past is one earlier successful sign-in of the account.
type Past struct {
	At       time.Time
	Location *Location // nil: unknown or a private address
}

// History is what the account did before, as far as this attempt needs
// it. Countries and networks are kept as keyed hashes, so the engine can
// only ask "seen before?", never list them.
type History struct {
	Countries   int     // distinct countries of earlier sign-ins
	SeenCountry bool    // this attempt's country is one of them
	Networks    int     // distinct networks (ASNs) of earlier sign-ins
	SeenNetwork bool    // this attempt's network is one of them
	Devices     int     // devices known before this attempt
	Hours       [24]int // earlier sign-ins per local hour
	Last        *Past   // the latest successful sign-in with a place
}
