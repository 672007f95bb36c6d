package portal

import (
	"bytes"
	"errors"
	"net/http"
	"time"

	"github.com/frontdesk/frontdesk/internal/brand"
	"github.com/frontdesk/frontdesk/internal/web"
)

// The business's brand as files: the stylesheet every page and the chat
// widget link, the logo and the favicon (internal/brand).

func (s *Handler) brandCSS(w http.ResponseWriter, r *http.Request) error {
	b, err := s.deps.Brand.Current(r.Context())
	if err != nil {
		return err
	}
	web.ServeBrandCSS(w, r, b)
	return nil
}

// brandImage serves the logo or favicon with the type it was checked to
// be; a versioned address (?v=, as the pages link it) is cached for good.
func (s *Handler) brandImage(w http.ResponseWriter, r *http.Request) error {
	img, body, err := s.deps.Brand.ReadImage(r.Context(), r.PathValue("kind"))
	if errors.Is(err, brand.ErrNoImage) {
		return web.ErrNotFound
	}
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", img.Type)
	h.Set("ETag", `"`+img.SHA256[:16]+`"`)
	if r.URL.Query().Get("v") != "" {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body)) // the ETag decides
	return nil
}

// favicon answers the address browsers try on their own with the
// business's favicon, when one is set.
func (s *Handler) favicon(w http.ResponseWriter, r *http.Request) error {
	r.SetPathValue("kind", brand.Favicon)
	return s.brandImage(w, r)
}
