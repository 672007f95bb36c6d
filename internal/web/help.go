package web

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/frontdesk/frontdesk/internal/kb"
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
	Guides    []guideItem
}

func (s *Server) withKB(h func(http.ResponseWriter, *http.Request) error) func(http.ResponseWriter, *http.Request) error {
	if s.opts.KB == nil {
		return s.notFound
	}
	return h
}

func (s *Server) helpHome(w http.ResponseWriter, r *http.Request) error {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	v := helpView{Query: q}
	if q != "" {
		res, err := s.opts.KB.Search(r.Context(), q, kb.SearchOptions{Locale: info(r.Context()).lang, Limit: 20})
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
	if v.Guides, err = s.guideItems(r.Context(), info(r.Context()).lang); err != nil {
		return err
	}
	f := newForm(r)
	f.Values["q"] = q
	f.Extra = v
	w.Header().Set("Cache-Control", "no-store")
	return s.pages.render(w, r, http.StatusOK, "help", s.opts.OrgName, f)
}

func (s *Server) helpArticle(w http.ResponseWriter, r *http.Request) error {
	a, err := s.opts.KB.Published(r.Context(), r.PathValue("slug"), info(r.Context()).lang)
	if errors.Is(err, kb.ErrNotFound) {
		return ErrNotFound
	}
	if err != nil {
		return err
	}
	related, err := s.opts.KB.Related(r.Context(), a)
	if err != nil {
		return err
	}
	f := newForm(r)
	f.Extra = helpView{Article: a, Body: template.HTML(a.BodyHTML), Voted: r.URL.Query().Get("voted") == "1", Related: related}
	w.Header().Set("Cache-Control", "public, max-age=60")
	return s.pages.render(w, r, http.StatusOK, "help_article", s.opts.OrgName, f)
}

func (s *Server) helpVote(w http.ResponseWriter, r *http.Request) error {
	slug := r.PathValue("slug")
	a, err := s.opts.KB.Published(r.Context(), slug, info(r.Context()).lang)
	if errors.Is(err, kb.ErrNotFound) {
		return ErrNotFound
	}
	if err != nil {
		return err
	}
	if err := s.opts.KB.Vote(r.Context(), a.ID, r.PostFormValue("helpful") == "yes"); err != nil {
		return err
	}
	http.Redirect(w, r, "/help/"+url.PathEscape(slug)+"?voted=1", http.StatusSeeOther)
	return nil
}

// apiKBSearch is GET /api/v1/kb/search?q=…&locale=… (public). The locale
// is a BCP 47 tag (kb.ParseLocale; another is 400 invalid_locale); without
// one, every language is searched.
func (s *Server) apiKBSearch(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	res, err := s.opts.KB.Search(r.Context(), q.Get("q"), kb.SearchOptions{Locale: q.Get("locale"), Limit: 10})
	if err != nil {
		return kbError(err)
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
	writeJSON(w, http.StatusOK, out)
	return nil
}
