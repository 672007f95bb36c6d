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
)

// Public marks a route that needs no permission. Every route must name
// either Public or a permission; the route test fails otherwise.
const Public = "public"

// Route is one entry of the route table.
type Route struct {
	Pattern    string // net/http pattern: "GET /healthz"
	Tree       Tree
	Permission string
	Handler    func(http.ResponseWriter, *http.Request) error
}

// Routes returns the route table, for tests and documentation.
func (s *Server) Routes() []Route { return s.routes() }

// routes is the whole route table, in one place.
func (s *Server) routes() []Route {
	return []Route{
		// Operations.
		{"GET /healthz", Ops, Public, s.healthz},
		{"GET /readyz", Ops, Public, s.readyz},
		{"GET /metrics", Ops, Public, s.metricsHandler}, // guarded by token or loopback inside

		// Customer portal.
		{"GET /{$}", Browser, Public, s.home},
		{"GET /contact", Browser, Public, s.contact},
		{"GET /static/{file}", Browser, Public, s.static},
		{"GET /signup", Browser, Public, s.signupPage},
		{"POST /signup", Browser, Public, s.signup},
		{"GET /verify", Browser, Public, s.verifyPage},
		{"POST /verify", Browser, Public, s.verify},
		{"GET /signin", Browser, Public, s.signinPage},
		{"POST /signin", Browser, Public, s.signin},
		{"POST /signout", Browser, SignedIn, s.signout},
		{"GET /forgot", Browser, Public, s.forgotPage},
		{"POST /forgot", Browser, Public, s.forgot},
		{"GET /reset", Browser, Public, s.resetPage},
		{"POST /reset", Browser, Public, s.reset},
		{"GET /unlock", Browser, Public, s.linkPage("unlock")},
		{"POST /unlock", Browser, Public, s.unlock},
		{"GET /not-me", Browser, Public, s.linkPage("notme")},
		{"POST /not-me", Browser, Public, s.notMe},
		{"GET /account/security", Browser, SignedIn, s.securityPage},
		{"POST /account/password", Browser, SignedIn, s.changePassword},
		{"POST /account/sessions/{id}/end", Browser, SignedIn, s.endSession},
		{"POST /account/sessions/end-others", Browser, SignedIn, s.endOtherSessions},

		// JSON API: accounts and sessions.
		{"POST /api/v1/registrations", API, Public, s.apiRegister},
		{"POST /api/v1/registrations/verify", API, Public, s.apiVerify},
		{"POST /api/v1/sessions", API, Public, s.apiSignIn},
		{"GET /api/v1/session", API, SignedIn, s.apiSession},
		{"DELETE /api/v1/session", API, SignedIn, s.apiSignOut},
		{"GET /api/v1/sessions", API, SignedIn, s.apiSessions},
		{"DELETE /api/v1/sessions", API, SignedIn, s.apiEndOtherSessions},
		{"DELETE /api/v1/sessions/{id}", API, SignedIn, s.apiEndSession},
		{"POST /api/v1/password-resets", API, Public, s.apiRequestReset},
		{"POST /api/v1/password-resets/confirm", API, Public, s.apiConfirmReset},
		{"GET /api/v1/account", API, SignedIn, s.apiAccount},
		{"PUT /api/v1/account/password", API, SignedIn, s.apiChangePassword},
		{"GET /api/v1/account/login-history", API, SignedIn, s.apiLoginHistory},

		// Anything else: friendly 404s, as a page or as JSON.
		{"/", Browser, Public, s.notFound},
		{"/api/", API, Public, s.notFound},
	}
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) error { return ErrNotFound }
