package web

import "net/http"

// Tree is the family a route belongs to; each has its own protections.
type Tree int

const (
	// Browser routes render pages: session cookie, CSRF defence, nonce CSP.
	Browser Tree = iota + 1
	// API routes speak JSON only: bearer tokens, JSON bodies, no-store.
	API
	// Ops routes are probes and metrics for the platform running us.
	Ops
	// Protocol routes speak OAuth 2.0 / OpenID Connect to relying parties:
	// form-encoded bodies authenticated by client credentials, or bearer
	// tokens the provider issued; no CSRF check (the callers are other
	// sites by design), no-store, the library's own error format.
	Protocol
)

// Public marks a route that needs no permission. Every route must name
// either Public or a permission; the route test fails otherwise.
const Public = "public"

// SignedIn is the permission every signed-in account has: its own account,
// sessions and history. Staff permissions are checked by the Authorizer.
const SignedIn = "signed_in"

// Enrolling is what a session that must enrol a second factor may reach:
// the enrolment itself, its own session, signing out. Every fully
// signed-in session has it too.
const Enrolling = "enrolling"

// Default request body limits; a route may declare its own MaxBody.
const (
	// MaxPageBody limits a browser form post.
	MaxPageBody = 64 << 10
	// MaxAPIBody limits a JSON request body.
	MaxAPIBody = 1 << 20
)

// HandlerFunc serves a request and returns the error to render, if any.
type HandlerFunc func(http.ResponseWriter, *http.Request) error

// Route is one entry of a route table: the server applies the tree's
// protections, checks the permission, limits the body and renders the
// error the handler returns.
type Route struct {
	Pattern    string // net/http pattern: "GET /healthz"
	Tree       Tree
	Permission string
	Handler    HandlerFunc
	// MaxBody limits the request body in bytes; 0 means the tree's
	// default (MaxPageBody for browser posts, MaxAPIBody for the API).
	MaxBody int64
}

// Page is a browser route: a page or a form post.
func Page(pattern, permission string, h HandlerFunc) Route {
	return Route{Pattern: pattern, Tree: Browser, Permission: permission, Handler: h}
}

// JSON is a route of the JSON API.
func JSON(pattern, permission string, h HandlerFunc) Route {
	return Route{Pattern: pattern, Tree: API, Permission: permission, Handler: h}
}

// OAuth is a route of the OpenID Connect provider's protocol.
func OAuth(pattern, permission string, h HandlerFunc) Route {
	return Route{Pattern: pattern, Tree: Protocol, Permission: permission, Handler: h}
}

// Probe is an operations route: health, readiness, metrics.
func Probe(pattern, permission string, h HandlerFunc) Route {
	return Route{Pattern: pattern, Tree: Ops, Permission: permission, Handler: h}
}

// Limit returns the route with its request body limited to n bytes.
func (rt Route) Limit(n int64) Route {
	rt.MaxBody = n
	return rt
}
