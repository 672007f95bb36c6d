package identity_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/frontdesk/frontdesk/internal/identity"
)

func TestNormalizeEmail(t *testing.T) {
	for in, want := range map[string]string{
		"  Lan@Example.COM ":     "Lan@example.com",
		"a.b+tag@sub.example.vn": "a.b+tag@sub.example.vn",
	} {
		got, err := identity.NormalizeEmail(in)
		if err != nil || got != want {
			t.Errorf("%q → %q, %v; want %q", in, got, err, want)
		}
	}
	// ASVS 2.2.1: anything else is refused with a field error.
	for _, in := range []string{"", "plain", "@example.com", "a@", "a@b", "a b@example.com", "Lan <lan@example.com>",
		"a@example..com", "a@-example.com", "lan@ví-dụ.vn", "a\r\nBcc: x@y.z@example.com", strings.Repeat("a", 65) + "@example.com",
		"a@" + strings.Repeat("b", 250) + ".com"} {
		if got, err := identity.NormalizeEmail(in); err == nil {
			t.Errorf("%q accepted as %q", in, got)
		}
	}
}

func TestNormalizePhone(t *testing.T) {
	if got, err := identity.NormalizePhone("+84 (912) 345-678"); err != nil || got != "+84912345678" {
		t.Fatalf("%q %v", got, err)
	}
	for _, in := range []string{"0912345678", "+0912345678", "+84 912 abc", "+1234567890123456", "+84+912345678"} {
		if _, err := identity.NormalizePhone(in); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
}

func TestDeviceName(t *testing.T) {
	for ua, want := range map[string]string{
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36 Edg/131.0": "Edge on Windows",
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15":    "Safari on macOS",
		"Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36":              "Chrome on Android",
		"curl/8.5.0": "curl",
		"":           "Unknown device",
	} {
		if got := identity.DeviceName(ua); got != want {
			t.Errorf("%q → %q, want %q", ua, got, want)
		}
	}
}

// Fuzz: normalisation never panics, and what it accepts is valid UTF-8,
// trimmed, ASCII, stable under a second pass, and free of header breakers.
func FuzzNormalizeEmail(f *testing.F) {
	for _, s := range []string{"Lan@Example.COM", " a@b.c ", "a@b", "\x00@x.y", "é@x.vn", "a@b..c", "\"a\"@b.c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := identity.NormalizeEmail(s)
		if err != nil {
			return
		}
		if !utf8.ValidString(got) || strings.TrimSpace(got) != got || strings.ContainsAny(got, "\r\n<>\",;") {
			t.Fatalf("%q → %q", s, got)
		}
		again, err := identity.NormalizeEmail(got)
		if err != nil || again != got {
			t.Fatalf("not stable: %q → %q → %q %v", s, got, again, err)
		}
	})
}
