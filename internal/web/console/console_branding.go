package console

import (
	"errors"
	"io"
	"math"
	"net/http"
	"strings"

	"github.com/frontdesk/frontdesk/internal/brand"
	"github.com/frontdesk/frontdesk/internal/web"
)

// Branding (settings:manage): the business's colour, logo and favicon,
// saved together from one form; a refused part changes nothing
// (internal/brand).

// brandUploadLimit bounds the form: two images at their largest and the
// fields around them. A bigger body is refused before it is read.
const brandUploadLimit = 2*brand.MaxImageBytes + 64<<10

type brandingView struct {
	Brand   brand.Brand
	Default string // the default colour, shown as the placeholder
}

func (s *Handler) consoleBranding(w http.ResponseWriter, r *http.Request) error {
	f := web.NewForm(r)
	if r.URL.Query().Get("done") != "" {
		f.Notice = "brand.saved"
	}
	return s.renderBranding(w, r, http.StatusOK, f, nil)
}

func (s *Handler) renderBranding(w http.ResponseWriter, r *http.Request, status int, f *web.Form, typed *string) error {
	b, err := s.deps.Brand.Current(r.Context())
	if err != nil {
		return err
	}
	f.Values["colour"] = b.Colour
	if typed != nil {
		f.Values["colour"] = *typed
	}
	return s.renderConsole(w, r, status, "console_branding", f, brandingView{Brand: b, Default: "#1f5fbf"})
}

func (s *Handler) consoleBrandingSave(w http.ResponseWriter, r *http.Request) error {
	f := web.NewForm(r)
	t := s.Pages.Translator(web.Info(r.Context()).Lang)
	c, err := readBrandForm(r)
	if err != nil {
		var tooBig *http.MaxBytesError
		if !errors.As(err, &tooBig) {
			return &web.Error{Status: http.StatusBadRequest, Code: "bad_form", Message: "The form could not be read. Go back to the page and try again.", Err: err}
		}
		f.Error = t("brand.err.form_too_big", brandUploadLimit>>10)
		return s.renderBranding(w, r, http.StatusRequestEntityTooLarge, f, nil)
	}
	if err := s.deps.Brand.Save(r.Context(), c); err != nil {
		var be *brand.Error
		if !errors.As(err, &be) {
			return err
		}
		f.Errors[be.Field] = brandMessage(t, be)
		return s.renderBranding(w, r, http.StatusUnprocessableEntity, f, &c.Colour)
	}
	http.Redirect(w, r, "/console/branding?done=1", http.StatusSeeOther)
	return nil
}

// readBrandForm reads the multipart form: the colour, the two files (a
// file input left empty sends no file) and the two remove boxes.
func readBrandForm(r *http.Request) (brand.Change, error) {
	var c brand.Change
	mr, err := r.MultipartReader()
	if err != nil {
		return c, err
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return c, nil
		}
		if err != nil {
			return c, err
		}
		// One byte over the largest image is enough for the service to
		// say the file is too big.
		data, err := io.ReadAll(io.LimitReader(part, brand.MaxImageBytes+1))
		part.Close()
		if err != nil {
			return c, err
		}
		switch part.FormName() {
		case "colour":
			c.Colour = strings.TrimSpace(string(data))
		case "logo", "favicon":
			if part.FileName() == "" && len(data) == 0 {
				continue // no file chosen
			}
			if part.FormName() == "logo" {
				c.Logo = data
			} else {
				c.Favicon = data
			}
		case "remove_logo":
			c.RemoveLogo = string(data) == "on"
		case "remove_favicon":
			c.RemoveFavicon = string(data) == "on"
		}
	}
}

// brandMessage says why a change was refused, in the page's language.
func brandMessage(t func(string, ...any) string, e *brand.Error) string {
	switch e.Code {
	case "contrast":
		return t("brand.err.contrast", math.Floor(e.Ratio*100)/100, e.Suggest)
	case "too_big":
		return t("brand.err.too_big", e.Limit)
	case "dimensions":
		return t("brand.err.dimensions", e.Min, e.Max)
	}
	return t("brand.err." + e.Code)
}
