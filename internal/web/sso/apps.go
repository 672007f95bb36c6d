package sso

import (
	"errors"
	"net/http"

	"github.com/frontdesk/frontdesk/internal/oidc"
	"github.com/frontdesk/frontdesk/internal/web"
)

// apps is "Apps with access": the apps the customer let in, and a way to
// withdraw each.
func (s *Handler) apps(w http.ResponseWriter, r *http.Request) error {
	list, err := s.deps.OIDC.Apps(r.Context(), web.Principal(r.Context()).AccountID)
	if err != nil {
		return err
	}
	f := web.NewForm(r)
	f.Extra = list
	if r.URL.Query().Get("done") == "revoked" {
		f.Notice = "apps.revoked"
	}
	return s.Render(w, r, http.StatusOK, "account_apps", f)
}

func (s *Handler) revokeApp(w http.ResponseWriter, r *http.Request) error {
	err := s.deps.OIDC.RevokeApp(r.Context(), web.Principal(r.Context()).AccountID, r.PathValue("id"))
	if errors.Is(err, oidc.ErrClientNotFound) {
		return web.ErrNotFound
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/account/apps?done=revoked", http.StatusSeeOther)
	return nil
}
