package automation_test

import (
	"context"
	"testing"

	"github.com/frontdesk/frontdesk/internal/access"
	"github.com/frontdesk/frontdesk/internal/automation"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/db/dbtest"
	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/frontdesk/frontdesk/internal/identity/identitytest"
)

// Checking an API key (its row read and written under a lock: last use
// and the rate window) beside the reference every other API call pays,
// checking a session token, on the same kind of database in the same run;
// and deciding a key's permission (roles ∩ scopes ∩ the creator's, read at
// each call). Run: go test ./internal/automation -run '^$' -bench .

type benchKit struct {
	k      *identitytest.Kit
	svc    *automation.Service
	secret string
	token  string
}

func newBenchKit(b *testing.B) benchKit {
	if unlock := dbtest.BenchLock(b); unlock != nil {
		b.Cleanup(unlock)
	}
	k := identitytest.New(b, "default")
	acc := access.New(k.D, k.Log)
	svc := automation.New(k.D, k.Log, acc, automation.Options{Rate: 1 << 30})
	admin, err := k.Svc.CreateStaff(ctx, "admin@acme.example", identitytest.Password, func(tx *db.Tx, id string) error {
		return acc.Grant(ctx, tx, id, access.RoleAdministrator, "cli")
	})
	if err != nil {
		b.Fatal(err)
	}
	sa, err := svc.Create(ctx, admin.ID, automation.NewAccount{Name: "bench", Roles: []string{access.RoleAdministrator}})
	if err != nil {
		b.Fatal(err)
	}
	secret, _, err := svc.CreateKey(ctx, admin.ID, sa.ID, automation.NewKey{Name: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	res, err := k.Svc.SignIn(ctx, identity.SignIn{Email: "admin@acme.example", Password: identitytest.Password, IP: "192.0.2.1", Client: identity.ClientAPI})
	if err != nil || res.Token == "" {
		b.Fatalf("session for the reference: %v", err)
	}
	return benchKit{k: k, svc: svc, secret: secret, token: res.Token}
}

func BenchmarkAuthenticateKey(b *testing.B) {
	bk := newBenchKit(b)
	for b.Loop() {
		if _, err := bk.svc.Authenticate(ctx, bk.secret); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAuthenticateSessionReference(b *testing.B) {
	bk := newBenchKit(b)
	for b.Loop() {
		if _, err := bk.k.Svc.Authenticate(ctx, bk.token); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAuthenticateSessionRequestContext is the reference with a
// context that can be cancelled, as every HTTP request's is: database/sql
// and the SQLite driver watch such a context with a goroutine each per
// query unless the query is told not to (db.QueryRowOnce).
func BenchmarkAuthenticateSessionRequestContext(b *testing.B) {
	bk := newBenchKit(b)
	reqCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	for b.Loop() {
		if _, err := bk.k.Svc.Authenticate(reqCtx, bk.token); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkKeyPermission(b *testing.B) {
	bk := newBenchKit(b)
	p, err := bk.svc.Authenticate(ctx, bk.secret)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if ok, err := bk.svc.Allowed(ctx, p, access.CustomersRead); err != nil || !ok {
			b.Fatal(ok, err)
		}
	}
}
