package notify

import (
	"crypto/tls"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Default timeouts used when the Config leaves them zero.
const (
	DefaultDialTimeout = 10 * time.Second
	DefaultSendTimeout = time.Minute
)

// Config configures a Mailer. It is built once from flags and FRONTDESK_*
// variables and passed to NewMailer.
type Config struct {
	// SMTPURL selects the SMTP submission server. Empty means "write every
	// message to OutboxDir". Accepted forms:
	//
	//	smtp://user:pass@host:587    plain connection upgraded with STARTTLS (required)
	//	smtps://user:pass@host:465   implicit TLS
	//	smtp://host:25?tls=none      no TLS at all; only without credentials,
	//	                             for a local relay that offers no STARTTLS
	//
	// User name and password are percent-encoded. Default ports are 587
	// (smtp) and 465 (smtps).
	SMTPURL string

	// From is the sender, e.g. "Frontdesk <no-reply@example.com>". Its
	// domain is also used for generated Message-IDs.
	From string

	// OutboxDir receives one <unix-nanos>-<id>.eml file per message when
	// SMTPURL is empty. It is created with mode 0700 if missing.
	OutboxDir string

	// TLSConfig, if set, is used for TLS to the SMTP server (tests pass
	// RootCAs here). ServerName defaults to the URL's host.
	TLSConfig *tls.Config

	// SupportURL is shown in the footer of every message ("If you need
	// help, contact support"). A "SupportURL" data key overrides it.
	SupportURL string

	// Clock returns the current time for the Date header and outbox file
	// names; nil means time.Now.
	Clock func() time.Time

	// DialTimeout bounds connecting to the SMTP server; zero means
	// DefaultDialTimeout.
	DialTimeout time.Duration

	// SendTimeout bounds one whole delivery (connect, TLS, AUTH, DATA);
	// zero means DefaultSendTimeout.
	SendTimeout time.Duration
}

// smtpTarget is a parsed SMTP URL.
type smtpTarget struct {
	addr        string // host:port
	host        string
	implicitTLS bool
	noTLS       bool // ?tls=none
	username    string
	password    string
	redacted    string // URL without the password, for errors and logs
}

// parseSMTPURL parses and validates an SMTP URL. Its errors never contain
// the URL itself, which may hold a password.
func parseSMTPURL(raw string) (*smtpTarget, error) {
	u, err := url.Parse(raw)
	if err != nil {
		// url.Error repeats the URL, and its reason can quote part of a
		// password (for example a password containing "/"), so say nothing
		// more specific.
		return nil, fmt.Errorf("%w: SMTP URL cannot be parsed (check scheme, host and port; percent-encode special characters in user name and password)", ErrInvalidConfig)
	}
	t := &smtpTarget{}
	defaultPort := ""
	switch strings.ToLower(u.Scheme) {
	case "smtp":
		defaultPort = "587"
	case "smtps":
		defaultPort = "465"
		t.implicitTLS = true
	default:
		return nil, fmt.Errorf("%w: SMTP URL scheme %q is not supported (want smtp or smtps)", ErrInvalidConfig, u.Scheme)
	}
	t.host = u.Hostname()
	if t.host == "" {
		return nil, fmt.Errorf("%w: SMTP URL has no host", ErrInvalidConfig)
	}
	port := u.Port()
	if port == "" {
		port = defaultPort
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return nil, fmt.Errorf("%w: SMTP URL port %q is not valid", ErrInvalidConfig, port)
	}
	t.addr = net.JoinHostPort(t.host, port)
	if u.Path != "" && u.Path != "/" {
		return nil, fmt.Errorf("%w: SMTP URL must not have a path", ErrInvalidConfig)
	}
	if u.User != nil {
		t.username = u.User.Username()
		t.password, _ = u.User.Password()
		if t.username == "" || t.password == "" {
			return nil, fmt.Errorf("%w: SMTP URL must give both user name and password, or neither", ErrInvalidConfig)
		}
	}
	q := u.Query()
	for k := range q {
		if k != "tls" {
			return nil, fmt.Errorf("%w: SMTP URL parameter %q is not supported (only tls)", ErrInvalidConfig, k)
		}
	}
	switch q.Get("tls") {
	case "", "starttls":
	case "none":
		t.noTLS = true
	default:
		return nil, fmt.Errorf("%w: SMTP URL tls=%q is not supported (want starttls or none)", ErrInvalidConfig, q.Get("tls"))
	}
	if t.implicitTLS && q.Has("tls") {
		return nil, fmt.Errorf("%w: the tls parameter applies only to smtp:// URLs", ErrInvalidConfig)
	}
	if t.noTLS && t.username != "" {
		return nil, fmt.Errorf("%w: tls=none with credentials would send the password in clear text", ErrInvalidConfig)
	}
	t.redacted = u.Redacted()
	return t, nil
}

// parseFrom validates the sender address.
func parseFrom(s string) (mail.Address, error) {
	if err := checkHeaderValue("From", s); err != nil {
		return mail.Address{}, fmt.Errorf("%w: From: %w", ErrInvalidConfig, err)
	}
	a, err := mail.ParseAddress(s)
	if err != nil {
		return mail.Address{}, fmt.Errorf("%w: From %q is not an address like \"Frontdesk <no-reply@example.com>\"", ErrInvalidConfig, s)
	}
	if err := checkAddress("From", *a); err != nil {
		return mail.Address{}, fmt.Errorf("%w: From: %w", ErrInvalidConfig, err)
	}
	return *a, nil
}

// tlsConfigFor returns a copy of base (or a new config) that verifies host.
func tlsConfigFor(base *tls.Config, host string) *tls.Config {
	var c *tls.Config
	if base != nil {
		c = base.Clone()
	} else {
		c = &tls.Config{}
	}
	if c.ServerName == "" {
		c.ServerName = host
	}
	if c.MinVersion == 0 {
		c.MinVersion = tls.VersionTLS12
	}
	return c
}
