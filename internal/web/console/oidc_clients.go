package console

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/internal/fault"
	"github.com/frontdesk/frontdesk/internal/oidc"
	"github.com/frontdesk/frontdesk/internal/web"
)

// OpenID Connect clients (settings:manage): the business's apps that sign
// customers in with their Frontdesk account (docs/oidc.md). A secret is
// shown on the page that answers its creation or rotation, once, and never
// stored; every change is an audit entry written with it.

// clientFields are the form's text fields.
var clientFields = []string{"name", "logo_url", "redirect_uris", "post_logout_redirect_uris", "backchannel_logout_uri",
	"access_token_type", "auth_method", "jwks", "jwks_uri", "access_ttl", "refresh_ttl", "id_token_ttl", "kind"}

// clientForm is the add or edit form as the page shows it.
type clientForm struct {
	ID         string // empty when adding
	Values     map[string]string
	Scopes     []string // ticked
	FirstParty bool
}

// Ticked reports whether scope sc is ticked.
func (f clientForm) Ticked(sc string) bool { return slices.Contains(f.Scopes, sc) }

// oidcClientsView is the list page's data (and the edit page's).
type oidcClientsView struct {
	Clients     []*oidc.Client
	Form        clientForm
	AllScopes   []string
	AuthMethods []string
	NewSecret   string
	SecretFor   *oidc.Client
	Client      *oidc.Client // the edit page's
}

// formOf fills the form from a stored client.
func formOf(c *oidc.Client) clientForm {
	kind := "confidential"
	if c.Public {
		kind = "public"
	}
	return clientForm{ID: c.ID, Scopes: c.Scopes, FirstParty: c.FirstParty, Values: map[string]string{
		"name": c.Name, "logo_url": c.LogoURL, "redirect_uris": strings.Join(c.RedirectURIs, "\n"),
		"post_logout_redirect_uris": strings.Join(c.PostLogoutRedirectURIs, "\n"), "backchannel_logout_uri": c.BackchannelLogoutURI,
		"access_token_type": c.AccessTokenType, "auth_method": c.AuthMethod, "jwks": c.JWKS, "jwks_uri": c.JWKSURI, "kind": kind,
		"access_ttl": strconv.Itoa(int(c.AccessTTL / time.Minute)), "refresh_ttl": strconv.Itoa(int(c.RefreshTTL / (24 * time.Hour))),
		"id_token_ttl": strconv.Itoa(int(c.IDTokenTTL / time.Minute))}}
}

// blankForm is the add form before anything is typed: the defaults.
func blankForm() clientForm {
	return clientForm{Scopes: oidc.Scopes, Values: map[string]string{"access_token_type": "jwt", "auth_method": oidc.AuthSecretBasic,
		"kind": "confidential", "access_ttl": strconv.Itoa(int(oidc.DefaultAccessTTL / time.Minute)),
		"refresh_ttl": strconv.Itoa(int(oidc.DefaultRefreshTTL / (24 * time.Hour))), "id_token_ttl": strconv.Itoa(int(oidc.DefaultIDTokenTTL / time.Minute))}}
}

// postedForm reads the form as posted, and the client input it makes; a
// lifetime that is not a whole number is refused with its field.
func postedForm(r *http.Request) (clientForm, oidc.ClientInput, error) {
	f := clientForm{ID: r.PathValue("id"), Values: map[string]string{}, Scopes: r.PostForm["scope"], FirstParty: r.PostFormValue("first_party") == "on"}
	for _, k := range clientFields {
		f.Values[k] = strings.TrimSpace(r.PostFormValue(k))
	}
	in := oidc.ClientInput{Name: f.Values["name"], LogoURL: f.Values["logo_url"], Public: f.Values["kind"] == "public", FirstParty: f.FirstParty,
		RedirectURIs: strings.Fields(f.Values["redirect_uris"]), PostLogoutRedirectURIs: strings.Fields(f.Values["post_logout_redirect_uris"]),
		BackchannelLogoutURI: f.Values["backchannel_logout_uri"], Scopes: append([]string{}, f.Scopes...), AccessTokenType: f.Values["access_token_type"],
		AuthMethod: f.Values["auth_method"], JWKS: f.Values["jwks"], JWKSURI: f.Values["jwks_uri"]}
	if in.Public {
		in.AuthMethod = oidc.AuthNone
	}
	if k := f.Values["kind"]; k != "public" && k != "confidential" {
		return f, in, &fault.Invalid{Field: "kind"}
	}
	for _, d := range []struct {
		field string
		unit  time.Duration
		to    *time.Duration
	}{{"access_ttl", time.Minute, &in.AccessTTL}, {"refresh_ttl", 24 * time.Hour, &in.RefreshTTL}, {"id_token_ttl", time.Minute, &in.IDTokenTTL}} {
		n, err := strconv.Atoi(f.Values[d.field])
		if err != nil || n < 1 || n > 100000 {
			return f, in, &fault.Invalid{Field: d.field}
		}
		*d.to = time.Duration(n) * d.unit
	}
	return f, in, nil
}

