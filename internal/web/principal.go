package web

import (
	"context"
	"net/http"

	"github.com/frontdesk/frontdesk/internal/identity"
)

// ErrEnrolmentRequired answers a session that may only enrol a factor.
var ErrEnrolmentRequired = &Error{Status: http.StatusForbidden, Code: "mfa_enrolment_required",
	Message: "Set up a second sign-in step before you continue."}

type principalKey struct{}

// Principal returns the signed-in Principal of the request, or nil.
func Principal(ctx context.Context) *identity.Principal {
	p, _ := ctx.Value(principalKey{}).(*identity.Principal)
	return p
}

// WithPrincipal returns ctx carrying the signed-in principal p.
func WithPrincipal(ctx context.Context, p *identity.Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// Authorizer decides whether a signed-in principal holds a staff
// permission. The access package provides it; without one every staff
// route is denied.
type Authorizer interface {
	Allowed(ctx context.Context, p *identity.Principal, perm string) (bool, error)
}
