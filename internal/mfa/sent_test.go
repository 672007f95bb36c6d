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

// enrolPhone adds a phone for SMS codes, confirming it with the code the
// outbox received.
func (f *fixture) enrolPhone(p *identity.Principal, phone string) []string {
	f.t.Helper()
	if _, err := f.svc.StartPhone(ctx, p, phone, "198.51.100.7"); err != nil {
		f.t.Fatal(err)
	}
	to, body := f.lastSMS()
	if to != "+84912345678" || !strings.Contains(body, "Acme Bank") || !strings.HasSuffix(body, "@bank.example #"+f.lastSMSCode()) {
		f.t.Fatalf("SMS to %s: %q", to, body)
	}
	codes, err := f.svc.ConfirmSent(ctx, p, f.lastSMSCode(), "Work phone")
	if err != nil {
		f.t.Fatal(err)
	}
	f.Svc.WaitMail()
	return codes
}

// ASVS 6.6.1: SMS codes go only to a number verified by a code; ASVS
// 6.6.2: a code is bound to its sign-in attempt; ASVS 6.5.5: it expires
// after ten minutes; ASVS 6.6.3: a new code does not reset the failures.
func TestSMSCodes(t *testing.T) {
	f := newFixture(t, "default")
	_, p := f.customer("lan@example.com")
	if _, err := f.svc.StartPhone(ctx, p, "0912 345 678", "198.51.100.7"); err == nil {
		t.Fatal("a number without country code was accepted")
	}
	if _, err := f.svc.ConfirmSent(ctx, p, "123456", ""); !errors.Is(err, mfa.ErrNoEnrolment) {
		t.Fatalf("confirm without enrolment: %v", err)
	}
	codes := f.enrolPhone(p, "+84 912 345 678")
	if len(codes) != 10 {
		t.Fatalf("first factor gave %d recovery codes", len(codes))
	}
	fs, err := f.svc.Factors(ctx, p.AccountID)
	if err != nil || len(fs) != 1 || fs[0].Kind != "sms" || fs[0].Name != "Work phone" || fs[0].Detail != "+84•••••••78" {
		t.Fatalf("factors %+v %v", fs, err)
	}

	a := f.challenge("lan@example.com", identity.ClientAPI)
	if strings.Join(a.Methods, ",") != "sms,recovery_code" {
		t.Fatalf("methods %v", a.Methods)
	}
	if dest, err := f.svc.SendCode(ctx, a.Token, "sms", "198.51.100.7"); err != nil || dest != "+84•••••••78" {
		t.Fatalf("send: %q %v", dest, err)
	}
	codeA := f.lastSMSCode()
	b := f.challenge("lan@example.com", identity.ClientAPI)
	if _, err := f.complete(b, identity.MethodSMS, codeA); !errors.Is(err, identity.ErrInvalidCode) {
		t.Fatalf("code of attempt A used for attempt B: %v", err)
	}
	// Wrong codes, then a new code: the failures carry over.
	limit := f.Svc.Policy().CodeAttempts
	for i := 0; i < limit-1; i++ {
		if _, err := f.complete(a, identity.MethodSMS, "000000"); !errors.Is(err, identity.ErrInvalidCode) {
			t.Fatal(err)
		}
	}
	if _, err := f.svc.SendCode(ctx, a.Token, "sms", "198.51.100.7"); err != nil {
		t.Fatal(err)
	}
	codeA2 := f.lastSMSCode()
	// The replaced code is refused, and is the last wrong try allowed.
	if _, err := f.complete(a, identity.MethodSMS, codeA); !errors.Is(err, identity.ErrInvalidCode) && codeA != codeA2 {
		t.Fatalf("replaced code accepted: %v", err)
	}
	if _, err := f.complete(a, identity.MethodSMS, codeA2); !errors.Is(err, identity.ErrChallengeInvalid) {
		t.Fatalf("a new code reset the failure count: %v", err)
	}

	// Expiry.
	c := f.challenge("lan@example.com", identity.ClientAPI)
	if _, err := f.svc.SendCode(ctx, c.Token, "sms", "198.51.100.8"); err != nil {
		t.Fatal(err)
	}
	code := f.lastSMSCode()
	f.Clock.Add(9 * time.Minute)
	res, err := f.complete(c, identity.MethodSMS, code)
	if err != nil || res.Session.AAL != 2 {
		t.Fatalf("code within ten minutes: %v", err)
	}
	c = f.challenge("lan@example.com", identity.ClientAPI)
	if _, err := f.svc.SendCode(ctx, c.Token, "sms", "198.51.100.8"); err != nil {
		t.Fatal(err)
	}
	code = f.lastSMSCode()
	f.Clock.Add(10*time.Minute + time.Second)
	if _, err := f.complete(c, identity.MethodSMS, code); !errors.Is(err, identity.ErrChallengeInvalid) && !errors.Is(err, identity.ErrInvalidCode) {
		t.Fatalf("code after ten minutes: %v", err)
	}
}

