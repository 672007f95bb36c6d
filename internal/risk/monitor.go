package risk

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
)

// Staff monitoring (insider risk). The monitor observes audit entries as
// they are written: reveals of personal data, exports, bulk operations,
// role grants and replays of recordings are counted per staff member and
// hour; a count past the hourly limit, a burst far above the member's own
// usual rate, work outside working hours and a staff sign-in from a new
// country raise alerts. Past the reveal cap, a reveal needs a second
// approver (RevealGuard).

// Watched kinds of staff action.
const (
	KindReveal    = "reveal"
	KindExport    = "export"
	KindBulk      = "bulk"
	KindRoleGrant = "role_grant"
	KindReplay    = "replay"
)

// watchedActions maps audit actions to the kind they count as.
var watchedActions = map[string]string{
	"customer.reveal_pii":     KindReveal,
	"accounts.export":         KindExport,
	"audit.export":            KindExport,
	"privacy.export.download": KindExport,
	"accounts.import":         KindBulk, // one per import job (its rows' account.import entries are not counted)
	"customers.bulk":          KindBulk, // one per console bulk action, whatever the number of customers
	"access.grant":            KindRoleGrant,
	"access.role.create":      KindRoleGrant,
	"assist.replay":           KindReplay,
}

// Alert rules.
const (
	RuleLimit           = "limit"             // a kind's hourly limit reached
	RuleBurst           = "burst"             // far above the member's usual hourly rate
	RuleOffHours        = "off_hours"         // data access outside working hours
	RuleStaffNewCountry = "staff_new_country" // a staff sign-in from a new country
	RuleAccountRisk     = "account_risk"      // a reset, recovery or step-up the sign-in rules challenged or blocked
)

// Kinds lists the watched kinds in the order pages show them.
var Kinds = []string{KindReveal, KindExport, KindBulk, KindRoleGrant, KindReplay}

// StaffPolicy holds the monitoring thresholds.
type StaffPolicy struct {
	// HourlyLimits by kind; reaching one raises an alert, and past the
	// reveal limit a reveal needs a second approver.
	HourlyLimits map[string]int `json:"hourly_limits"`
	// A burst is at least BurstMin actions of a kind in an hour and
	// BurstFactor times the member's average over their active hours of
	// the last 14 days.
	BurstFactor float64 `json:"burst_factor"`
	BurstMin    int     `json:"burst_min"`
	// Working hours [WorkStart, WorkEnd) in TimeZone.
	WorkStart int    `json:"work_start"`
	WorkEnd   int    `json:"work_end"`
	TimeZone  string `json:"time_zone"`
}

// DefaultStaffPolicy is the built-in monitoring policy.
func DefaultStaffPolicy() StaffPolicy {
	return StaffPolicy{HourlyLimits: map[string]int{KindReveal: 20, KindExport: 5, KindBulk: 5, KindRoleGrant: 10, KindReplay: 10},
		BurstFactor: 5, BurstMin: 10, WorkStart: 7, WorkEnd: 20, TimeZone: "UTC"}
}

// Severity of an alert.
const (
	SeverityLow    = "low"
	SeverityMedium = "medium"
	SeverityHigh   = "high"
)

