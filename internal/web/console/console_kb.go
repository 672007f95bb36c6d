package console

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/frontdesk/frontdesk/internal/kb"
	"github.com/frontdesk/frontdesk/internal/web"
)

// The console's side of the help centre (kb:edit): the list of articles
// with the content gaps, editing an article and each of its translations
// with a preview through the same sanitiser, its history and files, the
// categories, and the guided troubleshooting flows
// (console_kb_flows.go). Every save is audited by kb in the transaction
// of the change.

// kbOverview is the KB home of the console.
type kbOverview struct {
	Page       *kb.ArticlePage
	Status     string
	Offset     int
	PrevOffset int
	NextOffset int
	Gaps       []kb.Gap
	Categories map[string]string
}

const kbPageSize = 50

func (s *Handler) consoleKB(w http.ResponseWriter, r *http.Request) error {
	ctx, q := r.Context(), r.URL.Query()
	v := kbOverview{Status: q.Get("status"), Categories: map[string]string{}}
	if !slices.Contains([]string{"", kb.StatusDraft, kb.StatusPublished, kb.StatusArchived}, v.Status) {
		v.Status = ""
	}
	v.Offset, _ = strconv.Atoi(q.Get("offset"))
	v.Offset = min(max(v.Offset, 0), 1_000_000)
	var err error
	if v.Page, err = s.deps.KB.ListArticles(ctx, web.Info(ctx).Lang, v.Status, v.Offset, kbPageSize); err != nil {
		return err
	}
	v.PrevOffset, v.NextOffset = max(v.Offset-kbPageSize, 0), v.Offset+kbPageSize
	if v.Gaps, err = s.deps.KB.Gaps(ctx, 20); err != nil {
		return err
	}
	cats, err := s.deps.KB.Categories(ctx)
	if err != nil {
		return err
	}
	for _, c := range cats {
		v.Categories[c.ID] = c.Name(web.Info(ctx).Lang)
	}
	return s.renderConsole(w, r, http.StatusOK, "console_kb", nil, v)
}

// kbArticleView is the article editor's data.
type kbArticleView struct {
	New        bool
	ID         string
	Slug       string
	Status     string
	Locale     string
	Locales    []string // the translations that exist
	Missing    bool     // the translation in Locale does not exist yet
	Categories []kb.Category
	Files      []kb.File
	Preview    template.HTML
	Lang       string
	// Former are the article's former slugs (they redirect).
	Former []string
	// Source is the translation shown beside the one being written: the
	// English one, else another that exists; nil for the only one.
	Source *kb.Article
	Body   template.HTML // Source's text, sanitised by kb
}

var articleFields = []string{"slug", "locale", "title", "summary", "body", "category", "status"}

func (s *Handler) consoleKBNew(w http.ResponseWriter, r *http.Request) error {
	f := web.NewForm(r)
	f.Values["locale"], f.Values["status"] = web.Info(r.Context()).Lang, kb.StatusDraft
	return s.renderArticle(w, r, http.StatusOK, f, &kbArticleView{New: true})
}

// consoleKBArticle opens a translation of an article.
func (s *Handler) consoleKBArticle(w http.ResponseWriter, r *http.Request) error {
	f, v, err := s.loadArticle(r, r.PathValue("id"), r.URL.Query().Get("locale"))
	if err != nil {
		return err
	}
	web.DoneNotice(r, f)
	return s.renderArticle(w, r, http.StatusOK, f, v)
}

