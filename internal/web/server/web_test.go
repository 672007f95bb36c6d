package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/frontdesk/frontdesk/internal/web"
	"github.com/prometheus/client_golang/prometheus"
)

func newTestServer(t *testing.T, opts Options) (*Server, *bytes.Buffer) {
	t.Helper()
	var logs bytes.Buffer
	if opts.Logger == nil {
		opts.Logger = slog.New(web.LogHandler(slog.NewJSONHandler(&logs, nil)))
	}
	if opts.Ready == nil {
		opts.Ready = func(context.Context) error { return nil }
	}
	if opts.BaseURL == nil {
		opts.BaseURL, _ = url.Parse("http://example.test")
	}
	s, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return s, &logs
}

func do(s http.Handler, r *http.Request) *httptest.ResponseRecorder {
	if r.RemoteAddr == "192.0.2.1:1234" { // httptest's default
		r.RemoteAddr = "127.0.0.1:5555"
	}
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	return w
}

// ASVS 8.2.1: deny by default — every route names a permission or Public.
func TestEveryRouteNamesAPermission(t *testing.T) {
	s, _ := newTestServer(t, everyService())
	seen := map[string]bool{}
	for _, rt := range s.Routes() {
		if rt.Permission == "" {
			t.Errorf("route %q names neither a permission nor %q", rt.Pattern, web.Public)
		}
		if rt.Tree != web.Browser && rt.Tree != web.API && rt.Tree != web.Ops && rt.Tree != web.Protocol {
			t.Errorf("route %q has no tree", rt.Pattern)
		}
		if rt.Tree == web.Protocol && !strings.Contains(rt.Pattern, " /oauth/") && !strings.Contains(rt.Pattern, " /.well-known/") {
			t.Errorf("protocol route %q is outside /oauth/ and /.well-known/", rt.Pattern)
		}
		if rt.Tree == web.API && !strings.Contains(rt.Pattern, "/api/") {
			t.Errorf("API route %q is outside /api/", rt.Pattern)
		}
		if rt.Tree == web.Browser && strings.Contains(rt.Pattern, "/api/") {
			t.Errorf("browser route %q is inside /api/", rt.Pattern)
		}
		if seen[rt.Pattern] {
			t.Errorf("route %q listed twice", rt.Pattern)
		}
		seen[rt.Pattern] = true
	}
}

func TestNonPublicRouteDeniedWithoutAuthorizer(t *testing.T) {
	s, _ := newTestServer(t, Options{})
	h := s.base(s.wrap(web.JSON("GET /secret", "audit:read", func(w http.ResponseWriter, r *http.Request) error {
		t.Fatal("handler ran without authorization")
		return nil
	})))
	w := do(h, httptest.NewRequest("GET", "/secret", nil))
	if w.Code != http.StatusUnauthorized {
		t.Fatalf("status %d, want 401", w.Code)
	}
}

// An area's routes are mounted only with the services they need: without
// them the address answers the friendly 404, as a page or as JSON.
func TestRoutesNeedTheirServices(t *testing.T) {
	bare, _ := newTestServer(t, Options{})
	full, _ := newTestServer(t, everyService())
	if len(bare.Routes()) >= len(full.Routes()) {
		t.Fatalf("%d routes without services, %d with every service", len(bare.Routes()), len(full.Routes()))
	}
	for _, path := range []string{"/help", "/console", "/console/kb", "/help/guides", "/api/v1/account/mfa"} {
		if w := do(bare, httptest.NewRequest("GET", path, nil)); w.Code != http.StatusNotFound {
			t.Errorf("%s without its service: %d, want 404", path, w.Code)
		}
	}
}

