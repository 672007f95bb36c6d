package assist_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/internal/assist"
	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/support"
)

// The whole path of a session: invitation with a signed card and a code,
// consent at view, an action refused at view, a raise that needs the
// customer's consent, a click allowed at control (and refused on a masked
// field), a lowered level, the customer's stop, and the report and survey.
func TestSessionLifecycle(t *testing.T) {
	f := newFixture(t)
	inv := f.invite()
	if inv.Session.State != assist.StateInvited || inv.Session.Level != "" || inv.Session.MaxLevel != assist.LevelControl {
		t.Fatalf("invited: %+v", inv.Session)
	}

	// The identity card verifies; a tampered one does not.
	card := inv.Card
	if err := f.svc.VerifyCard(card); err != nil {
		t.Fatalf("card: %v", err)
	}
	if card.Card.Name != "Minh Tran" || card.Card.StaffNumber != "S-1042" || card.Card.Department != "Customer care" || card.Card.SessionID != inv.Session.ID {
		t.Fatalf("card: %+v", card.Card)
	}
	forged := card
	forged.Card.Name = "Security Department"
	wantErr(t, f.svc.VerifyCard(forged), assist.ErrBadCard)
	other := card
	other.Card.SessionID = "0123456789abcdef0123456789abcdef"
	wantErr(t, f.svc.VerifyCard(other), assist.ErrBadCard)

	// The code: six digits, the same on both sides, stored as a keyed hash only.
	if len(inv.Code) != 6 || strings.Trim(inv.Code, "0123456789") != "" {
		t.Fatalf("code %q", inv.Code)
	}
	mine, err := f.svc.InvitationOf(ctx, inv.Session.ID, assist.Actor{AccountID: f.customer})
	if err != nil || mine.Code != inv.Code || mine.Card.Signature != card.Signature {
		t.Fatalf("the customer's invitation: %+v %v", mine, err)
	}
	if ok, err := f.svc.CheckCode(ctx, inv.Session.ID, inv.Code); !ok || err != nil {
		t.Fatalf("code does not check: %v", err)
	}
	if ok, _ := f.svc.CheckCode(ctx, inv.Session.ID, "000000"); ok && inv.Code != "000000" {
		t.Fatal("a wrong code checks")
	}
	if f.rawContains(inv.Code, "assist_sessions.code_hash", "assist_sessions.card", "audit_log.details") {
		t.Fatal("the verification code is stored in clear") // ASVS 11.5.1, 6.5.2: only its keyed hash
	}
	// ASVS 8.2.2: another customer does not see the invitation.
	mai := f.Register("mai@example.com").ID
	_, err = f.svc.InvitationOf(ctx, inv.Session.ID, assist.Actor{AccountID: mai})
	wantErr(t, err, assist.ErrNotFound)
	_, err = f.svc.Accept(ctx, inv.Session.ID, mai, "")
	wantErr(t, err, assist.ErrNotFound)

	ctl := f.follow(inv.Session.ID, assist.ChannelControl)
	toCustomer := f.follow(inv.Session.ID, assist.ChannelActions)

	// Consent at the default level: view.
	sess, err := f.svc.Accept(ctx, inv.Session.ID, f.customer, "")
	if err != nil || sess.State != assist.StateActive || sess.Level != assist.LevelView || sess.StartedAt == nil {
		t.Fatalf("accepted: %+v %v", sess, err)
	}
	if c := nextControl(t, ctl, assist.ControlState); c.State != assist.StateActive || c.Level != assist.LevelView {
		t.Fatalf("control %+v", c)
	}

	// At view the agent may do nothing.
	wantErr(t, f.svc.Act(ctx, sess.ID, f.agent, assist.Action{Kind: assist.ActionPointer, Data: json.RawMessage(`{"x":1,"y":2}`)}), assist.ErrNotAllowed)
	wantErr(t, f.svc.Act(ctx, sess.ID, f.agent, assist.Action{Kind: assist.ActionClick, Target: 12}), assist.ErrNotAllowed)
	// Another staff member is not the session's agent.
	wantErr(t, f.svc.Act(ctx, sess.ID, f.supervisor, assist.Action{Kind: assist.ActionPointer, Data: json.RawMessage(`{"x":1,"y":2}`)}), assist.ErrNotFound)

	// The agent asks for control: the level does not change until the customer consents.
	if err := f.svc.RequestLevel(ctx, sess.ID, f.agent, assist.LevelControl); err != nil {
		t.Fatal(err)
	}
	if c := nextControl(t, ctl, assist.ControlLevelRequest); c.Requested != assist.LevelControl || c.Level != assist.LevelView {
		t.Fatalf("request %+v", c)
	}
	wantErr(t, f.svc.Act(ctx, sess.ID, f.agent, assist.Action{Kind: assist.ActionClick, Target: 12}), assist.ErrNotAllowed)
	if _, err := f.svc.LowerLevel(ctx, sess.ID, f.customer, assist.LevelControl); err == nil {
		t.Fatal("LowerLevel raised the level")
	}
	if sess, err = f.svc.Accept(ctx, sess.ID, f.customer, assist.LevelControl); err != nil || sess.Level != assist.LevelControl {
		t.Fatalf("raise: %+v %v", sess, err)
	}

	// At control the click passes and reaches the customer's page; a
	// click or typing aimed at a masked field does not.
	if err := f.svc.ReportMasked(ctx, sess.ID, f.customer, []int{40, 41}); err != nil {
		t.Fatal(err)
	}
	click := assist.Action{Kind: assist.ActionClick, Target: 12, Data: json.RawMessage(`{"x":10,"y":20}`)}
	if err := f.svc.Act(ctx, sess.ID, f.agent, click); err != nil {
		t.Fatal(err)
	}
	var got assist.Action
	if err := json.Unmarshal(next(t, toCustomer), &got); err != nil || got.Kind != assist.ActionClick || got.Target != 12 {
		t.Fatalf("relayed %+v %v", got, err)
	}
	wantErr(t, f.svc.Act(ctx, sess.ID, f.agent, assist.Action{Kind: assist.ActionType, Target: 41, Data: json.RawMessage(`"4111"`)}), assist.ErrMasked)
	wantErr(t, f.svc.Act(ctx, sess.ID, f.agent, assist.Action{Kind: assist.ActionClick, Target: 40}), assist.ErrMasked)
	if err := f.svc.Act(ctx, sess.ID, f.agent, assist.Action{Kind: assist.ActionScroll, Data: json.RawMessage(`{"y":300}`)}); err != nil {
		t.Fatal(err)
	}

	// The customer lowers to guided: pointing still works, clicking no longer.
	if sess, err = f.svc.LowerLevel(ctx, sess.ID, f.customer, assist.LevelGuided); err != nil || sess.Level != assist.LevelGuided {
		t.Fatalf("lower: %+v %v", sess, err)
	}
	wantErr(t, f.svc.Act(ctx, sess.ID, f.agent, assist.Action{Kind: assist.ActionClick, Target: 12}), assist.ErrNotAllowed)
	if err := f.svc.Act(ctx, sess.ID, f.agent, assist.Action{Kind: assist.ActionPointer, Data: json.RawMessage(`{"x":1,"y":2}`)}); err != nil {
		t.Fatal(err)
	}

	// The customer stops: the end reaches the agent's side at once.
	f.Clock.Add(3 * time.Minute)
	if sess, err = f.svc.Stop(ctx, sess.ID, assist.Actor{AccountID: f.customer}, nil); err != nil || sess.State != assist.StateEnded || sess.EndReason != assist.EndCustomer {
		t.Fatalf("stop: %+v %v", sess, err)
	}
	if end := endControl(t, ctl); end.Reason != assist.EndCustomer || !end.Survey {
		t.Fatalf("end %+v", end)
	}
	wantErr(t, f.svc.Act(ctx, sess.ID, f.agent, assist.Action{Kind: assist.ActionPointer, Data: json.RawMessage(`{"x":1,"y":2}`)}), assist.ErrEnded)
	wantErr(t, f.svc.Share(ctx, sess.ID, f.customer, 9, nil), assist.ErrEnded)

	// The agent concludes afterwards: the report gets the summary.
	if err := f.svc.Conclude(ctx, sess.ID, f.agent, assist.Closing{Summary: "Showed the address form", Outcome: assist.OutcomeResolved}); err != nil {
		t.Fatal(err)
	}
	rep, err := f.svc.Report(ctx, sess.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.CardVerified || rep.Actions[assist.ActionClick] != 1 || rep.Actions[assist.ActionScroll] != 1 || rep.Actions[assist.ActionPointer] != 1 ||
		rep.Refused[assist.ActionClick] != 4 || rep.Refused[assist.ActionPointer] != 1 || rep.Refused[assist.ActionType] != 1 ||
		rep.Summary != "Showed the address form" || rep.Duration != 3*time.Minute {
		t.Fatalf("report %+v", rep)
	}
	var levels []string
	for _, sp := range rep.Levels {
		levels = append(levels, sp.Level)
	}
	if strings.Join(levels, ",") != "view,control,guided" {
		t.Fatalf("levels %v", rep.Levels)
	}
	msgs := f.systemMessages(f.conv.ID)
	if len(msgs) != 2 || !strings.Contains(msgs[0], "Remote assistance report") || !strings.Contains(msgs[0], "Minh Tran, staff number S-1042") ||
		!strings.Contains(msgs[0], "Agent actions: 3") || !strings.Contains(msgs[0], "Refused: 6") || !strings.Contains(msgs[1], "Showed the address form") {
		t.Fatalf("system messages %q", msgs)
	}
	// An agent whose console speaks Vietnamese reads both in Vietnamese;
	// other messages are left as they are.
	c, err := f.desk.Get(ctx, f.conv.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	var localized []string
	for _, m := range c.Messages {
		if body, ok := f.svc.Localize(ctx, m, "vi"); ok {
			localized = append(localized, body)
		} else if m.Kind == support.KindSystem && strings.HasPrefix(m.ClientID, "assist-") {
			t.Errorf("report message %s not localized", m.ClientID)
		}
	}
	if len(localized) != 2 || !strings.Contains(localized[0], "Báo cáo hỗ trợ từ xa") || !strings.Contains(localized[1], "Showed the address form") {
		t.Fatalf("in Vietnamese: %q", localized)
	}
	// The survey is offered on the conversation.
	if sv, err := f.desk.SurveyOf(ctx, f.conv.ID); err != nil || sv == nil {
		t.Fatalf("survey %+v %v", sv, err)
	}

	// Every consent, level change, refusal, stop and end is audited, and
	// the chain verifies.
	for _, want := range []struct {
		action, outcome string
		n               int
	}{
		{"assist.invite", audit.Success, 1}, {"assist.consent", audit.Success, 2}, {"assist.consent", audit.Denied, 0},
		{"assist.level_request", audit.Success, 1}, {"assist.level", audit.Success, 1}, {"assist.stop", audit.Success, 1},
		{"assist.end", audit.Success, 1}, {"assist.conclude", audit.Success, 1},
	} {
		if n := f.auditCount(want.action, want.outcome); n != want.n {
			t.Errorf("%s %s: %d entries, want %d", want.action, want.outcome, n, want.n)
		}
	}
	// ASVS 16.3.2: refusals are logged, once per kind of action (pointer,
	// click, type) rather than once per mouse move.
	if n := f.auditCount("assist.action_refused", audit.Denied); n != 3 {
		t.Errorf("refusals audited %d times, want once per kind (pointer, click, type)", n)
	}
	f.VerifyAudit()
}

// An agent without assist:start cannot invite, a visitor's conversation
// cannot be co-browsed, and a conversation has one open session at a time.
func TestInviteChecks(t *testing.T) {
	f := newFixture(t)
	auditor := f.staff("ana@bank.example", "auditor", "Ana", "S-0100")
	_, err := f.svc.Invite(ctx, auditor, f.conv.ID) // ASVS 8.2.1
	wantErr(t, err, assist.ErrForbidden)
	_, err = f.svc.Invite(ctx, f.customer, f.conv.ID)
	wantErr(t, err, assist.ErrForbidden)

	visitor, err := f.desk.Start(ctx, supportVisitor())
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.Invite(ctx, f.agent, visitor.ID)
	wantErr(t, err, assist.ErrNoCustomer)

	inv := f.invite()
	_, err = f.svc.Invite(ctx, f.agent, f.conv.ID)
	wantErr(t, err, assist.ErrBusy)
	// The customer declines: the session ends without a report or survey.
	sess, err := f.svc.Stop(ctx, inv.Session.ID, assist.Actor{AccountID: f.customer}, nil)
	if err != nil || sess.EndReason != assist.EndDeclined {
		t.Fatalf("decline: %+v %v", sess, err)
	}
	if msgs := f.systemMessages(f.conv.ID); len(msgs) != 0 {
		t.Fatalf("a declined invitation posted %q", msgs)
	}
	if sv, _ := f.desk.SurveyOf(ctx, f.conv.ID); sv != nil {
		t.Fatal("a declined invitation started the survey")
	}
	// A new invitation expires unanswered.
	inv = f.invite()
	f.Clock.Add(assist.DefaultInviteTTL)
	_, err = f.svc.Accept(ctx, inv.Session.ID, f.customer, "")
	wantErr(t, err, assist.ErrExpired)
	if s := f.session(inv.Session.ID); s.State != assist.StateEnded || s.EndReason != assist.EndExpired {
		t.Fatalf("expired: %+v", s)
	}
	// An agent without an identity card cannot invite.
	bare := f.staff("tuan@bank.example", "agent", "Tuan", "S-0200")
	if err := f.D.Write(ctx, deleteProfile(bare)); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.Invite(ctx, bare, f.conv.ID)
	wantErr(t, err, assist.ErrNoProfile)
}

func TestAllowed(t *testing.T) {
	for _, c := range []struct {
		level string
		allow []string
	}{
		{assist.LevelView, nil},
		{assist.LevelGuided, []string{assist.ActionPointer, assist.ActionHighlight, assist.ActionAnnotate}},
		{assist.LevelControl, assist.Actions},
		{"", nil},
	} {
		for _, a := range append(assist.Actions, "focus", "") {
			if got := assist.Allowed(c.level, a); got != contains(c.allow, a) {
				t.Errorf("Allowed(%q, %q) = %v", c.level, a, got)
			}
		}
	}
}

func supportVisitor() support.NewConversation {
	return support.NewConversation{Who: support.Who{Email: "visitor@example.com"}, Channel: support.ChannelChat, Body: "Hello"}
}

func deleteProfile(accountID string) func(*db.Tx) error {
	return func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, "DELETE FROM assist_agent_profiles WHERE account_id = ?", accountID)
		return err
	}
}
