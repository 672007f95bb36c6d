package identity_test

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/identity"
)

func TestRegisterVerifySignInSignOut(t *testing.T) {
	f := newFixture(t, "default")
	ctx := context.Background()
	email := "Lan.Nguyen@Example.COM"
	if _, err := f.svc.Register(ctx, identity.Registration{Email: "  " + email + " ", Password: goodPassword, Name: "Lan Nguyen", Phone: "+84 912 345 678", Locale: "vi", IP: "198.51.100.7"}); err != nil {
		t.Fatal(err)
	}
	m := f.last("Lan.Nguyen@example.com")
	if !strings.Contains(m.Subject, "Xác nhận") {
		t.Fatalf("verification mail not in the account's language: %q", m.Subject)
	}
	// Unverified: the right password says so and sends a new code.
	if _, err := f.signIn(email, goodPassword, "198.51.100.7"); !errors.Is(err, identity.ErrEmailNotVerified) {
		t.Fatalf("sign-in before verification: %v", err)
	}
	// The new code is bound to the attempt whose password was typed; with
	// that password as the proof it activates the account.
	code := f.last("Lan.Nguyen@example.com").Code(t)
	a, err := f.svc.VerifyEmail(ctx, "lan.nguyen@example.com", code, identity.RegistrantProof{Password: goodPassword})
	if err != nil {
		t.Fatal(err)
	}
	if a.Email != "Lan.Nguyen@example.com" || a.Phone != "+84912345678" || a.Locale != "vi" || !a.EmailVerified || a.Status != identity.StatusActive {
		t.Fatalf("account %+v", a)
	}
	if w := f.last(a.Email); !strings.Contains(w.Text, "https://bank.example/contact") {
		t.Fatalf("welcome mail lacks where to get help: %q", w.Text)
	}
	res, err := f.signIn("LAN.NGUYEN@example.com", goodPassword, "198.51.100.7")
	if err != nil {
		t.Fatal(err)
	}
	p, err := f.svc.Authenticate(ctx, res.Token)
	if err != nil || p.AccountID != a.ID || p.Session.ID != res.Session.ID {
		t.Fatalf("authenticate: %+v %v", p, err)
	}
	if err := f.svc.SignOut(ctx, p); err != nil {
		t.Fatal(err)
	}
	// ASVS 7.4.1: the old token no longer works after sign-out.
	if _, err := f.svc.Authenticate(ctx, res.Token); !errors.Is(err, identity.ErrUnauthenticated) {
		t.Fatalf("token after sign-out: %v", err)
	}
	f.verifyAudit()
	acts := strings.Join(f.auditActions(), " ")
	for _, want := range []string{"account.register", "account.verify_email", "signin.success", "session.end"} {
		if !strings.Contains(acts, want) {
			t.Errorf("audit lacks %s: %s", want, acts)
		}
	}
}

