package identity_test

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
	"github.com/frontdesk/frontdesk/internal/notify"
	"github.com/frontdesk/frontdesk/internal/password"
)

// recorder passes mail to the real mailer (outbox) and remembers, in the
// order they were sent, what each message said.
type recorder struct {
	m    *notify.Mailer
	mu   sync.Mutex
	sent []message
}

func (r *recorder) Send(ctx context.Context, msg notify.Message) (string, error) {
	rendered, err := r.m.Render(msg)
	if err != nil {
		return "", err
	}
	id, err := r.m.Send(ctx, msg)
	if err == nil {
		r.mu.Lock()
		r.sent = append(r.sent, message{To: msg.To.Address, Subject: rendered.Subject, Text: rendered.Text})
		r.mu.Unlock()
	}
	return id, err
}

// fixture is a service on a fresh database, with mail going to an outbox.
type fixture struct {
	t      *testing.T
	d      *db.DB
	clock  *dbtest.Clock
	svc    *identity.Service
	outbox string
	log    *audit.Log
	signer *audit.Signer
	mail   *recorder
}

// fastParams keep tests quick; the production parameters have tests of
// their own in the password package.
var fastParams = password.Params{Memory: 64, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}

func newFixture(t *testing.T, profile string) *fixture {
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
	rec := &recorder{m: mailer}
	svc := identity.New(identity.Options{DB: d, Keys: kit.Keys, Audit: kit.Log, Mail: rec, Policy: policy,
		Hasher:  password.NewHasher(password.HasherOptions{Params: fastParams, MemoryBudget: 64 << 20}),
		BaseURL: "https://bank.example", OrgName: "Acme Bank"})
	t.Cleanup(svc.WaitMail)
	return &fixture{t: t, d: d, clock: c, svc: svc, outbox: outbox, log: kit.Log, signer: kit.Signer, mail: rec}
}

// message is one e-mail from the outbox, decoded.
type message struct {
	To, Subject, Text string
}

// mails returns every message sent to addr so far, oldest first. Each
// service call's mail is awaited before the next call starts (register and
// signIn wait), so the order is the order of the calls.
func (f *fixture) mails(addr string) []message {
	f.t.Helper()
	f.svc.WaitMail()
	f.mail.mu.Lock()
	defer f.mail.mu.Unlock()
	var out []message
	for _, m := range f.mail.sent {
		if strings.EqualFold(m.To, addr) {
			out = append(out, m)
		}
	}
	// The same messages reached the outbox as RFC 5322 files.
	files, _ := filepath.Glob(filepath.Join(f.outbox, "*.eml"))
	if len(files) < len(f.mail.sent) {
		f.t.Fatalf("outbox holds %d files for %d messages", len(files), len(f.mail.sent))
	}
	return out
}

// last returns the latest message to addr, failing if there is none.
func (f *fixture) last(addr string) message {
	f.t.Helper()
	ms := f.mails(addr)
	if len(ms) == 0 {
		f.t.Fatalf("no e-mail to %s", addr)
	}
	return ms[len(ms)-1]
}

var (
	codeRE = regexp.MustCompile(`\b[0-9]{6}\b`)
	linkRE = regexp.MustCompile(`https://bank\.example/[a-z-]+\?token=[A-Za-z0-9_-]+`)
)

func (m message) code(t *testing.T) string {
	t.Helper()
	c := codeRE.FindString(m.Text)
	if c == "" {
		t.Fatalf("no code in %q", m.Text)
	}
	return c
}

func (m message) token(t *testing.T) string {
	t.Helper()
	l := linkRE.FindString(m.Text)
	if l == "" {
		t.Fatalf("no link in %q", m.Text)
	}
	return l[strings.Index(l, "token=")+len("token="):]
}

const goodPassword = "Plum orbit lantern velvet 7!"

// register creates and verifies a customer and returns the account.
func (f *fixture) register(email string) *identity.Account {
	f.t.Helper()
	ctx := context.Background()
	if err := f.svc.Register(ctx, identity.Registration{Email: email, Password: goodPassword, Name: "Lan Nguyen", IP: "198.51.100.7"}); err != nil {
		f.t.Fatalf("register: %v", err)
	}
	a, err := f.svc.VerifyEmail(ctx, email, f.last(email).code(f.t))
	if err != nil {
		f.t.Fatalf("verify: %v", err)
	}
	f.svc.WaitMail() // the welcome e-mail
	return a
}

func (f *fixture) signIn(email, pw, ip string) (*identity.SignInResult, error) {
	defer f.svc.WaitMail()
	return f.svc.SignIn(context.Background(), identity.SignIn{Email: email, Password: pw, IP: ip,
		UserAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0", DeviceID: "device-one-0123456789", Client: identity.ClientAPI})
}

// auditActions returns the actions recorded so far, in order.
func (f *fixture) auditActions() []string {
	f.t.Helper()
	var out []string
	err := f.d.Read(context.Background(), func(tx *db.Tx) error {
		rows, err := tx.Query(context.Background(), "SELECT action FROM audit_log ORDER BY seq")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var a string
			if err := rows.Scan(&a); err != nil {
				return err
			}
			out = append(out, a)
		}
		return rows.Err()
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return out
}

func (f *fixture) verifyAudit() {
	f.t.Helper()
	r, err := audit.Verify(context.Background(), f.d, f.signer, nil)
	if err != nil || !r.OK() {
		f.t.Fatalf("audit chain: %+v %v", r, err)
	}
}
