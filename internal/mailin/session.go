package mailin

import (
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"slices"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// session is one IMAP connection used by one Fetch call.
type session struct {
	c    *imapclient.Client
	conn *watchdogConn
}

// fetched is one downloaded message.
type fetched struct {
	uid imap.UID
	raw []byte
}

func (f *Fetcher) dial(ctx context.Context) (*session, error) {
	d := net.Dialer{Timeout: f.cfg.DialTimeout}
	tcp, err := d.DialContext(ctx, "tcp", f.cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("mailin: imap dial: %w", err)
	}
	s := &session{conn: &watchdogConn{Conn: tcp, timeout: f.cfg.CommandTimeout}}
	err = s.run(ctx, "connect", func() error {
		switch f.cfg.TLS {
		case TLSStartTLS:
			c, err := imapclient.NewStartTLS(s.conn, &imapclient.Options{TLSConfig: f.cfg.TLSConfig})
			s.c = c
			return err
		case TLSImplicit:
			conn := tls.Client(s.conn, f.cfg.TLSConfig)
			if err := conn.HandshakeContext(ctx); err != nil {
				return err
			}
			s.c = imapclient.New(conn, nil)
		default:
			s.c = imapclient.New(s.conn, nil)
		}
		return s.c.WaitGreeting()
	})
	if err != nil {
		s.close()
		return nil, err
	}
	return s, nil
}

// run runs one command (or the connection set-up): the server must answer
// within the command timeout, and cancelling ctx breaks the connection.
// Errors name the command; the server's reply text never holds the password.
func (s *session) run(ctx context.Context, name string, cmd func() error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("mailin: imap %s: %w", name, err)
	}
	stop := context.AfterFunc(ctx, func() { _ = s.conn.Close() })
	s.conn.arm(true)
	err := cmd()
	s.conn.arm(false)
	stop()
	if ctxErr := ctx.Err(); err != nil && ctxErr != nil {
		err = ctxErr
	}
	if err != nil {
		return fmt.Errorf("mailin: imap %s: %w", name, err)
	}
	return nil
}

// fetch downloads at most maxBytes+1 bytes of each message in uids without
// setting \Seen (BODY.PEEK), sorted by UID.
func (s *session) fetch(ctx context.Context, uids []imap.UID, maxBytes int64) ([]fetched, error) {
	section := &imap.FetchItemBodySection{Peek: true, Partial: &imap.SectionPartial{Size: maxBytes + 1}}
	var bufs []*imapclient.FetchMessageBuffer
	err := s.run(ctx, "fetch", func() error {
		var err error
		opts := &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{section}}
		bufs, err = s.c.Fetch(imap.UIDSetNum(uids...), opts).Collect()
		return err
	})
	if err != nil {
		return nil, err
	}
	msgs := make([]fetched, 0, len(bufs))
	for _, b := range bufs {
		// A message expunged meanwhile, or a flag update the server pushed,
		// comes without a body.
		if raw := b.FindBodySection(section); b.UID != 0 && raw != nil {
			msgs = append(msgs, fetched{uid: b.UID, raw: raw})
		}
	}
	slices.SortFunc(msgs, func(a, b fetched) int { return cmp.Compare(a.uid, b.uid) })
	return msgs, nil
}

func (s *session) markSeen(ctx context.Context, uid imap.UID) error {
	return s.run(ctx, fmt.Sprintf("mark uid %d seen", uid), func() error {
		store := &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagSeen}}
		return s.c.Store(imap.UIDSetNum(uid), store, nil).Close()
	})
}

// close logs out politely, within the command timeout, and hangs up.
func (s *session) close() {
	if s.c != nil {
		switch s.c.State() {
		case imap.ConnStateAuthenticated, imap.ConnStateSelected:
			_ = s.run(context.Background(), "logout", func() error { return s.c.Logout().Wait() })
		}
		_ = s.c.Close()
	}
	_ = s.conn.Close()
}

// watchdogConn breaks the connection once the peer has been silent for
// longer than timeout while a command is outstanding. Between commands,
// while the handler works, it sets no deadline: a slow handler must not
// break the connection. A timeout closes the connection, because the IMAP
// client would otherwise retry the read and wait again.
type watchdogConn struct {
	net.Conn
	timeout time.Duration

	mu    sync.Mutex
	armed bool
}

func (c *watchdogConn) Read(p []byte) (int, error) {
	c.mu.Lock()
	if c.armed {
		_ = c.Conn.SetReadDeadline(time.Now().Add(c.timeout))
	}
	c.mu.Unlock()
	n, err := c.Conn.Read(p)
	c.closeOnTimeout(err)
	return n, err
}

func (c *watchdogConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	if c.armed {
		_ = c.Conn.SetWriteDeadline(time.Now().Add(c.timeout))
	}
	c.mu.Unlock()
	n, err := c.Conn.Write(p)
	c.closeOnTimeout(err)
	return n, err
}

func (c *watchdogConn) closeOnTimeout(err error) {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		_ = c.Conn.Close()
	}
}

// arm starts or stops the watchdog.
func (c *watchdogConn) arm(on bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.armed = on
	deadline := time.Time{}
	if on {
		deadline = time.Now().Add(c.timeout)
	}
	_ = c.Conn.SetDeadline(deadline)
}
