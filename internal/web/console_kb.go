package web

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
)

// The console's side of the help centre (kb:edit): the list of articles
// with the content gaps, editing an article and each of its translations
// with a preview through the same sanitiser, its history and files, the
// categories, and the guided troubleshooting flows
// (console_kb_flows.go). Every save is audited by kb in the transaction
// of the change.

// withKBConsole answers 404 when the server runs without the knowledge
// base or the console's services.
func (s *Server) withKBConsole(h func(http.ResponseWriter, *http.Request) error) func(http.ResponseWriter, *http.Request) error {
	if s.opts.KB == nil {
		return s.notFound
	}
	return s.withAccess(h)
}

// kbError turns a knowledge-base error into one the client may see.
func kbError(err error) error {
	var inv *kb.InvalidError
	var fe *kb.FlowError
	switch {
	case errors.Is(err, kb.ErrNotFound):
		return ErrNotFound
	case errors.Is(err, kb.ErrFileType):
		return &Error{Status: http.StatusUnsupportedMediaType, Code: "file_type", Field: "file", Message: "Send a picture (PNG, JPEG, GIF, WebP) or a PDF file."}
	case errors.Is(err, kb.ErrFileTooLarge):
		return &Error{Status: http.StatusRequestEntityTooLarge, Code: "file_too_large", Field: "file", Message: "Send a file of at most 5 MB."}
	case errors.As(err, &fe):
		return &Error{Status: http.StatusBadRequest, Code: "invalid_flow", Field: "definition", Message: "The guide has problems: " + fe.Problems[0].String() + "."}
	case errors.As(err, &inv):
		return &Error{Status: http.StatusBadRequest, Code: "invalid_" + inv.Field, Field: inv.Field, Message: sentenceCase(inv.Reason) + "."}
	}
	return err
}

// formError puts a client error on the form (next to its field when the
// page has that field) and returns its status; other errors are returned.
func formError(f *form, err error, fields ...string) (int, error) {
	var e *Error
	if !errors.As(kbError(err), &e) || e.Status >= 500 {
		return 0, err
	}
	if slices.Contains(fields, e.Field) {
		f.Errors[e.Field] = e.Message
	} else {
		f.Error = e.Message
	}
	return e.Status, nil
}

// kbDone maps ?done= to the notice it shows.
var kbDone = map[string]string{"saved": "kb.saved", "file": "kb.done.file", "file_deleted": "kb.done.file_deleted", "category": "kb.done.category"}

func doneNotice(r *http.Request, f *form) {
	if n, ok := kbDone[r.URL.Query().Get("done")]; ok && f.Notice == "" {
		f.Notice = n
	}
}

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

