package server

import (
	"context"
	"net/http"
	"time"

	"github.com/frontdesk/frontdesk/internal/web"
)

// healthz answers while the process is alive.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Cache-Control", "no-store")
	web.WriteJSON(w, http.StatusOK, map[string]string{"status": "ok", "version": s.opts.Version})
	return nil
}

// readyz answers 200 when the database is reachable and the schema is
// current, and 503 otherwise; the reason goes to the log, not the client.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Cache-Control", "no-store")
	if s.opts.Ready == nil {
		return web.ErrUnavailable
	}
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.opts.Ready(ctx); err != nil {
		s.Log.WarnContext(r.Context(), "not ready", "error", err.Error())
		return web.ErrUnavailable
	}
	web.WriteJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	return nil
}