func (s *Handler) renderOIDCClients(w http.ResponseWriter, r *http.Request, status int, f *web.Form, v oidcClientsView) error {
	var err error
	if v.Clients, err = s.deps.OIDC.Clients(r.Context()); err != nil {
		return err
	}
	v.AllScopes, v.AuthMethods = oidc.Scopes, oidc.AuthMethods
	if v.Form.Values == nil {
		v.Form = blankForm()
	}
	if f == nil {
		f = web.NewForm(r)
	}
	if f.Notice == "" {
		switch n := r.URL.Query().Get("done"); n {
		case "saved", "removed":
			f.Notice = "oidc.done." + n
		}
	}
	if v.NewSecret != "" {
		w.Header().Set("Cache-Control", "no-store")
	}
	return s.renderConsole(w, r, status, "console_oidc_clients", f, v)
}

func (s *Handler) consoleOIDCClients(w http.ResponseWriter, r *http.Request) error {
	return s.renderOIDCClients(w, r, http.StatusOK, nil, oidcClientsView{})
}

// oidcClient loads the client of the path (404 when unknown).
func (s *Handler) oidcClient(r *http.Request) (*oidc.Client, error) {
	c, err := s.deps.OIDC.Client(r.Context(), r.PathValue("id"))
	if errors.Is(err, oidc.ErrClientNotFound) {
		return nil, web.ErrNotFound
	}
	return c, err
}

func (s *Handler) consoleOIDCClient(w http.ResponseWriter, r *http.Request) error {
	c, err := s.oidcClient(r)
	if err != nil {
		return err
	}
	return s.renderOIDCClients(w, r, http.StatusOK, nil, oidcClientsView{Client: c, Form: formOf(c)})
}

// oidcClientFail shows refused input next to its field, in the reader's
// language; nothing was changed.
func (s *Handler) oidcClientFail(w http.ResponseWriter, r *http.Request, err error, v oidcClientsView) error {
	var inv *fault.Invalid
	if !errors.As(err, &inv) {
		if errors.Is(err, oidc.ErrClientNotFound) {
			return web.ErrNotFound
		}
		return err
	}
	f := web.NewForm(r)
	t := s.Pages.Translator(web.Info(r.Context()).Lang)
	field := inv.Field
	if !slices.Contains(clientFields, field) && field != "scopes" {
		field = "form"
	}
	msg := t("oidc.err." + field)
	if field == "form" {
		f.Error = msg
	} else {
		f.Errors[field] = msg
	}
	return s.renderOIDCClients(w, r, http.StatusBadRequest, f, v)
}

func (s *Handler) consoleAddOIDCClient(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	form, in, err := postedForm(r)
	if err == nil {
		var c *oidc.Client
		var secret string
		if c, secret, err = s.deps.OIDC.AddClient(r.Context(), in); err == nil {
			f := web.NewForm(r)
			f.Notice = "oidc.done.added"
			return s.renderOIDCClients(w, r, http.StatusCreated, f, oidcClientsView{NewSecret: secret, SecretFor: c})
		}
	}
	return s.oidcClientFail(w, r, err, oidcClientsView{Form: form})
}

func (s *Handler) consoleSaveOIDCClient(w http.ResponseWriter, r *http.Request) error {
	c, err := s.oidcClient(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	form, in, err := postedForm(r)
	if err == nil {
		var saved *oidc.Client
		var secret string
		if saved, secret, err = s.deps.OIDC.UpdateClient(r.Context(), c.ID, in); err == nil {
			if secret == "" {
				http.Redirect(w, r, "/console/oidc-clients/"+c.ID+"?done=saved", http.StatusSeeOther)
				return nil
			}
			f := web.NewForm(r)
			f.Notice = "oidc.done.saved"
			return s.renderOIDCClients(w, r, http.StatusOK, f, oidcClientsView{Client: saved, Form: formOf(saved), NewSecret: secret, SecretFor: saved})
		}
	}
	return s.oidcClientFail(w, r, err, oidcClientsView{Client: c, Form: form})
}

func (s *Handler) consoleRotateOIDCSecret(w http.ResponseWriter, r *http.Request) error {
	c, err := s.oidcClient(r)
	if err != nil {
		return err
	}
	secret, err := s.deps.OIDC.RotateSecret(r.Context(), c.ID)
	if errors.Is(err, oidc.ErrNoSecret) {
		f := web.NewForm(r)
		f.Error = s.Pages.Translator(web.Info(r.Context()).Lang)("oidc.err.no_secret")
		return s.renderOIDCClients(w, r, http.StatusConflict, f, oidcClientsView{Client: c, Form: formOf(c)})
	}
	if err != nil {
		return s.oidcClientFail(w, r, err, oidcClientsView{Client: c, Form: formOf(c)})
	}
	f := web.NewForm(r)
	f.Notice = "oidc.done.rotated"
	return s.renderOIDCClients(w, r, http.StatusOK, f, oidcClientsView{Client: c, Form: formOf(c), NewSecret: secret, SecretFor: c})
}

func (s *Handler) consoleRemoveOIDCClient(w http.ResponseWriter, r *http.Request) error {
	err := s.deps.OIDC.RemoveClient(r.Context(), r.PathValue("id"))
	if errors.Is(err, oidc.ErrClientNotFound) {
		return web.ErrNotFound
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/console/oidc-clients?done=removed", http.StatusSeeOther)
	return nil
}
