package web

import (
	"context"
	"errors"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/frontdesk/frontdesk/internal/mfa"
)

// SignedIn is the permission every signed-in account has: its own account,
// sessions and history. Staff permissions are checked by the Authorizer.
const SignedIn = "signed_in"

// Enrolling is what a session that must enrol a second factor may reach:
// the enrolment itself, its own session, signing out. Every fully
// signed-in session has it too.
const Enrolling = "enrolling"

// ErrEnrolmentRequired answers a session that may only enrol a factor.
var ErrEnrolmentRequired = &Error{Status: http.StatusForbidden, Code: "mfa_enrolment_required",
	Message: "Set up a second sign-in step before you continue."}

type principalKey struct{}

// Principal returns the signed-in Principal of the request, or nil.
func Principal(ctx context.Context) *identity.Principal {
	p, _ := ctx.Value(principalKey{}).(*identity.Principal)
	return p
}

// Cookies: "__Host-" binds the cookie to this exact host, path "/"
// and Secure (NIST 800-63B session cookies). A base URL on plain HTTP that
// is not loopback cannot use Secure cookies; the server then falls back to
// plain names and warns at start.
type Cookies struct {
	Session, Device, MFA, Remember string
	Secure                         bool
}

func NewCookies(base string, tls bool) Cookies {
	secure := tls || strings.HasPrefix(base, "https://") || IsLoopbackURL(base)
	if secure {
		return Cookies{Session: "__Host-fd_session", Device: "__Host-fd_device", MFA: "__Host-fd_mfa", Remember: "__Host-fd_remember", Secure: true}
	}
	return Cookies{Session: "fd_session", Device: "fd_device", MFA: "fd_mfa", Remember: "fd_remember"}
}

func IsLoopbackURL(u string) bool {
	host := strings.TrimPrefix(strings.TrimPrefix(u, "http://"), "https://")
	host, _, _ = strings.Cut(host, "/")
	if h, _, ok := strings.Cut(host, ":"); ok && !strings.HasPrefix(host, "[") {
		host = h
	}
	host = strings.Trim(strings.TrimSuffix(host, "]"), "[")
	if i := strings.LastIndex(host, "]:"); i > 0 {
		host = host[:i]
	}
	if host == "localhost" {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.IsLoopback()
}

// authenticate finds the session of the request: a bearer token on the
// API, the session cookie on pages. Each tree accepts only its own
// credential, so a cookie can never authorise an API call (no CSRF through
// the API) and a leaked API token cannot drive the pages.
func (s *Server) authenticate(r *http.Request, tree Tree) (*http.Request, error) {
	if s.opts.Identity == nil {
		return r, ErrUnauthenticated
	}
	var token string
	switch tree {
	case API:
		h := r.Header.Get("Authorization")
		if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
			token = strings.TrimSpace(h[7:])
		}
	case Browser:
		if c, err := r.Cookie(s.cookies.Session); err == nil {
			token = c.Value
		}
	}
	if token == "" {
		return r, ErrUnauthenticated
	}
	p, err := s.opts.Identity.Authenticate(r.Context(), token)
	if errors.Is(err, identity.ErrUnauthenticated) {
		return r, ErrUnauthenticated
	}
	if err != nil {
		return r, err
	}
	ctx := context.WithValue(r.Context(), principalKey{}, p)
	ctx = audit.WithActor(ctx, audit.Actor{ID: p.AccountID, Kind: p.Kind, SessionHash: p.Session.ID})
	return r.WithContext(ctx), nil
}

// authorize authenticates the request and checks perm: Enrolling needs
// only a valid session; SignedIn one that is not restricted to enrolling
// a second factor (ASVS 6.3.3); any other permission is the Authorizer's
// to grant, and without one it is denied.
func (s *Server) authorize(r *http.Request, rt Route) (*http.Request, error) {
	r, err := s.authenticate(r, rt.Tree)
	if err != nil {
		return r, err
	}
	p := Principal(r.Context())
	switch {
	case rt.Permission == Enrolling:
		return r, nil
	case p.Session.MustEnrol:
		return r, ErrEnrolmentRequired
	case rt.Permission == SignedIn:
		return r, nil
	case s.opts.Authorizer == nil:
		return r, ErrForbidden
	}
	ok, err := s.opts.Authorizer.Allowed(r.Context(), p, rt.Permission)
	if err != nil {
		return r, err
	}
	if !ok {
		return r, ErrForbidden
	}
	return r, nil
}

// setSessionCookie stores a new session token in the browser. The cookie
// lives as long as the session's absolute limit; the server enforces the
// limits anyway (ASVS 7.2.1).
func (s *Server) setSessionCookie(w http.ResponseWriter, token string, expires time.Time) {
	http.SetCookie(w, &http.Cookie{Name: s.cookies.Session, Value: token, Path: "/", Expires: expires,
		HttpOnly: true, Secure: s.cookies.Secure, SameSite: http.SameSiteLaxMode})
}

