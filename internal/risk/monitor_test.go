package risk_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/identity/identitytest"
	"github.com/frontdesk/frontdesk/internal/risk"
)

// monitorKit is a risk engine watching a real audit log on the test
// database (SQLite, or PostgreSQL with FRONTDESK_TEST_DATABASE_URL).
func monitorKit(t *testing.T) (*identitytest.Kit, *risk.Engine) {
	t.Helper()
	k := identitytest.New(t, "default")
	e := risk.New(risk.Options{DB: k.D, Audit: k.Log, Keys: k.Keys, Profile: "default"})
	k.Log.Observe(e.Observe)
	return k, e
}

// act records one audit entry as staff member id did it.
func act(t *testing.T, k *identitytest.Kit, staff, action string) {
	t.Helper()
	ctx := context.Background()
	err := k.D.Write(ctx, func(tx *db.Tx) error {
		return k.Log.Record(ctx, tx, audit.Event{Action: action, Target: "x", Actor: &audit.Actor{Kind: audit.ActorStaff, ID: staff}})
	})
	if err != nil {
		t.Fatal(err)
	}
}

func alertsOf(t *testing.T, e *risk.Engine, staff, rule string) []risk.Alert {
	t.Helper()
	all, err := e.Alerts(context.Background(), "", 500)
	if err != nil {
		t.Fatal(err)
	}
	var out []risk.Alert
	for _, a := range all {
		if a.StaffID == staff && a.Rule == rule {
			out = append(out, a)
		}
	}
	return out
}

// Exports, bulk actions, role grants and replays are counted per staff
// member like reveals: each kind's own hourly limit (edited like the
// reveal cap) raises one alert when reached, a burst far above the
// member's usual rate raises another, and work outside working hours a
// third. One member's count never adds to another's.
func TestStaffLimitsEveryKind(t *testing.T) {
	cases := []struct {
		kind, action, severity string
	}{
		{risk.KindExport, "audit.export", risk.SeverityHigh},
		{risk.KindExport, "privacy.export.download", risk.SeverityHigh},
		{risk.KindBulk, "customers.bulk", risk.SeverityMedium},
		{risk.KindBulk, "accounts.import", risk.SeverityMedium},
		{risk.KindRoleGrant, "access.grant", risk.SeverityMedium},
		{risk.KindReplay, "assist.replay", risk.SeverityMedium},
	}
	for _, c := range cases {
		t.Run(c.action, func(t *testing.T) {
			k, e := monitorKit(t)
			ctx := context.Background()
			p, err := e.CurrentPolicy(ctx)
			if err != nil {
				t.Fatal(err)
			}
			p.Staff.HourlyLimits[c.kind] = 3
			p.Staff.BurstMin = 100 // this part is about the limit alone
			if err := e.SavePolicy(ctx, p, "officer"); err != nil {
				t.Fatal(err)
			}
			for range 2 {
				act(t, k, "staff-a", c.action)
				act(t, k, "staff-b", c.action)
			}
			if got := alertsOf(t, e, "staff-a", risk.RuleLimit); len(got) != 0 {
				t.Fatalf("an alert below the limit: %+v", got)
			}
			act(t, k, "staff-a", c.action) // the third: the limit
			act(t, k, "staff-a", c.action) // past it: still one alert
			got := alertsOf(t, e, "staff-a", risk.RuleLimit)
			if len(got) != 1 || got[0].Severity != c.severity {
				t.Fatalf("limit alerts for staff-a: %+v", got)
			}
			var ev map[string]any
			if err := json.Unmarshal([]byte(got[0].Evidence), &ev); err != nil || ev["kind"] != c.kind || ev["limit"] != 3.0 || ev["count"] != 3.0 {
				t.Fatalf("evidence %s (%v)", got[0].Evidence, err)
			}
			if b := alertsOf(t, e, "staff-b", risk.RuleLimit); len(b) != 0 {
				t.Fatalf("staff-b's two count with staff-a's: %+v", b)
			}

			// A burst: the member's usual is one an hour over the last
			// days; ten in this hour is ten times that.
			p.Staff.HourlyLimits[c.kind] = 0 // no limit: only the burst rule speaks
			p.Staff.BurstMin = 10
			if err := e.SavePolicy(ctx, p, "officer"); err != nil {
				t.Fatal(err)
			}
			for range 3 {
				k.Clock.Add(time.Hour)
				act(t, k, "staff-c", c.action)
			}
			k.Clock.Add(time.Hour)
			for range 10 {
				act(t, k, "staff-c", c.action)
			}
			if b := alertsOf(t, e, "staff-c", risk.RuleBurst); len(b) != 1 || !strings.Contains(b[0].Evidence, `"usual_per_hour":1`) {
				t.Fatalf("burst alerts: %+v", b)
			}
			if l := alertsOf(t, e, "staff-c", risk.RuleLimit); len(l) != 0 {
				t.Fatalf("a limit of 0 raised: %+v", l)
			}

			// Out of hours (07:00-20:00 UTC): once a day per member.
			k.Clock.Set(time.Date(2026, 3, 2, 23, 30, 0, 0, time.UTC))
			act(t, k, "staff-d", c.action)
			act(t, k, "staff-d", c.action)
			if o := alertsOf(t, e, "staff-d", risk.RuleOffHours); len(o) != 1 || o[0].Severity != risk.SeverityLow {
				t.Fatalf("off-hours alerts: %+v", o)
			}
		})
	}
}

// The per-row entries of an import are not bulk actions of their own:
// only the import's summary counts.
func TestImportRowsNotCounted(t *testing.T) {
	k, e := monitorKit(t)
	ctx := context.Background()
	p, _ := e.CurrentPolicy(ctx)
	p.Staff.HourlyLimits[risk.KindBulk] = 2
	if err := e.SavePolicy(ctx, p, "officer"); err != nil {
		t.Fatal(err)
	}
	for range 10 {
		act(t, k, "staff-a", "account.import")
	}
	act(t, k, "staff-a", "accounts.import")
	if got := alertsOf(t, e, "staff-a", risk.RuleLimit); len(got) != 0 {
		t.Fatalf("one import counted as many: %+v", got)
	}
}

// A limit outside 0-10,000 is refused for every kind, and a change to any
// limit is named in the audit trail.
func TestLimitsChecked(t *testing.T) {
	k, e := monitorKit(t)
	ctx := context.Background()
	for _, kind := range risk.Kinds {
		p := risk.DefaultPolicy("default")
		p.Staff.HourlyLimits[kind] = -1
		if err := p.Check(); err == nil || !strings.Contains(err.Error(), "limit_"+kind) {
			t.Fatalf("%s: a negative limit: %v", kind, err)
		}
		p.Staff.HourlyLimits[kind] = 10001
		if err := p.Check(); err == nil {
			t.Fatalf("%s: a limit over 10,000 accepted", kind)
		}
	}
	p := risk.DefaultPolicy("default")
	p.Staff.HourlyLimits[risk.KindReplay] = 4
	if err := e.SavePolicy(ctx, p, "officer"); err != nil {
		t.Fatal(err)
	}
	var details string
	err := k.D.Read(ctx, func(tx *db.Tx) error {
		return tx.QueryRow(ctx, "SELECT details FROM audit_log WHERE action = 'security.rules.save' ORDER BY seq DESC LIMIT 1").Scan(&details)
	})
	if err != nil || !strings.Contains(details, "limit_replay: 10 → 4") {
		t.Fatalf("audit of the change: %q %v", details, err)
	}
}
