package portal

import "net/http"

func (s *Handler) home(w http.ResponseWriter, r *http.Request) error {
	return s.Pages.Render(w, r, http.StatusOK, "home", s.OrgName, nil)
}

func (s *Handler) static(w http.ResponseWriter, r *http.Request) error {
	return s.Pages.ServeStatic(w, r, r.PathValue("file"), "public, max-age=3600")
}

// widgetJS serves the chat widget for any site of the business to embed.
// It changes with releases, so browsers re-check it every few minutes.
func (s *Handler) widgetJS(w http.ResponseWriter, r *http.Request) error {
	return s.Pages.ServeStatic(w, r, "widget.js", "public, max-age=300")
}
