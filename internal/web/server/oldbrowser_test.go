package server

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/frontdesk/frontdesk/internal/web"
)

// A browser too old for the portal's security features is told so on
// every page, instead of failing silently.
func TestOldBrowserNotice(t *testing.T) {
	for ua, old := range map[string]bool{
		"Mozilla/5.0 (Windows NT 6.1; Trident/7.0; rv:11.0) like Gecko":                                                       true,
		"Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/70.0.3538.77 Safari/537.36":              true,
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_13) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/12.1 Safari/605.1.15": true,
		"Mozilla/5.0 (X11; Linux x86_64; rv:68.0) Gecko/20100101 Firefox/68.0":                                                true,
		"Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36":                 false,
		"Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0":                                              false,
		"curl/8.5.0": false,
	} {
		if got := web.OldBrowser(ua); got != old {
			t.Errorf("%q: old=%v, want %v", ua, got, old)
		}
	}
	s, _ := newTestServer(t, Options{})
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("User-Agent", "Mozilla/5.0 (compatible; MSIE 10.0; Windows NT 6.1; Trident/6.0)")
	w := do(s, r)
	if !strings.Contains(w.Body.String(), `id="old-browser" class="banner" role="alert">`) {
		t.Fatal("old browser not warned")
	}
	r.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0")
	if w := do(s, r); !strings.Contains(w.Body.String(), `id="old-browser" class="banner" role="alert" hidden>`) {
		t.Fatal("banner shown to a current browser")
	}
}
