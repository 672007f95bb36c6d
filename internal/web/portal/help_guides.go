package portal

import (
	"net/http"
	"net/url"

	"github.com/frontdesk/frontdesk/internal/web"
)

// Guided troubleshooting on the help centre: /help/guides lists the
// published flows, /help/guides/{slug}?path=0.1 shows where the answers
// taken so far lead. Every answer is a link carrying the path, so the
// guide works without JavaScript, Back (the link, or the browser's) is
// the path one answer shorter, and the server keeps no state. The same
// view of a walk feeds the console's "try it" page and the chat widget's
// flow frames (chat_flow.go).

// renderHelp renders a help-centre page; readers' pages are cached
// briefly, like articles.
func (s *Handler) renderHelp(w http.ResponseWriter, r *http.Request, status int, name string, f *web.Form) error {
	if status == http.StatusOK {
		w.Header().Set("Cache-Control", "public, max-age=60")
	}
	return s.Pages.Render(w, r, status, name, s.OrgName, f)
}

func (s *Handler) helpGuides(w http.ResponseWriter, r *http.Request) error {
	items, err := s.guides().Items(r.Context(), web.Info(r.Context()).Lang)
	if err != nil {
		return err
	}
	f := web.NewForm(r)
	f.Extra = items
	return s.renderHelp(w, r, http.StatusOK, "help_guides", f)
}

func (s *Handler) helpGuide(w http.ResponseWriter, r *http.Request) error {
	f, err := s.deps.KB.PublishedFlow(r.Context(), r.PathValue("slug"))
	if err != nil {
		return web.KBError(err)
	}
	status, fm, g, err := s.guides().At(r, f, "/help/guides/"+url.PathEscape(f.Slug))
	if err != nil {
		return err
	}
	fm.Extra = g
	return s.renderHelp(w, r, status, "help_guide", fm)
}
