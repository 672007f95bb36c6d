package brand

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// The brand colour is the colour of buttons, links, the focus ring, the
// current marker and the chat widget's launcher and header. Those carry
// white text, or stand as text on the page's light background, so a
// colour is accepted only when white text on it reaches WCAG AA for body
// text (4.5:1) and it reaches 4.5:1 on the page background too. A colour
// that fails is refused, and the refusal names the nearest darker shade of
// the same hue that passes, for the administrator to take or not
// (docs/console.md, "Branding"): silently changing the colour they chose
// would surprise them. The other shades (hover, the soft background of a
// current item, the light shade on a dark screen) are derived from it.

// MinContrast is WCAG 2.1 AA for body text.
const MinContrast = 4.5

// pageBackground is app.css's --bg in the light scheme; white is --card.
var (
	white          = rgb{255, 255, 255}
	pageBackground = rgb{0xf6, 0xf7, 0xf9}
	darkBackground = rgb{0x14, 0x18, 0x20} // --bg, dark scheme
	darkCard       = rgb{0x1b, 0x20, 0x29} // --card, dark scheme
	darkInk        = rgb{0x0b, 0x12, 0x20} // --accent-ink, dark scheme
)

type rgb struct{ r, g, b uint8 }

func (c rgb) String() string { return fmt.Sprintf("#%02x%02x%02x", c.r, c.g, c.b) }

// ParseColour reads "#1f5fbf" or "#15b" (any case, spaces around allowed)
// and returns it as "#rrggbb" in lower case.
func ParseColour(s string) (string, error) {
	c, err := parseRGB(s)
	if err != nil {
		return "", err
	}
	return c.String(), nil
}

func parseRGB(s string) (rgb, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if !strings.HasPrefix(s, "#") || (len(s) != 4 && len(s) != 7) {
		return rgb{}, errBadColour
	}
	h := s[1:]
	if len(h) == 3 {
		h = string([]byte{h[0], h[0], h[1], h[1], h[2], h[2]})
	}
	n, err := strconv.ParseUint(h, 16, 32)
	if err != nil {
		return rgb{}, errBadColour
	}
	return rgb{uint8(n >> 16), uint8(n >> 8), uint8(n)}, nil
}

// luminance is WCAG 2.1's relative luminance.
func (c rgb) luminance() float64 {
	ch := func(v uint8) float64 {
		x := float64(v) / 255
		if x <= 0.04045 {
			return x / 12.92
		}
		return math.Pow((x+0.055)/1.055, 2.4)
	}
	return 0.2126*ch(c.r) + 0.7152*ch(c.g) + 0.0722*ch(c.b)
}

// Contrast is WCAG 2.1's contrast ratio of two colours, 1 to 21.
func contrast(a, b rgb) float64 {
	la, lb := a.luminance(), b.luminance()
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// Contrast returns the contrast ratio of two "#rrggbb" colours.
func Contrast(a, b string) (float64, error) {
	ca, err := parseRGB(a)
	if err != nil {
		return 0, err
	}
	cb, err := parseRGB(b)
	if err != nil {
		return 0, err
	}
	return contrast(ca, cb), nil
}

// legible is the colour's lowest contrast where it is used on a light
// screen: under white text, and as text on the page background.
func legible(c rgb) float64 { return math.Min(contrast(c, white), contrast(c, pageBackground)) }

// mix returns c moved towards to by t (0: c, 1: to).
func mix(c, to rgb, t float64) rgb {
	m := func(a, b uint8) uint8 { return uint8(math.Round(float64(a) + (float64(b)-float64(a))*t)) }
	return rgb{m(c.r, to.r), m(c.g, to.g), m(c.b, to.b)}
}

// darker returns the lightest shade of c towards black that is legible.
func darker(c rgb) rgb {
	for t := 0.0; t <= 1; t += 0.01 {
		if d := mix(c, rgb{}, t); legible(d) >= MinContrast {
			return d
		}
	}
	return rgb{}
}

// Palette is a brand colour with the shades derived from it, as the
// stylesheets use them.
type Palette struct {
	Accent, Hover, Soft string // light scheme: buttons and links, hover, current item's background
	// Dark scheme: a light shade legible on the dark background (dark text on it), and a soft one.
	DarkAccent, DarkSoft string
}

// NewPalette derives the shades of an accepted colour.
func NewPalette(colour string) (Palette, error) {
	c, err := parseRGB(colour)
	if err != nil {
		return Palette{}, err
	}
	light := c
	for t := 0.0; t <= 1; t += 0.01 {
		light = mix(c, white, t)
		if contrast(light, darkBackground) >= MinContrast && contrast(light, darkCard) >= MinContrast && contrast(light, darkInk) >= MinContrast {
			break
		}
	}
	return Palette{Accent: c.String(), Hover: mix(c, rgb{}, 0.15).String(), Soft: mix(c, white, 0.88).String(),
		DarkAccent: light.String(), DarkSoft: mix(c, darkBackground, 0.75).String()}, nil
}
