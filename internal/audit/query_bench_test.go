package audit_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
)

// benchEntries is the size of the log BenchmarkQuery searches.
const benchEntries = 100_000

// fillBenchLog writes benchEntries entries spread over 100 days in
// transactions of 100: 10,000 customer accounts signing in and out, 20
// staff members acting on them, about 2% recovery actions. Half the entries
// carry sealed personal details. It returns the time of the last entry.
func fillBenchLog(b *testing.B, v *viewer) time.Time {
	b.Helper()
	ctx := audit.WithOrigin(context.Background(), audit.Origin{IP: "192.0.2.7", UserAgent: "Mozilla/5.0 (bench)", RequestID: "req"})
	var last time.Time
	for tx := range benchEntries / 100 {
		last = v.clock.Now()
		err := v.d.Write(ctx, func(dtx *db.Tx) error {
			for j := range 100 {
				i := tx*100 + j
				account := fmt.Sprintf("account:%d", (i*7919)%10_000)
				ev := audit.Event{Target: account, Subject: account,
					Actor: &audit.Actor{ID: account, Kind: audit.ActorCustomer, SessionHash: "9f86d081884c7d65"}}
				switch r := i % 100; {
				case r < 40:
					ev.Action = "signin.success"
				case r < 65:
					ev.Action, ev.Outcome = "signin.failure", audit.Failure
				case r < 75:
					ev.Action = "session.end"
				case r < 85:
					ev.Action = "mfa.verify"
				case r < 95:
					ev.Action = "account.update"
				default:
					staff := fmt.Sprintf("staff-%d", tx%20)
					ev.Actor = &audit.Actor{ID: staff, Kind: audit.ActorStaff, SessionHash: "2c26b46b68ffc68f"}
					ev.Action = []string{"account.unlock", "recovery.request", "recovery.approve", "account.unlock", "account.view"}[r-95]
				}
				if i%2 == 0 {
					ev.Personal = map[string]any{"email": account + "@example.com"}
				}
				if err := v.kit.Log.Record(ctx, dtx, ev); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		v.clock.Add(144 * time.Minute) // 1,000 transactions over 100 days
	}
	return last
}

// BenchmarkQuery measures one page of the audit viewer (50 records, personal
// details opened) over a log of 100,000 entries, for typical filters.
// Run once plain and once with FRONTDESK_TEST_DATABASE_URL set:
//
//	go test ./internal/audit -run '^$' -bench Query -benchtime 2s
func BenchmarkQuery(b *testing.B) {
	v := newViewer(b)
	last := fillBenchLog(b, v)
	ctx := context.Background()
	cases := []struct {
		name string
		f    audit.Filter
	}{
		{"newest", audit.Filter{}},
		{"target", audit.Filter{Target: "account:1234"}},
		{"action_prefix_7_days", audit.Filter{Action: "recovery.", Since: last.Add(-7 * 24 * time.Hour), Until: last.Add(time.Hour)}},
		{"action_prefix", audit.Filter{Action: "recovery."}},
		{"actor", audit.Filter{Actor: "staff-7"}},
		{"subject", audit.Filter{Subject: "account:1234"}},
		{"no_match", audit.Filter{ActorKind: audit.ActorStaff, Outcome: audit.Failure}},
	}
	for _, c := range cases {
		c.f.Limit = 50
		b.Run(c.name, func(b *testing.B) {
			n := 0
			for b.Loop() {
				recs, err := audit.Query(ctx, v.d, v.kit.Keys, c.f)
				if err != nil {
					b.Fatal(err)
				}
				n = len(recs)
			}
			b.ReportMetric(float64(n), "records")
		})
	}
}