// ASVS 3.4.3–3.4.6: security headers on every response.
func TestSecurityHeaders(t *testing.T) {
	s, _ := newTestServer(t, Options{TLS: true})
	for _, path := range []string{"/", "/contact", "/nowhere", "/api/v1/nowhere", "/healthz", "/static/app.css"} {
		w := do(s, httptest.NewRequest("GET", path, nil))
		h := w.Header()
		if h.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: nosniff missing", path)
		}
		if h.Get("Referrer-Policy") == "" {
			t.Errorf("%s: Referrer-Policy missing", path)
		}
		csp := h.Get("Content-Security-Policy")
		if !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "base-uri 'none'") {
			t.Errorf("%s: CSP %q lacks frame-ancestors/base-uri", path, csp)
		}
		if !strings.HasPrefix(h.Get("Strict-Transport-Security"), "max-age=63072000") {
			t.Errorf("%s: HSTS missing over TLS", path)
		}
		if h.Get("X-Request-Id") == "" {
			t.Errorf("%s: X-Request-Id missing", path)
		}
	}
	w := do(s, httptest.NewRequest("GET", "/", nil))
	csp := w.Header().Get("Content-Security-Policy")
	m := regexp.MustCompile(`'nonce-([A-Za-z0-9_-]+)'`).FindStringSubmatch(csp)
	if m == nil || !strings.Contains(csp, "object-src 'none'") {
		t.Fatalf("page CSP %q lacks a nonce or object-src 'none'", csp)
	}
	w2 := do(s, httptest.NewRequest("GET", "/", nil))
	if strings.Contains(w2.Header().Get("Content-Security-Policy"), m[1]) {
		t.Fatal("the CSP nonce repeats across requests")
	}
	plain, _ := newTestServer(t, Options{})
	if do(plain, httptest.NewRequest("GET", "/", nil)).Header().Get("Strict-Transport-Security") != "" {
		t.Fatal("HSTS sent without TLS")
	}
}

