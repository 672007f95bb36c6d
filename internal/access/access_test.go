package access_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/internal/access"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/frontdesk/frontdesk/internal/identity/identitytest"
)

var ctx = context.Background()

type fixture struct {
	*identitytest.Kit
	svc *access.Service
}

func newFixture(t *testing.T) *fixture {
	k := identitytest.New(t, "default")
	return &fixture{Kit: k, svc: access.New(k.D, k.Log)}
}

func (f *fixture) staff(email string, roles ...string) string {
	f.T.Helper()
	a, err := f.Svc.CreateStaff(ctx, email, identitytest.Password, func(tx *db.Tx, id string) error {
		for _, r := range roles {
			if err := f.svc.Grant(ctx, tx, id, r, "cli"); err != nil {
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

func principal(id string, aal int) *identity.Principal {
	return &identity.Principal{AccountID: id, Kind: identity.KindStaff, Session: identity.Session{AAL: aal}}
}

// Deny by default: permissions come only from roles, and only to staff
// sessions that passed a second factor (ASVS 6.3.3, 8.2.1).
func TestAllowed(t *testing.T) {
	f := newFixture(t)
	officer := f.staff("officer@acme.example", access.RoleSecurityOfficer)
	nobody := f.staff("nobody@acme.example")
	for _, tc := range []struct {
		p    *identity.Principal
		perm string
		want bool
	}{
		{principal(officer, 2), access.RecoveryApprove, true},
		{principal(officer, 2), access.StaffManage, false},
		{principal(officer, 1), access.RecoveryApprove, false},
		{principal(nobody, 2), access.CustomersRead, false},
		{&identity.Principal{AccountID: officer, Kind: identity.KindCustomer, Session: identity.Session{AAL: 2}}, access.RecoveryApprove, false},
		{principal(officer, 2), "made:up", false},
	} {
		got, err := f.svc.Allowed(ctx, tc.p, tc.perm)
		if err != nil || got != tc.want {
			t.Errorf("%s aal %d %s: %v %v", tc.p.Kind, tc.p.Session.AAL, tc.perm, got, err)
		}
	}
}

// Separation of duties: nobody grants or revokes their own roles; roles
// are for staff only.
func TestGrantRules(t *testing.T) {
	f := newFixture(t)
	admin := f.staff("admin@acme.example", access.RoleAdministrator)
	agent := f.staff("agent@acme.example")
	cust := f.Register("lan@example.com")
	if err := f.svc.GrantRole(ctx, admin, access.RoleAuditor, admin); !errors.Is(err, access.ErrSelfGrant) {
		t.Fatalf("self grant: %v", err)
	}
	if err := f.svc.GrantRole(ctx, cust.ID, access.RoleAgent, admin); !errors.Is(err, access.ErrNotStaff) {
		t.Fatalf("customer granted a role: %v", err)
	}
	if err := f.svc.GrantRole(ctx, agent, "overlord", admin); !errors.Is(err, access.ErrUnknownRole) {
		t.Fatalf("unknown role: %v", err)
	}
	if err := f.svc.GrantRole(ctx, agent, access.RoleAgent, admin); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.RevokeRole(ctx, admin, access.RoleAdministrator, admin, "leaving"); !errors.Is(err, access.ErrSelfGrant) {
		t.Fatalf("self revoke: %v", err)
	}
	if err := f.svc.CreateRole(ctx, "fraud_desk", "Fraud desk", []string{access.CustomersRead, access.CustomersDisable}, admin); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.CreateRole(ctx, "bad", "", []string{"root:everything"}, admin); !errors.Is(err, access.ErrInvalidRole) {
		t.Fatalf("role with an unknown permission: %v", err)
	}
	if err := f.svc.GrantRole(ctx, agent, "fraud_desk", admin); err != nil {
		t.Fatal(err)
	}
	perms, _ := f.svc.PermissionsOf(ctx, agent)
	if !slices.Contains(perms, access.CustomersDisable) || slices.Contains(perms, access.StaffManage) {
		t.Fatalf("permissions %v", perms)
	}
	f.VerifyAudit()
}

// Revealing personal data is per customer, time-limited and audited.
func TestReveal(t *testing.T) {
	f := newFixture(t)
	sup := f.staff("sup@acme.example", access.RoleSupervisor)
	cust := f.Register("lan@example.com")
	if until, _ := f.svc.Revealed(ctx, sup, cust.ID); !until.IsZero() {
		t.Fatal("revealed before asking")
	}
	if _, err := f.svc.Reveal(ctx, sup, cust.ID, "customer on the phone"); err != nil {
		t.Fatal(err)
	}
	other := f.Register("minh@example.com")
	if until, _ := f.svc.Revealed(ctx, sup, other.ID); !until.IsZero() {
		t.Fatal("a reveal opened another customer")
	}
	f.Clock.Add(access.RevealFor - time.Second)
	if until, _ := f.svc.Revealed(ctx, sup, cust.ID); until.IsZero() {
		t.Fatal("reveal ended early")
	}
	f.Clock.Add(2 * time.Second)
	if until, _ := f.svc.Revealed(ctx, sup, cust.ID); !until.IsZero() {
		t.Fatal("reveal outlived its time")
	}
	if got := access.MaskEmail("jane@example.com"); got != "j•••@example.com" {
		t.Fatal(got)
	}
	if got := identity.MaskPhone("+84912345689"); got != "+84•••••••89" {
		t.Fatal(got)
	}
	if !slices.Contains(f.AuditActions(), "customer.reveal_pii") {
		t.Fatal("reveal not audited")
	}
}

// Access reviews: decisions by someone other than the grantee, grants
// left undecided revoked at the deadline (injected clock).
func TestAccessReview(t *testing.T) {
	f := newFixture(t)
	officer := f.staff("officer@acme.example", access.RoleSecurityOfficer)
	a := f.staff("a@acme.example", access.RoleAgent)
	b := f.staff("b@acme.example", access.RoleAgent, access.RoleSupervisor)
	id, err := f.svc.StartReview(ctx, officer, 14*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	r, _ := f.svc.GetReview(ctx, id)
	if len(r.Items) != 4 {
		t.Fatalf("items %+v", r.Items)
	}
	if err := f.svc.Decide(ctx, officer, id, officer, access.RoleSecurityOfficer, "certify", "fine"); !errors.Is(err, access.ErrSelfGrant) {
		t.Fatalf("own grant certified: %v", err)
	}
	if err := f.svc.Decide(ctx, officer, id, a, access.RoleAgent, "certify", ""); !errors.Is(err, access.ErrReason) {
		t.Fatalf("decision without reason: %v", err)
	}
	if err := f.svc.Decide(ctx, officer, id, a, access.RoleAgent, "certify", "still on the desk"); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Decide(ctx, officer, id, b, access.RoleSupervisor, "revoke", "moved to sales"); err != nil {
		t.Fatal(err)
	}
	if roles, _ := f.svc.RolesOf(ctx, b); !slices.Equal(roles, []string{access.RoleAgent}) {
		t.Fatalf("roles after revoke: %v", roles)
	}
	f.Clock.Add(15 * 24 * time.Hour)
	if err := f.svc.Decide(ctx, a, id, b, access.RoleAgent, "certify", "late"); !errors.Is(err, access.ErrReviewClosed) {
		t.Fatalf("decision after the deadline: %v", err)
	}
	n, err := f.svc.CloseDueReviews(ctx)
	if err != nil || n != 2 {
		t.Fatalf("expired grants %d %v", n, err)
	}
	if roles, _ := f.svc.RolesOf(ctx, b); len(roles) != 0 {
		t.Fatalf("undecided grant survived: %v", roles)
	}
	if roles, _ := f.svc.RolesOf(ctx, a); !slices.Equal(roles, []string{access.RoleAgent}) {
		t.Fatalf("certified grant lost: %v", roles)
	}
	if started, _ := f.svc.StartDueReview(ctx, 180*24*time.Hour, 14*24*time.Hour); started {
		t.Fatal("a second campaign within six months")
	}
	f.Clock.Add(181 * 24 * time.Hour)
	if started, err := f.svc.StartDueReview(ctx, 180*24*time.Hour, 14*24*time.Hour); !started || err != nil {
		t.Fatalf("scheduled campaign: %v", err)
	}
	f.VerifyAudit()
}

// Holders counts the active staff who hold a permission through a
// built-in or a custom role: the console's first-run checklist asks
// whether anyone answers conversations.
func TestHolders(t *testing.T) {
	f := newFixture(t)
	count := func(perm string) int {
		t.Helper()
		n, err := f.svc.Holders(ctx, perm)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	admin := f.staff("root@acme.example", access.RoleAdministrator)
	if n := count(access.ConversationsWrite); n != 0 {
		t.Fatalf("an administrator alone answers conversations: %d", n)
	}
	f.staff("mai@acme.example", access.RoleAgent)
	if err := f.svc.CreateRole(ctx, "chat_only", "", []string{access.ConversationsWrite}, admin); err != nil {
		t.Fatal(err)
	}
	f.staff("an@acme.example", "chat_only", access.RoleSupervisor) // counted once
	if n := count(access.ConversationsWrite); n != 2 {
		t.Fatalf("holders of conversations:write: %d, want 2", n)
	}
	if n := count(access.StaffManage); n != 1 {
		t.Fatalf("holders of staff:manage: %d, want 1", n)
	}
}

// The roles that carry a permission are the built-in ones that list it,
// then every custom role the business gave it, and only those: a 403 page
// tells staff whom to ask for which role.
func TestRolesWith(t *testing.T) {
	f := newFixture(t)
	admin := f.staff("root@acme.example", access.RoleAdministrator)
	for _, r := range []struct {
		name  string
		perms []string
	}{{"fraud_desk", []string{access.AuditRead, access.CustomersRead}}, {"audit_helpers", []string{access.AuditRead}}, {"chat_only", []string{access.ConversationsWrite}}} {
		if err := f.svc.CreateRole(ctx, r.name, "", r.perms, admin); err != nil {
			t.Fatal(err)
		}
	}
	for _, perm := range access.Permissions {
		got, err := f.svc.RolesWith(ctx, perm)
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, r := range access.BuiltInRoles {
			if slices.Contains(access.Roles[r], perm) {
				want = append(want, r)
			}
		}
		switch perm {
		case access.AuditRead:
			want = append(want, "audit_helpers", "fraud_desk")
		case access.CustomersRead:
			want = append(want, "fraud_desk")
		case access.ConversationsWrite:
			want = append(want, "chat_only")
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", perm, got, want)
		}
	}
	if got, err := f.svc.RolesWith(ctx, "no:such"); err != nil || len(got) != 0 {
		t.Errorf("an unknown permission: %v %v", got, err)
	}
}
