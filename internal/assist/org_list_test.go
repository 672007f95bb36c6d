package assist_test

import (
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/internal/assist"
	"github.com/frontdesk/frontdesk/internal/audit"
)

// What the administration pages read: the organisations with their member
// counts, one organisation, its members; and marking admins. Staff see
// everything; an admin member sees their own organisation's members; a
// member who is not an admin sees the organisation but not its members;
// anyone else finds nothing (ASVS 8.2.2).
func TestOrgListsAndAdmins(t *testing.T) {
	f := newFixture(t)
	staff := assist.Actor{Staff: true, AccountID: f.supervisor}
	acme, err := f.svc.CreateOrg(ctx, "Acme Logistics", assist.PlanEnterprise)
	if err != nil {
		t.Fatal(err)
	}
	beta, err := f.svc.CreateOrg(ctx, "Beta Bakery", assist.PlanProfessional)
	if err != nil {
		t.Fatal(err)
	}
	boss, clerk, baker := f.Register("boss@acme.example").ID, f.customer, f.Register("baker@beta.example").ID
	for _, m := range []struct {
		org, id string
		admin   bool
	}{{acme.ID, boss, true}, {acme.ID, clerk, false}, {beta.ID, baker, true}} {
		if err := f.svc.AddMember(ctx, m.org, m.id, m.admin); err != nil {
			t.Fatal(err)
		}
	}

	orgs, err := f.svc.Orgs(ctx)
	if err != nil || len(orgs) != 2 || orgs[0].Name != "Acme Logistics" || orgs[0].Members != 2 || orgs[1].Members != 1 || orgs[1].Plan != assist.PlanProfessional {
		t.Fatalf("orgs %+v %v", orgs, err)
	}

	for _, c := range []struct {
		who  string
		by   assist.Actor
		want error
	}{{"staff", staff, nil}, {"the admin", assist.Actor{AccountID: boss}, nil}, {"a member", assist.Actor{AccountID: clerk}, nil},
		{"another organisation's admin", assist.Actor{AccountID: baker}, assist.ErrNotFound}} {
		o, err := f.svc.OrgByID(ctx, c.by, acme.ID)
		if c.want != nil {
			wantErr(t, err, c.want)
			continue
		}
		if err != nil || o.Name != "Acme Logistics" || o.Plan != assist.PlanEnterprise {
			t.Fatalf("OrgByID as %s: %+v %v", c.who, o, err)
		}
	}
	_, err = f.svc.OrgByID(ctx, staff, "0123456789abcdef0123456789abcdef")
	wantErr(t, err, assist.ErrNotFound)

	members, err := f.svc.Members(ctx, staff, acme.ID)
	admins := map[string]bool{}
	for _, m := range members {
		admins[m.AccountID] = m.Admin
	}
	if err != nil || len(members) != 2 || !admins[boss] || admins[clerk] {
		t.Fatalf("members %+v %v", members, err)
	}
	if m, err := f.svc.Members(ctx, assist.Actor{AccountID: boss}, acme.ID); err != nil || len(m) != 2 {
		t.Fatalf("the admin's view: %+v %v", m, err)
	}
	_, err = f.svc.Members(ctx, assist.Actor{AccountID: clerk}, acme.ID)
	wantErr(t, err, assist.ErrForbidden)
	_, err = f.svc.Members(ctx, assist.Actor{AccountID: baker}, acme.ID)
	wantErr(t, err, assist.ErrNotFound)
	_, err = f.svc.Members(ctx, staff, "0123456789abcdef0123456789abcdef")
	wantErr(t, err, assist.ErrNotFound)

	// The clerk becomes an admin and may manage templates; setting the
	// same value again changes and audits nothing.
	tmpl := assist.Template{OrgID: acme.ID, Name: "Desk", MaxLevel: assist.LevelView, MaxDuration: 20 * time.Minute}
	_, err = f.svc.SaveTemplate(ctx, assist.Actor{AccountID: clerk}, tmpl)
	wantErr(t, err, assist.ErrForbidden)
	for range 2 {
		if err := f.svc.SetAdmin(ctx, acme.ID, clerk, true); err != nil {
			t.Fatal(err)
		}
	}
	saved, err := f.svc.SaveTemplate(ctx, assist.Actor{AccountID: clerk}, tmpl)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.SetAdmin(ctx, acme.ID, boss, false); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.Templates(ctx, assist.Actor{AccountID: boss}, acme.ID)
	wantErr(t, err, assist.ErrForbidden)
	if n := f.auditCount("assist.org_admin", audit.Success); n != 2 {
		t.Fatalf("%d admin changes audited, want 2", n)
	}
	// Another organisation's member is not found, and nothing changes.
	wantErr(t, f.svc.SetAdmin(ctx, acme.ID, baker, false), assist.ErrNotFound)
	wantErr(t, f.svc.AssignTemplate(ctx, assist.Actor{AccountID: clerk}, acme.ID, baker, saved.ID), assist.ErrNotFound)
	if _, m, _ := f.svc.OrgOf(ctx, baker); m == nil || !m.Admin || m.OrgID != beta.ID || m.TemplateID != "" {
		t.Fatalf("the other organisation's admin changed: %+v", m)
	}
}