// Personal fields are stored sealed; the database holds no clear e-mail,
// name or phone, and no clear secret.
func TestPersonalDataAndSecretsSealedAtRest(t *testing.T) {
	f := newFixture(t, "default")
	a := f.register("secret.person@example.org")
	res, err := f.signIn(a.Email, goodPassword, "203.0.113.9")
	if err != nil {
		t.Fatal(err)
	}
	var dump strings.Builder
	err = f.d.Read(context.Background(), func(tx *db.Tx) error {
		for _, table := range []string{"accounts", "sessions", "login_events", "account_tokens", "audit_log"} {
			rows, err := tx.Query(context.Background(), "SELECT * FROM "+table)
			if err != nil {
				return err
			}
			cols, _ := rows.Columns()
			for rows.Next() {
				vals := make([]any, len(cols))
				ptrs := make([]any, len(cols))
				for i := range vals {
					ptrs[i] = &vals[i]
				}
				if err := rows.Scan(ptrs...); err != nil {
					rows.Close()
					return err
				}
				for _, v := range vals {
					switch v := v.(type) {
					case []byte:
						dump.Write(v)
					case string:
						dump.WriteString(v)
					}
					dump.WriteString("|")
				}
			}
			rows.Close()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, clear := range []string{"secret.person", "Lan Nguyen", "203.0.113.9", res.Token, goodPassword} {
		if strings.Contains(dump.String(), clear) {
			t.Errorf("database holds %q in clear", clear)
		}
	}
}

// ASVS 6.3.8: registering an e-mail that exists gives the same answer and
// tells the owner instead.
func TestRegisterExistingEmailSameAnswer(t *testing.T) {
	f := newFixture(t, "default")
	a := f.register("taken@example.com")
	before := len(f.mails(a.Email))
	_, err := f.svc.Register(context.Background(), identity.Registration{Email: "TAKEN@example.com", Password: "another long passphrase here", IP: "198.51.100.8"})
	if err != nil {
		t.Fatalf("existing e-mail: %v", err)
	}
	ms := f.mails(a.Email)
	if len(ms) != before+1 || !strings.Contains(ms[len(ms)-1].Subject, "tried to register") {
		t.Fatalf("owner not told: %+v", ms[before:])
	}
	// The password did not change.
	if _, err := f.signIn(a.Email, goodPassword, "198.51.100.8"); err != nil {
		t.Fatalf("original password: %v", err)
	}
}

// ASVS 6.6.3: a code dies after the allowed wrong guesses, and with it the
// attempt's link. A link works once, and only with the registrant's proof.
func TestVerificationCodeAttemptsAndLink(t *testing.T) {
	f := newFixture(t, "default")
	ctx := context.Background()
	email := "guess@example.com"
	secret, err := f.svc.Register(ctx, identity.Registration{Email: email, Password: goodPassword, IP: "198.51.100.7"})
	if err != nil {
		t.Fatal(err)
	}
	m := f.last(email)
	code := m.Code(t)
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	proof := identity.RegistrantProof{Registration: secret}
	for range 5 {
		if _, err := f.svc.VerifyEmail(ctx, email, wrong, proof); !errors.Is(err, identity.ErrInvalidCode) {
			t.Fatalf("wrong code: %v", err)
		}
	}
	if _, err := f.svc.VerifyEmail(ctx, email, code, proof); !errors.Is(err, identity.ErrInvalidCode) {
		t.Fatalf("right code after 5 wrong ones: %v", err)
	}
	if _, err := f.svc.VerifyLink(ctx, m.Token(t), proof); !errors.Is(err, identity.ErrInvalidCode) {
		t.Fatalf("link of a dead attempt: %v", err)
	}
	// A new attempt: its link needs the proof, then works once.
	secret, err = f.svc.Register(ctx, identity.Registration{Email: email, Password: goodPassword, IP: "198.51.100.7"})
	if err != nil {
		t.Fatal(err)
	}
	m = f.last(email)
	var fe *identity.FieldError
	if _, err := f.svc.VerifyLink(ctx, m.Token(t), identity.RegistrantProof{}); !errors.As(err, &fe) || fe.Code != "registration_required" {
		t.Fatalf("link without a proof: %v", err)
	}
	if _, err := f.svc.VerifyLink(ctx, m.Token(t), identity.RegistrantProof{Password: "not the password at all"}); !errors.Is(err, identity.ErrInvalidCode) {
		t.Fatalf("link with a wrong password: %v", err)
	}
	if _, err := f.svc.VerifyLink(ctx, m.Token(t), identity.RegistrantProof{Registration: secret}); err != nil {
		t.Fatalf("link: %v", err)
	}
	if _, err := f.svc.VerifyLink(ctx, m.Token(t), identity.RegistrantProof{Registration: secret}); !errors.Is(err, identity.ErrInvalidCode) {
		t.Fatalf("link used twice: %v", err)
	}
	// Unknown e-mail and a bad code look alike.
	if _, err := f.svc.VerifyEmail(ctx, "nobody@example.com", code, proof); !errors.Is(err, identity.ErrInvalidCode) {
		t.Fatalf("unknown e-mail: %v", err)
	}
}

// ASVS 6.3.8: unknown e-mail, wrong password and a locked account give the
// same error.
func TestSignInFailuresLookAlike(t *testing.T) {
	f := newFixture(t, "pci")
	a := f.register("victim@example.com")
	_, errUnknown := f.signIn("ghost@example.com", goodPassword, "198.51.100.1")
	_, errWrong := f.signIn(a.Email, "wrong password entirely", "198.51.100.2")
	for range 10 {
		f.signIn(a.Email, "wrong password entirely", "198.51.100.3")
	}
	_, errLocked := f.signIn(a.Email, goodPassword, "198.51.100.4")
	_, errBadEmail := f.signIn("not an e-mail", goodPassword, "198.51.100.5")
	for name, err := range map[string]error{"unknown": errUnknown, "wrong": errWrong, "locked": errLocked, "malformed": errBadEmail} {
		if !errors.Is(err, identity.ErrInvalidCredentials) || err.Error() != identity.ErrInvalidCredentials.Error() {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// PCI 8.3.4: ten wrong passwords lock the account for at least 30 minutes;
// the eleventh attempt fails even with the right password.
func TestLockoutPCI(t *testing.T) {
	f := newFixture(t, "pci")
	a := f.register("locked@example.com")
	for i := range 10 {
		if _, err := f.signIn(a.Email, "wrong password entirely", "198.51.100.10"); !errors.Is(err, identity.ErrInvalidCredentials) {
			t.Fatalf("attempt %d: %v", i+1, err)
		}
	}
	if _, err := f.signIn(a.Email, goodPassword, "198.51.100.11"); !errors.Is(err, identity.ErrInvalidCredentials) {
		t.Fatalf("right password while locked: %v", err)
	}
	m := f.last(a.Email)
	if !strings.Contains(m.Subject, "locked") {
		t.Fatalf("owner not told of the lock: %q", m.Subject)
	}
	f.clock.Add(29 * time.Minute)
	if _, err := f.signIn(a.Email, goodPassword, "198.51.100.11"); !errors.Is(err, identity.ErrInvalidCredentials) {
		t.Fatalf("after 29 minutes: %v", err)
	}
	f.clock.Add(time.Minute)
	if _, err := f.signIn(a.Email, goodPassword, "198.51.100.11"); err != nil {
		t.Fatalf("after 30 minutes: %v", err)
	}
	acts := strings.Join(f.auditActions(), " ")
	if !strings.Contains(acts, "account.lock") {
		t.Fatalf("lock not audited: %s", acts)
	}
}

func TestUnlockLinkIsSingleUse(t *testing.T) {
	f := newFixture(t, "pci")
	a := f.register("unlock@example.com")
	for range 10 {
		f.signIn(a.Email, "wrong password entirely", "198.51.100.10")
	}
	link := f.last(a.Email).Token(t)
	if err := f.svc.Unlock(context.Background(), link); err != nil {
		t.Fatal(err)
	}
	if _, err := f.signIn(a.Email, goodPassword, "198.51.100.11"); err != nil {
		t.Fatalf("after unlock: %v", err)
	}
	if err := f.svc.Unlock(context.Background(), link); !errors.Is(err, identity.ErrInvalidCode) {
		t.Fatalf("unlock link reused: %v", err)
	}
}

// ASVS 6.3.1 / 6.1.1: a source failing too often is throttled with a
// Retry-After, without locking the account it attacked.
func TestIPThrottleDoesNotLockVictim(t *testing.T) {
	f := newFixture(t, "default")
	a := f.register("target@example.com")
	var limited *identity.RateLimitedError
	for i := range 25 {
		_, err := f.signIn(a.Email, "wrong password entirely", "192.0.2.50")
		if errors.As(err, &limited) {
			if i < 20 {
				t.Fatalf("throttled after only %d failures", i)
			}
			break
		}
	}
	if limited == nil || limited.RetryAfter <= 0 || limited.RetryAfter > 15*time.Minute {
		t.Fatalf("source not throttled: %+v", limited)
	}
	// The owner, elsewhere, is not locked out.
	if _, err := f.signIn(a.Email, goodPassword, "203.0.113.77"); err != nil {
		t.Fatalf("victim locked by someone else's failures: %v", err)
	}
	// The block ends after its time.
	f.clock.Add(15*time.Minute + time.Second)
	if _, err := f.signIn(a.Email, goodPassword, "192.0.2.50"); err != nil {
		t.Fatalf("after the block: %v", err)
	}
	if !strings.Contains(strings.Join(f.auditActions(), " "), "signin.throttled") {
		t.Fatal("throttled attempt not audited")
	}
}

// ASVS 6.3.1: credential stuffing (one source, many accounts) is detected.
func TestCredentialStuffingDetected(t *testing.T) {
	f := newFixture(t, "default")
	var limited *identity.RateLimitedError
	for i := range 12 {
		_, err := f.signIn("user"+string(rune('a'+i))+"@example.com", "some leaked password", "192.0.2.99")
		if errors.As(err, &limited) {
			break
		}
	}
	if limited == nil || limited.RetryAfter <= 15*time.Minute {
		t.Fatalf("stuffing not throttled for its longer block: %+v", limited)
	}
	var found bool
	err := f.d.Read(context.Background(), func(tx *db.Tx) error {
		return tx.QueryRow(context.Background(), "SELECT COUNT(*) > 0 FROM audit_log WHERE details LIKE ?", "%credential_stuffing%").Scan(&found)
	})
	if err != nil || !found {
		t.Fatalf("stuffing decision not audited: %v", err)
	}
}

// The /24 of an attacker rotating addresses is throttled as a whole.
func TestNetworkThrottle(t *testing.T) {
	f := newFixture(t, "default")
	a := f.register("net@example.com")
	var limited *identity.RateLimitedError
	for i := range 120 {
		ip := "192.0.2." + itoa(i%100+1)
		if _, err := f.signIn("nobody"+itoa(i%5)+"@example.com", "wrong password entirely", ip); errors.As(err, &limited) {
			break
		}
	}
	if limited == nil {
		t.Fatal("network never throttled")
	}
	if _, err := f.signIn(a.Email, goodPassword, "192.0.2.200"); !errors.As(err, &limited) {
		t.Fatalf("fresh address in the blocked network: %v", err)
	}
	if _, err := f.signIn(a.Email, goodPassword, "192.0.3.1"); err != nil {
		t.Fatalf("another network: %v", err)
	}
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}

// ASVS 7.1.1: idle and absolute timeouts, driven by the clock.
func TestSessionTimeouts(t *testing.T) {
	f := newFixture(t, "default")
	ctx := context.Background()
	a := f.register("timeout@example.com")
	res, _ := f.signIn(a.Email, goodPassword, "198.51.100.7")
	f.clock.Add(30*time.Minute + time.Second)
	if _, err := f.svc.Authenticate(ctx, res.Token); !errors.Is(err, identity.ErrUnauthenticated) {
		t.Fatalf("idle 30m1s: %v", err)
	}
	res, _ = f.signIn(a.Email, goodPassword, "198.51.100.7")
	for elapsed := time.Duration(0); elapsed < 12*time.Hour-20*time.Minute; elapsed += 20 * time.Minute {
		f.clock.Add(20 * time.Minute)
		if _, err := f.svc.Authenticate(ctx, res.Token); err != nil {
			t.Fatalf("active session at %s: %v", elapsed+20*time.Minute, err)
		}
	}
	f.clock.Add(20 * time.Minute)
	if _, err := f.svc.Authenticate(ctx, res.Token); !errors.Is(err, identity.ErrUnauthenticated) {
		t.Fatalf("past the absolute 12h: %v", err)
	}
}

// PCI 8.2.8: the pci profile ends sessions idle for 15 minutes.
func TestSessionIdlePCI(t *testing.T) {
	f := newFixture(t, "pci")
	a := f.register("idle@example.com")
	res, _ := f.signIn(a.Email, goodPassword, "198.51.100.7")
	f.clock.Add(14 * time.Minute)
	if _, err := f.svc.Authenticate(context.Background(), res.Token); err != nil {
		t.Fatalf("14 minutes: %v", err)
	}
	f.clock.Add(15*time.Minute + time.Second)
	if _, err := f.svc.Authenticate(context.Background(), res.Token); !errors.Is(err, identity.ErrUnauthenticated) {
		t.Fatalf("idle 15m1s: %v", err)
	}
}

// ASVS 7.2.3 / 7.2.4: every sign-in gets a fresh 256-bit token.
func TestTokensFreshAndRandom(t *testing.T) {
	f := newFixture(t, "default")
	a := f.register("tokens@example.com")
	seen := map[string]bool{}
	valid := regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)
	for range 300 {
		f.clock.Add(time.Second)
		res, err := f.signIn(a.Email, goodPassword, "198.51.100.7")
		if err != nil {
			t.Fatal(err)
		}
		if seen[res.Token] || !valid.MatchString(res.Token) {
			t.Fatalf("token %q repeated or malformed", res.Token)
		}
		seen[res.Token] = true
	}
}

// ASVS 7.1.2: at most MaxSessions; the least recently used one ends.
func TestMaxSessionsEvictsOldest(t *testing.T) {
	f := newFixture(t, "default")
	ctx := context.Background()
	a := f.register("many@example.com")
	var tokens []string
	for range 11 {
		f.clock.Add(time.Second)
		res, err := f.signIn(a.Email, goodPassword, "198.51.100.7")
		if err != nil {
			t.Fatal(err)
		}
		tokens = append(tokens, res.Token)
	}
	if _, err := f.svc.Authenticate(ctx, tokens[0]); !errors.Is(err, identity.ErrUnauthenticated) {
		t.Fatalf("oldest session kept: %v", err)
	}
	p, err := f.svc.Authenticate(ctx, tokens[10])
	if err != nil {
		t.Fatal(err)
	}
	list, err := f.svc.Sessions(ctx, p)
	if err != nil || len(list) != 10 {
		t.Fatalf("sessions: %d %v", len(list), err)
	}
}

// ASVS 7.4.2: disabling an account ends its sessions at once.
func TestDisableEndsSessions(t *testing.T) {
	f := newFixture(t, "default")
	ctx := context.Background()
	a := f.register("disable@example.com")
	res, _ := f.signIn(a.Email, goodPassword, "198.51.100.7")
	if err := f.svc.SetDisabled(ctx, a.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Authenticate(ctx, res.Token); !errors.Is(err, identity.ErrUnauthenticated) {
		t.Fatalf("session of a disabled account: %v", err)
	}
	if _, err := f.signIn(a.Email, goodPassword, "198.51.100.7"); !errors.Is(err, identity.ErrInvalidCredentials) {
		t.Fatalf("sign-in of a disabled account: %v", err)
	}
}

func TestEndSessionOnlyOwn(t *testing.T) {
	f := newFixture(t, "default")
	ctx := context.Background()
	a := f.register("own1@example.com")
	b := f.register("own2@example.com")
	ra, _ := f.signIn(a.Email, goodPassword, "198.51.100.7")
	rb, _ := f.signIn(b.Email, goodPassword, "198.51.100.7")
	pa, _ := f.svc.Authenticate(ctx, ra.Token)
	// ASVS 8.2.2: another account's session id is "not found".
	if err := f.svc.EndSession(ctx, pa, rb.Session.ID); !errors.Is(err, identity.ErrNotFound) {
		t.Fatalf("ending someone else's session: %v", err)
	}
	if _, err := f.svc.Authenticate(ctx, rb.Token); err != nil {
		t.Fatalf("victim's session: %v", err)
	}
	ra2, _ := f.signIn(a.Email, goodPassword, "198.51.100.8")
	if n, err := f.svc.EndOtherSessions(ctx, pa); err != nil || n != 1 {
		t.Fatalf("end others: %d %v", n, err)
	}
	if _, err := f.svc.Authenticate(ctx, ra2.Token); !errors.Is(err, identity.ErrUnauthenticated) {
		t.Fatal("other session survived")
	}
	if _, err := f.svc.Authenticate(ctx, ra.Token); err != nil {
		t.Fatalf("own session ended: %v", err)
	}
}