// loadArticle fills the editor with a translation: the one in want, else
// (want not a locale) the editor's language; a translation that does not
// exist yet is an empty form.
func (s *Handler) loadArticle(r *http.Request, id, want string) (*web.Form, *kbArticleView, error) {
	ctx := r.Context()
	if l, err := kb.ParseLocale(want); err == nil {
		want = l // a BCP 47 tag: zh-CN is zh
	} else {
		want = web.Info(ctx).Lang
	}
	a, err := s.anyTranslation(r, id, want)
	if err != nil {
		return nil, nil, err
	}
	f := web.NewForm(r)
	f.Values["locale"], f.Values["category"], f.Values["status"], f.Values["slug"] = want, a.CategoryID, a.Status, a.Slug
	v := &kbArticleView{ID: a.ID, Slug: a.Slug, Status: a.Status, Locales: a.Locales}
	if a.Locale == want {
		f.Values["title"], f.Values["summary"], f.Values["body"] = a.Title, a.Summary, a.BodyMD
	} else {
		v.Missing = true
	}
	return f, v, nil
}

// anyTranslation returns an article in locale, else in any language it has.
func (s *Handler) anyTranslation(r *http.Request, id, locale string) (*kb.Article, error) {
	var a *kb.Article
	var err error
	for _, l := range append([]string{locale}, kb.Locales...) {
		if a, err = s.deps.KB.Get(r.Context(), id, l); !errors.Is(err, kb.ErrNotFound) {
			break
		}
	}
	return a, web.KBError(err)
}

// renderArticle fills in what the editor shows around the form.
func (s *Handler) renderArticle(w http.ResponseWriter, r *http.Request, status int, f *web.Form, v *kbArticleView) error {
	ctx := r.Context()
	var err error
	if v.Categories, err = s.deps.KB.Categories(ctx); err != nil {
		return err
	}
	v.Locale, v.Lang = f.Values["locale"], web.Info(ctx).Lang
	if v.ID != "" {
		if v.Files, err = s.deps.KB.Files(ctx, v.ID); err != nil {
			return err
		}
		if v.Former, err = s.deps.KB.FormerSlugs(ctx, v.ID); err != nil {
			return err
		}
		for _, l := range append([]string{kb.DefaultLocale}, v.Locales...) {
			if l != v.Locale && v.Has(l) {
				if v.Source, err = s.deps.KB.Get(ctx, v.ID, l); err != nil {
					return web.KBError(err)
				}
				v.Body = template.HTML(v.Source.BodyHTML) // sanitised by kb
				break
			}
		}
	}
	if v.Preview == "" && f.Values["body"] != "" {
		// The preview beside the text starts as the text reads now.
		if h, err := kb.Preview(f.Values["body"]); err == nil {
			v.Preview = template.HTML(h) // sanitised by kb
		}
	}
	return s.renderConsole(w, r, status, "console_kb_article", f, v)
}

// consoleKBSave creates an article (no {id}) or saves a translation; with
// action=preview it only shows the text as readers would see it.
func (s *Handler) consoleKBSave(w http.ResponseWriter, r *http.Request) error {
	ctx, id := r.Context(), r.PathValue("id")
	f := web.NewForm(r, articleFields...)
	f.Values["body"] = r.PostFormValue("body") // Markdown keeps its leading spaces
	v := &kbArticleView{New: id == "", ID: id}
	if id != "" {
		a, err := s.anyTranslation(r, id, f.Values["locale"])
		if err != nil {
			return err
		}
		v.Slug, v.Status, v.Locales, v.Missing = a.Slug, a.Status, a.Locales, !slices.Contains(a.Locales, f.Values["locale"])
	}
	if r.PostFormValue("action") == "preview" {
		h, err := kb.Preview(f.Values["body"])
		if err != nil {
			f.Errors["body"] = "This text cannot be read as Markdown."
			return s.renderArticle(w, r, http.StatusBadRequest, f, v)
		}
		v.Preview = template.HTML(h) // sanitised by kb, as a save would
		return s.renderArticle(w, r, http.StatusOK, f, v)
	}
	category := f.Values["category"]
	if category == "" && id != "" {
		category = "-" // none (a new article simply has none)
	}
	a, err := s.deps.KB.Save(ctx, kb.Input{ID: id, Slug: f.Values["slug"], CategoryID: category, Status: f.Values["status"], Locale: f.Values["locale"],
		Title: f.Values["title"], Summary: f.Values["summary"], BodyMD: f.Values["body"], AuthorID: web.Principal(ctx).AccountID})
	if err != nil {
		status, err := web.FormError(f, err, articleFields...)
		if err != nil {
			return err
		}
		return s.renderArticle(w, r, status, f, v)
	}
	http.Redirect(w, r, articleURL(a.ID, a.Locale, "saved"), http.StatusSeeOther)
	return nil
}

