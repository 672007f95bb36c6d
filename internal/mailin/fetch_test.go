package mailin

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math/big"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
)

const (
	testUser     = "desk@frontdesk.test"
	testPassword = "correct horse battery staple"
)

// imapServer runs go-imap's in-memory server on 127.0.0.1 and returns its
// address. With a certificate it offers STARTTLS (or implicit TLS when
// implicit is true); without one it allows plain-text login.
func imapServer(t *testing.T, cert *tls.Certificate, implicit bool) string {
	t.Helper()
	mem := imapmemserver.New()
	user := imapmemserver.NewUser(testUser, testPassword)
	if err := user.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	mem.AddUser(user)

	opts := &imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}},
		InsecureAuth: cert == nil,
		Logger:       discardLogger{},
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if cert != nil {
		cfg := &tls.Config{Certificates: []tls.Certificate{*cert}}
		if implicit {
			ln = tls.NewListener(ln, cfg)
		} else {
			opts.TLSConfig = cfg
		}
	}
	srv := imapserver.New(opts)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().String()
}

type discardLogger struct{}

func (discardLogger) Printf(string, ...any) {}

// mailbox is a second IMAP client, playing the mail server's delivery side
// and inspecting flags.
type mailbox struct {
	t *testing.T
	c *imapclient.Client
}

func openMailbox(t *testing.T, addr string) *mailbox {
	t.Helper()
	c, err := imapclient.DialInsecure(addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	if err := c.Login(testUser, testPassword).Wait(); err != nil {
		t.Fatal(err)
	}
	return &mailbox{t: t, c: c}
}

func (m *mailbox) deliver(subjects ...string) {
	m.t.Helper()
	for _, s := range subjects {
		raw := fmt.Sprintf("From: customer@example.com\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <%s@example.com>\r\n\r\nBody of %s.\r\n", testUser, s, s, s)
		cmd := m.c.Append("INBOX", int64(len(raw)), nil)
		if _, err := cmd.Write([]byte(raw)); err != nil {
			m.t.Fatal(err)
		}
		if err := cmd.Close(); err != nil {
			m.t.Fatal(err)
		}
		if _, err := cmd.Wait(); err != nil {
			m.t.Fatal(err)
		}
	}
}

// unseen returns the subjects of the messages without \Seen.
func (m *mailbox) unseen() []string {
	m.t.Helper()
	if _, err := m.c.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		m.t.Fatal(err)
	}
	var all imap.SeqSet
	all.AddRange(1, 0) // 1:*
	bufs, err := m.c.Fetch(all, &imap.FetchOptions{Flags: true, Envelope: true}).Collect()
	if err != nil {
		m.t.Fatal(err)
	}
	var out []string
	for _, b := range bufs {
		if !slices.Contains(b.Flags, imap.FlagSeen) {
			out = append(out, b.Envelope.Subject)
		}
	}
	slices.Sort(out)
	return out
}

