package mfa_test

import (
	"context"
	"encoding/base32"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/frontdesk/frontdesk/internal/identity/identitytest"
	"github.com/frontdesk/frontdesk/internal/mfa"
	"github.com/frontdesk/frontdesk/internal/mfa/totptest"
	"github.com/frontdesk/frontdesk/internal/notify"
)

// rfc6238 is the independent implementation of internal/mfa/totptest.
var rfc6238 = totptest.Code

func TestIndependentTOTPMatchesRFCVector(t *testing.T) {
	// RFC 6238 Appendix B, SHA-1, T=59: 94287082 (8 digits) → 287082.
	if got := rfc6238([]byte("12345678901234567890"), time.Unix(59, 0)); got != "287082" {
		t.Fatalf("reference implementation gives %s", got)
	}
}

type fixture struct {
	*identitytest.Kit
	t      *testing.T
	svc    *mfa.Service
	smsDir string
}

func newFixture(t *testing.T, profile string, change ...func(*identity.Policy)) *fixture {
	t.Helper()
	k := identitytest.New(t, profile, change...)
	smsDir := filepath.Join(t.TempDir(), "sms")
	// File names start with the clock's nanoseconds: the wall clock keeps
	// them in sending order while the test clock stands still.
	sms, err := notify.NewSMS(notify.SMSConfig{Provider: "outbox", OutboxDir: smsDir, Clock: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	svc, err := mfa.New(mfa.Options{DB: k.D, Keys: k.Keys, Audit: k.Log, Identity: k.Svc, SMS: sms, Issuer: "Acme Bank", BaseURL: "https://bank.example"})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{Kit: k, t: t, svc: svc, smsDir: smsDir}
}

var ctx = context.Background()

// customer registers a customer, signs in with the password alone and
// returns the session token and its principal.
func (f *fixture) customer(email string) (string, *identity.Principal) {
	f.t.Helper()
	f.Register(email)
	res, err := f.SignIn(email, identitytest.Password, "198.51.100.7")
	if err != nil || res.Token == "" {
		f.t.Fatalf("sign in: %+v %v", res, err)
	}
	return res.Token, f.Principal(res.Token)
}

// enrolTOTP adds an authenticator app to the principal's account and
// returns its key and the recovery codes.
func (f *fixture) enrolTOTP(p *identity.Principal, label string) ([]byte, []string) {
	f.t.Helper()
	e, err := f.svc.StartTOTP(ctx, p, label)
	if err != nil {
		f.t.Fatal(err)
	}
	if !strings.HasPrefix(e.URL, "otpauth://totp/Acme%20Bank:") || !strings.Contains(e.URL, "secret="+e.Secret) {
		f.t.Fatalf("otpauth URL %q", e.URL)
	}
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(e.Secret)
	if err != nil || len(key) != 20 {
		f.t.Fatalf("secret %q: %v", e.Secret, err)
	}
	wrong := "000000"
	if rfc6238(key, f.Clock.Now()) == wrong {
		wrong = "111111"
	}
	if _, err := f.svc.ConfirmTOTP(ctx, p, wrong, ""); !errors.Is(err, mfa.ErrInvalidCode) {
		f.t.Fatalf("wrong confirmation code: %v", err)
	}
	codes, err := f.svc.ConfirmTOTP(ctx, p, rfc6238(key, f.Clock.Now()), "My phone")
	if err != nil {
		f.t.Fatal(err)
	}
	f.Svc.WaitMail() // so that later mails arrive after this notice
	return key, codes
}

// challenge signs in with the password and expects a challenge.
func (f *fixture) challenge(email string, client string) *identity.Challenge {
	f.t.Helper()
	defer f.Svc.WaitMail()
	res, err := f.Svc.SignIn(ctx, identity.SignIn{Email: email, Password: identitytest.Password, IP: "198.51.100.7",
		UserAgent: identitytest.UserAgent, DeviceID: "device-one-0123456789", Client: client})
	if err != nil {
		f.t.Fatalf("sign in: %v", err)
	}
	if res.Challenge == nil || res.Token != "" || res.Session != nil {
		f.t.Fatalf("a right password on an account with a factor gave %+v", res)
	}
	return res.Challenge
}

func (f *fixture) complete(c *identity.Challenge, method, code string) (*identity.SignInResult, error) {
	defer f.Svc.WaitMail()
	return f.Svc.CompleteMFA(ctx, identity.MFAAttempt{Challenge: c.Token, Method: method, Code: code,
		SignIn: identity.SignIn{IP: "198.51.100.7", UserAgent: identitytest.UserAgent, Client: identity.ClientAPI}})
}

func (f *fixture) totpNow(key []byte) string { return rfc6238(key, f.Clock.Now()) }

// lastSMS returns the latest SMS in the outbox: number and body.
func (f *fixture) lastSMS() (string, string) {
	f.t.Helper()
	files, _ := filepath.Glob(filepath.Join(f.smsDir, "*.sms.txt"))
	if len(files) == 0 {
		f.t.Fatal("no SMS sent")
	}
	sort.Strings(files)
	b, err := os.ReadFile(files[len(files)-1])
	if err != nil {
		f.t.Fatal(err)
	}
	to, body, _ := strings.Cut(string(b), "\n\n")
	return strings.TrimPrefix(to, "To: "), body
}

var sixDigits = regexp.MustCompile(`\b[0-9]{6}\b`)

func (f *fixture) lastSMSCode() string {
	f.t.Helper()
	_, body := f.lastSMS()
	c := sixDigits.FindString(body)
	if c == "" {
		f.t.Fatalf("no code in SMS %q", body)
	}
	return c
}

func (f *fixture) failedLogins(accountID string) int {
	f.t.Helper()
	var n int
	if err := f.D.Read(ctx, func(tx *db.Tx) error {
		return tx.QueryRow(ctx, "SELECT failed_logins FROM accounts WHERE id = ?", accountID).Scan(&n)
	}); err != nil {
		f.t.Fatal(err)
	}
	return n
}

func subjects(ms []identitytest.Message) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Subject)
	}
	return out
}

func hasSubject(ms []identitytest.Message, sub string) bool {
	for _, m := range ms {
		if strings.Contains(m.Subject, sub) {
			return true
		}
	}
	return false
}