// Observe is the audit observer: it counts watched staff actions and
// raises alerts, inside the action's transaction.
func (e *Engine) Observe(ctx context.Context, tx *db.Tx, en audit.Entry) error {
	kind, ok := watchedActions[en.Action]
	if !ok || en.Actor.Kind != audit.ActorStaff || en.Actor.ID == "" || en.Outcome != audit.Success {
		return nil
	}
	p, err := e.Policy(ctx, tx)
	if err != nil {
		return err
	}
	sp := p.Staff
	staff, now := en.Actor.ID, tx.Now()
	hour := now.UTC().Truncate(time.Hour)
	var n int
	err = tx.QueryRow(ctx, `INSERT INTO risk_staff_activity (staff_id, action, hour, count) VALUES (?, ?, ?, 1)
		ON CONFLICT (staff_id, action, hour) DO UPDATE SET count = risk_staff_activity.count + 1 RETURNING count`, staff, kind, hour).Scan(&n)
	if err != nil {
		return err
	}
	if limit := sp.HourlyLimits[kind]; limit > 0 && n == limit {
		severity := SeverityMedium
		if kind == KindReveal || kind == KindExport {
			severity = SeverityHigh
		}
		if err := e.raise(ctx, tx, RuleLimit, severity, staff, fmt.Sprintf("%s:%s:%s", staff, kind, hour.Format(time.RFC3339)),
			map[string]any{"kind": kind, "count": n, "limit": limit, "hour": hour.Format(time.RFC3339)}); err != nil {
			return err
		}
	}
	if sp.BurstMin > 0 && n == sp.BurstMin {
		var total, hours int
		err := tx.QueryRow(ctx, `SELECT COALESCE(SUM(count), 0), COUNT(*) FROM risk_staff_activity WHERE staff_id = ? AND action = ? AND hour >= ? AND hour < ?`,
			staff, kind, hour.Add(-14*24*time.Hour), hour).Scan(&total, &hours)
		if err != nil {
			return err
		}
		// Without history every burst is unusual; with it, only one far
		// above the member's own rate.
		if hours == 0 || float64(n) >= sp.BurstFactor*float64(total)/float64(hours) {
			if err := e.raise(ctx, tx, RuleBurst, SeverityMedium, staff, fmt.Sprintf("%s:%s:%s:burst", staff, kind, hour.Format(time.RFC3339)),
				map[string]any{"kind": kind, "count": n, "usual_per_hour": avg(total, hours), "hour": hour.Format(time.RFC3339)}); err != nil {
				return err
			}
		}
	}
	if offHours(now, sp) {
		day := now.UTC().Format("2006-01-02")
		if err := e.raise(ctx, tx, RuleOffHours, SeverityLow, staff, fmt.Sprintf("%s:off:%s", staff, day),
			map[string]any{"kind": kind, "at": now.UTC().Format(time.RFC3339), "working_hours": fmt.Sprintf("%02d:00-%02d:00 %s", sp.WorkStart, sp.WorkEnd, sp.TimeZone)}); err != nil {
			return err
		}
	}
	return nil
}

func avg(total, n int) float64 {
	if n == 0 {
		return 0
	}
	return float64(total) / float64(n)
}

// offHours reports whether t falls outside the working hours.
func offHours(t time.Time, sp StaffPolicy) bool {
	if sp.WorkStart == sp.WorkEnd {
		return false // no working hours set
	}
	z := zone(sp.TimeZone)
	if z == nil {
		z = time.UTC
	}
	h := t.In(z).Hour()
	if sp.WorkStart < sp.WorkEnd {
		return h < sp.WorkStart || h >= sp.WorkEnd
	}
	return h < sp.WorkStart && h >= sp.WorkEnd // a night shift across midnight
}

// raise opens an alert unless one with the same key exists.
func (e *Engine) raise(ctx context.Context, tx *db.Tx, rule, severity, staff, key string, evidence map[string]any) error {
	ev, _ := json.Marshal(evidence)
	id := newID()
	res, err := tx.Exec(ctx, `INSERT INTO risk_alerts (id, rule, severity, staff_id, dedupe_key, evidence, status, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, 'open', ?, ?) ON CONFLICT (dedupe_key) DO NOTHING`, id, rule, severity, staff, key, string(ev), tx.Now(), tx.Now())
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	e.alerts.WithLabelValues(rule, severity).Inc()
	return e.audit.Record(ctx, tx, audit.Event{Action: "security.alert.raise", Target: "alert:" + id, Actor: &audit.Actor{Kind: audit.ActorSystem},
		Details: map[string]any{"rule": rule, "severity": severity, "staff": staff}})
}

// ErrSecondApprover means a reveal past the hourly cap needs another
// security officer's approval first.
var ErrSecondApprover = errors.New("risk: past the hourly reveal cap; a second approver must allow more reveals")

// BeforeReveal is access's reveal guard: past the hourly reveal cap, a
// reveal needs a current approval by another staff member.
func (e *Engine) BeforeReveal(ctx context.Context, tx *db.Tx, staffID string) error {
	p, err := e.Policy(ctx, tx)
	if err != nil {
		return err
	}
	limit := p.Staff.HourlyLimits[KindReveal]
	if limit <= 0 {
		return nil
	}
	var n int
	err = tx.QueryRow(ctx, "SELECT count FROM risk_staff_activity WHERE staff_id = ? AND action = ? AND hour = ?",
		staffID, KindReveal, tx.Now().UTC().Truncate(time.Hour)).Scan(&n)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if n < limit {
		return nil
	}
	var approved int
	if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM risk_reveal_approvals WHERE staff_id = ? AND expires_at > ?", staffID, tx.Now()).Scan(&approved); err != nil {
		return err
	}
	if approved == 0 {
		return ErrSecondApprover
	}
	return nil
}
