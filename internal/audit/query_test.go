package audit_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/audit/audittest"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/db/dbtest"
)

// viewer is a database with an audit log and a settable clock, for the
// query tests.
type viewer struct {
	d     *db.DB
	kit   *audittest.Kit
	clock *dbtest.Clock
}

var viewerStart = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

func newViewer(t testing.TB) *viewer {
	t.Helper()
	clock := dbtest.NewClock(viewerStart)
	d := dbtest.OpenWith(t, dbtest.Options{Clock: clock.Now})
	return &viewer{d: d, kit: audittest.New(t, d, 1000), clock: clock}
}

// write records evs in one transaction, then moves the clock an hour on.
func (v *viewer) write(t testing.TB, ctx context.Context, evs ...audit.Event) {
	t.Helper()
	err := v.d.Write(ctx, func(tx *db.Tx) error {
		for _, ev := range evs {
			if err := v.kit.Log.Record(ctx, tx, ev); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	v.clock.Add(time.Hour)
}

func (v *viewer) query(t testing.TB, f audit.Filter) []audit.Record {
	t.Helper()
	recs, err := audit.Query(context.Background(), v.d, v.kit.Keys, f)
	if err != nil {
		t.Fatalf("Query(%+v): %v", f, err)
	}
	return recs
}

func seqs(recs []audit.Record) []int64 {
	out := make([]int64, len(recs))
	for i, r := range recs {
		out[i] = r.Seq
	}
	return out
}

// written is what the filter test wrote, to compute each filter's answer
// independently of the SQL.
type written struct {
	seq     int64
	at      time.Time
	actor   audit.Actor
	action  string
	target  string
	outcome string
	subject string
}

func writeMix(t *testing.T, v *viewer) []written {
	t.Helper()
	actors := []audit.Actor{
		{ID: "staff-1", Kind: audit.ActorStaff, SessionHash: "s1"},
		{ID: "staff-2", Kind: audit.ActorStaff, SessionHash: "s2"},
		{ID: "account:a", Kind: audit.ActorCustomer},
		{Kind: audit.ActorSystem},
		{Kind: audit.ActorAnonymous},
	}
	// "recovery" and "recoveryx.open" must not match the prefix "recovery.".
	actions := []string{"recovery.request", "account.unlock", "recovery.approve", "signin.failure", "recovery", "recoveryx.open", "signin.success"}
	targets := []string{"account:a", "account:b", "account:ab", ""}
	outcomes := []string{audit.Success, audit.Failure, audit.Denied}
	subjects := []string{"account:a", "account:b", ""}
	var out []written
	for i := range 42 {
		w := written{at: v.clock.Now(), actor: actors[i%5], action: actions[i%7], target: targets[i%4],
			outcome: outcomes[i%3], subject: subjects[i%3]}
		ev := audit.Event{Action: w.action, Target: w.target, Outcome: w.outcome, Subject: w.subject}
		ctx := context.Background()
		if i%2 == 0 {
			ctx = audit.WithActor(ctx, w.actor) // from the request's context
		} else {
			ev.Actor = &w.actor // named by the service
		}
		v.write(t, ctx, ev)
		out = append(out, w)
	}
	// Seq numbers come from the log; read them back once, newest first.
	// The log may hold older entries.
	newest := v.query(t, audit.Filter{Limit: len(out)})
	if len(newest) != len(out) {
		t.Fatalf("wrote %d entries, Query returns %d", len(out), len(newest))
	}
	for i := range out {
		r := newest[len(out)-1-i]
		w := &out[i]
		if r.Action != w.action || r.Target != w.target || r.Actor != w.actor || r.Outcome != w.outcome ||
			r.Subject != w.subject || !r.At.Equal(w.at) {
			t.Fatalf("entry %d reads back as %+v, wrote %+v", i, r, *w)
		}
		w.seq = r.Seq
	}
	return out
}

// PCI DSS 10.4.1 (review of audit logs), 10.2.1.2 (actions of
// administrators): each filter of the viewer narrows exactly as it says.
func TestQueryFilters(t *testing.T) {
	v := newViewer(t)
	ws := writeMix(t, v)
	since, until := ws[10].at, ws[30].at
	mid := ws[25].seq
	// A zone other than UTC must select the same instants.
	sinceHCM := since.In(time.FixedZone("ICT", 7*3600))
	cases := []struct {
		name string
		f    audit.Filter
		want func(w written) bool
	}{
		{"none", audit.Filter{}, func(w written) bool { return true }},
		{"actor", audit.Filter{Actor: "staff-1"}, func(w written) bool { return w.actor.ID == "staff-1" }},
		{"actors, any of them", audit.Filter{Actors: []string{"staff-1", "staff-2"}}, func(w written) bool { return w.actor.ID == "staff-1" || w.actor.ID == "staff-2" }},
		{"actors and an actor", audit.Filter{Actor: "staff-1", Actors: []string{"staff-1", "staff-2"}}, func(w written) bool { return w.actor.ID == "staff-1" }},
		{"actor kind", audit.Filter{ActorKind: audit.ActorCustomer}, func(w written) bool { return w.actor.Kind == audit.ActorCustomer }},
		{"target is exact", audit.Filter{Target: "account:a"}, func(w written) bool { return w.target == "account:a" }},
		{"action exact", audit.Filter{Action: "recovery.request"}, func(w written) bool { return w.action == "recovery.request" }},
		{"action exact without dot", audit.Filter{Action: "recovery"}, func(w written) bool { return w.action == "recovery" }},
		{"action prefix", audit.Filter{Action: "recovery."}, func(w written) bool { return strings.HasPrefix(w.action, "recovery.") }},
		{"action prefix is no pattern", audit.Filter{Action: "_ecovery."}, func(w written) bool { return false }},
		{"action prefix is no pattern either", audit.Filter{Action: "%."}, func(w written) bool { return false }},
		{"outcome", audit.Filter{Outcome: audit.Denied}, func(w written) bool { return w.outcome == audit.Denied }},
		{"subject", audit.Filter{Subject: "account:b"}, func(w written) bool { return w.subject == "account:b" }},
		{"since", audit.Filter{Since: since}, func(w written) bool { return !w.at.Before(since) }},
		{"since in another zone", audit.Filter{Since: sinceHCM}, func(w written) bool { return !w.at.Before(since) }},
		{"until", audit.Filter{Until: until}, func(w written) bool { return w.at.Before(until) }},
		{"since and until", audit.Filter{Since: since, Until: until}, func(w written) bool { return !w.at.Before(since) && w.at.Before(until) }},
		{"before", audit.Filter{Before: mid}, func(w written) bool { return w.seq < mid }},
		{"nobody", audit.Filter{Actor: "staff-9"}, func(w written) bool { return false }},
		{"staff recovery actions in a period", audit.Filter{ActorKind: audit.ActorStaff, Action: "recovery.", Since: since, Until: until},
			func(w written) bool {
				return w.actor.Kind == audit.ActorStaff && strings.HasPrefix(w.action, "recovery.") && !w.at.Before(since) && w.at.Before(until)
			}},
		{"everything at once", audit.Filter{Actor: "staff-2", ActorKind: audit.ActorStaff, Target: "account:a", Action: "account.",
			Outcome: audit.Success, Subject: "account:a", Since: ws[0].at, Until: ws[41].at, Before: ws[41].seq},
			func(w written) bool {
				return w.actor.ID == "staff-2" && w.target == "account:a" && strings.HasPrefix(w.action, "account.") &&
					w.outcome == audit.Success && w.subject == "account:a" && w.at.Before(ws[41].at)
			}},
	}
	selectNothing := []string{"action prefix is no pattern", "action prefix is no pattern either", "nobody"}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var want []int64
			for i := len(ws) - 1; i >= 0; i-- {
				if c.want(ws[i]) {
					want = append(want, ws[i].seq)
				}
			}
			if len(want) == 0 && !slices.Contains(selectNothing, c.name) {
				t.Fatal("the mix has no entry for this filter; change the mix")
			}
			c.f.Limit = audit.MaxLimit
			if got := seqs(v.query(t, c.f)); !slices.Equal(got, want) {
				t.Errorf("Query(%+v) = %v, want %v", c.f, got, want)
			}
		})
	}
}

