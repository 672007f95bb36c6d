package identity

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/mail"
	"sync"
	"sync/atomic"
	"time"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/keyring"
	"github.com/frontdesk/frontdesk/internal/notify"
	"github.com/frontdesk/frontdesk/internal/password"
)

// Mailer sends one e-mail; *notify.Mailer is the real one.
type Mailer interface {
	Send(ctx context.Context, msg notify.Message) (string, error)
}

// Options are the service's dependencies.
type Options struct {
	DB      *db.DB
	Keys    *keyring.Keyring
	Audit   *audit.Log
	Mail    Mailer
	Hasher  *password.Hasher
	Policy  Policy
	BaseURL string // links in e-mails point here
	OrgName string
	Logger  *slog.Logger
}

// Service is the identity service. It is safe for concurrent use.
type Service struct {
	db     *db.DB
	keys   *keyring.Keyring
	audit  *audit.Log
	mail   Mailer
	hasher *password.Hasher
	policy Policy
	base   string
	org    string
	log    *slog.Logger

	factors SecondFactors // nil: no second factors
	risk    RiskAssessor  // nil: no risk engine, every right password is let in
	gate    *sourceGate   // password checks running per source on this node
	// verified runs when a registration attempt is verified (SetVerified).
	verified RegistrationHook
	mailWG   sync.WaitGroup
	// mailQueues holds, per recipient with a sender running, the mails
	// still to send in order (send, drainMail).
	mailMu     sync.Mutex
	mailQueues map[string][]outgoing

	searchIsCurrent atomic.Bool // every account has the current search tokens
}

// New returns the service.
func New(o Options) *Service {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{db: o.DB, keys: o.Keys, audit: o.Audit, mail: o.Mail, hasher: o.Hasher,
		policy: o.Policy, base: o.BaseURL, org: o.OrgName, log: o.Logger, gate: newSourceGate(o.Policy.IPConcurrentChecks)}
}

// Policy returns the policy in force.
func (s *Service) Policy() Policy { return s.policy }

// WaitMail waits until every e-mail queued so far has been handed to the
// mailer. Shutdown and tests call it.
func (s *Service) WaitMail() { s.mailWG.Wait() }

// outgoing is an e-mail to send once the transaction that decided it has
// committed.
type outgoing struct {
	to     string
	name   string
	locale string
	kind   string // key into the mail texts
	args   mailArgs
}

// send hands mails to the mailer in the background, so that how long an
// SMTP server takes can never tell a caller whether an account exists.
// Mails to one recipient leave in the order they were decided: a newer
// code replaces an older one, so the last code a person receives must be
// the one that works. Different recipients do not wait for each other.
func (s *Service) send(ctx context.Context, mails []outgoing) {
	if len(mails) == 0 || s.mail == nil {
		return
	}
	ctx = context.WithoutCancel(ctx)
	s.mailMu.Lock()
	defer s.mailMu.Unlock()
	if s.mailQueues == nil {
		s.mailQueues = map[string][]outgoing{}
	}
	for _, m := range mails {
		q, busy := s.mailQueues[m.to]
		s.mailQueues[m.to] = append(q, m)
		if busy {
			continue // its sender takes it in turn
		}
		s.mailWG.Add(1)
		go s.drainMail(ctx, m.to)
	}
}

// drainMail sends the recipient's queued mails one by one until none is
// left.
func (s *Service) drainMail(ctx context.Context, to string) {
	defer s.mailWG.Done()
	for {
		s.mailMu.Lock()
		q := s.mailQueues[to]
		if len(q) == 0 {
			delete(s.mailQueues, to)
			s.mailMu.Unlock()
			return
		}
		m := q[0]
		s.mailQueues[to] = q[1:]
		s.mailMu.Unlock()
		sctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		if _, err := s.mail.Send(sctx, s.composeMail(m)); err != nil {
			s.log.WarnContext(ctx, "account e-mail not sent", "kind", m.kind, "error", err)
		}
		cancel()
	}
}

func (s *Service) composeMail(m outgoing) notify.Message {
	t := mailText(m.locale, m.kind, m.args.with(s.org))
	data := map[string]any{"Title": t.title, "Body": t.body, "Name": m.name}
	if m.args.URL != "" {
		data["ActionURL"] = m.args.URL
		data["ActionText"] = t.action
	}
	return notify.Message{To: mail.Address{Address: m.to}, Template: "notice", Locale: m.locale, Data: data}
}

// newID returns a random 128-bit identifier in hex. Identifiers are not
// secrets; tokens use newSecret.
func newID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// newSecret returns 256 random bits, URL-safe encoded (ASVS 7.2.3, 11.5.1).
func newSecret() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64URL(b)
}

// newCode returns a six-digit code from crypto/rand (ASVS 6.5.3, 6.5.4).
func newCode() string {
	for {
		var b [4]byte
		rand.Read(b[:])
		n := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
		if n < 4_294_000_000 { // reject the biased tail
			return pad6(n % 1_000_000)
		}
	}
}

func pad6(n uint32) string {
	s := []byte("000000")
	for i := 5; i >= 0; i-- {
		s[i] = byte('0' + n%10)
		n /= 10
	}
	return string(s)
}

// hashSecret is how session tokens and links are stored: they carry 256
// bits, so a fast hash is enough.
func hashSecret(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// subject names an account's data key.
func subject(accountID string) string { return "account:" + accountID }

// hashBusy turns the hasher's overload into the error the web layer maps
// to 503 with Retry-After.
func (s *Service) hashBusy(err error) error {
	if errors.Is(err, password.ErrBusy) {
		return &BusyError{RetryAfter: s.hasher.RetryAfter()}
	}
	return err
}

// BusyError means too many password checks are running; try again later.
type BusyError struct{ RetryAfter time.Duration }

func (e *BusyError) Error() string { return "identity: busy, retry after " + e.RetryAfter.String() }
