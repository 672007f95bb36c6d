package support_test

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/internal/support"
)

var surveyLink = regexp.MustCompile(`https://bank\.example/survey\?token=([A-Za-z0-9_-]{43})`)

func (f *fixture) mails(addr string) []string {
	f.T.Helper()
	f.svc.WaitMail()
	var out []string
	for _, m := range f.Mails(addr) {
		out = append(out, m.Subject+"\n"+m.Text)
	}
	return out
}

// An agent's reply to a visitor goes out by e-mail, threaded under the
// visitor's last message; a signed-in customer gets a notice with a link
// instead of the text.
func TestReplyByEmail(t *testing.T) {
	f := newFixture(t)
	if err := f.svc.SaveAgent(ctx, support.Agent{AccountID: "a1", DisplayName: "An"}); err != nil {
		t.Fatal(err)
	}
	c, err := f.svc.Start(ctx, support.NewConversation{Who: support.Who{Email: "visitor@example.com", Name: "Vy"}, Channel: support.ChannelEmail,
		Subject: "Card declined", Body: "My card was declined"})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.RecordInboundID(ctx, c.ID, "<abc123@mail.example>"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.svc.Post(ctx, c.ID, support.NewMessage{Kind: support.KindAgent, AuthorID: "a1", Body: "Please try again now."}); err != nil {
		t.Fatal(err)
	}
	ms := f.mails("visitor@example.com")
	if len(ms) != 1 || !strings.Contains(ms[0], "Re: Card declined") || !strings.Contains(ms[0], "Please try again now.") || !strings.Contains(ms[0], "An, Acme Bank") {
		t.Fatalf("reply mail: %q", ms)
	}
	eml := f.lastEML(t)
	if !strings.Contains(eml, "In-Reply-To: <abc123@mail.example>") || !strings.Contains(eml, "References: <abc123@mail.example>") {
		t.Fatalf("not threaded:\n%s", eml[:min(len(eml), 800)])
	}
	// Internal notes never leave.
	if _, _, err := f.svc.Post(ctx, c.ID, support.NewMessage{Kind: support.KindNote, AuthorID: "a1", Body: "card flagged by fraud team"}); err != nil {
		t.Fatal(err)
	}
	if ms := f.mails("visitor@example.com"); len(ms) != 1 {
		t.Fatalf("a note was mailed: %d", len(ms))
	}

	lan := f.Register("lan@example.com")
	pc, err := f.svc.Start(ctx, support.NewConversation{Who: support.Who{AccountID: lan.ID, Email: "lan@example.com"}, Channel: support.ChannelPortal, Body: "Secret question"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.svc.Post(ctx, pc.ID, support.NewMessage{Kind: support.KindAgent, AuthorID: "a1", Body: "Answer with details"}); err != nil {
		t.Fatal(err)
	}
	got := f.mails("lan@example.com")
	last := got[len(got)-1]
	if strings.Contains(last, "Answer with details") || !strings.Contains(last, "https://bank.example/support/"+pc.ID) {
		t.Fatalf("portal notice: %q", last)
	}
}

func (f *fixture) lastEML(t *testing.T) string {
	files, _ := filepath.Glob(filepath.Join(f.Outbox, "*.eml"))
	var newest string
	var when time.Time
	for _, p := range files {
		if st, err := os.Stat(p); err == nil && !st.ModTime().Before(when) {
			newest, when = p, st.ModTime()
		}
	}
	b, err := os.ReadFile(newest)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Resolve → survey by e-mail (once); days later the follow-up; "no"
// reopens the conversation.
func TestSurveyAndFollowUp(t *testing.T) {
	f := newFixture(t)
	c := f.start(support.Who{Email: "visitor@example.com", Locale: "vi"}, "Không nhận được mã OTP")
	if _, err := f.svc.Update(ctx, c.ID, support.Change{Status: support.StatusResolved}); err != nil {
		t.Fatal(err)
	}
	ms := f.mails("visitor@example.com")
	if len(ms) != 1 || !strings.Contains(ms[0], "Chúng tôi đã giúp được bạn chưa?") {
		t.Fatalf("survey mail: %q", ms)
	}
	token := surveyLink.FindStringSubmatch(ms[0])[1]
	// Reopened and resolved again: no second survey.
	f.svc.Update(ctx, c.ID, support.Change{Status: support.StatusOpen})
	f.svc.Update(ctx, c.ID, support.Change{Status: support.StatusResolved})
	if ms := f.mails("visitor@example.com"); len(ms) != 1 {
		t.Fatalf("%d survey mails", len(ms))
	}
	if err := f.svc.Rate(ctx, token, "", 6, ""); !errors.Is(err, support.ErrInvalid) {
		t.Fatalf("score 6: %v", err)
	}
	if err := f.svc.Rate(ctx, forged(token), "", 5, ""); !errors.Is(err, support.ErrNotFound) {
		t.Fatalf("forged token: %v", err)
	}
	if err := f.svc.Rate(ctx, token, "", 4, "Nhanh và tận tình"); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Rate(ctx, token, "", 1, ""); !errors.Is(err, support.ErrSurveyAnswered) {
		t.Fatalf("second rating: %v", err)
	}
	sv, err := f.svc.SurveyByToken(ctx, token)
	if err != nil || sv.Score != 4 || sv.Comment != "Nhanh và tận tình" {
		t.Fatalf("survey: %+v %v", sv, err)
	}
	// Not due yet.
	if n, _ := f.svc.SendFollowUps(ctx); n != 0 {
		t.Fatalf("follow-up too early: %d", n)
	}
	f.Clock.Add(73 * time.Hour)
	if n, err := f.svc.SendFollowUps(ctx); err != nil || n != 1 {
		t.Fatalf("follow-ups: %d %v", n, err)
	}
	ms = f.mails("visitor@example.com")
	follow := surveyLink.FindStringSubmatch(ms[len(ms)-1])[1]
	if err := f.svc.AnswerFollowUp(ctx, follow, "", false); err != nil {
		t.Fatal(err)
	}
	got, _ := f.svc.Get(ctx, c.ID, true)
	if got.Status != support.StatusOpen || got.Messages[len(got.Messages)-1].Kind != support.KindSystem {
		t.Fatalf("not reopened: %s", got.Status)
	}
	if err := f.svc.AnswerFollowUp(ctx, follow, "", true); !errors.Is(err, support.ErrSurveyAnswered) {
		t.Fatalf("second answer: %v", err)
	}
	if n, _ := f.svc.SendFollowUps(ctx); n != 0 {
		t.Fatalf("follow-up sent twice: %d", n)
	}
}

func TestCallsAndComplaints(t *testing.T) {
	f := newFixture(t)
	c, err := f.svc.StartFromCall(ctx, support.Who{Email: "caller@example.com", Name: "Minh"}, "Locked out",
		support.Call{AgentID: "a1", Direction: "inbound", Number: "+84 912 345 678", Duration: 320, Outcome: "follow_up", Notes: "Wants a call back after 5 pm"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Channel != support.ChannelPhone {
		t.Fatalf("channel %s", c.Channel)
	}
	f.Clock.Add(time.Hour)
	if _, err := f.svc.LogCall(ctx, support.Call{ConversationID: c.ID, AgentID: "a1", Direction: "outbound", Duration: 60, Outcome: "solved"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.LogCall(ctx, support.Call{ConversationID: c.ID, AgentID: "a1", Direction: "sideways", Outcome: "solved"}); !errors.Is(err, support.ErrInvalid) {
		t.Fatalf("bad direction: %v", err)
	}
	calls, err := f.svc.Calls(ctx, c.ID)
	if err != nil || len(calls) != 2 || calls[0].Number != "+84 912 345 678" || calls[0].Notes != "Wants a call back after 5 pm" {
		t.Fatalf("calls: %+v %v", calls, err)
	}
	got, _ := f.svc.Get(ctx, c.ID, true)
	if got.FirstResponseAt == nil {
		t.Fatal("calling back is not a first response")
	}

	other := f.start(support.Who{Email: "other@example.com"}, "hi")
	if _, err := f.svc.FileComplaint(ctx, support.NewComplaint{Who: support.Who{Email: "caller@example.com"}, ConversationID: other.ID, Body: "x"}); !errors.Is(err, support.ErrInvalid) {
		t.Fatalf("complaint about someone else's conversation: %v", err)
	}
	cp, err := f.svc.FileComplaint(ctx, support.NewComplaint{Who: support.Who{Email: "caller@example.com"}, ConversationID: c.ID,
		OccurredAt: f.Clock.Now().Add(-time.Hour), Body: "Nobody called me back"})
	if err != nil {
		t.Fatal(err)
	}
	f.Clock.Add(support.ComplaintDue + time.Minute)
	list, _ := f.svc.Complaints(ctx, "open")
	if len(list) != 1 || !list[0].Overdue || list[0].Body != "Nobody called me back" {
		t.Fatalf("complaints: %+v", list)
	}
	if err := f.svc.ResolveComplaint(ctx, cp.ID, "sup1", "We are sorry: we called you on Monday and fixed the lock."); err != nil {
		t.Fatal(err)
	}
	if ms := f.mails("caller@example.com"); len(ms) == 0 || !strings.Contains(ms[len(ms)-1], "we called you on Monday") {
		t.Fatalf("resolution not sent: %q", ms)
	}
	if err := f.svc.ResolveComplaint(ctx, cp.ID, "sup1", "again"); !errors.Is(err, support.ErrInvalid) {
		t.Fatalf("resolved twice: %v", err)
	}
}

// forged changes a token's first character to a different one, so the
// result is never the token itself.
func forged(token string) string {
	c := byte('x')
	if token[0] == c {
		c = 'y'
	}
	return string(c) + token[1:]
}
