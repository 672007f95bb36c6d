package notify

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"log"
	"math/big"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// testUser and testPassword are the credentials the test server accepts.
const (
	testUser     = "frontdesk"
	testPassword = "s3cr3t-Pa55/word"
)

// received is one message as the test server saw it.
type received struct {
	from string
	to   []string
	data []byte
	tls  bool
}

// serverOptions selects the kind of test peer.
type serverOptions struct {
	startTLS    bool // offer STARTTLS on a plain listener
	implicitTLS bool // TLS listener (smtps)
	auth        bool // offer AUTH PLAIN and require it for MAIL
	insecure    bool // offer AUTH without TLS (to check the client refuses)
	loginOnly   bool // offer AUTH LOGIN instead of PLAIN
}

// testServer is an in-process go-smtp server on 127.0.0.1:0.
type testServer struct {
	addr  string
	roots *x509.CertPool

	mu        sync.Mutex
	messages  []received
	authTries int
}

func (s *testServer) received() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.messages...)
}

func (s *testServer) authAttempts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.authTries
}

// startServer starts a server and stops it when the test ends.
func startServer(t *testing.T, opt serverOptions) *testServer {
	t.Helper()
	cert, roots := selfSigned(t)
	ts := &testServer{roots: roots}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &session{srv: ts, conn: c, needAuth: opt.auth, loginOnly: opt.loginOnly}, nil
	}))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = opt.insecure
	srv.ErrorLog = log.New(io.Discard, "", 0)
	srv.ReadTimeout, srv.WriteTimeout = time.Minute, time.Minute
	tlsConfig := &tls.Config{Certificates: []tls.Certificate{cert}}
	if opt.startTLS {
		srv.TLSConfig = tlsConfig
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if opt.implicitTLS {
		l = tls.NewListener(l, tlsConfig)
	}
	ts.addr = l.Addr().String()
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return ts
}

// session records one client's transaction.
type session struct {
	srv       *testServer
	conn      *smtp.Conn
	needAuth  bool
	loginOnly bool
	authed    bool
	from      string
	to        []string
}

var _ smtp.AuthSession = (*session)(nil)

func (s *session) AuthMechanisms() []string {
	if s.loginOnly {
		return []string{sasl.Login}
	}
	return []string{sasl.Plain}
}

func (s *session) Auth(mech string) (sasl.Server, error) {
	if mech != s.AuthMechanisms()[0] {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	if mech == sasl.Login {
		return &loginServer{check: s.checkPassword}, nil
	}
	return sasl.NewPlainServer(func(_, user, pass string) error { return s.checkPassword(user, pass) }), nil
}

func (s *session) checkPassword(user, pass string) error {
	s.srv.mu.Lock()
	s.srv.authTries++
	s.srv.mu.Unlock()
	if user != testUser || pass != testPassword {
		return smtp.ErrAuthFailed
	}
	s.authed = true
	return nil
}

// loginServer is the server side of the obsolete LOGIN mechanism, which
// go-sasl implements only for clients.
type loginServer struct {
	check func(user, pass string) error
	user  *string
}

func (l *loginServer) Next(response []byte) ([]byte, bool, error) {
	switch {
	case l.user == nil && response == nil:
		return []byte("Username:"), false, nil
	case l.user == nil:
		u := string(response)
		l.user = &u
		return []byte("Password:"), false, nil
	default:
		return nil, true, l.check(*l.user, string(response))
	}
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.needAuth && !s.authed {
		return smtp.ErrAuthRequired
	}
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	_, isTLS := s.conn.TLSConnectionState()
	s.srv.mu.Lock()
	s.srv.messages = append(s.srv.messages, received{from: s.from, to: s.to, data: b, tls: isTLS})
	s.srv.mu.Unlock()
	return nil
}

func (s *session) Reset()        { s.from, s.to = "", nil }
func (s *session) Logout() error { return nil }

// selfSigned makes a certificate for 127.0.0.1 and a pool that trusts it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "frontdesk test smtp"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:              []string{"localhost"},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
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
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}
