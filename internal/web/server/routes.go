package server

import (
	"github.com/frontdesk/frontdesk/internal/web"
)

// Routes returns the route table, for tests and documentation.
func (s *Server) Routes() []web.Route { return s.routes }

// own is the server's own routes: probes, metrics and the friendly 404s
// for every address no area serves.
func (s *Server) own() []web.Route {
	return []web.Route{
		// Operations.
		web.Probe("GET /healthz", web.Public, s.healthz),
		web.Probe("GET /readyz", web.Public, s.readyz),
		web.Probe("GET /metrics", web.Public, s.metricsHandler), // guarded by token or loopback inside
		web.JSON("GET /api/v1/openapi.json", web.Public, s.openAPI),

		// Anything else: friendly 404s, as a page or as JSON.
		web.Page("/", web.Public, web.NotFound),
		web.JSON("/api/", web.Public, web.NotFound),
	}
}
