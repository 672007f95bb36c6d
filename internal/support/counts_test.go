package support_test

import (
	"testing"

	"github.com/frontdesk/frontdesk/internal/support"
)

// The console's first-run checklist: chats ever started and
// conversations answered.
func TestUsage(t *testing.T) {
	f := newFixture(t)
	if c, err := f.svc.Usage(ctx); err != nil || c != (support.Usage{}) {
		t.Fatalf("empty desk: %+v %v", c, err)
	}
	a := f.start(support.Who{Email: "a@example.com", Name: "A", Locale: "en"}, "first")
	f.start(support.Who{Email: "b@example.com", Name: "B", Locale: "en"}, "second")
	done := f.start(support.Who{Email: "c@example.com", Name: "C", Locale: "en"}, "third")
	f.agent("agent1", "Mai", "en")
	if err := f.svc.Assign(ctx, a.ID, "agent1"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.svc.Post(ctx, a.ID, support.NewMessage{Kind: support.KindAgent, AuthorID: "agent1", Body: "Hello"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Update(ctx, done.ID, support.Change{Status: support.StatusResolved}); err != nil {
		t.Fatal(err)
	}
	c, err := f.svc.Usage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := (support.Usage{Chats: 3, Answered: 1}); c != want {
		t.Fatalf("counts %+v, want %+v", c, want)
	}
}
