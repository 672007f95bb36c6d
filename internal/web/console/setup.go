package console

import (
	"errors"
	"net/http"
	"strings"

	"github.com/frontdesk/frontdesk/internal/access"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/frontdesk/frontdesk/internal/support"
	"github.com/frontdesk/frontdesk/internal/web"
)

// The first-run setup page (identity/setup.go): the link `frontdesk
// serve` prints on a fresh install opens a form for the first
// administrator's e-mail and password. The account is an administrator
// and an agent, so that one person can run a small desk and answer its
// first chat (docs/roles.md); it is signed in at once and, like every
// staff account, must enrol a second factor before anything else, after
// which the console's home shows the first-run checklist.

// FirstRunRoles are the roles of the account the setup link creates.
var FirstRunRoles = []string{access.RoleAdministrator, access.RoleAgent}

// setupView is the setup page's data.
type setupView struct {
	Invalid bool // the link does not work (used, expired, wrong, or staff exist)
}

func (s *Handler) setupPage(w http.ResponseWriter, r *http.Request) error {
	ok, err := s.deps.Identity.SetupLinkValid(r.Context(), r.PathValue("token"))
	if err != nil {
		return err
	}
	return s.renderSetup(w, r, web.NewForm(r), ok)
}

func (s *Handler) renderSetup(w http.ResponseWriter, r *http.Request, f *web.Form, valid bool) error {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer") // the link's secret stays out of other sites' logs
	f.Extra = setupView{Invalid: !valid}
	status := http.StatusOK
	if !valid {
		status = http.StatusNotFound
	}
	if len(f.Errors) > 0 || f.Error != "" {
		status = http.StatusBadRequest
	}
	return s.Render(w, r, status, "first_run", f)
}

func (s *Handler) setupCreate(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	f := web.NewForm(r, "email")
	pw := r.PostFormValue("password")
	acct, err := s.deps.Identity.CompleteSetup(ctx, r.PathValue("token"), f.Values["email"], pw, func(tx *db.Tx, id string) error {
		for _, role := range FirstRunRoles {
			if err := s.deps.Access.Grant(ctx, tx, id, role, "setup"); err != nil {
				return err
			}
		}
		return nil
	})
	if errors.Is(err, identity.ErrInvalidCode) {
		return s.renderSetup(w, r, f, false)
	}
	if err != nil {
		status, ferr := s.Fail(r, f, err)
		if ferr != nil {
			return ferr
		}
		f.Extra = setupView{}
		w.Header().Set("Cache-Control", "no-store")
		return s.Render(w, r, status, "first_run", f)
	}
	if s.deps.Support != nil {
		// On the desk at once, answering in the language of this page and
		// in English; the name customers see is changed in the desk
		// settings.
		name, _, _ := strings.Cut(acct.Email, "@")
		if err := s.deps.Support.SaveAgent(ctx, support.Agent{AccountID: acct.ID, DisplayName: name,
			Languages: []string{web.Info(ctx).Lang, "en"}}); err != nil {
			return err
		}
	}
	res, err := s.deps.Identity.SignIn(ctx, identity.SignIn{Email: f.Values["email"], Password: pw,
		IP: web.ClientIP(ctx), UserAgent: r.UserAgent(), DeviceID: s.DeviceID(w, r), Client: identity.ClientBrowser})
	if err != nil || res.Token == "" {
		// The account exists; signing in by hand gets there too.
		http.Redirect(w, r, "/signin?next=/console", http.StatusSeeOther)
		return nil
	}
	s.SetSessionCookie(w, res.Token, res.Session.ExpiresAt)
	http.Redirect(w, r, "/account/mfa/setup", http.StatusSeeOther)
	return nil
}