func (s *Server) consoleKB(w http.ResponseWriter, r *http.Request) error {
	ctx, q := r.Context(), r.URL.Query()
	v := kbOverview{Status: q.Get("status"), Categories: map[string]string{}}
	if !slices.Contains([]string{"", kb.StatusDraft, kb.StatusPublished, kb.StatusArchived}, v.Status) {
		v.Status = ""
	}
	v.Offset, _ = strconv.Atoi(q.Get("offset"))
	v.Offset = min(max(v.Offset, 0), 1_000_000)
	var err error
	if v.Page, err = s.opts.KB.ListArticles(ctx, info(ctx).lang, v.Status, v.Offset, kbPageSize); err != nil {
		return err
	}
	v.PrevOffset, v.NextOffset = max(v.Offset-kbPageSize, 0), v.Offset+kbPageSize
	if v.Gaps, err = s.opts.KB.Gaps(ctx, 20); err != nil {
		return err
	}
	cats, err := s.opts.KB.Categories(ctx)
	if err != nil {
		return err
	}
	for _, c := range cats {
		v.Categories[c.ID] = c.Name(info(ctx).lang)
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
}

var articleFields = []string{"slug", "locale", "title", "summary", "body", "category", "status"}

func (s *Server) consoleKBNew(w http.ResponseWriter, r *http.Request) error {
	f := newForm(r)
	f.Values["locale"], f.Values["status"] = info(r.Context()).lang, kb.StatusDraft
	return s.renderArticle(w, r, http.StatusOK, f, &kbArticleView{New: true})
}

// consoleKBArticle opens a translation of an article.
func (s *Server) consoleKBArticle(w http.ResponseWriter, r *http.Request) error {
	f, v, err := s.loadArticle(r, r.PathValue("id"), r.URL.Query().Get("locale"))
	if err != nil {
		return err
	}
	doneNotice(r, f)
	return s.renderArticle(w, r, http.StatusOK, f, v)
}

// loadArticle fills the editor with a translation: the one in want, else
// (want not a locale) the editor's language; a translation that does not
// exist yet is an empty form.
func (s *Server) loadArticle(r *http.Request, id, want string) (*form, *kbArticleView, error) {
	ctx := r.Context()
	if l, err := kb.ParseLocale(want); err == nil {
		want = l // a BCP 47 tag: zh-CN is zh
	} else {
		want = info(ctx).lang
	}
	a, err := s.anyTranslation(r, id, want)
	if err != nil {
		return nil, nil, err
	}
	f := newForm(r)
	f.Values["locale"], f.Values["category"], f.Values["status"] = want, a.CategoryID, a.Status
	v := &kbArticleView{ID: a.ID, Slug: a.Slug, Status: a.Status, Locales: a.Locales}
	if a.Locale == want {
		f.Values["title"], f.Values["summary"], f.Values["body"] = a.Title, a.Summary, a.BodyMD
	} else {
		v.Missing = true
	}
	return f, v, nil
}

// anyTranslation returns an article in locale, else in any language it has.
func (s *Server) anyTranslation(r *http.Request, id, locale string) (*kb.Article, error) {
	var a *kb.Article
	var err error
	for _, l := range append([]string{locale}, kb.Locales...) {
		if a, err = s.opts.KB.Get(r.Context(), id, l); !errors.Is(err, kb.ErrNotFound) {
			break
		}
	}
	return a, kbError(err)
}

// renderArticle fills in what the editor shows around the form.
func (s *Server) renderArticle(w http.ResponseWriter, r *http.Request, status int, f *form, v *kbArticleView) error {
	ctx := r.Context()
	var err error
	if v.Categories, err = s.opts.KB.Categories(ctx); err != nil {
		return err
	}
	if v.ID != "" {
		if v.Files, err = s.opts.KB.Files(ctx, v.ID); err != nil {
			return err
		}
	}
	v.Locale, v.Lang = f.Values["locale"], info(ctx).lang
	return s.renderConsole(w, r, status, "console_kb_article", f, v)
}

// consoleKBSave creates an article (no {id}) or saves a translation; with
// action=preview it only shows the text as readers would see it.
func (s *Server) consoleKBSave(w http.ResponseWriter, r *http.Request) error {
	ctx, id := r.Context(), r.PathValue("id")
	f := newForm(r, articleFields...)
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
	a, err := s.opts.KB.Save(ctx, kb.Input{ID: id, Slug: f.Values["slug"], CategoryID: category, Status: f.Values["status"], Locale: f.Values["locale"],
		Title: f.Values["title"], Summary: f.Values["summary"], BodyMD: f.Values["body"], AuthorID: principal(ctx).AccountID})
	if err != nil {
		status, err := formError(f, err, articleFields...)
		if err != nil {
			return err
		}
		return s.renderArticle(w, r, status, f, v)
	}
	http.Redirect(w, r, articleURL(a.ID, a.Locale, "saved"), http.StatusSeeOther)
	return nil
}

// kbHistoryView is an article's history.
type kbHistoryView struct {
	Article   *kb.Article
	Revisions []kb.Revision
}

func (s *Server) consoleKBHistory(w http.ResponseWriter, r *http.Request) error {
	ctx, id := r.Context(), r.PathValue("id")
	v := kbHistoryView{}
	var err error
	if v.Article, err = s.anyTranslation(r, id, info(ctx).lang); err != nil {
		return err
	}
	if v.Revisions, err = s.opts.KB.History(ctx, id); err != nil {
		return err
	}
	return s.renderConsole(w, r, http.StatusOK, "console_kb_history", nil, v)
}

// kbCategoriesView lists the categories.
type kbCategoriesView struct {
	Categories []kb.Category
}

var categoryFields = []string{"id", "name_en", "name_vi", "name_zh"}

func (s *Server) consoleKBCategories(w http.ResponseWriter, r *http.Request) error {
	f := newForm(r)
	doneNotice(r, f)
	return s.renderCategories(w, r, http.StatusOK, f)
}

func (s *Server) renderCategories(w http.ResponseWriter, r *http.Request, status int, f *form) error {
	cats, err := s.opts.KB.Categories(r.Context())
	if err != nil {
		return err
	}
	return s.renderConsole(w, r, status, "console_kb_categories", f, kbCategoriesView{Categories: cats})
}

func (s *Server) consoleKBCategorySave(w http.ResponseWriter, r *http.Request) error {
	f := newForm(r, categoryFields...)
	err := s.opts.KB.SaveCategory(r.Context(), kb.Category{ID: f.Values["id"], Names: map[string]string{"en": f.Values["name_en"], "vi": f.Values["name_vi"], "zh": f.Values["name_zh"]}})
	if err != nil {
		status, err := formError(f, err, categoryFields...)
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
