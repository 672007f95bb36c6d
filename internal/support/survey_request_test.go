package support_test

import (
	"testing"

	"github.com/frontdesk/frontdesk/internal/support"
)

// RequestSurvey asks for a rating after help given outside the messages:
// the survey appears on the conversation without an e-mail saying the
// request was resolved, and a later resolve does not survey again.
func TestRequestSurvey(t *testing.T) {
	f := newFixture(t)
	c, err := f.svc.Start(ctx, support.NewConversation{Who: support.Who{Email: "visitor@example.com", Name: "Vy"}, Channel: support.ChannelEmail,
		Subject: "Settings", Body: "Where is the address form?"})
	if err != nil {
		t.Fatal(err)
	}
	before := len(f.mails("visitor@example.com"))
	if err := f.svc.RequestSurvey(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.RequestSurvey(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	sv, err := f.svc.SurveyOf(ctx, c.ID)
	if err != nil || sv == nil || sv.AnsweredAt != nil {
		t.Fatalf("survey %+v %v", sv, err)
	}
	if _, err := f.svc.Update(ctx, c.ID, support.Change{Status: support.StatusResolved}); err != nil {
		t.Fatal(err)
	}
	if got := len(f.mails("visitor@example.com")); got != before {
		t.Fatalf("%d e-mails after the requested survey and the resolve, want %d", got, before)
	}
	if err := f.svc.Rate(ctx, "", c.ID, 5, "Quick help"); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.RequestSurvey(ctx, "missing"); err == nil {
		t.Fatal("a survey for no conversation")
	}
}
