package mailin

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"slices"
	"time"

	"github.com/emersion/go-imap/v2"
)

// TLSMode says how the connection to the IMAP server is protected.
type TLSMode string

// The TLS modes. The zero value means TLSImplicit.
const (
	TLSImplicit TLSMode = "tls"      // TLS from the first byte, usually port 993
	TLSStartTLS TLSMode = "starttls" // upgraded with STARTTLS, usually port 143
	TLSNone     TLSMode = "none"     // no encryption: loopback addresses only
)

// Defaults for the zero fields of FetcherConfig.
const (
	DefaultMailbox         = "INBOX"
	DefaultBatchSize       = 10
	DefaultMaxMessageBytes = 25 << 20
	DefaultDialTimeout     = 30 * time.Second
	DefaultCommandTimeout  = time.Minute
)

// FetcherConfig configures a Fetcher. Zero fields take the defaults above.
type FetcherConfig struct {
	Addr      string      // host:port of the IMAP server
	TLS       TLSMode     // default TLSImplicit
	TLSConfig *tls.Config // optional, e.g. for a private CA
	Username  string
	Password  string
	Mailbox   string // default INBOX
	// BatchSize is how many messages one FETCH command downloads; a batch is
	// held in memory, so memory use is up to BatchSize × MaxMessageBytes.
	BatchSize int
	// MaxMessageBytes is the most of one message that is downloaded; pass
	// the same limit to Parse.
	MaxMessageBytes int64
	DialTimeout     time.Duration
	// CommandTimeout is how long the server may stay silent while a command
	// is outstanding (a large download may take longer as long as bytes
	// keep coming).
	CommandTimeout time.Duration
}

// Fetcher reads new messages from one IMAP mailbox.
//
// A message is new while it lacks the \Seen flag. Fetch sets \Seen on a
// message only after the handler accepted it, and leaves messages in the
// mailbox, so the mailbox must be one that no person reads with a mail client
// (that would mark messages seen before the desk gets them). Run one Fetch at
// a time per mailbox across all nodes: two concurrent runs hand the same
// messages to both handlers.
type Fetcher struct {
	cfg FetcherConfig
}

// NewFetcher checks cfg and fills in the defaults. It refuses an unencrypted
// connection to anything but a loopback address, since the password would
// cross the network in clear text.
func NewFetcher(cfg FetcherConfig) (*Fetcher, error) {
	host, _, err := net.SplitHostPort(cfg.Addr)
	if err != nil || host == "" {
		return nil, fmt.Errorf("mailin: imap address %q: want host:port", cfg.Addr)
	}
	switch cfg.TLS {
	case "":
		cfg.TLS = TLSImplicit
	case TLSImplicit, TLSStartTLS:
	case TLSNone:
		if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return nil, fmt.Errorf("mailin: imap without TLS is allowed only to a loopback address, not %q: use %q or %q", host, TLSImplicit, TLSStartTLS)
		}
	default:
		return nil, fmt.Errorf("mailin: imap tls mode %q: want %q, %q or %q", cfg.TLS, TLSImplicit, TLSStartTLS, TLSNone)
	}
	if cfg.Username == "" || cfg.Password == "" {
		return nil, errors.New("mailin: imap username and password are required")
	}
	if cfg.Mailbox == "" {
		cfg.Mailbox = DefaultMailbox
	}
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = DefaultBatchSize
	}
	if cfg.MaxMessageBytes <= 0 {
		cfg.MaxMessageBytes = DefaultMaxMessageBytes
	}
	if cfg.DialTimeout <= 0 {
		cfg.DialTimeout = DefaultDialTimeout
	}
	if cfg.CommandTimeout <= 0 {
		cfg.CommandTimeout = DefaultCommandTimeout
	}
	cfg.TLSConfig = cfg.TLSConfig.Clone()
	if cfg.TLSConfig == nil {
		cfg.TLSConfig = &tls.Config{}
	}
	if cfg.TLSConfig.ServerName == "" {
		cfg.TLSConfig.ServerName = host
	}
	return &Fetcher{cfg: cfg}, nil
}

// Fetch logs in, hands every unseen message of the mailbox to handle, oldest
// first, and returns how many handle accepted.
//
// raw is the message as stored, except that a message longer than
// MaxMessageBytes is cut at MaxMessageBytes+1 bytes, so that Parse with the
// same limit reports ErrTooLarge (with the header) instead of the fetcher
// holding the whole message in memory.
//
// When handle returns nil the message is marked \Seen at once, even if ctx
// was cancelled meanwhile, so it is not handled twice. When handle fails the
// message stays unseen, is offered again on the next Fetch, and the others
// are still handled; the returned error then joins those failures. A message
// can still come twice if the connection breaks between handle and the flag
// update, so a consumer should ignore a Message-ID it already has.
func (f *Fetcher) Fetch(ctx context.Context, handle func(raw []byte, uid uint32) error) (int, error) {
	s, err := f.dial(ctx)
	if err != nil {
		return 0, err
	}
	defer s.close()

	if err := s.run(ctx, "login", func() error { return s.c.Login(f.cfg.Username, f.cfg.Password).Wait() }); err != nil {
		return 0, err
	}
	if err := s.run(ctx, "select", func() error { _, err := s.c.Select(f.cfg.Mailbox, nil).Wait(); return err }); err != nil {
		return 0, err
	}
	var found *imap.SearchData
	err = s.run(ctx, "search", func() error {
		var err error
		found, err = s.c.UIDSearch(&imap.SearchCriteria{NotFlag: []imap.Flag{imap.FlagSeen, imap.FlagDeleted}}, nil).Wait()
		return err
	})
	if err != nil {
		return 0, err
	}
	uids := found.AllUIDs()
	slices.Sort(uids)

	handled := 0
	var failed []error
	for batch := range slices.Chunk(uids, f.cfg.BatchSize) {
		msgs, err := s.fetch(ctx, batch, f.cfg.MaxMessageBytes)
		if err != nil {
			return handled, errors.Join(append(failed, err)...)
		}
		for _, m := range msgs {
			if err := ctx.Err(); err != nil {
				return handled, errors.Join(append(failed, err)...)
			}
			if err := handle(m.raw, uint32(m.uid)); err != nil {
				failed = append(failed, fmt.Errorf("mailin: handle message uid %d: %w", m.uid, err))
				continue
			}
			handled++
			if err := s.markSeen(context.WithoutCancel(ctx), m.uid); err != nil {
				return handled, errors.Join(append(failed, err)...)
			}
		}
	}
	return handled, errors.Join(failed...)
}
