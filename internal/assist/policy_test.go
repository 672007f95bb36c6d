package assist_test

import (
	"slices"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/internal/assist"
	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/consent"
)

// Templates only narrow the platform's limits: one that asks for more is
// refused, the effective policy is the intersection, and a template is
// clamped when the platform's limits are lowered later.
func TestTemplatesOnlyRestrict(t *testing.T) {
	f := newFixture(t)
	staff := assist.Actor{AccountID: f.supervisor, Staff: true}
	org, err := f.svc.CreateOrg(ctx, "Contoso Ltd", assist.PlanEnterprise)
	if err != nil {
		t.Fatal(err)
	}
	admin := f.Register("boss@contoso.example").ID
	for _, m := range []struct {
		id    string
		admin bool
	}{{admin, true}, {f.customer, false}} {
		if err := f.svc.AddMember(ctx, org.ID, m.id, m.admin); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.svc.AddMember(ctx, org.ID, f.agent, false); err == nil {
		t.Fatal("a staff account joined a customer organisation")
	}
	boss := assist.Actor{AccountID: admin}

	// Before any template the platform's limits apply.
	p, err := f.svc.Effective(ctx, f.customer)
	if err != nil || p.Plan != assist.PlanEnterprise || !p.Allowed || p.MaxLevel != assist.LevelControl || p.MaxDuration != 2*time.Hour || p.Recording {
		t.Fatalf("platform policy %+v %v", p, err)
	}

	tmpl := assist.Template{OrgID: org.ID, Name: "Finance team", MaxLevel: assist.LevelGuided, MaxDuration: 3 * time.Hour, Default: true,
		MaskSelectors: []string{"#iban", `input[name="cvv"]`, ".salary td"}}
	_, err = f.svc.SaveTemplate(ctx, boss, tmpl)
	wantErr(t, err, assist.ErrWiden)
	tmpl.MaxDuration, tmpl.Recording = 30*time.Minute, true
	// Only the organisation's admins (or staff) manage its templates.
	_, err = f.svc.SaveTemplate(ctx, assist.Actor{AccountID: f.customer}, tmpl)
	wantErr(t, err, assist.ErrForbidden)
	outsider := f.Register("eve@example.com").ID
	_, err = f.svc.SaveTemplate(ctx, assist.Actor{AccountID: outsider}, tmpl) // ASVS 8.4.1: another organisation's admin
	wantErr(t, err, assist.ErrNotFound)
	saved, err := f.svc.SaveTemplate(ctx, boss, tmpl)
	if err != nil {
		t.Fatal(err)
	}

	p, err = f.svc.Effective(ctx, f.customer)
	if err != nil || p.TemplateID != saved.ID || p.MaxLevel != assist.LevelGuided || p.MaxDuration != 30*time.Minute || !p.Recording ||
		!slices.Equal(p.MaskSelectors, tmpl.MaskSelectors) || p.IdleTimeout != assist.DefaultIdleTimeout {
		t.Fatalf("effective %+v %v", p, err)
	}
	// The session takes the policy (recorded, as the customer consents to
	// recording); control is refused at consent.
	f.consentTo(consent.Given)
	inv := f.invite()
	if inv.Session.MaxLevel != assist.LevelGuided || inv.Session.MaxDuration != 30*time.Minute || !inv.Session.Recording ||
		!slices.Equal(inv.Session.MaskSelectors, tmpl.MaskSelectors) {
		t.Fatalf("session %+v", inv.Session)
	}
	_, err = f.svc.Accept(ctx, inv.Session.ID, f.customer, assist.LevelControl)
	wantErr(t, err, assist.ErrLevel)
	if n := f.auditCount("assist.consent", audit.Denied); n != 1 {
		t.Fatalf("%d refused consents audited", n)
	}
	sess, err := f.svc.Accept(ctx, inv.Session.ID, f.customer, assist.LevelGuided)
	if err != nil || !sess.EndsAt.Equal(sess.StartedAt.Add(30*time.Minute)) {
		t.Fatalf("guided: %+v %v", sess, err)
	}
	wantErr(t, f.svc.RequestLevel(ctx, sess.ID, f.agent, assist.LevelControl), assist.ErrLevel)

	// A stricter template assigned to one member wins over the default.
	strict, err := f.svc.SaveTemplate(ctx, staff, assist.Template{OrgID: org.ID, Name: "View only", MaxLevel: assist.LevelView, MaxDuration: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.AssignTemplate(ctx, boss, org.ID, f.customer, strict.ID); err != nil {
		t.Fatal(err)
	}
	if p, _ = f.svc.Effective(ctx, f.customer); p.MaxLevel != assist.LevelView || p.MaxDuration != time.Hour || p.Recording {
		t.Fatalf("assigned template %+v", p)
	}
	// The template is now narrower than the session that started earlier:
	// raising is refused even though the session allowed guided.
	if _, err := f.svc.LowerLevel(ctx, sess.ID, f.customer, assist.LevelView); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.Accept(ctx, sess.ID, f.customer, assist.LevelGuided)
	wantErr(t, err, assist.ErrLevel)

	// The platform lowers its limit: the template is clamped.
	f.opts.MaxDuration = 20 * time.Minute
	lowered := assist.New(f.opts)
	if p, _ = lowered.Effective(ctx, f.customer); p.MaxDuration != 20*time.Minute {
		t.Fatalf("clamped %+v", p)
	}
	list, err := f.svc.Templates(ctx, boss, org.ID)
	if err != nil || len(list) != 2 {
		t.Fatalf("templates %+v %v", list, err)
	}
	if err := f.svc.DeleteTemplate(ctx, boss, org.ID, strict.ID); err != nil {
		t.Fatal(err)
	}
	if p, _ = f.svc.Effective(ctx, f.customer); p.TemplateID != saved.ID {
		t.Fatalf("after deleting the assigned template %+v", p)
	}
	if n := f.auditCount("assist.template_create", audit.Success); n != 2 {
		t.Fatalf("%d template entries", n)
	}
}

// Remote assistance is offered from the professional plan up; templates
// are for enterprise organisations.
func TestPlanGating(t *testing.T) {
	f := newFixture(t)
	org, err := f.svc.CreateOrg(ctx, "Tiny Shop", assist.PlanBasic)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.AddMember(ctx, org.ID, f.customer, true); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.Invite(ctx, f.agent, f.conv.ID)
	wantErr(t, err, assist.ErrPlan)
	_, err = f.svc.StartSteps(ctx, f.customer, f.conv.ID)
	wantErr(t, err, assist.ErrPlan)
	if n := f.auditCount("assist.invite", audit.Denied); n != 1 {
		t.Fatalf("%d refused invitations audited", n)
	}
	_, err = f.svc.SaveTemplate(ctx, assist.Actor{AccountID: f.customer}, assist.Template{OrgID: org.ID, Name: "x", MaxLevel: assist.LevelView, MaxDuration: time.Hour})
	wantErr(t, err, assist.ErrPlan)

	if err := f.svc.SetPlan(ctx, org.ID, assist.PlanProfessional); err != nil {
		t.Fatal(err)
	}
	inv := f.invite()
	// Downgraded to basic while invited: the consent is refused.
	if err := f.svc.SetPlan(ctx, org.ID, assist.PlanBasic); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.Accept(ctx, inv.Session.ID, f.customer, "")
	wantErr(t, err, assist.ErrPlan)

	// Outside any organisation the configured default plan applies.
	if err := f.svc.RemoveMember(ctx, org.ID, f.customer); err != nil {
		t.Fatal(err)
	}
	if o, m, err := f.svc.OrgOf(ctx, f.customer); o != nil || m != nil || err != nil {
		t.Fatalf("still a member: %+v %+v %v", o, m, err)
	}
	if _, err := f.svc.Accept(ctx, inv.Session.ID, f.customer, ""); err != nil {
		t.Fatalf("professional by default: %v", err)
	}
	f.opts.DefaultPlan = assist.PlanBasic
	basic := assist.New(f.opts)
	if p, _ := basic.Effective(ctx, f.customer); p.Allowed || p.Plan != assist.PlanBasic {
		t.Fatalf("basic default %+v", p)
	}
	_, err = basic.StartSteps(ctx, f.customer, f.conversation(f.customer).ID)
	wantErr(t, err, assist.ErrPlan)
}

func TestCheckSelectors(t *testing.T) {
	good := []string{"#iban", ".card-number", `input[name="cvv"]`, "form.pay input[type='tel']", "td:nth-child(2)", "[data-secret] > span", "a, b", "[class^=acc]"}
	out, err := assist.CheckSelectors(append(good, " #iban ", ""))
	if err != nil || !slices.Equal(out, good) {
		t.Fatalf("good selectors: %v %v", out, err)
	}
	for _, bad := range []string{
		"</script><script>alert(1)</script>", "a{color:red}", "a;b", `[name="x]`, "[name=x", "a)", `a\62`, "@import", "a/b",
		string(make([]byte, assist.MaxSelectorLen+1)), "é",
	} {
		if _, err := assist.CheckSelectors([]string{bad}); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	many := make([]string, assist.MaxSelectors+1)
	for i := range many {
		many[i] = "#f" + string(rune('a'+i))
	}
	if _, err := assist.CheckSelectors(many); err == nil {
		t.Error("21 selectors accepted")
	}
}

func TestProfileChecks(t *testing.T) {
	f := newFixture(t)
	for _, p := range []assist.Profile{
		{AccountID: f.agent, StaffNumber: "", Department: "Care"},
		{AccountID: f.agent, StaffNumber: "S 1", Department: "Care"},
		{AccountID: f.agent, StaffNumber: "S1", Department: ""},
		{AccountID: f.agent, StaffNumber: "S1", Department: "Care", Photo: "http://bank.example/a.jpg"},
		{AccountID: f.agent, StaffNumber: "S1", Department: "Care", Photo: "javascript:alert(1)"},
		{AccountID: f.agent, StaffNumber: "S1", Department: "Care", Photo: "data:text/html;base64,PGI+"},
		{AccountID: f.agent, StaffNumber: "S1", Department: "Care", Photo: "//evil.example/a.jpg"},
		{AccountID: "nobody", StaffNumber: "S1", Department: "Care"},
	} {
		if err := f.svc.SaveProfile(ctx, p); err == nil {
			t.Errorf("profile %+v accepted", p)
		}
	}
	if err := f.svc.SaveProfile(ctx, assist.Profile{AccountID: f.agent, StaffNumber: "S-1042", Department: "Care", Photo: "data:image/png;base64,iVBORw0KGgo="}); err != nil {
		t.Fatal(err)
	}
	if p, err := f.svc.ProfileOf(ctx, f.agent); err != nil || p.Photo == "" {
		t.Fatalf("profile %+v %v", p, err)
	}
}
