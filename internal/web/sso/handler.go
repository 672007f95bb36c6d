// Package sso serves the OpenID Connect provider on the web: its protocol
// endpoints (discovery, authorize, token, userinfo, introspection,
// revocation, end session, keys), handed to the provider library, and the
// pages a customer sees while an app signs them in: the decision page that
// sends them to sign in, confirm or consent, the consent page, the
// sign-out page, and "Apps with access" on their account.
package sso

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/frontdesk/frontdesk/internal/oidc"
	"github.com/frontdesk/frontdesk/internal/web"
)

// Deps are the services the area uses.
type Deps struct {
	OIDC     *oidc.Service
	Provider *oidc.Provider
}

// Handler serves the area's routes.
type Handler struct {
	*web.Kit
	deps Deps
}

// New returns the area's handlers.
func New(kit *web.Kit, deps Deps) *Handler { return &Handler{Kit: kit, deps: deps} }

// Routes lists the provider's endpoints and pages.
func (s *Handler) Routes() []web.Route {
	return []web.Route{
		web.OAuth("GET "+oidc.DiscoveryPath, web.Public, s.discovery),
		web.OAuth("GET "+oidc.KeysPath, web.Public, s.keys),
		web.OAuth("POST "+oidc.TokenPath, web.Public, s.protocol),
		web.OAuth("POST "+oidc.IntrospectionPath, web.Public, s.protocol),
		web.OAuth("GET "+oidc.UserinfoPath, web.Public, s.protocol),
		web.OAuth("POST "+oidc.UserinfoPath, web.Public, s.protocol),
		web.OAuth("POST "+oidc.RevocationPath, web.Public, s.protocol),
		web.OAuth("GET "+oidc.EndSessionPath, web.Public, s.endSession),
		web.OAuth("POST "+oidc.EndSessionPath, web.Public, s.endSession),
		web.OAuth("POST "+oidc.AuthorizePath, web.Public, s.authorize),
		web.OAuth("OPTIONS /oauth/", web.Public, s.protocol), // CORS preflight for browser apps

		web.Page("GET "+oidc.AuthorizePath, web.Public, s.authorize),
		web.Page("GET "+oidc.CallbackPath, web.Public, s.callback),
		web.Page("GET "+oidc.LoginPath+"/{id}", web.Public, s.login),
		web.Page("POST "+oidc.LoginPath+"/{id}", web.SignedIn, s.consent),
		web.Page("GET "+oidc.LogoutPath, web.Public, s.logoutPage),
		web.Page("GET /account/apps", web.SignedIn, s.apps),
		web.Page("POST /account/apps/{id}/revoke", web.SignedIn, s.revokeApp),
	}
}

// protocol hands the request to the provider library.
func (s *Handler) protocol(w http.ResponseWriter, r *http.Request) error {
	s.deps.Provider.ServeHTTP(w, r)
	return nil
}

// callback issues the code: by a redirect, or for response_mode=form_post
// by a page that posts it to the client.
func (s *Handler) callback(w http.ResponseWriter, r *http.Request) error {
	fp, err := s.deps.Provider.Callback(w, r)
	if err != nil {
		return s.problem(w, r, "expired")
	}
	if fp == nil {
		return nil
	}
	return s.formPost(w, r, fp)
}

// formPost renders the page that posts an answer to the client (OAuth 2.0
// Form Post Response Mode). Its CSP lets this one form leave the site,
// for the client's own origin only.
func (s *Handler) formPost(w http.ResponseWriter, r *http.Request, fp *oidc.FormPost) error {
	u, err := url.Parse(fp.Action)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return s.problem(w, r, "unknown_app")
	}
	csp := w.Header().Get("Content-Security-Policy")
	w.Header().Set("Content-Security-Policy", strings.Replace(csp, "form-action 'self'", "form-action 'self' "+u.Scheme+"://"+u.Host, 1))
	form := web.NewForm(r)
	form.Extra = fp
	return s.Render(w, r, http.StatusOK, "oauth_form_post", form)
}

// keys serves the JWKS, cacheable and with an ETag.
func (s *Handler) keys(w http.ResponseWriter, r *http.Request) error {
	s.deps.Provider.Keys(w, r)
	return nil
}

func (s *Handler) discovery(w http.ResponseWriter, r *http.Request) error {
	s.deps.Provider.Discovery(w, r)
	return nil
}

// endSession passes the browser's session, if any, to the provider: an
// id_token_hint naming the signed-in customer signs them out.
func (s *Handler) endSession(w http.ResponseWriter, r *http.Request) error {
	if p := web.Principal(r.Context()); p != nil {
		r = r.WithContext(oidc.WithBrowser(r.Context(), p))
	}
	s.deps.Provider.ServeHTTP(w, r)
	return nil
}

// authorize checks the client and its redirect URI first, so that a
// request that cannot be answered to the client gets Frontdesk's own
// page rather than the library's plain text.
func (s *Handler) authorize(w http.ResponseWriter, r *http.Request) error {
	r = r.WithContext(oidc.WithClientMemo(r.Context()))
	if r.Method == http.MethodPost {
		if err := r.ParseForm(); err != nil {
			return web.Errorf(http.StatusBadRequest, "invalid_request", "The request could not be read.")
		}
		r.URL.RawQuery = r.Form.Encode()
	}
	if _, err := s.deps.Provider.CheckAuthorize(r); err != nil {
		return s.problem(w, r, "unknown_app")
	}
	s.deps.Provider.ServeHTTP(w, r)
	return nil
}
