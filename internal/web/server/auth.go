package server

import (
	"errors"
	"net/http"
	"strings"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/automation"
	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/frontdesk/frontdesk/internal/web"
)

// authenticate finds the session of the request: a bearer token on the
// API, the session cookie on pages. Each tree accepts only its own
// credential, so a cookie can never authorise an API call (no CSRF through
// the API) and a leaked API token cannot drive the pages.
func (s *Server) authenticate(r *http.Request, tree web.Tree) (*http.Request, error) {
	if s.opts.Identity == nil {
		return r, web.ErrUnauthenticated
	}
	var token string
	switch tree {
	case web.API:
		h := r.Header.Get("Authorization")
		if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
			token = strings.TrimSpace(h[7:])
		}
	case web.Browser:
		if c, err := r.Cookie(s.Cookies.Session); err == nil {
			token = c.Value
		}
	}
	if token == "" {
		return r, web.ErrUnauthenticated
	}
	if tree == web.API && strings.HasPrefix(token, automation.KeyPrefix) {
		return s.authenticateKey(r, token)
	}
	p, err := s.opts.Identity.Authenticate(r.Context(), token)
	if errors.Is(err, identity.ErrUnauthenticated) {
		return r, web.ErrUnauthenticated
	}
	if err != nil {
		return r, err
	}
	ctx := web.WithPrincipal(r.Context(), p)
	ctx = audit.WithActor(ctx, audit.Actor{ID: p.AccountID, Kind: p.Kind, SessionHash: p.Session.ID})
	return r.WithContext(ctx), nil
}

// authorize authenticates the request and checks perm: Enrolling needs
// only a valid session; SignedIn one that is not restricted to enrolling
// a second factor (ASVS 6.3.3); any other permission is the Authorizer's
// to grant, and without one it is denied.
func (s *Server) authorize(r *http.Request, rt web.Route) (*http.Request, error) {
	r, err := s.authenticate(r, rt.Tree)
	if err != nil {
		return r, err
	}
	p := web.Principal(r.Context())
	if p.Kind == automation.KindService {
		return s.authorizeKey(r, rt, p)
	}
	switch {
	case rt.Permission == web.Enrolling:
		return r, nil
	case p.Session.MustEnrol:
		return r, web.ErrEnrolmentRequired
	case rt.Permission == web.SignedIn:
		return r, nil
	case s.opts.Authorizer == nil:
		return r, web.ErrForbidden
	}
	ok, err := s.opts.Authorizer.Allowed(r.Context(), p, rt.Permission)
	if err != nil {
		return r, err
	}
	if !ok {
		return r, web.ForbiddenFor(rt.Permission)
	}
	return r, nil
}