func newTestFetcher(t *testing.T, cfg FetcherConfig) *Fetcher {
	t.Helper()
	if cfg.TLS == "" {
		cfg.TLS = TLSNone
	}
	if cfg.Username == "" {
		cfg.Username, cfg.Password = testUser, testPassword
	}
	f, err := NewFetcher(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// recorder is a handler that parses messages and can be told to fail.
type recorder struct {
	subjects []string
	fail     map[string]bool
}

func (r *recorder) handle(raw []byte, uid uint32) error {
	msg, err := Parse(bytes.NewReader(raw), testLimit)
	if err != nil {
		return err
	}
	if r.fail[msg.Subject] {
		return errors.New("database unavailable")
	}
	r.subjects = append(r.subjects, msg.Subject)
	return nil
}

func TestFetchMarksSeenAfterHandling(t *testing.T) {
	addr := imapServer(t, nil, false)
	box := openMailbox(t, addr)
	box.deliver("one", "two", "three")
	f := newTestFetcher(t, FetcherConfig{Addr: addr, BatchSize: 2})
	ctx := t.Context()

	// First run: the handler fails on "two", which must stay unseen.
	rec := &recorder{fail: map[string]bool{"two": true}}
	n, err := f.Fetch(ctx, rec.handle)
	if n != 2 || err == nil || !strings.Contains(err.Error(), "database unavailable") {
		t.Fatalf("Fetch = %d, %v; want 2 and the handler's error", n, err)
	}
	if got := strings.Join(rec.subjects, ","); got != "one,three" {
		t.Errorf("handled %q, want one,three in UID order", got)
	}
	if got := box.unseen(); !slices.Equal(got, []string{"two"}) {
		t.Errorf("unseen = %q, want [two]", got)
	}

	// Second run: the failed message comes again, and only it.
	box.deliver("four")
	rec = &recorder{}
	n, err = f.Fetch(ctx, rec.handle)
	if n != 2 || err != nil {
		t.Fatalf("Fetch = %d, %v; want 2, nil", n, err)
	}
	if got := strings.Join(rec.subjects, ","); got != "two,four" {
		t.Errorf("handled %q, want two,four", got)
	}

	// Third run: nothing new.
	n, err = f.Fetch(ctx, func([]byte, uint32) error {
		t.Error("handler called with nothing new")
		return nil
	})
	if n != 0 || err != nil {
		t.Fatalf("Fetch = %d, %v; want 0, nil", n, err)
	}
	if got := box.unseen(); len(got) != 0 {
		t.Errorf("unseen = %q, want none", got)
	}
}

func TestFetchTruncatesLargeMessages(t *testing.T) {
	addr := imapServer(t, nil, false)
	box := openMailbox(t, addr)
	box.deliver("small", strings.Repeat("x", 3000))
	f := newTestFetcher(t, FetcherConfig{Addr: addr, MaxMessageBytes: 1000})

	var tooLarge, parsed int
	n, err := f.Fetch(t.Context(), func(raw []byte, uid uint32) error {
		if len(raw) > 1001 {
			t.Errorf("uid %d: got %d bytes, want at most 1001", uid, len(raw))
		}
		msg, err := Parse(bytes.NewReader(raw), 1000)
		switch {
		case errors.Is(err, ErrTooLarge) && msg != nil && msg.From.Address == "customer@example.com":
			tooLarge++
		case err == nil:
			parsed++
		default:
			t.Errorf("uid %d: Parse: %v", uid, err)
		}
		return nil
	})
	if n != 2 || err != nil || tooLarge != 1 || parsed != 1 {
		t.Fatalf("Fetch = %d, %v; too large %d, parsed %d", n, err, tooLarge, parsed)
	}
}

func TestFetchCancel(t *testing.T) {
	addr := imapServer(t, nil, false)
	box := openMailbox(t, addr)
	box.deliver("a", "b", "c")
	f := newTestFetcher(t, FetcherConfig{Addr: addr})

	// Cancelled while handling the first message: that message is still
	// marked seen, the others are left for the next run.
	ctx, cancel := context.WithCancel(t.Context())
	n, err := f.Fetch(ctx, func([]byte, uint32) error {
		cancel()
		return nil
	})
	if n != 1 || !errors.Is(err, context.Canceled) {
		t.Fatalf("Fetch = %d, %v; want 1, context.Canceled", n, err)
	}
	if got := box.unseen(); !slices.Equal(got, []string{"b", "c"}) {
		t.Errorf("unseen = %q, want [b c]", got)
	}

	n, err = f.Fetch(ctx, func([]byte, uint32) error { return nil })
	if n != 0 || !errors.Is(err, context.Canceled) {
		t.Fatalf("Fetch with a cancelled context = %d, %v", n, err)
	}
}

func TestFetchBadPassword(t *testing.T) {
	addr := imapServer(t, nil, false)
	f := newTestFetcher(t, FetcherConfig{Addr: addr, Username: testUser, Password: "wrong secret"})
	_, err := f.Fetch(t.Context(), func([]byte, uint32) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "login") {
		t.Fatalf("err = %v, want a login error", err)
	}
	if strings.Contains(err.Error(), "wrong secret") {
		t.Errorf("error %q contains the password", err)
	}
}

func TestFetchMissingMailbox(t *testing.T) {
	addr := imapServer(t, nil, false)
	f := newTestFetcher(t, FetcherConfig{Addr: addr, Mailbox: "Support"})
	if _, err := f.Fetch(t.Context(), func([]byte, uint32) error { return nil }); err == nil || !strings.Contains(err.Error(), "select") {
		t.Fatalf("err = %v, want a select error", err)
	}
}

func TestFetchTLS(t *testing.T) {
	cert, pool := testCertificate(t)
	for _, mode := range []TLSMode{TLSImplicit, TLSStartTLS} {
		t.Run(string(mode), func(t *testing.T) {
			addr := imapServer(t, cert, mode == TLSImplicit)
			f := newTestFetcher(t, FetcherConfig{Addr: addr, TLS: mode, TLSConfig: &tls.Config{RootCAs: pool}})
			if _, err := f.Fetch(t.Context(), func([]byte, uint32) error { return nil }); err != nil {
				t.Fatalf("Fetch: %v", err)
			}

			// An untrusted certificate is refused.
			f = newTestFetcher(t, FetcherConfig{Addr: addr, TLS: mode})
			if _, err := f.Fetch(t.Context(), func([]byte, uint32) error { return nil }); err == nil {
				t.Fatal("Fetch trusted an unknown certificate")
			}
		})
	}
}

// A server that accepts the connection and then says nothing must not hang
// Fetch beyond the command timeout.
func TestFetchSilentServer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { _ = conn.Close() })
		}
	}()
	f := newTestFetcher(t, FetcherConfig{Addr: ln.Addr().String(), CommandTimeout: 50 * time.Millisecond})
	if _, err := f.Fetch(t.Context(), func([]byte, uint32) error { return nil }); err == nil {
		t.Fatal("Fetch succeeded against a silent server")
	}
}

func TestNewFetcherConfig(t *testing.T) {
	tests := []struct {
		addr string
		mode TLSMode
		ok   bool
	}{
		{"127.0.0.1:143", TLSNone, true},
		{"localhost:143", TLSNone, true},
		{"[::1]:143", TLSNone, true},
		{"mail.example.com:143", TLSNone, false},
		{"10.0.0.5:143", TLSNone, false},
		{"mail.example.com:993", "", true},
		{"mail.example.com:143", TLSStartTLS, true},
		{"mail.example.com:993", "ssl", false},
		{"mail.example.com", TLSImplicit, false},
	}
	for _, tt := range tests {
		_, err := NewFetcher(FetcherConfig{Addr: tt.addr, TLS: tt.mode, Username: "u", Password: "p"})
		if (err == nil) != tt.ok {
			t.Errorf("NewFetcher(%s, %q) error = %v, want ok=%v", tt.addr, tt.mode, err, tt.ok)
		}
	}
	if _, err := NewFetcher(FetcherConfig{Addr: "127.0.0.1:993"}); err == nil {
		t.Error("NewFetcher accepted a config without credentials")
	}
}

// testCertificate makes a self-signed certificate for 127.0.0.1 and a pool
// that trusts it.
func testCertificate(t *testing.T) (*tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "imap.test"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:                  true,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}
