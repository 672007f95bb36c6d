package web

import (
	"net/http"
	"net/netip"
	"strings"
	"time"
)

// Cookies: "__Host-" binds the cookie to this exact host, path "/"
// and Secure (NIST 800-63B session cookies). A base URL on plain HTTP that
// is not loopback cannot use Secure cookies; the server then falls back to
// plain names and warns at start.
type Cookies struct {
	Session, Device, MFA, Remember string
	Secure                         bool
}

func NewCookies(base string, tls bool) Cookies {
	secure := tls || strings.HasPrefix(base, "https://") || IsLoopbackURL(base)
	if secure {
		return Cookies{Session: "__Host-fd_session", Device: "__Host-fd_device", MFA: "__Host-fd_mfa", Remember: "__Host-fd_remember", Secure: true}
	}
	return Cookies{Session: "fd_session", Device: "fd_device", MFA: "fd_mfa", Remember: "fd_remember"}
}

func IsLoopbackURL(u string) bool {
	host := strings.TrimPrefix(strings.TrimPrefix(u, "http://"), "https://")
	host, _, _ = strings.Cut(host, "/")
	if h, _, ok := strings.Cut(host, ":"); ok && !strings.HasPrefix(host, "[") {
		host = h
	}
	host = strings.Trim(strings.TrimSuffix(host, "]"), "[")
	if i := strings.LastIndex(host, "]:"); i > 0 {
		host = host[:i]
	}
	if host == "localhost" {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.IsLoopback()
}

// setSessionCookie stores a new session token in the browser. The cookie
// lives as long as the session's absolute limit; the server enforces the
// limits anyway (ASVS 7.2.1).
func (s *Kit) SetSessionCookie(w http.ResponseWriter, token string, expires time.Time) {
	http.SetCookie(w, &http.Cookie{Name: s.Cookies.Session, Value: token, Path: "/", Expires: expires,
		HttpOnly: true, Secure: s.Cookies.Secure, SameSite: http.SameSiteLaxMode})
}

func (s *Kit) ClearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: s.Cookies.Session, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.Cookies.Secure, SameSite: http.SameSiteLaxMode})
}

// deviceID returns the browser's device cookie, setting a new one when
// missing; "new sign-in" alerts compare it with the devices seen before.
func (s *Kit) DeviceID(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(s.Cookies.Device); err == nil && len(c.Value) >= 16 && len(c.Value) <= 64 {
		return c.Value
	}
	id := NewID(24)
	http.SetCookie(w, &http.Cookie{Name: s.Cookies.Device, Value: id, Path: "/", MaxAge: 400 * 24 * 3600,
		HttpOnly: true, Secure: s.Cookies.Secure, SameSite: http.SameSiteLaxMode})
	return id
}

// setCookie writes one of the portal's HttpOnly cookies.
func (s *Kit) SetCookie(w http.ResponseWriter, name, value string, maxAge int, strict bool) {
	same := http.SameSiteLaxMode
	if strict {
		same = http.SameSiteStrictMode
	}
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true, Secure: s.Cookies.Secure, SameSite: same})
}

func CookieValue(r *http.Request, name string) string {
	if c, err := r.Cookie(name); err == nil {
		return c.Value
	}
	return ""
}
