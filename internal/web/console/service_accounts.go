package console

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/frontdesk/frontdesk/internal/access"
	"github.com/frontdesk/frontdesk/internal/automation"
	"github.com/frontdesk/frontdesk/internal/fault"
	"github.com/frontdesk/frontdesk/internal/web"
)

// Service accounts (staff:manage): the robots that call the admin API with
// their keys (docs/admin-api.md). A new key's secret is shown on the page
// that answers its creation, once, and never stored.

// serviceAccountsView is the page's data.
type serviceAccountsView struct {
	Accounts  []automation.Account
	Roles     []access.RoleInfo
	Creators  map[string]string // staff id → e-mail: staff see names, not ids
	NewSecret string
	NewKeyFor string
}

func (s *Handler) consoleServiceAccounts(w http.ResponseWriter, r *http.Request) error {
	return s.renderServiceAccounts(w, r, http.StatusOK, web.NewForm(r), "", "")
}

func (s *Handler) renderServiceAccounts(w http.ResponseWriter, r *http.Request, status int, f *web.Form, secret, keyFor string) error {
	ctx := r.Context()
	v := serviceAccountsView{Creators: map[string]string{}, NewSecret: secret, NewKeyFor: keyFor}
	var err error
	if v.Accounts, err = s.deps.Automation.List(ctx); err != nil {
		return err
	}
	if v.Roles, err = s.deps.Access.AllRoles(ctx); err != nil {
		return err
	}
	staff, err := s.deps.Identity.StaffAccounts(ctx)
	if err != nil {
		return err
	}
	for _, a := range staff {
		v.Creators[a.ID] = a.Email
	}
	if f.Notice == "" {
		if n := r.URL.Query().Get("done"); n != "" && len(n) < 20 {
			f.Notice = "sa.done." + n
		}
	}
	return s.renderConsole(w, r, status, "console_service_accounts", f, v)
}

// serviceAccountFail shows a refused change on the page, next to its field
// when it has one, in the reader's language.
func (s *Handler) serviceAccountFail(w http.ResponseWriter, r *http.Request, f *web.Form, err error, keyFor string) error {
	t := s.Pages.Translator(web.Info(r.Context()).Lang)
	status := http.StatusBadRequest
	var inv *fault.Invalid
	switch {
	case errors.As(err, &inv):
		field := inv.Field
		if keyFor != "" {
			field = "key_" + field
		}
		f.Errors[field] = t("sa.err." + field)
	case errors.Is(err, automation.ErrBeyondCreator):
		f.Error, status = t("sa.err.beyond"), http.StatusForbidden
	case errors.Is(err, automation.ErrExists):
		f.Errors["name"], status = t("sa.err.exists"), http.StatusConflict
	case errors.Is(err, automation.ErrDisabled):
		f.Error, status = t("sa.err.disabled"), http.StatusConflict
	case errors.Is(err, automation.ErrNotFound):
		return web.ErrNotFound
	default:
		return err
	}
	return s.renderServiceAccounts(w, r, status, f, "", keyFor)
}

func (s *Handler) consoleCreateServiceAccount(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	f := web.NewForm(r, "name", "description")
	_, err := s.deps.Automation.Create(r.Context(), web.Principal(r.Context()).AccountID,
		automation.NewAccount{Name: f.Values["name"], Description: f.Values["description"], Roles: r.PostForm["role"]})
	if err != nil {
		return s.serviceAccountFail(w, r, f, err, "")
	}
	http.Redirect(w, r, "/console/service-accounts?done=created", http.StatusSeeOther)
	return nil
}

// consoleCreateKey issues a key and shows its secret on the answer itself.
func (s *Handler) consoleCreateKey(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	id := r.PathValue("id")
	f := web.NewForm(r, "key_name", "expires_in_days")
	days := 0
	if v := f.Values["expires_in_days"]; v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			f.Errors["key_expires_in_days"] = s.Pages.Translator(web.Info(r.Context()).Lang)("sa.err.key_expires_in_days")
			return s.renderServiceAccounts(w, r, http.StatusBadRequest, f, "", id)
		}
		days = n
	}
	secret, _, err := s.deps.Automation.CreateKey(r.Context(), web.Principal(r.Context()).AccountID, id,
		automation.NewKey{Name: f.Values["key_name"], Scopes: r.PostForm["scope"], ExpiresInDays: days})
	if err != nil {
		return s.serviceAccountFail(w, r, f, err, id)
	}
	w.Header().Set("Cache-Control", "no-store")
	f.Notice = "sa.done.key"
	return s.renderServiceAccounts(w, r, http.StatusCreated, f, secret, id)
}

func (s *Handler) consoleRevokeKey(w http.ResponseWriter, r *http.Request) error {
	err := s.deps.Automation.RevokeKey(r.Context(), r.PathValue("id"), r.PathValue("key"), web.Principal(r.Context()).AccountID)
	if err != nil {
		return s.serviceAccountFail(w, r, web.NewForm(r), err, "")
	}
	http.Redirect(w, r, "/console/service-accounts?done=revoked", http.StatusSeeOther)
	return nil
}

func (s *Handler) consoleServiceAccountState(w http.ResponseWriter, r *http.Request) error {
	disable := strings.HasSuffix(r.URL.Path, "/disable")
	err := s.deps.Automation.SetDisabled(r.Context(), r.PathValue("id"), disable, web.Principal(r.Context()).AccountID)
	if err != nil {
		return s.serviceAccountFail(w, r, web.NewForm(r), err, "")
	}
	done := "enabled"
	if disable {
		done = "disabled"
	}
	http.Redirect(w, r, "/console/service-accounts?done="+done, http.StatusSeeOther)
	return nil
}
