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

// Service accounts' API keys reach the admin API only: a key is checked
// and counted against its rate here, and its permissions are decided by
// the automation service, never by the staff Authorizer.

// AdminPrefix is the part of the JSON API that API keys may call.
const AdminPrefix = "/api/v1/admin/"

var errInvalidKey = &web.Error{Status: http.StatusUnauthorized, Code: "invalid_api_key",
	Message: "The API key is not valid: it may be mistyped, expired or revoked, or its service account disabled."}

// authenticateKey authenticates a request made with an API key.
func (s *Server) authenticateKey(r *http.Request, token string) (*http.Request, error) {
	if s.opts.APIKeys == nil {
		return r, errInvalidKey
	}
	p, err := s.opts.APIKeys.Authenticate(r.Context(), token)
	var limited *automation.RateLimitedError
	switch {
	case errors.Is(err, automation.ErrInvalidKey):
		s.Log.WarnContext(r.Context(), "API key refused", "security_event", "api_key_invalid")
		return r, errInvalidKey
	case errors.As(err, &limited):
		return r, &web.Error{Status: http.StatusTooManyRequests, Code: "rate_limited",
			Message: "This API key has made too many calls. Wait for the time in Retry-After and try again.", RetryAfter: limited.RetryAfter}
	case err != nil:
		return r, err
	}
	ctx := web.WithPrincipal(r.Context(), p)
	ctx = audit.WithActor(ctx, audit.Actor{ID: p.AccountID, Kind: automation.KindService, SessionHash: p.Session.ID})
	return r.WithContext(ctx), nil
}

// authorizeKey lets a key call an admin route whose permission its
// service account holds; a refusal is an audit entry naming the account.
func (s *Server) authorizeKey(r *http.Request, rt web.Route, p *identity.Principal) (*http.Request, error) {
	_, path, _ := strings.Cut(rt.Pattern, " ")
	ok := false
	var err error
	if strings.HasPrefix(path, AdminPrefix) && rt.Permission != web.SignedIn && rt.Permission != web.Enrolling {
		if ok, err = s.opts.APIKeys.Allowed(r.Context(), p, rt.Permission); err != nil {
			return r, err
		}
	}
	if ok {
		return r, nil
	}
	if err := s.opts.APIKeys.RecordDenied(r.Context(), p, rt.Pattern, "permission"); err != nil {
		return r, err
	}
	return r, web.ErrForbidden
}
