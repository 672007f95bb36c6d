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

		// Anything else: friendly 404s, as a page or as JSON.
		{"/", Browser, Public, s.notFound},
		{"/api/", API, Public, s.notFound},
	}
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) error { return ErrNotFound }
