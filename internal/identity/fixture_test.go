package identity_test

import (
	"testing"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/db/dbtest"
	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/frontdesk/frontdesk/internal/identity/identitytest"
)

// fixture is the identity test kit under the short names these tests use.
type fixture struct {
	*identitytest.Kit
	t      *testing.T
	d      *db.DB
	clock  *dbtest.Clock
	svc    *identity.Service
	outbox string
	log    *audit.Log
}

var fastParams = identitytest.FastParams

func newFixture(t *testing.T, profile string) *fixture {
	t.Helper()
	k := identitytest.New(t, profile)
	return &fixture{Kit: k, t: t, d: k.D, clock: k.Clock, svc: k.Svc, outbox: k.Outbox, log: k.Log}
}

type message = identitytest.Message

const goodPassword = identitytest.Password

func (f *fixture) mails(addr string) []message { f.t.Helper(); return f.Mails(addr) }
func (f *fixture) last(addr string) message    { f.t.Helper(); return f.Last(addr) }
func (f *fixture) register(email string) *identity.Account {
	f.t.Helper()
	return f.Register(email)
}
func (f *fixture) signIn(email, pw, ip string) (*identity.SignInResult, error) {
	return f.SignIn(email, pw, ip)
}
func (f *fixture) auditActions() []string { f.t.Helper(); return f.AuditActions() }
func (f *fixture) verifyAudit()           { f.t.Helper(); f.VerifyAudit() }
