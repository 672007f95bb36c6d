package portal

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/frontdesk/frontdesk/internal/kb"
	"github.com/frontdesk/frontdesk/internal/web"
)

// The public help centre: search and articles in the reader's language,
// with related articles (kb/related.go) and "was this helpful?" votes;
// guided troubleshooting (help_guides.go); and the JSON search the widget
// and others use. Pages need no JavaScript and no sign-in.

type helpView struct {
	Query     string
	Result    *kb.Result
	Article   *kb.Article
	Body      template.HTML // sanitised when the article was saved
	Snippets  []template.HTML
	Voted     bool
	Corrected string
	Related   []kb.RelatedArticle
	Guides    []web.GuideItem
}

func (s *Handler) helpHome(w http.ResponseWriter, r *http.Request) error {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	v := helpView{Query: q}
	if q != "" {
		res, err := s.deps.KB.Search(r.Context(), q, kb.SearchOptions{Locale: web.Info(r.Context()).Lang, Limit: 20})
		if err != nil {
			return err
		}
		v.Result = res
		for _, h := range res.Hits {
			v.Snippets = append(v.Snippets, template.HTML(h.Snippet)) // escaped by kb, <mark> only
		}
		v.Corrected = strings.Join(res.Corrected, " ")
	}
	var err error
	if v.Guides, err = s.guides().Items(r.Context(), web.Info(r.Context()).Lang); err != nil {
		return err
	}
	f := web.NewForm(r)
	f.Values["q"] = q
	f.Extra = v
	w.Header().Set("Cache-Control", "no-store")
	return s.Pages.Render(w, r, http.StatusOK, "help", s.OrgName, f)
}

func (s *Handler) helpArticle(w http.ResponseWriter, r *http.Request) error {
	a, err := s.deps.KB.Published(r.Context(), r.PathValue("slug"), web.Info(r.Context()).Lang)
	if errors.Is(err, kb.ErrNotFound) {
		return web.ErrNotFound
	}
	if err != nil {
		return err
	}
	related, err := s.deps.KB.Related(r.Context(), a)
	if err != nil {
		return err
	}
	f := web.NewForm(r)
	f.Extra = helpView{Article: a, Body: template.HTML(a.BodyHTML), Voted: r.URL.Query().Get("voted") == "1", Related: related}
	w.Header().Set("Cache-Control", "public, max-age=60")
	return s.Pages.Render(w, r, http.StatusOK, "help_article", s.OrgName, f)
}

func (s *Handler) helpVote(w http.ResponseWriter, r *http.Request) error {
	slug := r.PathValue("slug")
	a, err := s.deps.KB.Published(r.Context(), slug, web.Info(r.Context()).Lang)
	if errors.Is(err, kb.ErrNotFound) {
		return web.ErrNotFound
	}
	if err != nil {
		return err
	}
	if err := s.deps.KB.Vote(r.Context(), a.ID, r.PostFormValue("helpful") == "yes"); err != nil {
		return err
	}
	http.Redirect(w, r, "/help/"+url.PathEscape(slug)+"?voted=1", http.StatusSeeOther)
	return nil
}
