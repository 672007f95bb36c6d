package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// smtpRelay delivers messages to an SMTP submission server, one connection
// per message.
type smtpRelay struct {
	target      *smtpTarget
	tlsConfig   *tls.Config
	dialTimeout time.Duration
	sendTimeout time.Duration
}

func (s *smtpRelay) String() string { return "smtp" }

func (s *smtpRelay) deliver(ctx context.Context, from, to string, msg []byte) error {
	ctx, cancel := context.WithTimeout(ctx, s.sendTimeout)
	defer cancel()
	err := s.session(ctx, from, to, msg)
	if err == nil {
		return nil
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		return fmt.Errorf("notify: smtp %s: %w: %w", s.target.redacted, ctxErr, err)
	}
	return fmt.Errorf("notify: smtp %s: %w", s.target.redacted, err)
}

// session runs one SMTP conversation. Cancelling ctx closes the connection,
// which aborts whatever read or write is in progress.
func (s *smtpRelay) session(ctx context.Context, from, to string, msg []byte) error {
	t := s.target
	dialer := &net.Dialer{Timeout: s.dialTimeout}
	var conn net.Conn
	var err error
	if t.implicitTLS {
		conn, err = (&tls.Dialer{NetDialer: dialer, Config: s.tlsConfig}).DialContext(ctx, "tcp", t.addr)
	} else {
		conn, err = dialer.DialContext(ctx, "tcp", t.addr)
	}
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()

	var c *smtp.Client
	if t.implicitTLS || t.noTLS {
		c = smtp.NewClient(conn)
	} else if c, err = smtp.NewClientStartTLS(conn, s.tlsConfig); err != nil {
		return startTLSError(err, t.username != "")
	}
	defer c.Close()
	// The context bounds the whole send; per-command limits need not be
	// shorter than that.
	c.CommandTimeout, c.SubmissionTimeout = s.sendTimeout, s.sendTimeout

	if t.username != "" {
		if err := s.auth(c); err != nil {
			return err
		}
	}
	if err := c.SendMail(from, []string{to}, bytes.NewReader(msg)); err != nil {
		return fmt.Errorf("send: %w", err)
	}
	// The server has accepted the message; a failed QUIT changes nothing.
	_ = c.Quit()
	return nil
}

// auth authenticates with AUTH PLAIN, or LOGIN when that is all the server
// offers, and only over a completed TLS handshake.
func (s *smtpRelay) auth(c *smtp.Client) error {
	// This is the first command on the (new) TLS session, so Hello runs
	// the handshake and EHLO here and their errors surface here.
	if err := c.Hello("localhost"); err != nil {
		return fmt.Errorf("hello: %w", err)
	}
	if state, ok := c.TLSConnectionState(); !ok || !state.HandshakeComplete {
		return fmt.Errorf("%w: refusing to send credentials without TLS", ErrTLSUnavailable)
	}
	var mech sasl.Client
	switch {
	case c.SupportsAuth(sasl.Plain):
		mech = sasl.NewPlainClient("", s.target.username, s.target.password)
	case c.SupportsAuth(sasl.Login):
		mech = sasl.NewLoginClient(s.target.username, s.target.password)
	default:
		return fmt.Errorf("%w: server offers neither AUTH PLAIN nor AUTH LOGIN", ErrAuthFailed)
	}
	if err := c.Auth(mech); err != nil {
		return fmt.Errorf("%w for user %q: %w", ErrAuthFailed, s.target.username, err)
	}
	return nil
}

// startTLSError explains a failed STARTTLS negotiation. go-smtp reports a
// missing STARTTLS capability with a plain error, so it is recognised as
// the one failure that is neither a server reply nor a network error.
func startTLSError(err error, withAuth bool) error {
	var se *smtp.SMTPError
	var pe textproto.ProtocolError
	if errors.As(err, &se) || errors.As(err, &pe) || isNetError(err) {
		return fmt.Errorf("starttls: %w", err)
	}
	if withAuth {
		return fmt.Errorf("%w; refusing to send credentials in clear text", ErrTLSUnavailable)
	}
	return fmt.Errorf("%w; add ?tls=none to the URL to allow a plain connection to a local relay", ErrTLSUnavailable)
}

// isNetError reports connection-level failures.
func isNetError(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed)
}
