package portal

import (
	"net/url"
	"strings"
)

// defaultNext is where a sign-in or step-up goes when it was given no
// usable destination.
const defaultNext = "/account/security"

// safeNext keeps a post-sign-in destination on this site (ASVS 3.7.2): it
// returns next when a browser would read it as a path on this origin, and
// defaultNext otherwise.
func safeNext(next string) string {
	if !localPath(next) {
		return defaultNext
	}
	return next
}

// localPath reports whether p is an absolute path on this origin, with no
// scheme and no host, as a browser reads it. Browsers remove TAB, CR and
// LF anywhere in a URL, trim leading spaces and control characters, and
// treat a backslash as a slash, so "/\t/evil.example" and "/\evil.example"
// both leave the site. Rather than guess what each browser makes of such
// bytes, a value containing any of them is refused outright; no link this
// site builds contains them. The percent-decoded path is checked as well,
// so that a later decode ("/%2F%2Fevil.example") cannot turn it into a
// host either.
func localPath(p string) bool {
	if p == "" || len(p) > 2048 || !strings.HasPrefix(p, "/") || unsafeInURL(p) {
		return false
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return false
	}
	return strings.HasPrefix(u.Path, "/") && !strings.HasPrefix(u.Path, "//") && !unsafeInURL(u.Path)
}

// unsafeInURL reports whether s holds a byte that browsers drop or
// reinterpret in a URL: a control character, a space or a backslash.
func unsafeInURL(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool {
		return r <= ' ' || r == 0x7f || r == '\\' || r == '\u00a0'
	})
}
