package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/internal/assist"
	"github.com/frontdesk/frontdesk/internal/identity"
)

// Orgs serves an organisation's page: to staff in the console (any
// organisation, plan and members) and to its members in the portal (their
// own; templates for an enterprise organisation's admins).
type Orgs struct {
	*Kit
	Assist   *assist.Service
	Identity *identity.Service
	// Console draws a page in the console's frame; nil in the portal.
	Console func(w http.ResponseWriter, r *http.Request, status int, page string, f *Form, data any) error
}

// OrgView is one organisation's page, in the console or the portal.
type OrgView struct {
	Org       *assist.Org
	Base      string // the page's path; the forms post below it
	Console   bool   // staff: plan and members can change
	CanManage bool   // templates and assignments can change
	Members   []OrgMember
	Templates []assist.Template
	Policy    *assist.Policy // the signed-in member's own (portal)
	Plans     []string
	Levels    []string
	Platform  assist.Policy
}

type OrgMember struct {
	assist.Member
	Email string
}

// OrgActor is who acts on orgs: staff in the console, the member in the
// portal.
func OrgActor(r *http.Request) assist.Actor {
	p := Principal(r.Context())
	if p != nil && p.Kind == identity.KindStaff {
		return assist.Actor{Staff: true, AccountID: p.AccountID}
	}
	if p == nil {
		return assist.Actor{}
	}
	return assist.Actor{AccountID: p.AccountID}
}

// Of resolves the page's organisation: the path's in the console, the
// member's own in the portal (ErrNotFound outside any organisation).
func (s *Orgs) Of(r *http.Request) (*assist.Org, string, error) {
	ctx := r.Context()
	if by := OrgActor(r); by.Staff {
		id := r.PathValue("id")
		if !SessionIDPattern.MatchString(id) {
			return nil, "", ErrNotFound
		}
		o, err := s.Assist.OrgByID(ctx, by, id)
		if err != nil {
			return nil, "", AssistError(err)
		}
		return o, "/console/orgs/" + o.ID, nil
	}
	me, err := CustomerOf(r)
	if err != nil {
		return nil, "", err
	}
	o, _, err := s.Assist.OrgOf(ctx, me)
	if err != nil {
		return nil, "", err
	}
	if o == nil {
		return nil, "", ErrNotFound
	}
	return o, "/support/organisation", nil
}

// Page renders an organisation's page with f's notice or error.
func (s *Orgs) Page(w http.ResponseWriter, r *http.Request, status int, f *Form) error {
	o, base, err := s.Of(r)
	if errors.Is(err, ErrNotFound) && r.Method == http.MethodGet && !OrgActor(r).Staff && Principal(r.Context()) != nil {
		// A customer outside any organisation: a plain page, still a 404.
		f = NewForm(r)
		f.Extra = OrgView{}
		return s.Render(w, r, http.StatusNotFound, "support_org", f)
	}
	if err != nil {
		return err
	}
	ctx, by := r.Context(), OrgActor(r)
	v := OrgView{Org: o, Base: base, Console: by.Staff, Plans: assist.Plans, Levels: assist.Levels, Platform: s.Assist.Platform()}
	members, err := s.Assist.Members(ctx, by, o.ID)
	switch {
	case err == nil:
		v.CanManage = by.Staff || o.Plan == assist.PlanEnterprise
		for _, m := range members {
			om := OrgMember{Member: m}
			if a, err := s.Identity.AccountByID(ctx, m.AccountID); err == nil {
				om.Email = a.Email
			}
			v.Members = append(v.Members, om)
		}
		if v.Templates, err = s.Assist.Templates(ctx, by, o.ID); err != nil && !errors.Is(err, assist.ErrPlan) {
			return AssistError(err)
		}
	case errors.Is(err, assist.ErrForbidden):
		// A member who is not an admin: their own policy only.
	default:
		return AssistError(err)
	}
	if !by.Staff {
		if v.Policy, err = s.Assist.Effective(ctx, by.AccountID); err != nil {
			return err
		}
	}
	if f == nil {
		f = NewForm(r)
	}
	if by.Staff {
		return s.Console(w, r, status, "console_assist_org", f, v)
	}
	f.Extra = v
	return s.Render(w, r, status, "support_org", f)
}

// Done redirects back to the page with a notice, or shows the page
// again with the error (422, nothing changed) for a refused change.
func (s *Orgs) Done(w http.ResponseWriter, r *http.Request, err error, done string) error {
	if err == nil {
		_, base, berr := s.Of(r)
		if berr != nil {
			return berr
		}
		http.Redirect(w, r, base+"?done="+url.QueryEscape(done), http.StatusSeeOther)
		return nil
	}
	var inv *assist.InvalidError
	f := NewForm(r)
	switch {
	case errors.As(err, &inv):
		f.Error = SentenceCase(inv.Reason) + "."
	case errors.Is(err, assist.ErrWiden):
		f.Error = s.Pages.Translator(Info(r.Context()).Lang)("assist.org.widen")
	case errors.Is(err, assist.ErrPlan):
		f.Error = s.Pages.Translator(Info(r.Context()).Lang)("assist.org.enterprise_only")
	default:
		return AssistError(err)
	}
	return s.Page(w, r, http.StatusUnprocessableEntity, f)
}

// Show shows an organisation (console) or the member's own (portal).
func (s *Orgs) Show(w http.ResponseWriter, r *http.Request) error {
	f := NewForm(r)
	switch d := r.URL.Query().Get("done"); d {
	case "created", "plan", "member", "member_removed", "admin", "template", "template_deleted", "assigned":
		f.Notice = "assist.org.done." + d
	}
	return s.Page(w, r, http.StatusOK, f)
}

// SaveTemplate creates or updates a template.
func (s *Orgs) SaveTemplate(w http.ResponseWriter, r *http.Request) error {
	o, _, err := s.Of(r)
	if err != nil {
		return err
	}
	minutes, convErr := strconv.Atoi(strings.TrimSpace(r.PostFormValue("max_duration_min")))
	if convErr != nil || minutes < 1 {
		return s.Done(w, r, &assist.InvalidError{Field: "max_duration", Reason: "a whole number of minutes, at least 1"}, "")
	}
	t := assist.Template{
		ID: strings.TrimSpace(r.PostFormValue("template_id")), OrgID: o.ID, Name: r.PostFormValue("name"),
		MaxLevel: r.PostFormValue("max_level"), MaxDuration: time.Duration(minutes) * time.Minute,
		Recording: r.PostFormValue("recording") == "on", Default: r.PostFormValue("default") == "on",
		MaskSelectors: strings.Split(r.PostFormValue("mask_selectors"), "\n"),
	}
	_, err = s.Assist.SaveTemplate(r.Context(), OrgActor(r), t)
	return s.Done(w, r, err, "template")
}

// DeleteTemplate deletes a template; its members fall back to the
// organisation's default.
func (s *Orgs) DeleteTemplate(w http.ResponseWriter, r *http.Request) error {
	o, _, err := s.Of(r)
	if err != nil {
		return err
	}
	err = s.Assist.DeleteTemplate(r.Context(), OrgActor(r), o.ID, r.PathValue("template"))
	return s.Done(w, r, err, "template_deleted")
}

// AssignTemplate gives a member a template ("" for the default).
func (s *Orgs) AssignTemplate(w http.ResponseWriter, r *http.Request) error {
	o, _, err := s.Of(r)
	if err != nil {
		return err
	}
	err = s.Assist.AssignTemplate(r.Context(), OrgActor(r), o.ID, r.PathValue("account"), r.PostFormValue("template_id"))
	return s.Done(w, r, err, "assigned")
}