func TestQueryPagesBackwards(t *testing.T) {
	v := newViewer(t)
	writeMix(t, v)
	for _, f := range []audit.Filter{{}, {ActorKind: audit.ActorStaff}, {Action: "recovery."}} {
		all := seqs(v.query(t, audit.Filter{ActorKind: f.ActorKind, Action: f.Action, Limit: audit.MaxLimit}))
		var paged []int64
		f.Limit = 4
		for pages := 0; ; pages++ {
			if pages > len(all) {
				t.Fatalf("paging %+v does not end", f)
			}
			page := v.query(t, f)
			if len(page) > 4 {
				t.Fatalf("page of %d records, limit 4", len(page))
			}
			paged = append(paged, seqs(page)...)
			if len(page) < 4 {
				break
			}
			f.Before = page[len(page)-1].Seq
		}
		if !slices.Equal(paged, all) {
			t.Errorf("pages of %+v = %v, want %v", f, paged, all)
		}
	}
}

func TestRecordShowsTheEntry(t *testing.T) {
	v := newViewer(t)
	ctx := audit.WithOrigin(audit.WithActor(context.Background(), audit.Actor{ID: "staff-1", Kind: audit.ActorStaff, SessionHash: "ab12"}),
		audit.Origin{IP: "192.0.2.7", UserAgent: "Mozilla/5.0 (test)", RequestID: "req-7"})
	v.write(t, ctx, audit.Event{Action: "account.unlock", Target: "account:a", Subject: "account:a",
		Details: map[string]any{"reason": "customer called", "attempts": 3}, Personal: map[string]any{"name": "Trần Thị Bình"}})
	v.write(t, ctx, audit.Event{Action: "account.view", Target: "account:a", Outcome: audit.Denied})

	recs := v.query(t, audit.Filter{})
	if len(recs) != 2 {
		t.Fatalf("got %d records, want 2", len(recs))
	}
	newer, older := recs[0], recs[1]
	if older.Seq >= newer.Seq {
		t.Fatalf("records are not newest first: %d then %d", newer.Seq, older.Seq)
	}
	wantOrigin := audit.Origin{IP: "192.0.2.7", UserAgent: "Mozilla/5.0 (test)", RequestID: "req-7"}
	if older.Origin != wantOrigin || older.Actor.SessionHash != "ab12" || older.Actor.ID != "staff-1" || older.Actor.Kind != audit.ActorStaff {
		t.Errorf("actor %+v, origin %+v", older.Actor, older.Origin)
	}
	if !older.At.Equal(viewerStart) || older.At.Location() != time.UTC {
		t.Errorf("at = %v, want %v in UTC", older.At, viewerStart)
	}
	if older.Details["reason"] != "customer called" || older.Details["attempts"] != json.Number("3") {
		t.Errorf("details = %#v", older.Details)
	}
	if older.PersonalState != audit.PersonalOpen || older.Personal["name"] != "Trần Thị Bình" {
		t.Errorf("personal = %q %#v", older.PersonalState, older.Personal)
	}
	if newer.Outcome != audit.Denied || newer.Details != nil || newer.Personal != nil || newer.PersonalState != audit.PersonalNone {
		t.Errorf("newer = %+v", newer)
	}
	if len(older.Hash) != 64 || newer.PrevHash != older.Hash || older.PrevHash != strings.Repeat("0", 64) {
		t.Errorf("hashes do not chain: older %s ← %s, newer %s ← %s", older.Hash, older.PrevHash, newer.Hash, newer.PrevHash)
	}

	got, err := audit.Get(context.Background(), v.d, v.kit.Keys, older.Seq)
	if err != nil {
		t.Fatal(err)
	}
	if got.Seq != older.Seq || got.Hash != older.Hash || got.Personal["name"] != "Trần Thị Bình" {
		t.Errorf("Get = %+v, want %+v", *got, older)
	}
	if _, err := audit.Get(context.Background(), v.d, v.kit.Keys, 999); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("Get(999) error = %v, want db.ErrNotFound", err)
	}
}

