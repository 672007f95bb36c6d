package support_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/frontdesk/frontdesk/internal/support"
)

// After a guided troubleshooting flow, the hand-over puts the path the
// customer took in the transcript, as the bot's message, then the
// hand-over note, and gives the conversation to a person.
func TestHandOverAfterGuide(t *testing.T) {
	f := newFixture(t)
	f.agent("a1", "An", "en")
	c := f.start(support.Who{Email: "visitor@example.com", Locale: "en"}, "Can't sign in")
	path := "Guide “Can't sign in”:\n• What happens? → It says my account is locked\n• Open our e-mail and press Unlock. → Still stuck"
	if err := f.svc.HandOverAfterGuide(ctx, c.ID, "  "); !errors.Is(err, support.ErrInvalid) {
		t.Fatalf("empty transcript: %v", err)
	}
	if err := f.svc.HandOverAfterGuide(ctx, c.ID, path); err != nil {
		t.Fatal(err)
	}
	got, err := f.svc.Get(ctx, c.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, m := range got.Messages {
		kinds = append(kinds, m.Kind)
	}
	if strings.Join(kinds, ",") != "customer,bot,system" {
		t.Fatalf("kinds %v", kinds)
	}
	if got.Messages[1].Body != path || !strings.Contains(got.Messages[2].Body, "troubleshooting guide") {
		t.Fatalf("transcript %+v", got.Messages)
	}
	if got.AssigneeID != "a1" {
		t.Fatalf("handed over to %q", got.AssigneeID)
	}
}
