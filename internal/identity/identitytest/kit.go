// Package identitytest builds a real identity service on a test database,
// with e-mail going through the real mailer to an outbox, for the tests of
// identity and of the packages above it.
package identitytest

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/audit/audittest"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/db/dbtest"
	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/frontdesk/frontdesk/internal/keyring"
	"github.com/frontdesk/frontdesk/internal/notify"
	"github.com/frontdesk/frontdesk/internal/password"
)

// Recorder passes mail to the real mailer (outbox) and remembers, in the
// order they were sent, what each message said.
type Recorder struct {
	m    *notify.Mailer
	mu   sync.Mutex
	sent []Message
}

// Send renders and sends msg.
func (r *Recorder) Send(ctx context.Context, msg notify.Message) (string, error) {
	rendered, err := r.m.Render(msg)
	if err != nil {
		return "", err
	}
	id, err := r.m.Send(ctx, msg)
	if err == nil {
		r.mu.Lock()
		r.sent = append(r.sent, Message{To: msg.To.Address, Subject: rendered.Subject, Text: rendered.Text})
		r.mu.Unlock()
	}
	return id, err
}

// Kit is an identity service on a fresh database.
type Kit struct {
	T      *testing.T
	D      *db.DB
	Clock  *dbtest.Clock
	Svc    *identity.Service
	Keys   *keyring.Keyring
	Outbox string
	Log    *audit.Log
	Signer *audit.Signer
	Mail   *Recorder
}

// FastParams keep tests quick; the production parameters have tests of
// their own in the password package.
var FastParams = password.Params{Memory: 64, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}

// Password is a password every profile accepts.
const Password = "Plum orbit lantern velvet 7!"

// New returns a kit with the policy of profile ("default" or "pci");
// change lets a test adjust the policy first. A benchmark may pass its
// *testing.B; the kit's T is then nil.
func New(t testing.TB, profile string, change ...func(*identity.Policy)) *Kit {
	t.Helper()
	c := dbtest.NewClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	d := dbtest.OpenWith(t, dbtest.Options{Clock: c.Now})
	kit := audittest.New(t, d, 1000)
	outbox := filepath.Join(t.TempDir(), "outbox")
	mailer, err := notify.NewMailer(notify.Config{From: "Acme Bank <no-reply@acme.example>", OutboxDir: outbox, Clock: c.Now}, nil)
	if err != nil {
		t.Fatal(err)
	}
	policy, err := identity.PolicyByName(profile)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range change {
		f(&policy)
	}
	rec := &Recorder{m: mailer}
	svc := identity.New(identity.Options{DB: d, Keys: kit.Keys, Audit: kit.Log, Mail: rec, Policy: policy,
		Hasher:  password.NewHasher(password.HasherOptions{Params: FastParams, MemoryBudget: 64 << 20}),
		BaseURL: "https://bank.example", OrgName: "Acme Bank"})
	t.Cleanup(svc.WaitMail)
	kt, _ := t.(*testing.T)
	return &Kit{T: kt, D: d, Clock: c, Svc: svc, Keys: kit.Keys, Outbox: outbox, Log: kit.Log, Signer: kit.Signer, Mail: rec}
}

// Message is one e-mail sent, decoded.
type Message struct {
	To, Subject, Text string
}

// Mails returns every message sent to addr so far, oldest first, after
// waiting for the mail in flight.
func (k *Kit) Mails(addr string) []Message {
	k.T.Helper()
	k.Svc.WaitMail()
	k.Mail.mu.Lock()
	defer k.Mail.mu.Unlock()
	var out []Message
	for _, m := range k.Mail.sent {
		if strings.EqualFold(m.To, addr) {
			out = append(out, m)
		}
	}
	// The same messages reached the outbox as RFC 5322 files.
	files, _ := filepath.Glob(filepath.Join(k.Outbox, "*.eml"))
	if len(files) < len(k.Mail.sent) {
		k.T.Fatalf("outbox holds %d files for %d messages", len(files), len(k.Mail.sent))
	}
	return out
}

