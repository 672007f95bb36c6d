package brand

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"image"
	_ "image/jpeg" // decoders for image.Decode
	_ "image/png"
	"net/http"
	"strings"

	_ "golang.org/x/image/webp"
)

// Images: the logo (PNG, JPEG or WebP) and the favicon (PNG). The type is
// read from the bytes, never from the file name or the browser's word, and
// the whole image is decoded before it is stored, so that a file that only
// looks like an image is refused. SVG is refused outright: it is a document
// that can carry scripts, links and external references, and sanitising
// it is a parser of its own to keep safe (docs/console.md, "Branding").
// Stored images are served with their sniffed type, nosniff and a CSP that
// allows nothing.

// Kinds of image.
const (
	Logo    = "logo"
	Favicon = "favicon"
)

// Limits of each kind.
type limits struct {
	types    []string
	maxBytes int
	min, max int // pixels, each side
	square   bool
}

var imageLimits = map[string]limits{
	Logo:    {types: []string{"image/png", "image/jpeg", "image/webp"}, maxBytes: 256 << 10, min: 16, max: 2048},
	Favicon: {types: []string{"image/png"}, maxBytes: 64 << 10, min: 16, max: 512, square: true},
}

// MaxImageBytes is the largest image of any kind, for the upload's limit.
const MaxImageBytes = 256 << 10

// Image is a stored image's description (the bytes are read apart).
type Image struct {
	Type          string
	SHA256        string
	Width, Height int
	Size          int
}

// checkImage sniffs, decodes and measures an upload of kind.
func checkImage(kind string, body []byte) (Image, error) {
	lim := imageLimits[kind]
	if len(body) == 0 {
		return Image{}, &Error{Field: kind, Code: "empty"}
	}
	if len(body) > lim.maxBytes {
		return Image{}, &Error{Field: kind, Code: "too_big", Limit: lim.maxBytes >> 10}
	}
	head := body[:min(len(body), 1024)]
	if isSVG(head) {
		return Image{}, &Error{Field: kind, Code: "svg"}
	}
	ctype := http.DetectContentType(head)
	ok := false
	for _, t := range lim.types {
		ok = ok || t == ctype
	}
	if !ok {
		return Image{}, &Error{Field: kind, Code: "type_" + kind}
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(body))
	if err != nil {
		return Image{}, &Error{Field: kind, Code: "unreadable"}
	}
	if cfg.Width < lim.min || cfg.Height < lim.min || cfg.Width > lim.max || cfg.Height > lim.max {
		return Image{}, &Error{Field: kind, Code: "dimensions", Min: lim.min, Max: lim.max}
	}
	if lim.square && cfg.Width != cfg.Height {
		return Image{}, &Error{Field: kind, Code: "square"}
	}
	// The whole image, now that its size is known to be bounded.
	if _, _, err := image.Decode(bytes.NewReader(body)); err != nil {
		return Image{}, &Error{Field: kind, Code: "unreadable"}
	}
	sum := sha256.Sum256(body)
	return Image{Type: ctype, SHA256: hex.EncodeToString(sum[:]), Width: cfg.Width, Height: cfg.Height, Size: len(body)}, nil
}

// isSVG recognises an SVG document (or any XML, which a browser might
// treat as one) at the start of a file.
func isSVG(head []byte) bool {
	s := strings.ToLower(strings.TrimLeft(string(head), "\ufeff \t\r\n"))
	return strings.HasPrefix(s, "<?xml") || strings.HasPrefix(s, "<svg") || strings.HasPrefix(s, "<!doctype svg") ||
		strings.Contains(s, "<svg")
}
