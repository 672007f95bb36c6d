// Package imaptest runs a real IMAP server in the test process (go-imap's
// in-memory server) with one user and an INBOX, for tests of code that
// reads a support mailbox.
package imaptest

import (
	"net"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
)

// User and Password log in to the server.
const (
	User     = "support@frontdesk.test"
	Password = "imap test password"
)

// Server is a running IMAP server on 127.0.0.1 accepting plain-text
// log-in (loopback only).
type Server struct {
	Addr string
	t    testing.TB
}

// Start runs a server until the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	mem := imapmemserver.New()
	user := imapmemserver.NewUser(User, Password)
	if err := user.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	mem.AddUser(user)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}},
		InsecureAuth: true,
		Logger:       discard{},
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return &Server{Addr: ln.Addr().String(), t: t}
}

type discard struct{}

func (discard) Printf(string, ...any) {}

// Deliver appends raw messages to the INBOX, as a mail server delivering
// them would.
func (s *Server) Deliver(raws ...[]byte) {
	s.t.Helper()
	c, err := imapclient.DialInsecure(s.Addr, nil)
	if err != nil {
		s.t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(User, Password).Wait(); err != nil {
		s.t.Fatal(err)
	}
	for _, raw := range raws {
		cmd := c.Append("INBOX", int64(len(raw)), nil)
		if _, err := cmd.Write(raw); err != nil {
			s.t.Fatal(err)
		}
		if err := cmd.Close(); err != nil {
			s.t.Fatal(err)
		}
		if _, err := cmd.Wait(); err != nil {
			s.t.Fatal(err)
		}
	}
}
