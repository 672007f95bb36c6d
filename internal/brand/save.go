package brand

import (
	"context"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
)

// Change is one save of the branding form: every part is checked before
// anything is written, and the whole change is one transaction with its
// audit entry, so that a refused part changes nothing.
type Change struct {
	// Colour is the new brand colour; "" goes back to the default colours.
	Colour string
	// Logo and Favicon are new images; nil keeps the current one.
	Logo, Favicon []byte
	// RemoveLogo and RemoveFavicon go back to none.
	RemoveLogo, RemoveFavicon bool
}

// Save applies a change. A refused part is an *Error (a fault.ErrInvalid)
// and nothing is changed. A change that changes nothing writes nothing.
func (s *Service) Save(ctx context.Context, c Change) error {
	colour := ""
	if c.Colour != "" {
		rgb, err := parseRGB(c.Colour)
		if err != nil {
			return err
		}
		if r := legible(rgb); r < MinContrast {
			return &Error{Field: "colour", Code: "contrast", Ratio: r, Suggest: darker(rgb).String()}
		}
		colour = rgb.String()
	}
	var logo, fav *Image
	if c.Logo != nil && !c.RemoveLogo {
		img, err := checkImage(Logo, c.Logo)
		if err != nil {
			return err
		}
		logo = &img
	}
	if c.Favicon != nil && !c.RemoveFavicon {
		img, err := checkImage(Favicon, c.Favicon)
		if err != nil {
			return err
		}
		fav = &img
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, "INSERT INTO brand (id, colour, updated_at) VALUES (1, '', ?) ON CONFLICT (id) DO NOTHING", tx.Now()); err != nil {
			return err
		}
		var old struct{ colour, logo, fav string }
		if err := tx.QueryRow(ctx, "SELECT colour, logo_sha256, favicon_sha256 FROM brand WHERE id = 1"+tx.ForUpdate()).
			Scan(&old.colour, &old.logo, &old.fav); err != nil {
			return err
		}
		details := map[string]any{}
		if colour != old.colour {
			details["colour"] = map[string]string{"from": old.colour, "to": colour}
			if _, err := tx.Exec(ctx, "UPDATE brand SET colour = ? WHERE id = 1", colour); err != nil {
				return err
			}
		}
		for _, im := range []struct {
			kind   string
			img    *Image
			body   []byte
			remove bool
			old    string
		}{{Logo, logo, c.Logo, c.RemoveLogo, old.logo}, {Favicon, fav, c.Favicon, c.RemoveFavicon, old.fav}} {
			switch {
			case im.remove && im.old != "":
				details[im.kind] = "removed"
				if _, err := tx.Exec(ctx, "UPDATE brand SET "+im.kind+" = NULL, "+im.kind+"_type = '', "+im.kind+"_sha256 = ''"+
					imageSizeReset(im.kind)+" WHERE id = 1"); err != nil {
					return err
				}
			case im.img != nil && im.img.SHA256 != im.old:
				details[im.kind] = map[string]any{"sha256": im.img.SHA256, "type": im.img.Type, "bytes": im.img.Size,
					"width": im.img.Width, "height": im.img.Height}
				if _, err := tx.Exec(ctx, "UPDATE brand SET "+im.kind+" = ?, "+im.kind+"_type = ?, "+im.kind+"_sha256 = ?"+imageSize(im.kind)+" WHERE id = 1",
					append([]any{im.body, im.img.Type, im.img.SHA256}, imageSizeArgs(im.kind, im.img)...)...); err != nil {
					return err
				}
			}
		}
		if len(details) == 0 {
			return nil
		}
		if _, err := tx.Exec(ctx, "UPDATE brand SET updated_at = ? WHERE id = 1", tx.Now()); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, audit.Event{Action: "brand.update", Target: "brand:business", Details: details})
	})
}

// Only the logo keeps its size: the page's <img> gives it to the browser.
func imageSize(kind string) string {
	if kind == Logo {
		return ", logo_width = ?, logo_height = ?"
	}
	return ""
}

func imageSizeArgs(kind string, img *Image) []any {
	if kind == Logo {
		return []any{img.Width, img.Height}
	}
	return nil
}

func imageSizeReset(kind string) string {
	if kind == Logo {
		return ", logo_width = 0, logo_height = 0"
	}
	return ""
}
