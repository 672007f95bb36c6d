package web

import (
	"bytes"
	"errors"
	"mime"
	"net/http"

	"github.com/frontdesk/frontdesk/internal/access"
)

// Files of articles: uploaded in the editor, served by the help centre at
// /help/files/{id} — a stable address that Markdown names — while the
// article is published (and to editors before that).

// kbUploadRoute takes one file of up to kb.MaxFileBytes; the body limit
// is the chat's (support.MaxUploadBytes), so a file too large gets kb's
// own clear refusal rather than a cut connection.
const kbUploadRoute = "POST /console/kb/articles/{id}/files"

func (s *Server) consoleKBUpload(w http.ResponseWriter, r *http.Request) error {
	ctx, id := r.Context(), r.PathValue("id")
	locale := r.URL.Query().Get("locale")
	name, data, err := ReadFilePart(r)
	if err == nil {
		_, err = s.opts.KB.AddFile(ctx, id, name, data)
	}
	if err != nil {
		var e *Error
		if !errors.As(KBError(err), &e) || e.Status >= 500 || e == ErrNotFound {
			return KBError(err)
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

func (s *Server) consoleKBFileDelete(w http.ResponseWriter, r *http.Request) error {
	articleID, err := s.opts.KB.DeleteFile(r.Context(), r.PathValue("id"))
	if err != nil {
		return KBError(err)
	}
	http.Redirect(w, r, articleURL(articleID, r.PostFormValue("locale"), "file_deleted"), http.StatusSeeOther)
	return nil
}

// helpFile serves an article's file: to everyone while the article is
// published (cached for an hour), to editors before (never cached).
// Pictures are shown inline, PDFs downloaded; nosniff and a sandboxing
// policy keep the browser from treating either as a page.
func (s *Server) helpFile(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	f, data, err := s.opts.KB.FileData(ctx, r.PathValue("id"))
	if err != nil {
		return KBError(err)
	}
	h := w.Header()
	h.Set("Cache-Control", "public, max-age=3600")
	if !f.Published {
		p := Principal(ctx)
		if p == nil || s.opts.Authorizer == nil {
			return ErrNotFound
		}
		ok, err := s.opts.Authorizer.Allowed(ctx, p, access.KBEdit)
		if err != nil {
			return err
		}
		if !ok {
			return ErrNotFound
		}
		h.Set("Cache-Control", "private, no-store")
	}
	disposition := "attachment"
	if f.Image() {
		disposition = "inline"
	}
	h.Set("Content-Type", f.ContentType)
	h.Set("Content-Disposition", mime.FormatMediaType(disposition, map[string]string{"filename": f.Filename}))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cross-Origin-Resource-Policy", "same-site")
	h.Set("ETag", `"`+f.ID+`"`) // a file never changes under its id
	http.ServeContent(w, r, "", f.CreatedAt, bytes.NewReader(data))
	return nil
}