// ASVS 3.5.1–3.5.3: a cross-site form POST to the browser tree gets 403.
func TestCrossSiteFormRefused(t *testing.T) {
	s, logs := newTestServer(t, Options{})
	r := httptest.NewRequest("POST", "/contact", strings.NewReader("a=b"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Sec-Fetch-Site", "cross-site")
	r.Header.Set("Origin", "https://evil.example")
	w := do(s, r)
	if w.Code != http.StatusForbidden {
		t.Fatalf("status %d, want 403", w.Code)
	}
	if !strings.Contains(logs.String(), `"security_event":"csrf"`) { // ASVS 16.3.3
		t.Fatal("CSRF refusal not logged as a security event")
	}
	same := httptest.NewRequest("POST", "/contact", strings.NewReader("a=b"))
	same.Header.Set("Sec-Fetch-Site", "same-origin")
	if w := do(s, same); w.Code == http.StatusForbidden {
		t.Fatal("same-origin POST refused")
	}
}

func TestAPIIsJSONOnly(t *testing.T) {
	s, _ := newTestServer(t, Options{})
	r := httptest.NewRequest("POST", "/api/v1/anything", strings.NewReader("email=a"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := do(s, r)
	if w.Code != http.StatusUnsupportedMediaType {
		t.Fatalf("form body: status %d, want 415", w.Code)
	}
	var body struct {
		Error struct {
			Code      string `json:"code"`
			Message   string `json:"message"`
			RequestID string `json:"request_id"`
		}
	}
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || body.Error.Code != "unsupported_media_type" || body.Error.RequestID == "" {
		t.Fatalf("error body %q", w.Body.String())
	}
	if w.Header().Get("Cache-Control") != "no-store" {
		t.Fatal("API response cacheable (ASVS 14.2.2)")
	}
	w = do(s, httptest.NewRequest("GET", "/api/v1/anything", nil))
	if w.Code != 404 || !strings.Contains(w.Body.String(), `"code":"not_found"`) {
		t.Fatalf("unknown API path: %d %s", w.Code, w.Body.String())
	}
}

// ASVS 16.5.1: an unexpected error or panic returns a generic body with a
// reference; the detail goes to the log only.
func TestInternalErrorsLeakNothing(t *testing.T) {
	s, logs := newTestServer(t, Options{})
	secret := "pq: password authentication failed for user frontdesk at /srv/app/db.go:42"
	for _, tree := range []web.Tree{web.Browser, web.API} {
		h := s.base(s.wrap(web.Route{Pattern: "GET /boom", Tree: tree, Permission: web.Public, Handler: func(w http.ResponseWriter, r *http.Request) error {
			return errors.New(secret)
		}}))
		w := do(h, httptest.NewRequest("GET", "/boom", nil))
		if w.Code != 500 || strings.Contains(w.Body.String(), "authentication failed") || strings.Contains(w.Body.String(), "db.go") {
			t.Fatalf("tree %d: %d %s", tree, w.Code, w.Body.String())
		}
		id := w.Header().Get("X-Request-Id")
		if !strings.Contains(w.Body.String(), id) {
			t.Fatalf("tree %d: body lacks the request id %s", tree, id)
		}
		if tree == web.Browser && !strings.Contains(w.Body.String(), `href="/contact?ref=`+id) {
			t.Fatal("error page lacks the contact-support link")
		}
	}
	h := s.base(s.wrap(web.Route{Pattern: "GET /panic", Tree: web.API, Permission: web.Public, Handler: func(w http.ResponseWriter, r *http.Request) error {
		panic("secret " + secret)
	}}))
	w := do(h, httptest.NewRequest("GET", "/panic", nil))
	if w.Code != 500 || strings.Contains(w.Body.String(), "secret") || strings.Contains(w.Body.String(), "goroutine") {
		t.Fatalf("panic: %d %s", w.Code, w.Body.String())
	}
	if !strings.Contains(logs.String(), "db.go:42") {
		t.Fatal("the full error is not in the log")
	}
}

func TestFriendlyNotFoundPage(t *testing.T) {
	s, _ := newTestServer(t, Options{})
	r := httptest.NewRequest("GET", "/no/such/page", nil)
	r.Header.Set("Accept-Language", "vi-VN,vi;q=0.9")
	w := do(s, r)
	if w.Code != 404 || !strings.Contains(w.Body.String(), "Không tìm thấy trang") || !strings.Contains(w.Body.String(), `lang="vi"`) {
		t.Fatalf("404 page: %d %s", w.Code, w.Body.String())
	}
}

func TestLanguages(t *testing.T) {
	s, _ := newTestServer(t, Options{OrgName: "Acme Bank"})
	cases := []struct{ accept, query, want string }{
		{"zh-CN,zh;q=0.9", "", "欢迎使用 Acme Bank 客户服务"},
		{"vi", "", "Chào mừng bạn đến với dịch vụ khách hàng Acme Bank"},
		{"fr-FR", "", "Welcome to Acme Bank customer service"},
		{"en", "zh", "欢迎使用"},
	}
	for _, c := range cases {
		r := httptest.NewRequest("GET", "/?lang="+c.query, nil)
		r.Header.Set("Accept-Language", c.accept)
		w := do(s, r)
		if !strings.Contains(w.Body.String(), c.want) {
			t.Errorf("Accept-Language %q lang=%q: page lacks %q", c.accept, c.query, c.want)
		}
	}
}

func TestReadyz(t *testing.T) {
	var ready error = errors.New("schema outdated: at 1, need 2")
	s, logs := newTestServer(t, Options{Ready: func(context.Context) error { return ready }})
	w := do(s, httptest.NewRequest("GET", "/readyz", nil))
	if w.Code != 503 || strings.Contains(w.Body.String(), "schema") {
		t.Fatalf("not ready: %d %s", w.Code, w.Body.String())
	}
	if !strings.Contains(logs.String(), "schema outdated") {
		t.Fatal("the reason is not logged")
	}
	ready = nil
	if w := do(s, httptest.NewRequest("GET", "/readyz", nil)); w.Code != 200 {
		t.Fatalf("ready: %d", w.Code)
	}
	if w := do(s, httptest.NewRequest("GET", "/healthz", nil)); w.Code != 200 {
		t.Fatalf("healthz: %d", w.Code)
	}
}

// ASVS 13.4.5: /metrics is not public.
func TestMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	s, _ := newTestServer(t, Options{Registry: reg})
	do(s, httptest.NewRequest("GET", "/contact", nil))
	w := do(s, httptest.NewRequest("GET", "/metrics", nil))
	body := w.Body.String()
	if w.Code != 200 || !strings.Contains(body, `frontdesk_http_requests_total{code="200",method="GET",route="GET /contact"} 1`) ||
		!strings.Contains(body, `frontdesk_http_request_duration_seconds_bucket{method="GET",route="GET /contact"`) {
		t.Fatalf("metrics: %d\n%s", w.Code, body)
	}
	remote := httptest.NewRequest("GET", "/metrics", nil)
	remote.RemoteAddr = "203.0.113.9:4000"
	remote.Header.Set("X-Forwarded-For", "127.0.0.1")
	if w := do(s, remote); w.Code != 403 {
		t.Fatalf("remote peer: %d, want 403", w.Code)
	}
	tok, _ := newTestServer(t, Options{MetricsToken: "m3trics"})
	if w := do(tok, httptest.NewRequest("GET", "/metrics", nil)); w.Code != 401 {
		t.Fatalf("no token: %d, want 401", w.Code)
	}
	r := httptest.NewRequest("GET", "/metrics", nil)
	r.Header.Set("Authorization", "Bearer m3trics")
	if w := do(tok, r); w.Code != 200 {
		t.Fatalf("with token: %d", w.Code)
	}
}

// ASVS 4.1.3: X-Forwarded-For counts only from a trusted proxy.
func TestClientIP(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	cases := []struct{ remote, xff, want string }{
		{"203.0.113.5:1", "198.51.100.1", "203.0.113.5"},
		{"10.1.2.3:1", "198.51.100.1", "198.51.100.1"},
		{"10.1.2.3:1", "1.2.3.4, 198.51.100.1, 10.9.9.9", "198.51.100.1"},
		{"10.1.2.3:1", "garbage", "10.1.2.3"},
		{"[::ffff:203.0.113.5]:1", "", "203.0.113.5"},
	}
	for _, c := range cases {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = c.remote
		if c.xff != "" {
			r.Header.Set("X-Forwarded-For", c.xff)
		}
		if got := clientIP(r, trusted); got != c.want {
			t.Errorf("remote %s xff %q: %s, want %s", c.remote, c.xff, got, c.want)
		}
	}
}

// ASVS 16.4.1 and 14.2.1: one JSON line per request with its id; no query
// string (which may hold a token) and log injection escaped.
func TestRequestLog(t *testing.T) {
	s, logs := newTestServer(t, Options{})
	r := httptest.NewRequest("GET", "/contact?ref=abc&token=SECRET123", nil)
	r.Header.Set("User-Agent", "evil\n{\"level\":\"ERROR\"}")
	w := do(s, r)
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 1 {
		t.Fatalf("want one log line, got %d:\n%s", len(lines), logs.String())
	}
	var rec map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &rec); err != nil {
		t.Fatal(err)
	}
	if rec["request_id"] != w.Header().Get("X-Request-Id") || rec["route"] != "GET /contact" || rec["status"] != float64(200) {
		t.Fatalf("log record %v", rec)
	}
	if strings.Contains(logs.String(), "SECRET123") {
		t.Fatal("query string logged")
	}
}

func TestDecodeJSON(t *testing.T) {
	type in struct {
		Email string `json:"email"`
	}
	cases := []struct {
		body string
		code string
	}{
		{``, "invalid_json"},
		{`{"email":1}`, "invalid_json"},
		{`{"email":"a","role":"admin"}`, "invalid_json"}, // ASVS 15.3.3 mass assignment
		{`{"email":"a"} {}`, "invalid_json"},
		{`{"email":"a"}`, ""},
	}
	for _, c := range cases {
		r := httptest.NewRequest("POST", "/", strings.NewReader(c.body))
		var v in
		err := web.DecodeJSON(r, &v)
		var e *web.Error
		switch {
		case c.code == "" && err != nil:
			t.Errorf("%q: %v", c.body, err)
		case c.code != "" && (!errors.As(err, &e) || e.Code != c.code || e.Status != 400):
			t.Errorf("%q: %v, want %s", c.body, err, c.code)
		}
	}
	big := httptest.NewRequest("POST", "/", io.MultiReader(strings.NewReader(`{"email":"`), strings.NewReader(strings.Repeat("a", 2<<20)), strings.NewReader(`"}`)))
	big.Body = http.MaxBytesReader(httptest.NewRecorder(), big.Body, 1<<20)
	var v in
	if err := web.DecodeJSON(big, &v); !errors.Is(err, web.ErrBodyTooLarge) {
		t.Fatalf("oversized body: %v", err)
	}
}
