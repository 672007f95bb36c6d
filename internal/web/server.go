// Package web serves Frontdesk over HTTP: the browser pages, the JSON API and
// the operational endpoints, with the middleware that protects each tree.
package web

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"sync"

	"github.com/frontdesk/frontdesk/internal/access"
	"github.com/frontdesk/frontdesk/internal/assist"
	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/bus"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/frontdesk/frontdesk/internal/kb"
	"github.com/frontdesk/frontdesk/internal/keyring"
	"github.com/frontdesk/frontdesk/internal/mfa"
	"github.com/frontdesk/frontdesk/internal/support"
	"github.com/prometheus/client_golang/prometheus"
)

// Authorizer decides whether a signed-in principal holds a staff
// permission. The access package provides it; without one every staff
// route is denied.
type Authorizer interface {
	Allowed(ctx context.Context, p *identity.Principal, perm string) (bool, error)
}

// Options are what the web layer needs from the rest of the program.
type Options struct {
	Logger *slog.Logger
	// Ready reports whether the server can take traffic (database reachable,
	// schema current).
	Ready func(context.Context) error
	// Registry receives the HTTP metrics and is served at /metrics.
	Registry *prometheus.Registry
	// BaseURL is the public URL; its origin is trusted for CSRF checks.
	BaseURL *url.URL
	// TLS is set when the server itself terminates TLS (HSTS is sent then).
	TLS bool
	// TrustedProxies may set X-Forwarded-For.
	TrustedProxies []netip.Prefix
	// MetricsToken, when set, is required as a bearer token on /metrics;
	// without it /metrics answers loopback peers only.
	MetricsToken string
	// OrgName is the business's name shown on pages.
	OrgName string
	// SupportEmail is shown on the contact page when set.
	SupportEmail string
	// Authorizer checks permissions; nil denies every non-public route.
	Authorizer Authorizer
	// Version is reported on /healthz.
	Version string
	// Identity serves sign-in, sessions and accounts; nil leaves every
	// non-public route unauthenticated.
	Identity *identity.Service
	// MFA serves second factors and support-assisted recovery.
	MFA *mfa.Service
	// Access serves roles, reveals and access reviews to the console.
	Access *access.Service
	// Support serves the support desk; nil leaves its routes answering 404.
	Support *support.Service
	// KB serves the help centre; nil leaves its routes answering 404.
	KB *kb.Service
	// Assist serves remote assistance; nil leaves its routes answering 404.
	Assist *assist.Service
	// Bus carries the desk's live events to this node's WebSocket clients.
	Bus bus.Bus
	// WidgetOrigins may embed the chat widget, besides the portal itself
	// ("https://www.bank.example").
	WidgetOrigins []string
	// MessagingSecrets verify messaging bridges' deliveries; none turns the
	// inbound webhook off.
	MessagingSecrets [][]byte
	// The audit viewer reads the trail and verifies the chain; Audit
	// records what the web layer itself does (exports).
	DB     *db.DB
	Keys   *keyring.Keyring
	Signer *audit.Signer
	Audit  *audit.Log
}

// Server is the HTTP handler for the whole program.
type Server struct {
	*Kit
	opts    Options
	metrics *httpMetrics
	cop     *http.CrossOriginProtection
	handler http.Handler

	verifying sync.Mutex // one audit-chain verification at a time
	imports   importJobs // bulk files uploaded in the console
	live      *liveHub   // WebSocket clients of this node
}

// New builds the server and its route table.
func New(opts Options) (*Server, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Registry == nil {
		opts.Registry = prometheus.NewRegistry()
	}
	if opts.OrgName == "" {
		opts.OrgName = "Frontdesk"
	}
	p, err := LoadPages()
	if err != nil {
		return nil, err
	}
	base := ""
	if opts.BaseURL != nil {
		base = opts.BaseURL.String()
	}
	kit := &Kit{Log: opts.Logger, Pages: p, Cookies: NewCookies(base, opts.TLS), OrgName: opts.OrgName, BaseURL: opts.BaseURL}
	if opts.DB != nil {
		kit.Clock = opts.DB.Now
	}
	s := &Server{Kit: kit, opts: opts, cop: http.NewCrossOriginProtection()}
	if opts.Support != nil {
		if s.live, err = newLiveHub(opts.Bus); err != nil {
			return nil, err
		}
	}

	if opts.BaseURL != nil {
		origin := opts.BaseURL.Scheme + "://" + opts.BaseURL.Host
		if err := s.cop.AddTrustedOrigin(origin); err != nil {
			return nil, err
		}
	}
	s.cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	s.metrics = newHTTPMetrics(opts.Registry)
	mux := http.NewServeMux()
	for _, rt := range s.routes() {
		mux.Handle(rt.Pattern, s.wrap(rt))
	}
	s.handler = s.base(mux)
	return s, nil
}

// SecureCookies reports whether session cookies carry Secure and the
// __Host- prefix: false only for a plain-HTTP base URL on a non-loopback
// host, which the operator should be warned about.
func (s *Server) SecureCookies() bool { return s.Cookies.Secure }

// LiveConnections counts this node's open chat and console sockets.
func (s *Server) LiveConnections() int {
	if s.live == nil {
		return 0
	}
	return s.live.size()
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

func (s *Server) guides() Guides { return Guides{Pages: s.Pages, KB: s.opts.KB} }

func (s *Server) orgs() *Orgs {
	return &Orgs{Kit: s.Kit, Assist: s.opts.Assist, Identity: s.opts.Identity, Console: s.renderConsole}
}
