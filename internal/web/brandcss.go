package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/frontdesk/frontdesk/internal/brand"
)

// BrandCSS is /brand.css: the brand colour's shades as the CSS custom
// properties that app.css (the pages, :root) and widget.css (the chat
// widget's shadow root, :host) read, each with today's colour as its
// fallback. Without a brand colour it sets nothing. A stylesheet from the
// portal's origin is allowed by the pages' CSP (style-src 'self') and by a
// host page that allows the widget's own stylesheet; no inline style is
// needed anywhere. With a logo it also names the logo's address for the
// widget (--fd-logo on :host).
func BrandCSS(b brand.Brand) string {
	var sb strings.Builder
	sb.WriteString("/* Frontdesk brand: set in the console (Settings > Branding). */\n")
	if b.Logo != nil {
		// The chat widget's header shows the logo (widget.js reads the
		// address from its host element): a path on this origin, with the
		// version, never anything a visitor sent.
		fmt.Fprintf(&sb, ":host { --fd-logo: \"/brand/logo?v=%s\"; }\n", b.Version)
	}
	p, ok := b.Palette()
	if !ok {
		return sb.String()
	}
	fmt.Fprintf(&sb, ":root { --accent: %s; --focus: %s; --accent-soft: %s; }\n", p.Accent, p.Accent, p.Soft)
	// The header carries the colour as a band along its top.
	sb.WriteString(".top { box-shadow: inset 0 4px 0 var(--accent); }\n")
	fmt.Fprintf(&sb, "@media (prefers-color-scheme: dark) { :root { --accent: %s; --focus: %s; --accent-soft: %s; } }\n", p.DarkAccent, p.DarkAccent, p.DarkSoft)
	fmt.Fprintf(&sb, ":host { --fd-brand: %s; --fd-brand-hover: %s; --fd-brand-soft: %s; }\n", p.Accent, p.Hover, p.Soft)
	return sb.String()
}

// ServeBrandCSS answers /brand.css. Asked for with the brand's version
// (?v=, as the pages link it) the answer is cached for good; without it
// (the widget on another site) the browser checks it again each time.
func ServeBrandCSS(w http.ResponseWriter, r *http.Request, b brand.Brand) {
	h := w.Header()
	h.Set("Content-Type", "text/css; charset=utf-8")
	h.Set("ETag", `"`+b.Version+`"`)
	if v := r.URL.Query().Get("v"); v != "" && v == b.Version {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	if r.Header.Get("If-None-Match") == `"`+b.Version+`"` {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Write([]byte(BrandCSS(b)))
}
