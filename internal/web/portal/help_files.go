package portal

import (
	"bytes"
	"mime"
	"net/http"

	"github.com/frontdesk/frontdesk/internal/access"
	"github.com/frontdesk/frontdesk/internal/web"
)

// helpFile serves an article's file: to everyone while the article is
// published (cached for an hour), to editors before (never cached).
// Pictures are shown inline, PDFs downloaded; nosniff and a sandboxing
// policy keep the browser from treating either as a page.
func (s *Handler) helpFile(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	f, data, err := s.deps.KB.FileData(ctx, r.PathValue("id"))
	if err != nil {
		return web.KBError(err)
	}
	h := w.Header()
	h.Set("Cache-Control", "public, max-age=3600")
	if !f.Published {
		p := web.Principal(ctx)
		if p == nil || s.deps.Authorizer == nil {
			return web.ErrNotFound
		}
		ok, err := s.deps.Authorizer.Allowed(ctx, p, access.KBEdit)
		if err != nil {
			return err
		}
		if !ok {
			return web.ErrNotFound
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
