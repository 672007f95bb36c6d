package server

import (
	"net/http"

	"github.com/frontdesk/frontdesk/internal/web/openapi"
)

// openAPI serves the OpenAPI 3.1 document of the routes this server
// mounted, rendered once.
func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) error {
	s.openapiOnce.Do(func() {
		base := ""
		if s.opts.BaseURL != nil {
			base = s.opts.BaseURL.String()
		}
		s.openapiDoc = openapi.Document(s.routes, base)
	})
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(s.openapiDoc)
	return nil
}
