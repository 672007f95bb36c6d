package brand_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"path/filepath"
	"strings"
	"testing"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/brand"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/db/dbtest"
	"github.com/frontdesk/frontdesk/internal/fault"
	"github.com/frontdesk/frontdesk/internal/keyring"
)

func newService(t *testing.T) (*brand.Service, *db.DB) {
	t.Helper()
	ctx := context.Background()
	d := dbtest.Open(t)
	dir := t.TempDir()
	keys, err := keyring.New(ctx, d, keyring.Options{MasterKeyFile: filepath.Join(dir, "master.key"), Create: true})
	if err != nil {
		t.Fatal(err)
	}
	signer, err := audit.LoadSigner(filepath.Join(dir, "audit.key"))
	if err != nil {
		t.Fatal(err)
	}
	return brand.New(d, audit.New(keys, signer, audit.Options{})), d
}

// PNG returns a w×h PNG of one colour.
func PNG(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{0x0b, 0x5c, 0xad, 0xff})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func JPEG(t testing.TB, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, image.NewRGBA(image.Rect(0, 0, w, h)), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// A minimal lossless WebP (1×1), as cwebp writes it.
var webp1x1 = []byte{0x52, 0x49, 0x46, 0x46, 0x1a, 0x00, 0x00, 0x00, 0x57, 0x45, 0x42, 0x50, 0x56, 0x50, 0x38, 0x4c,
	0x0d, 0x00, 0x00, 0x00, 0x2f, 0x00, 0x00, 0x00, 0x10, 0x07, 0x10, 0x11, 0x11, 0x88, 0x88, 0xfe, 0x07, 0x00}

func auditCount(t *testing.T, d *db.DB) int {
	t.Helper()
	var n int
	if err := d.Read(context.Background(), func(tx *db.Tx) error {
		return tx.QueryRow(context.Background(), "SELECT COUNT(*) FROM audit_log WHERE action = 'brand.update'").Scan(&n)
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

// The default is no brand at all: the pages keep today's look.
func TestDefaultIsNoBrand(t *testing.T) {
	s, _ := newService(t)
	b, err := s.Current(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if b.Colour != "" || b.Logo != nil || b.Favicon != nil || b.Version != "" {
		t.Fatalf("fresh install: %+v", b)
	}
	if _, _, err := s.ReadImage(context.Background(), brand.Logo); !errors.Is(err, brand.ErrNoImage) {
		t.Fatalf("logo of a fresh install: %v", err)
	}
}

// A colour, a logo and a favicon are saved together with one audit entry
// in the same transaction; the version changes with each change; removing
// goes back to none; saving the same again writes nothing.
func TestSaveAndAudit(t *testing.T) {
	ctx := context.Background()
	s, d := newService(t)
	logo, fav := PNG(t, 240, 60), PNG(t, 32, 32)
	if err := s.Save(ctx, brand.Change{Colour: "#0B5CAD", Logo: logo, Favicon: fav}); err != nil {
		t.Fatal(err)
	}
	b, err := s.Current(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if b.Colour != "#0b5cad" || b.Logo == nil || b.Logo.Width != 240 || b.Logo.Height != 60 || b.Logo.Type != "image/png" ||
		b.Logo.Size != len(logo) || b.Favicon == nil || b.Version == "" {
		t.Fatalf("after saving: %+v %+v", b, b.Logo)
	}
	img, body, err := s.ReadImage(ctx, brand.Favicon)
	if err != nil || !bytes.Equal(body, fav) || img.Type != "image/png" {
		t.Fatalf("favicon read back: %v %+v", err, img)
	}
	if n := auditCount(t, d); n != 1 {
		t.Fatalf("%d audit entries, want 1", n)
	}
	// The same again changes nothing and records nothing.
	if err := s.Save(ctx, brand.Change{Colour: "#0b5cad", Logo: logo}); err != nil {
		t.Fatal(err)
	}
	if n := auditCount(t, d); n != 1 {
		t.Fatalf("%d audit entries after a save without change, want 1", n)
	}
	v1 := b.Version
	if err := s.Save(ctx, brand.Change{Colour: "#0b5cad", RemoveLogo: true, Logo: PNG(t, 20, 20)}); err != nil {
		t.Fatal(err)
	}
	b, _ = s.Current(ctx)
	if b.Logo != nil || b.Favicon == nil || b.Version == v1 {
		t.Fatalf("after removing the logo: %+v", b)
	}
	if err := s.Save(ctx, brand.Change{}); err != nil { // an empty colour: the default colours
		t.Fatal(err)
	}
	b, _ = s.Current(ctx)
	if b.Colour != "" || auditCount(t, d) != 3 {
		t.Fatalf("back to the default colour: %+v, %d entries", b, auditCount(t, d))
	}
}

// Every refusal is an *Error (a fault.ErrInvalid) with its reason, and
// leaves everything as it was: no change, no audit entry.
func TestRefusalsChangeNothing(t *testing.T) {
	ctx := context.Background()
	s, d := newService(t)
	if err := s.Save(ctx, brand.Change{Colour: "#0b5cad", Logo: PNG(t, 100, 40)}); err != nil {
		t.Fatal(err)
	}
	before, _ := s.Current(ctx)
	svg := []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>`)
	bigPNG := append(PNG(t, 16, 16), make([]byte, 300<<10)...)
	truncated := PNG(t, 64, 64)
	truncated = truncated[:len(truncated)/2]
	for _, c := range []struct {
		name   string
		change brand.Change
		field  string
		code   string
	}{
		{"not a colour", brand.Change{Colour: "blue", Logo: PNG(t, 20, 20)}, "colour", "colour"},
		{"not hex", brand.Change{Colour: "#12345g"}, "colour", "colour"},
		{"too light for white text", brand.Change{Colour: "#7fb0ff", Logo: PNG(t, 20, 20)}, "colour", "contrast"},
		{"yellow", brand.Change{Colour: "#ffcc00"}, "colour", "contrast"},
		{"SVG logo", brand.Change{Logo: svg}, "logo", "svg"},
		{"SVG with an XML declaration", brand.Change{Logo: append([]byte("<?xml version=\"1.0\"?>\n"), svg...)}, "logo", "svg"},
		{"HTML as a logo", brand.Change{Logo: []byte("<html><script>alert(1)</script></html>")}, "logo", "type_logo"},
		{"GIF logo", brand.Change{Logo: []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;")}, "logo", "type_logo"},
		{"empty logo", brand.Change{Logo: []byte{}}, "logo", "empty"},
		{"too big", brand.Change{Logo: bigPNG}, "logo", "too_big"},
		{"a PNG that stops half-way", brand.Change{Logo: truncated}, "logo", "unreadable"},
		{"too small", brand.Change{Logo: PNG(t, 8, 8)}, "logo", "dimensions"},
		{"too large", brand.Change{Logo: PNG(t, 3000, 16)}, "logo", "dimensions"},
		{"JPEG favicon", brand.Change{Favicon: JPEG(t, 32, 32)}, "favicon", "type_favicon"},
		{"favicon not square", brand.Change{Favicon: PNG(t, 32, 16)}, "favicon", "square"},
		// A good part does not get in beside a refused one.
		{"good colour, bad favicon", brand.Change{Colour: "#14532d", Favicon: svg}, "favicon", "svg"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := s.Save(ctx, c.change)
			var be *brand.Error
			if !errors.As(err, &be) || !errors.Is(err, fault.ErrInvalid) || be.Field != c.field || be.Code != c.code {
				t.Fatalf("err = %v, want %s/%s", err, c.field, c.code)
			}
			after, _ := s.Current(ctx)
			if after.Version != before.Version || after.Colour != before.Colour {
				t.Fatalf("a refused change changed the brand: %+v → %+v", before, after)
			}
			if n := auditCount(t, d); n != 1 {
				t.Fatalf("%d audit entries, want 1", n)
			}
		})
	}
}

// The refusal of a colour too light names a darker shade of it that
// passes, and that shade is accepted.
func TestContrastSuggestion(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t)
	err := s.Save(ctx, brand.Change{Colour: "#7fb0ff"})
	var be *brand.Error
	if !errors.As(err, &be) || be.Code != "contrast" || be.Ratio >= brand.MinContrast || be.Ratio < 1 {
		t.Fatalf("err = %#v", err)
	}
	for _, bg := range []string{"#ffffff", "#f6f7f9"} {
		if r, _ := brand.Contrast(be.Suggest, bg); r < brand.MinContrast {
			t.Errorf("the suggested %s has %.2f:1 on %s", be.Suggest, r, bg)
		}
	}
	if err := s.Save(ctx, brand.Change{Colour: be.Suggest}); err != nil {
		t.Fatalf("the suggested colour %s is refused: %v", be.Suggest, err)
	}
}

// Logos in each accepted format.
func TestLogoFormats(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t)
	for _, c := range []struct {
		name, ctype string
		body        []byte
	}{{"png", "image/png", PNG(t, 64, 32)}, {"jpeg", "image/jpeg", JPEG(t, 64, 32)}} {
		if err := s.Save(ctx, brand.Change{Logo: c.body}); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		b, _ := s.Current(ctx)
		if b.Logo == nil || b.Logo.Type != c.ctype {
			t.Fatalf("%s: %+v", c.name, b.Logo)
		}
	}
	// WebP is sniffed and decoded too; 1×1 is below the least size.
	err := s.Save(ctx, brand.Change{Logo: webp1x1})
	var be *brand.Error
	if !errors.As(err, &be) || be.Code != "dimensions" {
		t.Fatalf("a 1×1 WebP: %v (want it read, and refused for its size)", err)
	}
}

// The derived shades keep AA: white on the accent, the accent on the page,
// the dark scheme's accent on dark backgrounds and dark text on it.
func TestPaletteContrast(t *testing.T) {
	for _, c := range []string{"#0b5cad", "#1f5fbf", "#14532d", "#7a1a12", "#5b21b6", "#000000", "#595959"} {
		p, err := brand.NewPalette(c)
		if err != nil {
			t.Fatal(err)
		}
		checks := []struct{ a, b string }{{p.Accent, "#ffffff"}, {p.Hover, "#ffffff"}, {p.DarkAccent, "#141820"}, {p.DarkAccent, "#1b2029"},
			{p.DarkAccent, "#0b1220"}, {"#1d2430", p.Soft}, {"#e6e9ef", p.DarkSoft}}
		for _, k := range checks {
			if r, _ := brand.Contrast(k.a, k.b); r < brand.MinContrast {
				t.Errorf("%s: %s on %s is %.2f:1", c, k.a, k.b, r)
			}
		}
	}
	if _, err := brand.ParseColour("#15b"); err != nil {
		t.Error(err)
	}
	if got, _ := brand.ParseColour(" #15B "); got != "#1155bb" {
		t.Errorf("ParseColour = %q", got)
	}
	if _, err := brand.ParseColour("rgb(1,2,3)"); err == nil || !strings.Contains(err.Error(), "colour") {
		t.Errorf("rgb() accepted: %v", err)
	}
}
