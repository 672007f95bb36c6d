package web

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/frontdesk/frontdesk/internal/assist"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/identity"
)

// Customer organisations, their plans, members and permission templates
// for remote assistance (docs/remote-assistance.md, "Plans" and
// "Templates only restrict"): staff with settings:manage manage every
// organisation in the console; an admin member of an enterprise
// organisation manages its templates and who uses which from the portal;
// other members see what applies to them.

// consoleAssistOrgs lists the organisations, with a form to create one.
func (s *Server) consoleAssistOrgs(w http.ResponseWriter, r *http.Request) error {
	return s.orgList(w, r, http.StatusOK, NewForm(r))
}

func (s *Server) orgList(w http.ResponseWriter, r *http.Request, status int, f *Form) error {
	orgs, err := s.opts.Assist.Orgs(r.Context())
	if err != nil {
		return err
	}
	return s.renderConsole(w, r, status, "console_assist_orgs", f, map[string]any{"Orgs": orgs, "Plans": assist.Plans})
}

// consoleAssistOrgCreate creates an organisation.
func (s *Server) consoleAssistOrgCreate(w http.ResponseWriter, r *http.Request) error {
	o, err := s.opts.Assist.CreateOrg(r.Context(), r.PostFormValue("name"), r.PostFormValue("plan"))
	var inv *assist.InvalidError
	if errors.As(err, &inv) {
		f := NewForm(r, "name")
		f.Errors[inv.Field] = SentenceCase(inv.Reason) + "."
		return s.orgList(w, r, http.StatusUnprocessableEntity, f)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/console/orgs/"+o.ID+"?done=created", http.StatusSeeOther)
	return nil
}

// consoleAssistOrgPlan changes an organisation's plan.
func (s *Server) consoleAssistOrgPlan(w http.ResponseWriter, r *http.Request) error {
	o, _, err := s.orgs().Of(r)
	if err != nil {
		return err
	}
	return s.orgs().Done(w, r, s.opts.Assist.SetPlan(r.Context(), o.ID, r.PostFormValue("plan")), "plan")
}

// consoleAssistOrgMemberAdd adds a customer account by e-mail address.
func (s *Server) consoleAssistOrgMemberAdd(w http.ResponseWriter, r *http.Request) error {
	o, _, err := s.orgs().Of(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	a, err := s.customerByEmail(ctx, r.PostFormValue("email"))
	if err != nil {
		return s.orgs().Done(w, r, &assist.InvalidError{Field: "email", Reason: "no customer account has this e-mail address"}, "")
	}
	return s.orgs().Done(w, r, s.opts.Assist.AddMember(ctx, o.ID, a.ID, r.PostFormValue("admin") == "on"), "member")
}

// consoleAssistOrgMemberRemove takes a member out of the organisation.
func (s *Server) consoleAssistOrgMemberRemove(w http.ResponseWriter, r *http.Request) error {
	o, _, err := s.orgs().Of(r)
	if err != nil {
		return err
	}
	return s.orgs().Done(w, r, s.opts.Assist.RemoveMember(r.Context(), o.ID, r.PathValue("account")), "member_removed")
}

// customerByEmail finds a customer account by e-mail address.
func (s *Server) customerByEmail(ctx context.Context, email string) (*identity.Account, error) {
	var a *identity.Account
	err := s.opts.DB.Read(ctx, func(tx *db.Tx) error {
		var err error
		a, err = s.opts.Identity.FindByEmail(ctx, tx, strings.TrimSpace(email))
		return err
	})
	if err == nil && (a == nil || a.Kind != identity.KindCustomer) {
		err = identity.ErrNotFound
	}
	return a, err
}
