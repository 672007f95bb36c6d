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
	Query      string
	Lang       string
	Categories []kb.HelpCategory // the home, and a search that found nothing
	Popular    []kb.Listed
	Category   *kb.HelpCategory // a category's page, or an article's category
	Articles   []kb.Listed      // a category's page
	Result     *kb.Result
	Article    *kb.Article
	Body       template.HTML // sanitised when the article was saved
	Snippets   []template.HTML
	Voted      bool
	Corrected  string
	Related    []kb.RelatedArticle
	Guides     []web.GuideItem
}

func (s *Handler) helpHome(w http.ResponseWriter, r *http.Request) error {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	v := helpView{Query: q}
	if q != "" {
		counted, err := web.AnalyticsAllowed(r.Context(), s.deps.Consent)
		if err != nil {
			return err
		}
		res, err := s.deps.KB.Search(r.Context(), q, kb.SearchOptions{Locale: web.Info(r.Context()).Lang, Limit: 20, NoGap: !counted})
		if err != nil {
			return err
		}
		v.Result = res
		for _, h := range res.Hits {
			v.Snippets = append(v.Snippets, template.HTML(h.Snippet)) // escaped by kb, <mark> only
		}
		v.Corrected = strings.Join(res.Corrected, " ")
	}
	lang := web.Info(r.Context()).Lang
	v.Lang = lang
	var err error
	if v.Guides, err = s.guides().Items(r.Context(), lang); err != nil {
		return err
	}
	// The home, and a search that found nothing, offer the way in by topic
	// and the articles that helped most.
	if v.Result == nil || len(v.Result.Hits) == 0 {
		if v.Categories, err = s.deps.KB.HelpCategories(r.Context()); err != nil {
			return err
		}
		if v.Popular, err = s.deps.KB.Popular(r.Context(), lang, 6); err != nil {
			return err
		}
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
		// A renamed article: its former address moves permanently.
		to, err := s.deps.KB.MovedTo(r.Context(), r.PathValue("slug"))
		if err != nil {
			return err
		}
		if to == "" {
			return web.ErrNotFound
		}
		u := "/help/" + url.PathEscape(to)
		if r.URL.RawQuery != "" {
			u += "?" + r.URL.RawQuery
		}
		http.Redirect(w, r, u, http.StatusMovedPermanently)
		return nil
	}
	if err != nil {
		return err
	}
	related, err := s.deps.KB.Related(r.Context(), a)
	if err != nil {
		return err
	}
	v := helpView{Article: a, Body: template.HTML(a.BodyHTML), Voted: r.URL.Query().Get("voted") == "1", Related: related,
		Lang: web.Info(r.Context()).Lang}
	if v.Category, err = s.helpCategory(r, a.CategoryID); err != nil {
		return err
	}
	f := web.NewForm(r)
	f.Extra = v
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

// helpCategory is the category id among those holding published articles,
// or nil.
func (s *Handler) helpCategory(r *http.Request, id string) (*kb.HelpCategory, error) {
	if id == "" {
		return nil, nil
	}
	cats, err := s.deps.KB.HelpCategories(r.Context())
	if err != nil {
		return nil, err
	}
	for i := range cats {
		if cats[i].ID == id {
			return &cats[i], nil
		}
	}
	return nil, nil
}

// helpCategoryPage lists a category's published articles.
func (s *Handler) helpCategoryPage(w http.ResponseWriter, r *http.Request) error {
	c, err := s.helpCategory(r, r.PathValue("id"))
	if err != nil {
		return err
	}
	if c == nil {
		return web.ErrNotFound
	}
	lang := web.Info(r.Context()).Lang
	v := helpView{Category: c, Lang: lang}
	if v.Articles, err = s.deps.KB.CategoryArticles(r.Context(), c.ID, lang); err != nil {
		return err
	}
	f := web.NewForm(r)
	f.Extra = v
	w.Header().Set("Cache-Control", "public, max-age=60")
	return s.Pages.Render(w, r, http.StatusOK, "help_category", s.OrgName, f)
}
