package mfa_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/frontdesk/frontdesk/internal/identity/identitytest"
	"github.com/frontdesk/frontdesk/internal/mfa"
)

// ASVS 6.3.3, 2.3.1: once a factor is enrolled, a right password opens
// no session, only a challenge that the second factor completes.
// ASVS 6.5.1: a TOTP code is accepted once. ASVS 6.3.7: adding a factor
// is notified.
func TestTOTPEnrolmentAndSignIn(t *testing.T) {
	f := newFixture(t, "default")
	tok, p := f.customer("lan@example.com")
	if p.Session.AAL != 1 || p.Session.MustEnrol {
		t.Fatalf("password-only session of an optional-MFA customer: %+v", p.Session)
	}
	key, codes := f.enrolTOTP(p, "lan@example.com")
	if len(codes) != 10 {
		t.Fatalf("%d recovery codes", len(codes))
	}
	if up := f.Principal(tok); up.Session.AAL != 2 || strings.Join(up.Session.Methods, ",") != "pwd,totp" {
		t.Fatalf("session after enrolment: %+v", up.Session)
	}
	if !hasSubject(f.Mails("lan@example.com"), "A sign-in method was added") {
		t.Fatalf("no notice of the new factor: %v", subjects(f.Mails("lan@example.com")))
	}

	f.Clock.Add(30 * time.Second)
	c := f.challenge("lan@example.com", identity.ClientAPI)
	if strings.Join(c.Methods, ",") != "totp,recovery_code" {
		t.Fatalf("methods %v", c.Methods)
	}
	code := f.totpNow(key)
	res, err := f.complete(c, identity.MethodTOTP, code)
	if err != nil {
		t.Fatal(err)
	}
	if res.Session.AAL != 2 || strings.Join(res.Session.Methods, ",") != "pwd,totp" {
		t.Fatalf("session %+v", res.Session)
	}
	// The challenge is single use, and the code is spent.
	if _, err := f.complete(c, identity.MethodTOTP, code); !errors.Is(err, identity.ErrChallengeInvalid) {
		t.Fatalf("challenge used twice: %v", err)
	}
	c2 := f.challenge("lan@example.com", identity.ClientAPI)
	if _, err := f.complete(c2, identity.MethodTOTP, code); !errors.Is(err, identity.ErrInvalidCode) {
		t.Fatalf("TOTP code replayed in its window: %v", err)
	}
	// A method the account does not have is refused without counting.
	if _, err := f.complete(c2, identity.MethodSMS, "123456"); !errors.Is(err, identity.ErrMethodUnavailable) {
		t.Fatalf("unavailable method: %v", err)
	}
	f.VerifyAudit()
}

// ASVS 6.5.5: a code from two steps ago is refused; one step of skew is
// the default profile's documented tolerance, none in pci.
func TestTOTPWindow(t *testing.T) {
	for _, tc := range []struct {
		profile string
		oneStep bool
	}{{"default", true}, {"pci", false}} {
		t.Run(tc.profile, func(t *testing.T) {
			f := newFixture(t, tc.profile)
			_, p := f.customer("lan@example.com")
			key, _ := f.enrolTOTP(p, "lan@example.com")
			f.Clock.Add(5 * time.Minute)
			c := f.challenge("lan@example.com", identity.ClientAPI)
			_, err := f.complete(c, identity.MethodTOTP, rfc6238(key, f.Clock.Now().Add(-60*time.Second)))
			if !errors.Is(err, identity.ErrInvalidCode) {
				t.Fatalf("code two steps old: %v", err)
			}
			_, err = f.complete(c, identity.MethodTOTP, rfc6238(key, f.Clock.Now().Add(-30*time.Second)))
			if tc.oneStep != (err == nil) {
				t.Fatalf("code one step old: %v", err)
			}
		})
	}
}

// ASVS 6.6.3: wrong second factors kill the challenge after the limit;
// they never touch the password lockout, and the owner hears that
// someone knew the password (ASVS 6.3.5).
func TestChallengeFailures(t *testing.T) {
	f := newFixture(t, "default")
	_, p := f.customer("lan@example.com")
	key, _ := f.enrolTOTP(p, "lan@example.com")
	c := f.challenge("lan@example.com", identity.ClientAPI)
	limit := f.Svc.Policy().CodeAttempts
	for i := 0; i < limit; i++ {
		if _, err := f.complete(c, identity.MethodTOTP, "12345"+string(rune('0'+i))); !errors.Is(err, identity.ErrInvalidCode) {
			t.Fatalf("wrong code %d: %v", i, err)
		}
	}
	f.Clock.Add(30 * time.Second)
	if _, err := f.complete(c, identity.MethodTOTP, f.totpNow(key)); !errors.Is(err, identity.ErrChallengeInvalid) {
		t.Fatalf("right code on a dead challenge: %v", err)
	}
	if n := f.failedLogins(p.AccountID); n != 0 {
		t.Fatalf("second-factor failures counted toward the password lockout: %d", n)
	}
	if !hasSubject(f.Mails("lan@example.com"), "Someone entered your password") {
		t.Fatalf("no partial-success notice: %v", subjects(f.Mails("lan@example.com")))
	}
	// A wrong password does not kill a live challenge either.
	c = f.challenge("lan@example.com", identity.ClientAPI)
	if _, err := f.SignIn("lan@example.com", "wrong password entirely", "198.51.100.7"); !errors.Is(err, identity.ErrInvalidCredentials) {
		t.Fatal(err)
	}
	if _, err := f.complete(c, identity.MethodTOTP, f.totpNow(key)); err != nil {
		t.Fatalf("challenge after a password failure elsewhere: %v", err)
	}
	// A challenge expires, and belongs to the client that started it.
	f.Clock.Add(30 * time.Second)
	c = f.challenge("lan@example.com", identity.ClientBrowser)
	if _, err := f.complete(c, identity.MethodTOTP, f.totpNow(key)); !errors.Is(err, identity.ErrChallengeInvalid) {
		t.Fatalf("browser challenge completed by an API client: %v", err)
	}
	c = f.challenge("lan@example.com", identity.ClientAPI)
	f.Clock.Add(f.Svc.Policy().ChallengeTTL + time.Second)
	if _, err := f.complete(c, identity.MethodTOTP, f.totpNow(key)); !errors.Is(err, identity.ErrChallengeInvalid) {
		t.Fatalf("expired challenge: %v", err)
	}
}

