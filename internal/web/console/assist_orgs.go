package console

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/frontdesk/frontdesk/internal/assist"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/frontdesk/frontdesk/internal/web"
)

// Customer organisations, their plans, members and permission templates
// for remote assistance (docs/remote-assistance.md, "Plans" and
// "Templates only restrict"): staff with settings:manage manage every
// organisation in the console; an admin member of an enterprise
// organisation manages its templates and who uses which from the portal;
// other members see what applies to them.

// consoleAssistOrgs lists the organisations, with a form to create one.
func (s *Handler) consoleAssistOrgs(w http.ResponseWriter, r *http.Request) error {
	return s.orgList(w, r, http.StatusOK, web.NewForm(r))
}

func (s *Handler) orgList(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	orgs, err := s.deps.Assist.Orgs(r.Context())
	if err != nil {
		return err
	}
	return s.renderConsole(w, r, status, "console_assist_orgs", f, map[string]any{"Orgs": orgs, "Plans": assist.Plans})
}

// consoleAssistOrgCreate creates an organisation.
func (s *Handler) consoleAssistOrgCreate(w http.ResponseWriter, r *http.Request) error {
	o, err := s.deps.Assist.CreateOrg(r.Context(), r.PostFormValue("name"), r.PostFormValue("plan"))
	var inv *assist.InvalidError
	if errors.As(err, &inv) {
		f := web.NewForm(r, "name")
		f.Errors[inv.Field] = web.SentenceCase(inv.Reason) + "."
		return s.orgList(w, r, http.StatusUnprocessableEntity, f)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/console/orgs/"+o.ID+"?done=created", http.StatusSeeOther)
	return nil
}

// consoleAssistOrgPlan changes an organisation's plan.
func (s *Handler) consoleAssistOrgPlan(w http.ResponseWriter, r *http.Request) error {
	o, _, err := s.orgs().Of(r)
	if err != nil {
		return err
	}
	return s.orgs().Done(w, r, s.deps.Assist.SetPlan(r.Context(), o.ID, r.PostFormValue("plan")), "plan")
}

// consoleAssistOrgMemberAdd adds a customer account by e-mail address.
func (s *Handler) consoleAssistOrgMemberAdd(w http.ResponseWriter, r *http.Request) error {
	o, _, err := s.orgs().Of(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	a, err := s.customerByEmail(ctx, r.PostFormValue("email"))
	if err != nil {
		return s.orgs().Done(w, r, &assist.InvalidError{Field: "email", Reason: "no customer account has this e-mail address"}, "")
	}
	return s.orgs().Done(w, r, s.deps.Assist.AddMember(ctx, o.ID, a.ID, r.PostFormValue("admin") == "on"), "member")
}

// consoleAssistOrgMemberRemove takes a member out of the organisation.
func (s *Handler) consoleAssistOrgMemberRemove(w http.ResponseWriter, r *http.Request) error {
	o, _, err := s.orgs().Of(r)
	if err != nil {
		return err
	}
	return s.orgs().Done(w, r, s.deps.Assist.RemoveMember(r.Context(), o.ID, r.PathValue("account")), "member_removed")
}

// customerByEmail finds a customer account by e-mail address.
func (s *Handler) customerByEmail(ctx context.Context, email string) (*identity.Account, error) {
	var a *identity.Account
	err := s.deps.DB.Read(ctx, func(tx *db.Tx) error {
		var err error
		a, err = s.deps.Identity.FindByEmail(ctx, tx, strings.TrimSpace(email))
		return err
	})
	if err == nil && (a == nil || a.Kind != identity.KindCustomer) {
		err = identity.ErrNotFound
	}
	return a, err
}
