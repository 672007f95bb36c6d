package api

import (
	"net/http"

	"github.com/frontdesk/frontdesk/internal/kb"
	"github.com/frontdesk/frontdesk/internal/web"
)

// apiKBSearch is GET /api/v1/kb/search?q=…&locale=… (public). The locale
// is a BCP 47 tag (kb.ParseLocale; another is 400 invalid_locale); without
// one, every language is searched.
func (s *Handler) apiKBSearch(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	counted, err := web.AnalyticsAllowed(r.Context(), s.deps.Consent)
	if err != nil {
		return err
	}
	res, err := s.deps.KB.Search(r.Context(), q.Get("q"), kb.SearchOptions{Locale: q.Get("locale"), Limit: 10, NoGap: !counted})
	if err != nil {
		return web.KBError(err)
	}
	type item struct {
		ID      string `json:"id"`
		Title   string `json:"title"`
		Locale  string `json:"locale"`
		URL     string `json:"url"`
		Snippet string `json:"snippet"`
	}
	out := struct {
		Results   []item   `json:"results"`
		Corrected []string `json:"corrected,omitempty"`
	}{Results: []item{}, Corrected: res.Corrected}
	for _, h := range res.Hits {
		out.Results = append(out.Results, item{ID: h.ArticleID, Title: h.Title, Locale: h.Locale, URL: "/help/" + h.Slug + "?lang=" + h.Locale, Snippet: h.Snippet})
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}
