// Package brand is the business's look on every page: a brand colour (with
// the shades derived from it), a logo and a favicon, set in the console
// (settings:manage) and applied to the portal, the help centre, the
// console and the chat widget through one stylesheet of CSS custom
// properties (/brand.css), so that a strict Content-Security-Policy, the
// widget's shadow root included, needs no inline style. Without any of
// them the pages look as they always did.
package brand

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"time"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
	pd "github.com/frontdesk/frontdesk/internal/personaldata"
)

// Brand is the look in force: empty fields keep the default.
type Brand struct {
	Colour  string // "#rrggbb", or "" for the default colours
	Logo    *Image
	Favicon *Image
	// Version changes whenever anything above does: the pages add it to
	// the addresses of the stylesheet and images, which are then cached
	// for good.
	Version   string
	UpdatedAt time.Time
}

// Palette returns the brand colour's shades; ok is false for the default.
func (b Brand) Palette() (Palette, bool) {
	if b.Colour == "" {
		return Palette{}, false
	}
	p, err := NewPalette(b.Colour)
	return p, err == nil
}

// Service keeps the brand in the database, so that every node shows the same.
type Service struct {
	db    *db.DB
	audit *audit.Log
}

// New returns the brand service.
func New(d *db.DB, a *audit.Log) *Service { return &Service{db: d, audit: a} }

// PersonalData declares the brand's table: no personal data.
func PersonalData() pd.Set {
	return pd.Set{Owner: "internal/brand", Tables: []pd.Table{
		{Name: "brand", Other: []string{"id", "colour", "logo", "logo_type", "logo_sha256", "logo_width", "logo_height",
			"favicon", "favicon_type", "favicon_sha256", "updated_at"}},
	}}
}

const currentQuery = `SELECT colour, logo_type, logo_sha256, logo_width, logo_height, LENGTH(logo),
	favicon_type, favicon_sha256, LENGTH(favicon), updated_at FROM brand WHERE id = 1`

// Current returns the brand in force (the default when none was set). It
// is read for every page, as one point look-up without the images.
func (s *Service) Current(ctx context.Context) (Brand, error) {
	var b Brand
	var logo, fav Image
	var logoLen, favLen sql.NullInt64
	err := s.db.QueryRowOnce(ctx, currentQuery).Scan(&b.Colour, &logo.Type, &logo.SHA256, &logo.Width, &logo.Height, &logoLen,
		&fav.Type, &fav.SHA256, &favLen, &b.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return Brand{}, nil
	}
	if err != nil {
		return Brand{}, err
	}
	if logo.SHA256 != "" {
		logo.Size = int(logoLen.Int64)
		b.Logo = &logo
	}
	if fav.SHA256 != "" {
		fav.Size = int(favLen.Int64)
		b.Favicon = &fav
	}
	if b.Colour != "" || b.Logo != nil || b.Favicon != nil {
		sum := sha256.Sum256([]byte(b.Colour + "|" + logo.SHA256 + "|" + fav.SHA256))
		b.Version = hex.EncodeToString(sum[:6])
	}
	return b, nil
}

// ErrNoImage is asked for an image that is not set.
var ErrNoImage = errors.New("brand: no such image")

// ReadImage returns the bytes of the logo or favicon and their description.
func (s *Service) ReadImage(ctx context.Context, kind string) (Image, []byte, error) {
	if _, ok := imageLimits[kind]; !ok {
		return Image{}, nil, ErrNoImage
	}
	var img Image
	var body []byte
	// kind is one of the two constants: the column names are not input.
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		return tx.QueryRow(ctx, "SELECT "+kind+"_type, "+kind+"_sha256, "+kind+" FROM brand WHERE id = 1").Scan(&img.Type, &img.SHA256, &body)
	})
	if errors.Is(err, sql.ErrNoRows) || err == nil && img.SHA256 == "" {
		return Image{}, nil, ErrNoImage
	}
	if err != nil {
		return Image{}, nil, err
	}
	img.Size = len(body)
	return img, body, nil
}
