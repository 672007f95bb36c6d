package identity_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/internal/identity"
)

// A registrant who asks for a new code gets one for the same attempt: the
// new code and link work with the same secret, the ones mailed before stop
// working, the validity starts again (and reads "24 hours"), and an
// attempt that ran out of guesses gets new ones with its new code.
func TestResendVerification(t *testing.T) {
	f := newFixture(t, "default")
	ctx := context.Background()
	email := "lan@example.com"
	secret, err := f.svc.Register(ctx, identity.Registration{Email: email, Password: goodPassword, Name: "Lan Do", IP: "198.51.100.7"})
	if err != nil {
		t.Fatal(err)
	}
	first := f.last(email)
	proof := identity.RegistrantProof{Registration: secret}
	// Nearly a day later, with every guess used up.
	f.clock.Add(23 * time.Hour)
	for range f.svc.Policy().CodeAttempts {
		if _, err := f.svc.VerifyEmail(ctx, email, "000000", proof); !errors.Is(err, identity.ErrInvalidCode) {
			t.Fatalf("wrong code: %v", err)
		}
	}
	if err := f.svc.ResendVerification(ctx, "  LAN@example.com ", secret, "198.51.100.7"); err != nil {
		t.Fatal(err)
	}
	second := f.last(email)
	if len(f.mails(email)) != 2 || second.Code(t) == "" {
		t.Fatalf("e-mails after the resend: %d", len(f.mails(email)))
	}
	if !strings.Contains(second.Text, "24 hours") || strings.Contains(second.Text, "1440") {
		t.Errorf("the new e-mail's validity is not in hours:\n%s", second.Text)
	}
	// The old link and code stop working; the attempt lives on past the
	// first e-mail's 24 hours.
	f.clock.Add(2 * time.Hour)
	if _, err := f.svc.VerifyLink(ctx, first.Token(t), proof); !errors.Is(err, identity.ErrInvalidCode) {
		t.Fatalf("the first e-mail's link after a resend: %v", err)
	}
	if first.Code(t) != second.Code(t) {
		if _, err := f.svc.VerifyEmail(ctx, email, first.Code(t), proof); !errors.Is(err, identity.ErrInvalidCode) {
			t.Fatalf("the first e-mail's code after a resend: %v", err)
		}
	}
	a, err := f.svc.VerifyEmail(ctx, email, second.Code(t), proof)
	if err != nil {
		t.Fatalf("the new code: %v", err)
	}
	if a.Name != "Lan Do" || a.Status != identity.StatusActive {
		t.Fatalf("account after the new code: %+v", a)
	}
	if _, err := f.signIn(email, goodPassword, "198.51.100.7"); err != nil {
		t.Fatalf("sign in: %v", err)
	}
	// Verified: the secret sends nothing any more.
	if err := f.svc.ResendVerification(ctx, email, secret, "198.51.100.7"); err != nil {
		t.Fatal(err)
	}
	if n := countMails(f, email, "Confirm"); n != 2 {
		t.Fatalf("%d verification e-mails after verifying, want 2", n)
	}
	acts := strings.Join(f.auditActions(), " ")
	if strings.Count(acts, "account.verify_resend") != 1 {
		t.Errorf("audit: %s", acts)
	}
	f.verifyAudit()
}

// Resending answers the same whether the address exists, is pending with
// another secret, or is unknown, and sends nothing unless the secret and
// the address belong together (ASVS 6.3.8): an address alone never makes
// Frontdesk write to it. Without a secret the answer says what to send.
func TestResendVerificationNoEnumeration(t *testing.T) {
	f := newFixture(t, "default")
	ctx := context.Background()
	active := f.register("active@example.com")
	pendingSecret, err := f.svc.Register(ctx, identity.Registration{Email: "pending@example.com", Password: goodPassword, IP: "198.51.100.7"})
	if err != nil {
		t.Fatal(err)
	}
	otherSecret, err := f.svc.Register(ctx, identity.Registration{Email: "other@example.com", Password: goodPassword, IP: "198.51.100.7"})
	if err != nil {
		t.Fatal(err)
	}
	before := map[string]int{}
	for _, e := range []string{active.Email, "pending@example.com", "other@example.com", "nobody@example.com"} {
		before[e] = len(f.mails(e))
	}
	for _, c := range []struct{ email, secret string }{
		{active.Email, pendingSecret},               // an active account, someone's secret
		{"pending@example.com", otherSecret},        // a pending one, another's secret
		{"pending@example.com", "bm90LWEtc2VjcmV0"}, // a made-up secret
		{"nobody@example.com", pendingSecret},       // no account at all
	} {
		if err := f.svc.ResendVerification(ctx, c.email, c.secret, "203.0.113.9"); err != nil {
			t.Errorf("%s: %v", c.email, err)
		}
	}
	f.svc.WaitMail()
	for e, n := range before {
		if got := len(f.mails(e)); got != n {
			t.Errorf("%s got %d e-mails, had %d", e, got, n)
		}
	}
	var fe *identity.FieldError
	if err := f.svc.ResendVerification(ctx, "pending@example.com", "", "203.0.113.9"); !errors.As(err, &fe) || fe.Code != "registration_required" {
		t.Fatalf("without a secret: %v", err)
	}
	if err := f.svc.ResendVerification(ctx, "not an address", pendingSecret, "203.0.113.9"); !errors.As(err, &fe) || fe.Code != "invalid_email" {
		t.Fatalf("a bad address: %v", err)
	}
}

// Resending counts against the recipient's verification-mail quota,
// shared with registration (at most MailsPerRecipient per window, then
// silence and the same answer, the last code mailed still working), and
// against the source's quota, which refuses with a wait whatever the
// address (ASVS 2.4.1).
func TestResendVerificationQuotas(t *testing.T) {
	f := newFixture(t, "default")
	ctx := context.Background()
	email := "bombed@example.com"
	secret, err := f.svc.Register(ctx, identity.Registration{Email: email, Password: goodPassword, IP: "198.51.100.7"})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 6 {
		if err := f.svc.ResendVerification(ctx, email, secret, fmt.Sprintf("192.0.2.%d", i)); err != nil {
			t.Fatalf("resend %d: %v", i, err)
		}
	}
	if n, want := len(f.mails(email)), f.svc.Policy().MailsPerRecipient; n != want {
		t.Fatalf("%d e-mails in a burst, want %d", n, want)
	}
	if _, err := f.svc.VerifyEmail(ctx, email, f.last(email).Code(t), identity.RegistrantProof{Registration: secret}); err != nil {
		t.Fatalf("the last code mailed: %v", err)
	}

	limit := f.svc.Policy().RegistrationsPerIP
	for i := range limit + 1 {
		err := f.svc.ResendVerification(ctx, fmt.Sprintf("nobody%d@example.com", i), secret, "192.0.2.200")
		var rl *identity.RateLimitedError
		if i < limit && err != nil {
			t.Fatalf("request %d of %d refused: %v", i+1, limit, err)
		}
		if i == limit && (!errors.As(err, &rl) || rl.RetryAfter <= 0) {
			t.Fatalf("request %d let through past the limit of %d: %v", i+1, limit, err)
		}
	}
}
