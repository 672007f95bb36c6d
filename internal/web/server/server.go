// Package server is Frontdesk's HTTP server: the middleware that protects
// each route tree, authentication and permission checks, health and
// metrics, and the route tables of the portal, the console, the API and
// the sockets, mounted by the services they were given.
package server

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
	"github.com/frontdesk/frontdesk/internal/automation"
	"github.com/frontdesk/frontdesk/internal/backup"
	"github.com/frontdesk/frontdesk/internal/brand"
	"github.com/frontdesk/frontdesk/internal/bus"
	"github.com/frontdesk/frontdesk/internal/consent"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/frontdesk/frontdesk/internal/kb"
	"github.com/frontdesk/frontdesk/internal/keyring"
	"github.com/frontdesk/frontdesk/internal/mfa"
	"github.com/frontdesk/frontdesk/internal/oidc"
	"github.com/frontdesk/frontdesk/internal/privacy"
	"github.com/frontdesk/frontdesk/internal/risk"
	"github.com/frontdesk/frontdesk/internal/support"
	"github.com/frontdesk/frontdesk/internal/web"
	"github.com/frontdesk/frontdesk/internal/web/admin"
	"github.com/frontdesk/frontdesk/internal/web/api"
	"github.com/frontdesk/frontdesk/internal/web/console"
	"github.com/frontdesk/frontdesk/internal/web/live"
	"github.com/frontdesk/frontdesk/internal/web/portal"
	"github.com/frontdesk/frontdesk/internal/web/sso"
	"github.com/prometheus/client_golang/prometheus"
)

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
	// APIKeys authenticates the service accounts' API keys on the admin
	// API; nil refuses every key.
	APIKeys *automation.Service
	// Authorizer checks permissions; nil denies every non-public route.
	Authorizer web.Authorizer
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
	// Risk is the risk engine's alert queue and rules; nil leaves the
	// console's security pages unmounted.
	Risk *risk.Engine
	// Assist serves remote assistance; nil leaves its routes answering 404.
	Assist *assist.Service
	// Privacy serves data exports and account closure; nil leaves their
	// routes answering 404.
	Privacy *privacy.Service
	// Consent is the consent ledger; nil leaves its pages and API out.
	Consent *consent.Service
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
	// Checks are the health checks the console's home runs.
	Checks []console.Check
	// Backups is the console's backup board; nil leaves the page out.
	Backups *backup.Board
	// Brand is the business's colour, logo and favicon; nil keeps the
	// default look and leaves the Branding page out.
	Brand *brand.Service
	// OIDC is the OpenID Connect provider and Provider its protocol
	// handler; nil leaves their routes unmounted.
	OIDC     *oidc.Service
	Provider *oidc.Provider
}

// Server is the HTTP handler for the whole program.
type Server struct {
	*web.Kit
	opts    Options
	metrics *httpMetrics
	cop     *http.CrossOriginProtection
	handler http.Handler

	live   *live.Handler
	routes []web.Route

	openapiOnce sync.Once
	openapiDoc  []byte
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
	p, err := web.LoadPages()
	if err != nil {
		return nil, err
	}
	base := ""
	if opts.BaseURL != nil {
		base = opts.BaseURL.String()
	}
	if opts.Brand != nil {
		// A page never fails for its brand: the default look stands in.
		p.Brand = func(ctx context.Context) brand.Brand {
			b, err := opts.Brand.Current(ctx)
			if err != nil && ctx.Err() == nil {
				opts.Logger.WarnContext(ctx, "reading the brand failed; the page has the default look", "err", err)
			}
			return b
		}
	}
	if opts.Access != nil {
		p.SetRolesWith(opts.Access.RolesWith)
	}
	kit := &web.Kit{Log: opts.Logger, Pages: p, Cookies: web.NewCookies(base, opts.TLS), OrgName: opts.OrgName, BaseURL: opts.BaseURL}
	if opts.Identity != nil {
		pol := opts.Identity.Policy().Password
		kit.PasswordPolicy = &pol
	}
	if opts.DB != nil {
		kit.Clock = opts.DB.Now
	}
	s := &Server{Kit: kit, opts: opts, cop: http.NewCrossOriginProtection()}
	if s.live, err = live.New(kit, live.Deps{Identity: opts.Identity, Access: opts.Access, Support: opts.Support, KB: opts.KB,
		Assist: opts.Assist, Keys: opts.Keys, Bus: opts.Bus, WidgetOrigins: opts.WidgetOrigins}); err != nil {
		return nil, err
	}
	s.routes = s.own()
	s.routes = append(s.routes, portal.New(kit, portal.Deps{Identity: opts.Identity, MFA: opts.MFA, Support: opts.Support, KB: opts.KB,
		Assist: opts.Assist, Privacy: opts.Privacy, Consent: opts.Consent, Authorizer: opts.Authorizer, SupportEmail: opts.SupportEmail, Brand: opts.Brand}).Routes()...)
	if opts.Access != nil && opts.MFA != nil {
		s.routes = append(s.routes, console.New(kit, console.Deps{Identity: opts.Identity, MFA: opts.MFA, Access: opts.Access,
			Support: opts.Support, KB: opts.KB, Assist: opts.Assist, Automation: opts.APIKeys, Risk: opts.Risk, Privacy: opts.Privacy, DB: opts.DB, Keys: opts.Keys, Signer: opts.Signer, Audit: opts.Audit, Backups: opts.Backups, OIDC: opts.OIDC,
			Checks: opts.Checks, Brand: opts.Brand, Consent: opts.Consent}).Routes()...)
	}
	s.routes = append(s.routes, api.New(kit, api.Deps{Identity: opts.Identity, MFA: opts.MFA, KB: opts.KB, Support: opts.Support, Privacy: opts.Privacy,
		Consent: opts.Consent, MessagingSecrets: opts.MessagingSecrets}).Routes()...)
	s.routes = append(s.routes, s.live.Routes()...)
	s.routes = append(s.routes, admin.New(kit, admin.Deps{Identity: opts.Identity, Access: opts.Access, Automation: opts.APIKeys, Consent: opts.Consent,
		DB: opts.DB, Keys: opts.Keys, Audit: opts.Audit}).Routes()...)
	if opts.OIDC != nil && opts.Provider != nil {
		s.routes = append(s.routes, sso.New(kit, sso.Deps{OIDC: opts.OIDC, Provider: opts.Provider}).Routes()...)
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
	for _, rt := range s.routes {
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
	return s.live.Connections()
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }
