package console

import (
	"errors"
	"net/http"

	"github.com/frontdesk/frontdesk/internal/web"
)

// Files of articles: uploaded in the editor, served by the help centre at
// /help/files/{id} — a stable address that Markdown names — while the
// article is published (and to editors before that).

// kbUploadRoute takes one file of up to kb.MaxFileBytes; the body limit
// is the chat's (support.MaxUploadBytes), so a file too large gets kb's
// own clear refusal rather than a cut connection.
const kbUploadRoute = "POST /console/kb/articles/{id}/files"

func (s *Handler) consoleKBUpload(w http.ResponseWriter, r *http.Request) error {
	ctx, id := r.Context(), r.PathValue("id")
	locale := r.URL.Query().Get("locale")
	name, data, err := web.ReadFilePart(r)
	if err == nil {
		_, err = s.deps.KB.AddFile(ctx, id, name, data)
	}
	if err != nil {
		var e *web.Error
		if !errors.As(web.KBError(err), &e) || e.Status >= 500 || e == web.ErrNotFound {
			return web.KBError(err)
		}
		f, v, lerr := s.loadArticle(r, id, locale)
		if lerr != nil {
			return lerr
		}
		f.Errors["file"] = e.Message
		return s.renderArticle(w, r, e.Status, f, v)
	}
	http.Redirect(w, r, articleURL(id, locale, "file"), http.StatusSeeOther)
	return nil
}

func (s *Handler) consoleKBFileDelete(w http.ResponseWriter, r *http.Request) error {
	articleID, err := s.deps.KB.DeleteFile(r.Context(), r.PathValue("id"))
	if err != nil {
		return web.KBError(err)
	}
	http.Redirect(w, r, articleURL(articleID, r.PostFormValue("locale"), "file_deleted"), http.StatusSeeOther)
	return nil
}