// Last returns the latest message to addr, failing if there is none.
func (k *Kit) Last(addr string) Message {
	k.T.Helper()
	ms := k.Mails(addr)
	if len(ms) == 0 {
		k.T.Fatalf("no e-mail to %s", addr)
	}
	return ms[len(ms)-1]
}

// LastLink returns the latest message to addr whose link goes to path
// ("/reset"). Mails are sent in the background, so one sent at the same
// time (a new-sign-in notice) may come after it.
func (k *Kit) LastLink(addr, path string) Message {
	k.T.Helper()
	ms := k.Mails(addr)
	for i := len(ms) - 1; i >= 0; i-- {
		if l := linkRE.FindString(ms[i].Text); strings.Contains(l, path+"?") {
			return ms[i]
		}
	}
	k.T.Fatalf("no e-mail to %s with a link to %s", addr, path)
	return Message{}
}

var (
	codeRE = regexp.MustCompile(`\b[0-9]{6}\b`)
	linkRE = regexp.MustCompile(`https://bank\.example/[a-z/-]+\?token=[A-Za-z0-9_-]+`)
)

// Code returns the six-digit code in the message.
func (m Message) Code(t *testing.T) string {
	t.Helper()
	c := codeRE.FindString(m.Text)
	if c == "" {
		t.Fatalf("no code in %q", m.Text)
	}
	return c
}

// Token returns the token of the link in the message.
func (m Message) Token(t *testing.T) string {
	t.Helper()
	l := linkRE.FindString(m.Text)
	if l == "" {
		t.Fatalf("no link in %q", m.Text)
	}
	return l[strings.Index(l, "token=")+len("token="):]
}

// Register creates and verifies a customer and returns the account.
func (k *Kit) Register(email string) *identity.Account {
	k.T.Helper()
	ctx := context.Background()
	secret, err := k.Svc.Register(ctx, identity.Registration{Email: email, Password: Password, Name: "Lan Nguyen", IP: "198.51.100.7"})
	if err != nil {
		k.T.Fatalf("register: %v", err)
	}
	a, err := k.Svc.VerifyEmail(ctx, email, k.Last(email).Code(k.T), identity.RegistrantProof{Registration: secret})
	if err != nil {
		k.T.Fatalf("verify: %v", err)
	}
	k.Svc.WaitMail() // the welcome e-mail
	return a
}

// UserAgent is the browser tests sign in with.
const UserAgent = "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"

// SignIn signs in from the API client, waiting for the mail it sends.
func (k *Kit) SignIn(email, pw, ip string) (*identity.SignInResult, error) {
	defer k.Svc.WaitMail()
	return k.Svc.SignIn(context.Background(), identity.SignIn{Email: email, Password: pw, IP: ip,
		UserAgent: UserAgent, DeviceID: "device-one-0123456789", Client: identity.ClientAPI})
}

// Principal authenticates a session token, failing the test otherwise.
func (k *Kit) Principal(token string) *identity.Principal {
	k.T.Helper()
	p, err := k.Svc.Authenticate(context.Background(), token)
	if err != nil {
		k.T.Fatalf("authenticate: %v", err)
	}
	return p
}

// AuditActions returns the actions recorded so far, in order.
func (k *Kit) AuditActions() []string {
	k.T.Helper()
	var out []string
	err := k.D.Read(context.Background(), func(tx *db.Tx) error {
		rows, err := tx.Query(context.Background(), "SELECT action FROM audit_log ORDER BY seq")
		out, err = db.Collect(rows, err, db.Value[string])
		return err
	})
	if err != nil {
		k.T.Fatal(err)
	}
	return out
}

// VerifyAudit fails the test unless the audit chain verifies.
func (k *Kit) VerifyAudit() {
	k.T.Helper()
	r, err := audit.Verify(context.Background(), k.D, k.Signer, nil)
	if err != nil || !r.OK() {
		k.T.Fatalf("audit chain: %+v %v", r, err)
	}
}
