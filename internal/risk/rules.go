package risk

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/fault"
)

// Editing the rules in the console, with a dry run over the sign-ins of
// the last 30 days.

// CurrentPolicy returns the rules in force, in a transaction of its own.
func (e *Engine) CurrentPolicy(ctx context.Context) (Policy, error) {
	var p Policy
	err := e.db.Read(ctx, func(tx *db.Tx) (err error) {
		p, err = e.Policy(ctx, tx)
		return err
	})
	return p, err
}

// Check reports the first problem of a policy a person edited.
func (p Policy) Check() error {
	bad := func(field, reason string) error { return &fault.Invalid{Field: field, Reason: reason} }
	switch {
	case p.MaxSpeedKmh < 100 || p.MaxSpeedKmh > 5000:
		return bad("max_speed_kmh", "Choose a speed from 100 to 5,000 km/h.")
	case p.Staff.WorkStart < 0 || p.Staff.WorkStart > 23 || p.Staff.WorkEnd < 0 || p.Staff.WorkEnd > 23:
		return bad("work_start", "Working hours run from 0 to 23.")
	}
	for _, k := range Kinds {
		if n := p.Staff.HourlyLimits[k]; n < 0 || n > 10000 {
			return bad("limit_"+k, "Choose a limit from 0 (none) to 10,000 an hour.")
		}
	}
	if _, err := time.LoadLocation(p.Staff.TimeZone); err != nil {
		return bad("time_zone", "Choose a time zone such as UTC or Asia/Ho_Chi_Minh.")
	}
	for _, r := range p.Rules {
		if !r.Then.Valid() {
			return bad("then_"+r.ID, "Choose allow, notify, step-up or block.")
		}
	}
	return nil
}

// SavePolicy stores an edited policy for the engine's profile.
func (e *Engine) SavePolicy(ctx context.Context, p Policy, by string) error {
	if err := p.Check(); err != nil {
		return err
	}
	raw, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return e.db.Write(ctx, func(tx *db.Tx) error {
		old, err := e.Policy(ctx, tx)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO risk_policies (profile, policy, updated_at, updated_by) VALUES (?, ?, ?, ?)
			ON CONFLICT (profile) DO UPDATE SET policy = excluded.policy, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
			e.profile, string(raw), tx.Now(), by); err != nil {
			return err
		}
		return e.audit.Record(ctx, tx, audit.Event{Action: "security.rules.save", Target: "risk_policy:" + e.profile,
			Details: map[string]any{"changes": policyChanges(old, p)}})
	})
}

// policyChanges names what an edit changed, for the audit trail.
func policyChanges(old, p Policy) []string {
	var out []string
	was := map[string]Rule{}
	for _, r := range old.Rules {
		was[r.ID] = r
	}
	for _, r := range p.Rules {
		if o := was[r.ID]; o.Then != r.Then || o.Off != r.Off {
			out = append(out, fmt.Sprintf("%s: %s%s → %s%s", r.ID, o.Then, offMark(o.Off), r.Then, offMark(r.Off)))
		}
	}
	if old.MaxSpeedKmh != p.MaxSpeedKmh {
		out = append(out, fmt.Sprintf("max_speed_kmh: %g → %g", old.MaxSpeedKmh, p.MaxSpeedKmh))
	}
	for _, k := range Kinds {
		if a, b := old.Staff.HourlyLimits[k], p.Staff.HourlyLimits[k]; a != b {
			out = append(out, fmt.Sprintf("limit_%s: %d → %d", k, a, b))
		}
	}
	if old.Staff.WorkStart != p.Staff.WorkStart || old.Staff.WorkEnd != p.Staff.WorkEnd || old.Staff.TimeZone != p.Staff.TimeZone {
		out = append(out, fmt.Sprintf("working_hours: %02d-%02d %s → %02d-%02d %s", old.Staff.WorkStart, old.Staff.WorkEnd, old.Staff.TimeZone,
			p.Staff.WorkStart, p.Staff.WorkEnd, p.Staff.TimeZone))
	}
	return out
}

func offMark(off bool) string {
	if off {
		return " (off)"
	}
	return ""
}

// DryRunDays is how far back the dry run looks.
const DryRunDays = 30

// DryRun is what a set of rules would have decided for the stored
// sign-ins, beside what was decided.
type DryRun struct {
	Total   int                           // sign-ins judged by the engine in the period
	Changes map[Decision]map[Decision]int // was → would be, only where they differ
	Same    int
	Samples []DryRunSample // up to 20 changed sign-ins, newest first
}

// DryRunSample is one sign-in whose decision would change.
type DryRunSample struct {
	At       time.Time
	Signals  []string
	Was, Now Decision
	Rule     string
}

// DryRun replays the last DryRunDays of judged sign-ins under rules. It
// changes nothing; time-dependent thresholds (speed, velocity) are not
// replayed: the stored signals are.
func (e *Engine) DryRun(ctx context.Context, rules []Rule) (DryRun, error) {
	out := DryRun{Changes: map[Decision]map[Decision]int{}}
	err := e.db.Read(ctx, func(tx *db.Tx) error {
		// Sign-ins only: the steps judged at step-up, reset and recovery
		// keep their verdicts in the same history but mean other things.
		rows, err := tx.Query(ctx, `SELECT at, decision, signals FROM login_events WHERE at >= ? AND decision <> ''
			AND result NOT IN ('reauth', 'reauth_refused', 'reset_requested', 'reset_refused', 'password_reset', 'recovery_requested')
			ORDER BY at DESC, id`, tx.Now().Add(-DryRunDays*24*time.Hour))
		type ev struct {
			at               time.Time
			decision, signal string
		}
		evs, err := db.Collect(rows, err, func(r db.Scanner) (v ev, err error) {
			err = r.Scan(&v.at, &v.decision, &v.signal)
			return v, err
		})
		if err != nil {
			return err
		}
		for _, v := range evs {
			var present []string
			if v.signal != "" {
				present = strings.Split(v.signal, ",")
			}
			now, rule := Decide(present, rules)
			was := Decision(v.decision)
			out.Total++
			if now == was {
				out.Same++
				continue
			}
			if out.Changes[was] == nil {
				out.Changes[was] = map[Decision]int{}
			}
			out.Changes[was][now]++
			if len(out.Samples) < 20 {
				out.Samples = append(out.Samples, DryRunSample{At: v.at.UTC(), Signals: present, Was: was, Now: now, Rule: rule})
			}
		}
		return nil
	})
	return out, err
}