// consoleKBPreview answers the editor's live preview: the Markdown of
// the form's body as readers will see it, through the sanitiser a save
// uses, as an HTML fragment.
func (s *Handler) consoleKBPreview(w http.ResponseWriter, r *http.Request) error {
	h, err := kb.Preview(r.PostFormValue("body"))
	if err != nil {
		return &web.Error{Status: http.StatusBadRequest, Code: "invalid_body", Field: "body", Message: "This text cannot be read as Markdown."}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write([]byte(h))
	return err
}

// kbHistoryView is an article's history.
type kbHistoryView struct {
	Article   *kb.Article
	Revisions []kb.Revision
}

func (s *Handler) consoleKBHistory(w http.ResponseWriter, r *http.Request) error {
	ctx, id := r.Context(), r.PathValue("id")
	v := kbHistoryView{}
	var err error
	if v.Article, err = s.anyTranslation(r, id, web.Info(ctx).Lang); err != nil {
		return err
	}
	if v.Revisions, err = s.deps.KB.History(ctx, id); err != nil {
		return err
	}
	return s.renderConsole(w, r, http.StatusOK, "console_kb_history", nil, v)
}

// kbCategoriesView lists the categories.
type kbCategoriesView struct {
	Categories []kb.Category
}

var categoryFields = []string{"id", "name_en", "name_vi", "name_zh"}

func (s *Handler) consoleKBCategories(w http.ResponseWriter, r *http.Request) error {
	f := web.NewForm(r)
	web.DoneNotice(r, f)
	return s.renderCategories(w, r, http.StatusOK, f)
}

func (s *Handler) renderCategories(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	cats, err := s.deps.KB.Categories(r.Context())
	if err != nil {
		return err
	}
	return s.renderConsole(w, r, status, "console_kb_categories", f, kbCategoriesView{Categories: cats})
}

func (s *Handler) consoleKBCategorySave(w http.ResponseWriter, r *http.Request) error {
	f := web.NewForm(r, categoryFields...)
	err := s.deps.KB.SaveCategory(r.Context(), kb.Category{ID: f.Values["id"], Names: map[string]string{"en": f.Values["name_en"], "vi": f.Values["name_vi"], "zh": f.Values["name_zh"]}})
	if err != nil {
		status, err := web.FormError(f, err, categoryFields...)
		if err != nil {
			return err
		}
		return s.renderCategories(w, r, status, f)
	}
	http.Redirect(w, r, "/console/kb/categories?done=category", http.StatusSeeOther)
	return nil
}

// articleURL is the editor's address of an article's translation.
func articleURL(id, locale, done string) string {
	u := "/console/kb/articles/" + id + "?locale=" + url.QueryEscape(locale)
	if done != "" {
		u += "&done=" + done
	}
	return u
}

// Has reports whether the article has a translation in locale.
func (v *kbArticleView) Has(locale string) bool { return slices.Contains(v.Locales, locale) }

// Markdown is what shows file f in an article: a picture, or a link to
// a PDF.
func (v *kbArticleView) Markdown(f kb.File) string {
	alt := strings.NewReplacer("[", "", "]", "").Replace(strings.TrimSuffix(f.Filename, path.Ext(f.Filename)))
	if f.Image() {
		return "![" + alt + "](" + f.URL() + ")"
	}
	return "[" + alt + "](" + f.URL() + ")"
}