func (s *Server) clearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: s.cookies.Session, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.cookies.Secure, SameSite: http.SameSiteLaxMode})
}

// deviceID returns the browser's device cookie, setting a new one when
// missing; "new sign-in" alerts compare it with the devices seen before.
func (s *Server) deviceID(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(s.cookies.Device); err == nil && len(c.Value) >= 16 && len(c.Value) <= 64 {
		return c.Value
	}
	id := NewID(24)
	http.SetCookie(w, &http.Cookie{Name: s.cookies.Device, Value: id, Path: "/", MaxAge: 400 * 24 * 3600,
		HttpOnly: true, Secure: s.cookies.Secure, SameSite: http.SameSiteLaxMode})
	return id
}

// IdentityError maps the identity service's errors to client errors. The
// messages never say whether an account exists.
func IdentityError(err error) error {
	var fe *identity.FieldError
	var rl *identity.RateLimitedError
	var busy *identity.BusyError
	switch {
	case errors.As(err, &fe):
		return &Error{Status: http.StatusBadRequest, Code: fe.Code, Message: fe.Message, Field: fe.Field}
	case errors.As(err, &rl):
		return &Error{Status: http.StatusTooManyRequests, Code: "rate_limited", Message: "Too many attempts. Wait a little and try again.", RetryAfter: rl.RetryAfter}
	case errors.As(err, &busy):
		return &Error{Status: http.StatusServiceUnavailable, Code: "busy", Message: "We are handling many sign-ins right now. Try again in a moment.", RetryAfter: busy.RetryAfter}
	case errors.Is(err, identity.ErrInvalidCredentials):
		return &Error{Status: http.StatusUnauthorized, Code: "invalid_credentials", Message: "The e-mail address or password is not correct."}
	case errors.Is(err, identity.ErrInvalidCode):
		return &Error{Status: http.StatusBadRequest, Code: "invalid_code", Message: "The code or link is not valid or has expired. Ask for a new one."}
	case errors.Is(err, identity.ErrEmailNotVerified):
		return &Error{Status: http.StatusForbidden, Code: "email_not_verified", Message: "Confirm your e-mail address first: we have sent you a new code."}
	case errors.Is(err, identity.ErrResetRequired):
		return &Error{Status: http.StatusForbidden, Code: "password_reset_required", Message: "Choose a new password before signing in: we have sent you a reset e-mail."}
	case errors.Is(err, identity.ErrWrongPassword):
		return &Error{Status: http.StatusBadRequest, Code: "wrong_password", Message: "Your current password is not correct.", Field: "current_password"}
	case errors.Is(err, identity.ErrNotFound), errors.Is(err, mfa.ErrNotFound):
		return ErrNotFound
	case errors.Is(err, identity.ErrUnauthenticated):
		return ErrUnauthenticated
	case errors.Is(err, identity.ErrChallengeInvalid):
		return &Error{Status: http.StatusUnauthorized, Code: "challenge_invalid", Message: "This sign-in has expired or had too many wrong codes. Sign in again."}
	case errors.Is(err, identity.ErrStepUpRequired):
		return &Error{Status: http.StatusUnauthorized, Code: "step_up_required", Message: "For your security, confirm it is you: enter your password again."}
	case errors.Is(err, identity.ErrSecondFactorRequired):
		return &Error{Status: http.StatusUnauthorized, Code: "second_factor_required", Message: "Confirm with your second sign-in step as well.", Field: "code"}
	case errors.Is(err, identity.ErrMethodUnavailable), errors.Is(err, mfa.ErrUnavailable):
		return &Error{Status: http.StatusBadRequest, Code: "method_unavailable", Message: "This sign-in method is not available for your account.", Field: "method"}
	case errors.Is(err, mfa.ErrNoEnrolment):
		return &Error{Status: http.StatusConflict, Code: "no_enrolment", Message: "Start adding the sign-in method first."}
	case errors.Is(err, mfa.ErrLastFactor):
		return &Error{Status: http.StatusConflict, Code: "last_factor", Message: "Your account must keep a second sign-in step: add another before removing this one."}
	case errors.Is(err, mfa.ErrNotSent):
		return &Error{Status: http.StatusServiceUnavailable, Code: "not_sent", Message: "We could not send the code just now. Try again in a moment, or use another method.", RetryAfter: 30 * time.Second}
	case errors.Is(err, mfa.ErrRecoveryState):
		return &Error{Status: http.StatusConflict, Code: "invalid_state", Message: "The request is not in a state that allows this."}
	case errors.Is(err, mfa.ErrSelfAction):
		return &Error{Status: http.StatusForbidden, Code: "self_action", Message: "Someone else must do this: you cannot act on your own request or approval."}
	case errors.Is(err, mfa.ErrChecklistIncomplete):
		return &Error{Status: http.StatusConflict, Code: "checklist_incomplete", Message: "Record at least two different identity checks before approving."}
	}
	return err
}
