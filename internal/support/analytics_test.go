package support_test

import (
	"errors"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/internal/support"
)

// The report counts what happened, on hand-checked numbers: three
// conversations over two days, first responses after 10, 20 and 40
// minutes, one breach, ratings 5 and 2.
func TestAnalytics(t *testing.T) {
	f := newFixture(t)
	f.agent("a1", "An")
	day1 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	f.Clock.Set(day1)
	start := func(ch, cat string) string {
		c, err := f.svc.Start(ctx, support.NewConversation{Who: support.Who{Email: "v" + ch + cat + "@example.com"}, Channel: ch, Category: cat, Body: "help"})
		if err != nil {
			t.Fatal(err)
		}
		return c.ID
	}
	answer := func(id string, after time.Duration) {
		f.Clock.Add(after)
		if err := f.svc.Assign(ctx, id, "a1"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.svc.Post(ctx, id, support.NewMessage{Kind: support.KindAgent, AuthorID: "a1", Body: "answer"}); err != nil {
			t.Fatal(err)
		}
	}
	a := start(support.ChannelChat, "account_locked")
	answer(a, 10*time.Minute)
	b := start(support.ChannelEmail, "account_locked")
	answer(b, 20*time.Minute)
	f.Clock.Set(day1.Add(24 * time.Hour))
	c := start(support.ChannelChat, "billing")
	answer(c, 40*time.Minute)
	for _, id := range []string{a, b} {
		if _, err := f.svc.Update(ctx, id, support.Change{Status: support.StatusResolved}); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.svc.Rate(ctx, "", a, 5, ""); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Rate(ctx, "", b, 2, ""); err != nil {
		t.Fatal(err)
	}
	f.Clock.Add(30 * 24 * time.Hour)
	if n, _ := f.svc.MarkBreaches(ctx); n != 1 {
		t.Fatalf("breaches: %d", n)
	}
	midnight := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	r, err := f.svc.Analytics(ctx, midnight, midnight.Add(4*24*time.Hour), time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	if r.Total != 3 || len(r.Days) != 4 || r.Days[1].Total != 2 || r.Days[1].ByChannel["email"] != 1 || r.Days[2].ByChannel["chat"] != 1 {
		t.Fatalf("volume: %+v", r.Days)
	}
	if r.Categories[0] != (support.CategoryCount{Category: "account_locked", Count: 2}) {
		t.Fatalf("categories: %+v", r.Categories)
	}
	if r.FirstResponse.Count != 3 || r.FirstResponse.Median != 20*time.Minute || r.FirstResponse.P90 != 40*time.Minute {
		t.Fatalf("first response: %+v", r.FirstResponse)
	}
	if r.Breached != 1 || r.BreachRate < 0.33 || r.BreachRate > 0.34 {
		t.Fatalf("breaches: %d %f", r.Breached, r.BreachRate)
	}
	if r.CSAT != 3.5 || r.Satisfied != 0.5 || r.Ratings != [5]int{0, 1, 0, 0, 1} {
		t.Fatalf("csat: %f %f %v", r.CSAT, r.Satisfied, r.Ratings)
	}
	if len(r.Agents) != 1 || r.Agents[0].Assigned != 3 || r.Agents[0].Resolved != 2 || r.Agents[0].CSAT != 3.5 {
		t.Fatalf("agents: %+v", r.Agents)
	}
	if _, err := f.svc.Analytics(ctx, day1, day1.Add(-time.Hour), nil); !errors.Is(err, support.ErrInvalid) {
		t.Fatalf("backwards range: %v", err)
	}
}