// Erasure (crypto-shredding): once the subject's data key is destroyed the
// viewer says so instead of failing, and other subjects still open.
func TestQueryShowsErasedPersonalDetails(t *testing.T) {
	v := newViewer(t)
	ctx := context.Background()
	for _, s := range []string{"account:a", "account:b"} {
		v.write(t, ctx, audit.Event{Action: "account.update", Target: s, Subject: s, Personal: map[string]any{"phone": "+84 90 123 4567", "of": s}})
	}
	for _, r := range v.query(t, audit.Filter{}) {
		if r.PersonalState != audit.PersonalOpen || r.Personal["of"] != r.Subject {
			t.Fatalf("before erasure: %s %q %v", r.Subject, r.PersonalState, r.Personal)
		}
	}
	sealed, err := audit.Query(ctx, v.d, nil, audit.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range sealed {
		if r.PersonalState != audit.PersonalSealed || r.Personal != nil {
			t.Errorf("without keys: %q %v, want sealed", r.PersonalState, r.Personal)
		}
	}

	if err := v.d.Write(ctx, func(tx *db.Tx) error { return v.kit.Keys.Destroy(ctx, tx, "account:a") }); err != nil {
		t.Fatal(err)
	}
	for _, r := range v.query(t, audit.Filter{}) {
		switch r.Subject {
		case "account:a":
			if r.PersonalState != audit.PersonalErased || r.Personal != nil {
				t.Errorf("erased subject: %q %v", r.PersonalState, r.Personal)
			}
			got, err := audit.Get(ctx, v.d, v.kit.Keys, r.Seq)
			if err != nil || got.PersonalState != audit.PersonalErased {
				t.Errorf("Get of an erased subject's entry = %+v, %v", got, err)
			}
		case "account:b":
			if r.PersonalState != audit.PersonalOpen || r.Personal["phone"] != "+84 90 123 4567" {
				t.Errorf("other subject: %q %v", r.PersonalState, r.Personal)
			}
		}
	}
}

// A filter that matches 10,000 entries answers one page, within the limit.
func TestQueryLimitOnLargeResult(t *testing.T) {
	v := newViewer(t)
	ctx := audit.WithActor(context.Background(), audit.Actor{ID: "account:x", Kind: audit.ActorCustomer})
	for range 10 {
		evs := make([]audit.Event, 0, 1001)
		for range 1000 {
			evs = append(evs, audit.Event{Action: "signin.failure", Target: "account:x", Outcome: audit.Failure})
		}
		evs = append(evs, audit.Event{Action: "signin.success", Target: "account:y"})
		v.write(t, ctx, evs...)
	}
	f := audit.Filter{Target: "account:x", Action: "signin."}
	for _, c := range []struct{ limit, want int }{{0, audit.DefaultLimit}, {25, 25}, {audit.MaxLimit, audit.MaxLimit}, {50_000, audit.MaxLimit}} {
		f.Limit = c.limit
		recs := v.query(t, f)
		if len(recs) != c.want {
			t.Errorf("limit %d: %d records, want %d", c.limit, len(recs), c.want)
		}
		for i, r := range recs {
			if r.Target != "account:x" || (i > 0 && r.Seq >= recs[i-1].Seq) {
				t.Fatalf("limit %d: record %d is %d %s", c.limit, i, r.Seq, r.Target)
			}
		}
	}
	n, err := audit.WriteNDJSON(context.Background(), discard{}, v.d, v.kit.Keys, audit.Filter{Target: "account:x"})
	if err != nil || n != 10_000 {
		t.Errorf("WriteNDJSON wrote %d entries (%v), want 10000", n, err)
	}
	n, err = audit.WriteCSV(context.Background(), discard{}, v.d, v.kit.Keys, audit.Filter{Target: "account:x", Limit: 1234})
	if err != nil || n != 1234 {
		t.Errorf("WriteCSV with limit 1234 wrote %d entries (%v)", n, err)
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

func TestQueryHonoursCancellation(t *testing.T) {
	v := newViewer(t)
	v.write(t, context.Background(), audit.Event{Action: "account.view"})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := audit.Query(ctx, v.d, v.kit.Keys, audit.Filter{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Query with a cancelled context: %v", err)
	}
}