// ASVS 2.4.1: sending codes is limited per account (and per number and
// per source), against SMS pumping.
func TestSMSSendingThrottled(t *testing.T) {
	f := newFixture(t, "default")
	_, p := f.customer("lan@example.com")
	f.enrolPhone(p, "+84912345678") // one send
	c := f.challenge("lan@example.com", identity.ClientAPI)
	per := f.Svc.Policy().OTPSendsPerAccount
	for i := 1; i < per; i++ {
		if _, err := f.svc.SendCode(ctx, c.Token, "sms", "203.0.113.9"); err != nil {
			t.Fatalf("send %d: %v", i+1, err)
		}
	}
	var rl *identity.RateLimitedError
	if _, err := f.svc.SendCode(ctx, c.Token, "sms", "203.0.113.9"); !errors.As(err, &rl) || rl.RetryAfter <= 0 {
		t.Fatalf("send beyond the quota: %v", err)
	}
	// Per source: another account from the same address.
	f2 := newFixture(t, "default", func(p *identity.Policy) { p.OTPSendsPerIP = 2 })
	_, p2 := f2.customer("minh@example.com")
	f2.enrolPhone(p2, "+84912345678")
	c2 := f2.challenge("minh@example.com", identity.ClientAPI)
	f2.svc.SendCode(ctx, c2.Token, "sms", "203.0.113.10")
	f2.svc.SendCode(ctx, c2.Token, "sms", "203.0.113.10")
	if _, err := f2.svc.SendCode(ctx, c2.Token, "sms", "203.0.113.10"); !errors.As(err, &rl) {
		t.Fatalf("third send from one address with a quota of 2: %v", err)
	}
}