// Many dead challenges in a row throttle the account's second factor,
// while the password path stays open.
func TestMFAAccountThrottle(t *testing.T) {
	f := newFixture(t, "default", func(p *identity.Policy) { p.MFAFailures = 6 })
	_, p := f.customer("lan@example.com")
	f.enrolTOTP(p, "lan@example.com")
	var err error
	for i := 0; i < 6; i++ {
		c := f.challenge("lan@example.com", identity.ClientAPI)
		_, err = f.complete(c, identity.MethodTOTP, "000001")
	}
	c := f.challenge("lan@example.com", identity.ClientAPI)
	var rl *identity.RateLimitedError
	if _, err = f.complete(c, identity.MethodTOTP, "000002"); !errors.As(err, &rl) {
		t.Fatalf("after 6 failures: %v", err)
	}
}

// ASVS 6.5.1, 6.5.2: recovery codes are stored hashed and single use;
// using one is notified; a new set invalidates the old one and needs a
// recent sign-in (ASVS 7.5.1).
func TestRecoveryCodes(t *testing.T) {
	f := newFixture(t, "default")
	tok, p := f.customer("lan@example.com")
	key, codes := f.enrolTOTP(p, "lan@example.com")
	var hashes [][]byte
	err := f.D.Read(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, "SELECT code_hash FROM recovery_codes")
		hashes, err = db.Collect(rows, err, db.Value[[]byte])
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hashes {
		for _, c := range codes {
			if strings.Contains(string(h), c) || strings.Contains(string(h), strings.ReplaceAll(c, "-", "")) {
				t.Errorf("code %s stored in clear", c)
			}
		}
	}
	if len(hashes) != 10 {
		t.Fatalf("%d stored codes", len(hashes))
	}
	c := f.challenge("lan@example.com", identity.ClientAPI)
	if _, err := f.complete(c, identity.MethodRecoveryCode, strings.ToLower(strings.ReplaceAll(codes[0], "-", " "))); err != nil {
		t.Fatalf("code typed loosely: %v", err)
	}
	m := f.Last("lan@example.com")
	if !strings.Contains(m.Subject, "recovery code was used") || !strings.Contains(m.Text, "9 unused recovery codes") {
		t.Fatalf("notice %q: %q", m.Subject, m.Text)
	}
	c = f.challenge("lan@example.com", identity.ClientAPI)
	if _, err := f.complete(c, identity.MethodRecoveryCode, codes[0]); !errors.Is(err, identity.ErrInvalidCode) {
		t.Fatalf("code reused: %v", err)
	}

	// A new set needs a sign-in within the last five minutes.
	f.Clock.Add(6 * time.Minute)
	if _, err := f.svc.RegenerateRecoveryCodes(ctx, p); !errors.Is(err, identity.ErrStepUpRequired) {
		t.Fatalf("regenerate without step-up: %v", err)
	}
	if err := f.Svc.Reauthenticate(ctx, p, identitytest.Password, nil); !errors.Is(err, identity.ErrSecondFactorRequired) {
		t.Fatalf("re-authentication with the password alone: %v", err)
	}
	if err := f.Svc.Reauthenticate(ctx, p, identitytest.Password, &identity.Proof{Method: identity.MethodTOTP, Code: "000000"}); !errors.Is(err, identity.ErrInvalidCode) && f.totpNow(key) != "000000" {
		t.Fatalf("re-authentication with a wrong code: %v", err)
	}
	if err := f.Svc.Reauthenticate(ctx, p, identitytest.Password, &identity.Proof{Method: identity.MethodTOTP, Code: f.totpNow(key)}); err != nil {
		t.Fatal(err)
	}
	p = f.Principal(tok)
	fresh, err := f.svc.RegenerateRecoveryCodes(ctx, p)
	if err != nil || len(fresh) != 10 {
		t.Fatal(err)
	}
	c = f.challenge("lan@example.com", identity.ClientAPI)
	if _, err := f.complete(c, identity.MethodRecoveryCode, codes[1]); !errors.Is(err, identity.ErrInvalidCode) {
		t.Fatalf("old set still works: %v", err)
	}
	if _, err := f.complete(c, identity.MethodRecoveryCode, fresh[1]); err != nil {
		t.Fatal(err)
	}
}

// The seed is sealed at rest (ASVS 6.5.3 / 11.3).
func TestSeedSealed(t *testing.T) {
	f := newFixture(t, "default")
	_, p := f.customer("lan@example.com")
	e, err := f.svc.StartTOTP(ctx, p, "lan@example.com")
	if err != nil {
		t.Fatal(err)
	}
	var sealed []byte
	f.D.Read(ctx, func(tx *db.Tx) error {
		return tx.QueryRow(ctx, "SELECT secret_sealed FROM mfa_factors WHERE id = ?", e.FactorID).Scan(&sealed)
	})
	if len(sealed) == 0 || strings.Contains(string(sealed), e.Secret) {
		t.Fatal("seed not sealed")
	}
}

var _ = mfa.ErrInvalidCode
