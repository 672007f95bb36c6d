package web

import (
	"strings"
	"testing"

	"github.com/frontdesk/frontdesk/internal/brand"
)

// /brand.css names the logo for the chat widget only when there is one,
// as a path on this origin with the brand's version; the colours are set
// only with a brand colour.
func TestBrandCSSNamesTheLogo(t *testing.T) {
	if css := BrandCSS(brand.Brand{}); strings.Contains(css, "--fd-logo") || strings.Contains(css, "--accent") {
		t.Errorf("the default brand sets something:\n%s", css)
	}
	logo := &brand.Image{Type: "image/png", SHA256: strings.Repeat("ab", 32), Width: 240, Height: 60}
	css := BrandCSS(brand.Brand{Logo: logo, Version: "0a1b2c3d4e5f"})
	if !strings.Contains(css, `:host { --fd-logo: "/brand/logo?v=0a1b2c3d4e5f"; }`) || strings.Contains(css, "--accent") {
		t.Errorf("a logo without a colour:\n%s", css)
	}
	css = BrandCSS(brand.Brand{Colour: "#14532d", Logo: logo, Version: "0a1b2c3d4e5f"})
	if !strings.Contains(css, "--fd-logo") || !strings.Contains(css, "--fd-brand: #14532d") {
		t.Errorf("a logo and a colour:\n%s", css)
	}
}