// E-mail codes are a second factor only when configured (NIST 800-63B-4).
func TestEmailCodes(t *testing.T) {
	f := newFixture(t, "default")
	_, p := f.customer("lan@example.com")
	if _, err := f.svc.StartEmailCodes(ctx, p, "198.51.100.7"); !errors.Is(err, mfa.ErrUnavailable) {
		t.Fatalf("e-mail codes without the setting: %v", err)
	}
	f = newFixture(t, "default", func(p *identity.Policy) { p.EmailOTPFactor = true })
	_, p = f.customer("lan@example.com")
	if _, err := f.svc.StartEmailCodes(ctx, p, "198.51.100.7"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.ConfirmSent(ctx, p, f.Last("lan@example.com").Code(t), ""); err != nil {
		t.Fatal(err)
	}
	c := f.challenge("lan@example.com", identity.ClientAPI)
	if _, err := f.svc.SendCode(ctx, c.Token, "email", "198.51.100.7"); err != nil {
		t.Fatal(err)
	}
	m := f.Last("lan@example.com")
	if m.Subject != "Your sign-in code" {
		t.Fatalf("mail %q", m.Subject)
	}
	if res, err := f.complete(c, identity.MethodEmail, m.Code(t)); err != nil || res.Session.AAL != 2 {
		t.Fatalf("e-mail code: %v", err)
	}
}

// Remembered browsers skip the second factor until revoked or until a
// password reset (ASVS 6.4.3).
func TestRememberDevice(t *testing.T) {
	f := newFixture(t, "default")
	_, p := f.customer("lan@example.com")
	key, _ := f.enrolTOTP(p, "lan@example.com")
	f.Clock.Add(30 * time.Second)
	browser := identity.SignIn{Email: "lan@example.com", Password: identitytest.Password, IP: "198.51.100.7",
		UserAgent: identitytest.UserAgent, DeviceID: "device-one-0123456789", Client: identity.ClientBrowser}
	c := f.challenge("lan@example.com", identity.ClientBrowser)
	res, err := f.Svc.CompleteMFA(ctx, identity.MFAAttempt{Challenge: c.Token, Method: "totp", Code: f.totpNow(key), Remember: true, SignIn: browser})
	if err != nil || res.Remember == nil || res.Remember.Token == "" {
		t.Fatalf("remember: %+v %v", res, err)
	}
	if d := res.Remember.ExpiresAt.Sub(f.Clock.Now()); d != 30*24*time.Hour {
		t.Fatalf("remembered for %s", d)
	}
	in := browser
	in.RememberToken = res.Remember.Token
	again, err := f.Svc.SignIn(ctx, in)
	if err != nil || again.Challenge != nil || again.Session.AAL != 2 || strings.Join(again.Session.Methods, ",") != "pwd,remembered" {
		t.Fatalf("remembered browser: %+v %v", again, err)
	}
	// Another account's cookie counts for nothing.
	_, p2 := f.customer("minh@example.com")
	f.enrolTOTP(p2, "minh@example.com")
	other := in
	other.Email = "minh@example.com"
	if r, err := f.Svc.SignIn(ctx, other); err != nil || r.Challenge == nil {
		t.Fatalf("another account's remember cookie: %+v %v", r, err)
	}
	// Listed, and revocable.
	devs, err := f.Svc.RememberedDevices(ctx, f.Principal(again.Token))
	if err != nil || len(devs) != 1 || devs[0].Device == "" {
		t.Fatalf("devices %+v %v", devs, err)
	}
	if err := f.Svc.ForgetDevice(ctx, f.Principal(again.Token), devs[0].ID); err != nil {
		t.Fatal(err)
	}
	if r, _ := f.Svc.SignIn(ctx, in); r == nil || r.Challenge == nil {
		t.Fatal("forgotten device still skips the second factor")
	}
	// A password reset forgets remembered browsers: the next sign-in still
	// asks for the second factor.
	f.Clock.Add(30 * time.Second)
	c = f.challenge("lan@example.com", identity.ClientBrowser)
	res, _ = f.Svc.CompleteMFA(ctx, identity.MFAAttempt{Challenge: c.Token, Method: "totp", Code: f.totpNow(key), Remember: true, SignIn: browser})
	if err := f.Svc.RequestReset(ctx, "lan@example.com", "198.51.100.7"); err != nil {
		t.Fatal(err)
	}
	const newPassword = "Seven quiet harbors at dawn 3#"
	if err := f.Svc.ConfirmReset(ctx, "lan@example.com", f.Last("lan@example.com").Code(t), newPassword); err != nil {
		t.Fatal(err)
	}
	in.Password, in.RememberToken = newPassword, res.Remember.Token
	if r, err := f.Svc.SignIn(ctx, in); err != nil || r.Challenge == nil {
		t.Fatalf("sign-in after a reset skipped the second factor: %+v %v", r, err)
	}
}

// In pci there is no "remember this device".
func TestRememberDeviceOffInPCI(t *testing.T) {
	f := newFixture(t, "pci")
	tok, p := f.customer("lan@example.com")
	if !p.Session.MustEnrol {
		t.Fatal("pci customer without a factor got a full session")
	}
	key, _ := f.enrolTOTP(p, "lan@example.com")
	if f.Principal(tok).Session.MustEnrol {
		t.Fatal("still restricted after enrolling")
	}
	f.Clock.Add(30 * time.Second)
	c := f.challenge("lan@example.com", identity.ClientBrowser)
	res, err := f.Svc.CompleteMFA(ctx, identity.MFAAttempt{Challenge: c.Token, Method: "totp", Code: f.totpNow(key), Remember: true,
		SignIn: identity.SignIn{IP: "198.51.100.7", UserAgent: identitytest.UserAgent, Client: identity.ClientBrowser}})
	if err != nil || res.Remember != nil {
		t.Fatalf("pci remembered a device: %+v %v", res, err)
	}
}

// Staff must enrol before anything; the last factor of an account that
// must have one cannot be removed; ASVS 6.5.6: a removed factor fails at
// once, and removal needs a recent sign-in and is notified.
func TestEnrolmentRequiredAndRemoval(t *testing.T) {
	f := newFixture(t, "default")
	if _, err := f.Svc.CreateAdmin(ctx, "ops@acme.example", identitytest.Password); err != nil {
		t.Fatal(err)
	}
	res, err := f.SignIn("ops@acme.example", identitytest.Password, "198.51.100.7")
	if err != nil || !res.Session.MustEnrol || res.Session.AAL != 1 {
		t.Fatalf("staff first sign-in: %+v %v", res, err)
	}
	p := f.Principal(res.Token)
	f.enrolTOTP(p, "ops@acme.example")
	fs, _ := f.svc.Factors(ctx, p.AccountID)
	if err := f.svc.RemoveFactor(ctx, f.Principal(res.Token), fs[0].ID); !errors.Is(err, mfa.ErrLastFactor) {
		t.Fatalf("staff removed the last factor: %v", err)
	}

	_, c := f.customer("lan@example.com")
	key, _ := f.enrolTOTP(c, "lan@example.com")
	codes := f.enrolPhone(c, "+84912345678")
	if codes != nil {
		t.Fatal("a second factor issued a second set of recovery codes")
	}
	fs, _ = f.svc.Factors(ctx, c.AccountID)
	if len(fs) != 2 {
		t.Fatalf("factors %+v", fs)
	}
	if fs[0].Kind != "totp" { // both were added at the same instant
		fs[0], fs[1] = fs[1], fs[0]
	}
	if err := f.svc.RenameFactor(ctx, c, fs[0].ID, "Old phone app"); err != nil {
		t.Fatal(err)
	}
	f.Clock.Add(6 * time.Minute)
	if err := f.svc.RemoveFactor(ctx, c, fs[0].ID); !errors.Is(err, identity.ErrStepUpRequired) {
		t.Fatalf("removal without step-up: %v", err)
	}
	ch := f.challenge("lan@example.com", identity.ClientAPI)
	res, err = f.complete(ch, "totp", f.totpNow(key))
	if err != nil {
		t.Fatal(err)
	}
	fresh := f.Principal(res.Token)
	if err := f.svc.RemoveFactor(ctx, fresh, "not-a-factor"); !errors.Is(err, mfa.ErrNotFound) {
		t.Fatalf("unknown factor: %v", err)
	}
	if err := f.svc.RemoveFactor(ctx, f.Principal(res.Token), fs[0].ID); err != nil {
		t.Fatal(err)
	}
	if !hasSubject(f.Mails("lan@example.com"), "A sign-in method was removed") {
		t.Fatal("removal not notified")
	}
	f.Clock.Add(30 * time.Second)
	ch = f.challenge("lan@example.com", identity.ClientAPI)
	if strings.Join(ch.Methods, ",") != "sms,recovery_code" {
		t.Fatalf("methods after removing TOTP: %v", ch.Methods)
	}
	if _, err := f.complete(ch, "totp", f.totpNow(key)); !errors.Is(err, identity.ErrMethodUnavailable) {
		t.Fatalf("removed factor still works: %v", err)
	}
}
