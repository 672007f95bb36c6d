package automation_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/internal/access"
	"github.com/frontdesk/frontdesk/internal/automation"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/fault"
	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/frontdesk/frontdesk/internal/identity/identitytest"
)

var ctx = context.Background()

type fixture struct {
	*identitytest.Kit
	acc *access.Service
	svc *automation.Service
}

func newFixture(t *testing.T, o automation.Options) *fixture {
	k := identitytest.New(t, "default")
	acc := access.New(k.D, k.Log)
	if err := acc.CreateRole(ctx, reporter, "reads customers and the audit trail", []string{access.AuditRead, access.CustomersRead}, "cli"); err != nil {
		t.Fatal(err)
	}
	return &fixture{Kit: k, acc: acc, svc: automation.New(k.D, k.Log, acc, o)}
}

// reporter is a custom role within both the administrator's and the
// security officer's permissions.
const reporter = "reporter"

func (f *fixture) staff(email string, roles ...string) string {
	f.T.Helper()
	a, err := f.Svc.CreateStaff(ctx, email, identitytest.Password, func(tx *db.Tx, id string) error {
		for _, r := range roles {
			if err := f.acc.Grant(ctx, tx, id, r, "cli"); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		f.T.Fatal(err)
	}
	return a.ID
}

// key makes a service account with roles and a key with scopes, as by.
func (f *fixture) key(by string, roles []string, scopes ...string) (string, *automation.Account) {
	f.T.Helper()
	a, err := f.svc.Create(ctx, by, automation.NewAccount{Name: "sync " + automation.KeyPrefix + roles[0], Roles: roles})
	if err != nil {
		f.T.Fatal(err)
	}
	secret, _, err := f.svc.CreateKey(ctx, by, a.ID, automation.NewKey{Name: "nightly", Scopes: scopes})
	if err != nil {
		f.T.Fatal(err)
	}
	return secret, a
}

func (f *fixture) keyOf(account, id string) automation.Key {
	f.T.Helper()
	a, err := f.svc.Get(ctx, account)
	if err != nil {
		f.T.Fatal(err)
	}
	for _, k := range a.Keys {
		if k.ID == id {
			return k
		}
	}
	f.T.Fatalf("no key %s", id)
	return automation.Key{}
}

func (f *fixture) perms(secret string) []string {
	f.T.Helper()
	p, err := f.svc.Authenticate(ctx, secret)
	if err != nil {
		f.T.Fatal(err)
	}
	perms, err := f.svc.Permissions(ctx, p.Session.ID)
	if err != nil {
		f.T.Fatal(err)
	}
	return perms
}

// A key does what its scopes allow within its account's roles and within
// its creator's permissions at the time of the call, never more (ASVS
// 8.2.1, 8.3.1).
func TestKeyNeverBeyondRoleNorCreator(t *testing.T) {
	f := newFixture(t, automation.Options{})
	boss := f.staff("boss@acme.example", access.RoleAdministrator, access.RoleSupervisor)
	secret, _ := f.key(boss, []string{access.RoleSupervisor})
	if got, want := f.perms(secret), slices.Sorted(slices.Values(access.Roles[access.RoleSupervisor])); !slices.Equal(got, want) {
		t.Fatalf("unscoped key: %v", got)
	}
	scoped, sa := f.key(boss, []string{access.RoleAgent}, access.CustomersRead, access.CustomersUnlock)
	if got := f.perms(scoped); !slices.Equal(got, []string{access.CustomersRead, access.CustomersUnlock}) {
		t.Fatalf("scoped key: %v", got)
	}
	p, _ := f.svc.Authenticate(ctx, scoped)
	for perm, want := range map[string]bool{access.CustomersRead: true, access.CustomersResetPassword: false, access.StaffManage: false} {
		if ok, err := f.svc.Allowed(ctx, p, perm); err != nil || ok != want {
			t.Errorf("scoped key %s: %v %v", perm, ok, err)
		}
	}
	// A staff principal is never allowed through the key check.
	if ok, _ := f.svc.Allowed(ctx, &identity.Principal{AccountID: boss, Kind: identity.KindStaff, Session: identity.Session{ID: p.Session.ID, AAL: 2}}, access.CustomersRead); ok {
		t.Fatal("a staff principal passed the key check")
	}
	// The creator loses the supervisor role: the keys lose what only it gave.
	other := f.staff("other@acme.example", access.RoleAdministrator)
	if err := f.acc.RevokeRole(ctx, boss, access.RoleSupervisor, other, "moved"); err != nil {
		t.Fatal(err)
	}
	got := f.perms(secret)
	if slices.Contains(got, access.CustomersRevealPII) || !slices.Contains(got, access.CustomersRead) {
		t.Fatalf("after the creator lost supervisor: %v", got)
	}
	if got := f.perms(scoped); !slices.Equal(got, []string{access.CustomersRead}) {
		t.Fatalf("scoped key after the creator lost supervisor: %v", got)
	}
	// The creator's account is disabled: the keys can do nothing.
	if err := f.Svc.SetDisabled(ctx, boss, true); err != nil {
		t.Fatal(err)
	}
	if got := f.perms(secret); len(got) != 0 {
		t.Fatalf("creator disabled: %v", got)
	}
	if sa.CreatedBy != boss {
		t.Fatalf("created by %q", sa.CreatedBy)
	}
}

// Nobody makes a service account or a key that could do more than they
// can; the refusal changes nothing.
func TestCreateBeyondCreatorRefused(t *testing.T) {
	f := newFixture(t, automation.Options{})
	admin := f.staff("admin@acme.example", access.RoleAdministrator)
	before := len(f.AuditActions())
	_, err := f.svc.Create(ctx, admin, automation.NewAccount{Name: "reset bot", Roles: []string{access.RoleAgent}})
	if !errors.Is(err, automation.ErrBeyondCreator) {
		t.Fatalf("agent role by an administrator: %v", err)
	}
	if list, _ := f.svc.List(ctx); len(list) != 0 || len(f.AuditActions()) != before {
		t.Fatalf("a refused creation left %d accounts, %d new audit entries", len(list), len(f.AuditActions())-before)
	}
	// The scopes of a key must be within the account's permissions.
	a, err := f.svc.Create(ctx, admin, automation.NewAccount{Name: "auditor bot", Roles: []string{reporter}})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.svc.CreateKey(ctx, admin, a.ID, automation.NewKey{Name: "k", Scopes: []string{access.StaffManage}}); !errors.Is(err, fault.ErrInvalid) {
		t.Fatalf("scope beyond the account: %v", err)
	}
	// Another staff member with fewer permissions cannot issue it a key.
	officer := f.staff("officer@acme.example", access.RoleSecurityOfficer)
	b, err := f.svc.Create(ctx, admin, automation.NewAccount{Name: "reader", Roles: []string{reporter}})
	if err != nil {
		t.Fatal(err)
	}
	agentOnly := f.staff("agent@acme.example", access.RoleAgent)
	if _, _, err := f.svc.CreateKey(ctx, agentOnly, b.ID, automation.NewKey{Name: "k"}); !errors.Is(err, automation.ErrBeyondCreator) {
		t.Fatalf("key by someone without audit:read: %v", err)
	}
	if _, _, err := f.svc.CreateKey(ctx, officer, b.ID, automation.NewKey{Name: "k"}); err != nil {
		t.Fatalf("key by a security officer, who holds every auditor permission: %v", err)
	}
}

// Bad input gets the field and a reason, and creates nothing.
func TestBadInput(t *testing.T) {
	f := newFixture(t, automation.Options{})
	admin := f.staff("admin@acme.example", access.RoleAdministrator)
	for _, in := range []automation.NewAccount{
		{Name: "", Roles: []string{reporter}},
		{Name: "x", Roles: []string{reporter}},
		{Name: "<script>", Roles: []string{reporter}},
		{Name: "ok name", Roles: nil},
		{Name: "ok name", Roles: []string{"no_such_role"}},
		{Name: "ok name", Description: strings.Repeat("d", 201), Roles: []string{reporter}},
	} {
		var inv *fault.Invalid
		if _, err := f.svc.Create(ctx, admin, in); !errors.As(err, &inv) || inv.Reason == "" {
			t.Errorf("%+v: %v", in, err)
		}
	}
	a, err := f.svc.Create(ctx, admin, automation.NewAccount{Name: "ok name", Roles: []string{reporter}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Create(ctx, admin, automation.NewAccount{Name: "ok name", Roles: []string{reporter}}); !errors.Is(err, automation.ErrExists) {
		t.Fatalf("same name: %v", err)
	}
	for _, in := range []automation.NewKey{{Name: ""}, {Name: strings.Repeat("n", 61)}, {Name: "k", ExpiresInDays: -1}, {Name: "k", ExpiresInDays: 367}} {
		if _, _, err := f.svc.CreateKey(ctx, admin, a.ID, in); !errors.Is(err, fault.ErrInvalid) {
			t.Errorf("%+v: %v", in, err)
		}
	}
	if _, _, err := f.svc.CreateKey(ctx, admin, "0123456789abcdef0123456789abcdef", automation.NewKey{Name: "k"}); !errors.Is(err, fault.ErrNotFound) {
		t.Fatalf("unknown account: %v", err)
	}
	if got, _ := f.svc.Get(ctx, a.ID); len(got.Keys) != 0 {
		t.Fatalf("refused keys were stored: %+v", got.Keys)
	}
	for _, bad := range []string{"", "fdk_", "fdk_zz_zz", "Bearer x", automation.KeyPrefix + strings.Repeat("0", 16) + "_" + strings.Repeat("A", 43)} {
		if _, err := f.svc.Authenticate(ctx, bad); !errors.Is(err, automation.ErrInvalidKey) {
			t.Errorf("token %q: %v", bad, err)
		}
	}
}

// Keys expire, can be revoked, stop with their account, and are stored
// only as hashes of 256-bit random secrets (ASVS 11.5.1; 7.4.1 termination).
func TestKeyExpiryRevocationAndStorage(t *testing.T) {
	f := newFixture(t, automation.Options{})
	admin := f.staff("admin@acme.example", access.RoleAdministrator)
	a, _ := f.svc.Create(ctx, admin, automation.NewAccount{Name: "reader", Roles: []string{reporter}})
	short, k, err := f.svc.CreateKey(ctx, admin, a.ID, automation.NewKey{Name: "one day", ExpiresInDays: 1})
	if err != nil {
		t.Fatal(err)
	}
	long, k2, _ := f.svc.CreateKey(ctx, admin, a.ID, automation.NewKey{Name: "default"})
	// fdk_ + 16 hex (key id) + _ + 43 base64url characters = 256 random bits.
	if len(short) != 4+16+1+43 || !strings.HasPrefix(short, automation.KeyPrefix) || short == long {
		t.Fatalf("key %q", short)
	}
	if !k2.ExpiresAt.Equal(k2.CreatedAt.Add(automation.DefaultKeyLifetime)) {
		t.Fatalf("default lifetime: %v → %v", k2.CreatedAt, k2.ExpiresAt)
	}
	var stored int
	f.D.Read(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, "SELECT secret_hash FROM api_keys")
		hashes, err := db.Collect(rows, err, db.Value[[]byte])
		for _, h := range hashes {
			if len(h) != 32 || strings.Contains(short, string(h)) {
				t.Errorf("stored secret %x", h)
			}
			stored++
		}
		return err
	})
	if stored != 2 {
		t.Fatalf("%d keys stored", stored)
	}
	if _, err := f.svc.Authenticate(ctx, short); err != nil {
		t.Fatal(err)
	}
	if got := f.keyOf(a.ID, k.ID); got.LastUsedAt == nil || f.keyOf(a.ID, k2.ID).LastUsedAt != nil {
		t.Fatalf("last used: %+v", got)
	}
	f.Clock.Add(24 * time.Hour)
	if _, err := f.svc.Authenticate(ctx, short); !errors.Is(err, automation.ErrInvalidKey) {
		t.Fatalf("expired key: %v", err)
	}
	if f.keyOf(a.ID, k.ID).State != automation.KeyExpired || f.keyOf(a.ID, k2.ID).State != automation.KeyActive {
		t.Fatal("states after a day: want expired and active")
	}
	if err := f.svc.SetDisabled(ctx, a.ID, true, admin); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Authenticate(ctx, long); !errors.Is(err, automation.ErrInvalidKey) {
		t.Fatalf("key of a disabled account: %v", err)
	}
	if _, _, err := f.svc.CreateKey(ctx, admin, a.ID, automation.NewKey{Name: "k"}); !errors.Is(err, automation.ErrDisabled) {
		t.Fatalf("new key for a disabled account: %v", err)
	}
	f.svc.SetDisabled(ctx, a.ID, false, admin)
	if _, err := f.svc.Authenticate(ctx, long); err != nil {
		t.Fatalf("enabled again: %v", err)
	}
	if err := f.svc.RevokeKey(ctx, a.ID, k2.ID, admin); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Authenticate(ctx, long); !errors.Is(err, automation.ErrInvalidKey) {
		t.Fatalf("revoked key: %v", err)
	}
	if err := f.svc.RevokeKey(ctx, a.ID, "nosuchkey", admin); !errors.Is(err, automation.ErrNotFound) {
		t.Fatalf("revoking an unknown key: %v", err)
	}
	acts := strings.Join(f.AuditActions(), " ")
	for _, want := range []string{"service_account.create", "api_key.create", "service_account.disable", "service_account.enable", "api_key.revoke"} {
		if !strings.Contains(acts, want) {
			t.Errorf("no %s audit entry in %s", want, acts)
		}
	}
}

// A key gets Rate calls per window; the next is refused with the time
// left, and the count starts again with the next window (ASVS 2.4.1).
func TestKeyRateLimit(t *testing.T) {
	f := newFixture(t, automation.Options{Rate: 3, Window: time.Minute})
	admin := f.staff("admin@acme.example", access.RoleAdministrator)
	secret, _ := f.key(admin, []string{reporter})
	other, _ := f.key(admin, []string{access.RoleAdministrator})
	f.Clock.Add(10 * time.Second)
	for i := 0; i < 3; i++ {
		if _, err := f.svc.Authenticate(ctx, secret); err != nil {
			t.Fatalf("call %d: %v", i+1, err)
		}
	}
	f.Clock.Add(20 * time.Second)
	_, err := f.svc.Authenticate(ctx, secret)
	var rl *automation.RateLimitedError
	if !errors.As(err, &rl) || rl.RetryAfter != 40*time.Second {
		t.Fatalf("4th call: %v", err)
	}
	if _, err := f.svc.Authenticate(ctx, other); err != nil {
		t.Fatalf("another key is counted apart: %v", err)
	}
	f.Clock.Add(40 * time.Second)
	if _, err := f.svc.Authenticate(ctx, secret); err != nil {
		t.Fatalf("next window: %v", err)
	}
}
