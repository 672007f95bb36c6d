package server

import (
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

// ASVS 13.4.5: without a metrics token, /metrics answers only a loopback
// peer that came straight in. A reverse proxy on this host is a loopback
// peer too; whatever it forwards is refused, whichever header it uses.
func TestMetricsRefusesForwardedRequests(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("10.0.0.0/8")}
	s, _ := newTestServer(t, Options{Registry: prometheus.NewRegistry(), TrustedProxies: trusted})
	if w := do(s, httptest.NewRequest("GET", "/metrics", nil)); w.Code != 200 {
		t.Fatalf("direct loopback request: %d, want 200", w.Code)
	}
	for _, h := range [][2]string{
		{"X-Forwarded-For", "203.0.113.9"},
		{"X-Forwarded-For", "127.0.0.1"},
		{"Forwarded", "for=203.0.113.9;proto=https"},
		{"X-Real-IP", "203.0.113.9"},
		{"X-Forwarded-Host", "frontdesk.example"},
		{"X-Forwarded-Proto", "https"},
		{"Via", "1.1 proxy"},
	} {
		r := httptest.NewRequest("GET", "/metrics", nil)
		r.Header.Set(h[0], h[1])
		if w := do(s, r); w.Code != 403 {
			t.Errorf("loopback proxy forwarding with %s: %d, want 403", h[0], w.Code)
		}
	}
	remote := httptest.NewRequest("GET", "/metrics", nil)
	remote.RemoteAddr = "10.1.2.3:4000" // a trusted proxy elsewhere
	if w := do(s, remote); w.Code != 403 {
		t.Fatalf("trusted proxy, no headers: %d, want 403", w.Code)
	}

	// With a token, the token decides, through a proxy or not.
	tok, _ := newTestServer(t, Options{Registry: prometheus.NewRegistry(), TrustedProxies: trusted, MetricsToken: "m3trics"})
	r := httptest.NewRequest("GET", "/metrics", nil)
	r.RemoteAddr = "10.1.2.3:4000"
	r.Header.Set("X-Forwarded-For", "203.0.113.9")
	r.Header.Set("Authorization", "Bearer m3trics")
	if w := do(tok, r); w.Code != 200 {
		t.Fatalf("forwarded with the token: %d, want 200", w.Code)
	}
	r.Header.Del("Authorization")
	if w := do(tok, r); w.Code != 401 {
		t.Fatalf("forwarded without the token: %d, want 401", w.Code)
	}
}
