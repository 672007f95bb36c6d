package mfa_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/frontdesk/frontdesk/internal/identity/identitytest"
	"github.com/frontdesk/frontdesk/internal/mfa"
)

func (f *fixture) staff(email string) string {
	f.t.Helper()
	a, err := f.Svc.CreateAdmin(ctx, email, identitytest.Password)
	if err != nil {
		f.t.Fatal(err)
	}
	return a.ID
}

func (f *fixture) openRequest(email string) mfa.RecoveryRequest {
	f.t.Helper()
	if err := f.svc.FileRecovery(ctx, email, "Lost my phone in Da Nang", "198.51.100.7"); err != nil {
		f.t.Fatal(err)
	}
	f.Svc.WaitMail() // mails of separate calls may otherwise overtake each other
	list, err := f.svc.RecoveryRequests(ctx, "")
	if err != nil {
		f.t.Fatal(err)
	}
	for _, r := range list {
		if r.Email == email && r.Status == mfa.RecoveryOpen {
			return r
		}
	}
	f.t.Fatalf("no open request for %s in %+v", email, list)
	return mfa.RecoveryRequest{}
}

// ASVS 6.4.4: a lost factor is recovered only through identity proofing
// recorded by staff, approval, a cool-off the owner can cancel, then a
// reset that ends every session and forces a new enrolment.
func TestAssistedRecovery(t *testing.T) {
	f := newFixture(t, "default")
	tok, p := f.customer("lan@example.com")
	f.enrolTOTP(p, "lan@example.com")
	f.enrolPhone(f.Principal(tok), "+84912345678")
	agent := f.staff("agent@acme.example")

	// Unknown e-mails get the same answer and create nothing.
	if err := f.svc.FileRecovery(ctx, "nobody@example.com", "", "198.51.100.7"); err != nil {
		t.Fatal(err)
	}
	r := f.openRequest("lan@example.com")
	if r.Message != "Lost my phone in Da Nang" || r.NeedsCoApproval {
		t.Fatalf("request %+v", r)
	}
	if !hasSubject(f.Mails("lan@example.com"), "received your request") {
		t.Fatal("no acknowledgement to the owner")
	}
	if all, _ := f.svc.RecoveryRequests(ctx, ""); len(all) != 1 {
		t.Fatalf("%d requests", len(all))
	}

	if _, err := f.svc.ApproveRecovery(ctx, agent, r.ID); !errors.Is(err, mfa.ErrChecklistIncomplete) {
		t.Fatalf("approval without checks: %v", err)
	}
	if err := f.svc.RecordCheck(ctx, agent, r.ID, "horoscope", "asked", ""); err == nil {
		t.Fatal("an item outside the checklist was accepted")
	}
	if err := f.svc.RecordCheck(ctx, agent, r.ID, "video_call", "video call, ID card held to camera", "CCCD ending 4411 matches the name"); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.RecordCheck(ctx, agent, r.ID, "video_call", "again", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.ApproveRecovery(ctx, agent, r.ID); !errors.Is(err, mfa.ErrChecklistIncomplete) {
		t.Fatalf("approval with one kind of check: %v", err)
	}
	if err := f.svc.RecordCheck(ctx, agent, r.ID, "callback_known_phone", "called the number on file since 2019", ""); err != nil {
		t.Fatal(err)
	}
	// The customer cannot work their own request, even as staff would.
	if err := f.svc.RecordCheck(ctx, p.AccountID, r.ID, "other", "self", ""); !errors.Is(err, mfa.ErrSelfAction) {
		t.Fatalf("owner acting on their own request: %v", err)
	}
	got, err := f.svc.ApproveRecovery(ctx, agent, r.ID)
	if err != nil || got.Status != mfa.RecoveryApproved || got.CoolOffUntil == nil || len(got.Checks) != 3 || !hasNote(got.Checks, "CCCD ending 4411 matches the name") {
		t.Fatalf("approved: %+v %v", got, err)
	}
	mail := f.Last("lan@example.com")
	if !strings.Contains(mail.Subject, "will be reset") || !strings.Contains(mail.Text, "/recovery/cancel?token=") {
		t.Fatalf("cool-off notice %q: %q", mail.Subject, mail.Text)
	}
	to, body := f.lastSMS()
	if to != "+84912345678" || !strings.Contains(body, "/recovery/cancel?token=") {
		t.Fatalf("verified phone not told: %s %q", to, body)
	}

	// Nothing happens during the cool-off.
	f.Clock.Add(23 * time.Hour)
	if n, err := f.svc.CompleteDueRecoveries(ctx); err != nil || n != 0 {
		t.Fatalf("completed during the cool-off: %d %v", n, err)
	}
	f.Clock.Add(time.Hour)
	if n, err := f.svc.CompleteDueRecoveries(ctx); err != nil || n != 1 {
		t.Fatalf("after the cool-off: %d %v", n, err)
	}
	if _, err := f.Svc.Authenticate(ctx, tok); !errors.Is(err, identity.ErrUnauthenticated) {
		t.Fatalf("session survived the recovery: %v", err)
	}
	if fs, _ := f.svc.Factors(ctx, p.AccountID); len(fs) != 0 {
		t.Fatalf("factors after recovery: %+v", fs)
	}
	res, err := f.SignIn("lan@example.com", identitytest.Password, "198.51.100.7")
	if err != nil || res.Challenge != nil || !res.Session.MustEnrol {
		t.Fatalf("first sign-in after recovery must enrol only: %+v %v", res, err)
	}
	if !hasSubject(f.Mails("lan@example.com"), "were reset") {
		t.Fatal("completion not notified")
	}
	done, _ := f.svc.RecoveryRequest(ctx, r.ID)
	if done.Status != mfa.RecoveryCompleted {
		t.Fatalf("status %s", done.Status)
	}
	acts := strings.Join(f.AuditActions(), " ")
	for _, a := range []string{"recovery.request", "recovery.check", "recovery.approve", "recovery.complete"} {
		if !strings.Contains(acts, a) {
			t.Errorf("no %s audit entry", a)
		}
	}
	f.VerifyAudit()
}

// The owner's "this wasn't me" link cancels during the cool-off.
func TestAssistedRecoveryCancelled(t *testing.T) {
	f := newFixture(t, "default")
	_, p := f.customer("lan@example.com")
	key, _ := f.enrolTOTP(p, "lan@example.com")
	agent := f.staff("agent@acme.example")
	r := f.openRequest("lan@example.com")
	f.svc.RecordCheck(ctx, agent, r.ID, "id_document", "passport scan", "")
	f.svc.RecordCheck(ctx, agent, r.ID, "account_details", "last three payments", "")
	if _, err := f.svc.ApproveRecovery(ctx, agent, r.ID); err != nil {
		t.Fatal(err)
	}
	m := f.Last("lan@example.com")
	if strings.Contains(m.Text, "contact support at .") {
		t.Fatalf("help address missing: %q", m.Text)
	}
	token := m.Token(t)
	if err := f.svc.CancelRecovery(ctx, "forged"); !errors.Is(err, identity.ErrInvalidCode) {
		t.Fatalf("forged cancel token: %v", err)
	}
	if err := f.svc.CancelRecovery(ctx, token); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.CancelRecovery(ctx, token); !errors.Is(err, identity.ErrInvalidCode) {
		t.Fatalf("cancel link used twice: %v", err)
	}
	f.Clock.Add(25 * time.Hour)
	if n, _ := f.svc.CompleteDueRecoveries(ctx); n != 0 {
		t.Fatal("a cancelled recovery completed")
	}
	c := f.challenge("lan@example.com", identity.ClientAPI)
	if _, err := f.complete(c, "totp", f.totpNow(key)); err != nil {
		t.Fatalf("factor after a cancelled recovery: %v", err)
	}
	if _, err := f.svc.ApproveRecovery(ctx, agent, r.ID); !errors.Is(err, mfa.ErrRecoveryState) {
		t.Fatalf("approving a cancelled request: %v", err)
	}
}

// PCI: a second, different staff member must co-approve (separation of
// duties), and rejecting closes the request without change.
func TestAssistedRecoveryCoApproval(t *testing.T) {
	f := newFixture(t, "pci")
	_, p := f.customer("lan@example.com")
	f.enrolTOTP(p, "lan@example.com")
	first, second := f.staff("first@acme.example"), f.staff("second@acme.example")
	r := f.openRequest("lan@example.com")
	f.svc.RecordCheck(ctx, first, r.ID, "in_branch", "seen at the Hoan Kiem branch", "")
	f.svc.RecordCheck(ctx, first, r.ID, "id_document", "CCCD checked in person", "")
	got, err := f.svc.ApproveRecovery(ctx, first, r.ID)
	if err != nil || got.Status != mfa.RecoveryOpen || got.ApprovedBy != first || !got.NeedsCoApproval {
		t.Fatalf("first approval: %+v %v", got, err)
	}
	if _, err := f.svc.ApproveRecovery(ctx, first, r.ID); !errors.Is(err, mfa.ErrSelfAction) {
		t.Fatalf("co-approved by the same person: %v", err)
	}
	got, err = f.svc.ApproveRecovery(ctx, second, r.ID)
	if err != nil || got.Status != mfa.RecoveryApproved || got.CoApprovedBy != second {
		t.Fatalf("co-approval: %+v %v", got, err)
	}
	if err := f.svc.RejectRecovery(ctx, second, r.ID, ""); err == nil {
		t.Fatal("rejection without a reason")
	}
	if err := f.svc.RejectRecovery(ctx, second, r.ID, "caller failed the callback"); err != nil {
		t.Fatal(err)
	}
	f.Clock.Add(25 * time.Hour)
	if n, _ := f.svc.CompleteDueRecoveries(ctx); n != 0 {
		t.Fatal("a rejected recovery completed")
	}
	if fs, _ := f.svc.Factors(ctx, p.AccountID); len(fs) != 1 {
		t.Fatal("factors changed by a rejected request")
	}
}

func hasNote(cs []mfa.RecoveryCheck, note string) bool {
	for _, c := range cs {
		if c.Note == note {
			return true
		}
	}
	return false
}
