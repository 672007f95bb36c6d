package e2e

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// The page check finds what it is for, on a page whose CSP allows no
// script at all: a box wider than a phone, a raw key, an image without
// text and a field without a label.
func TestPageCheckFindsProblems(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'none'; script-src 'none'; style-src 'unsafe-inline'")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(`<!doctype html><html lang="en"><head><title>Bad page</title></head><body><main>
<h1>verify.title</h1><p>verify.titles is not a key; neither is x.verify.title</p>
<div style="width:600px">wide</div><img src="/x.png"><input type="text">
</main></body></html>`))
	}))
	defer srv.Close()
	ctx := Browser(t)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 900), chromedp.Navigate(srv.URL)); err != nil {
		t.Fatal(err)
	}
	problems, err := pageProblems(ctx, axeSource(t), catalogKeys(t))
	if err != nil {
		t.Fatal(err)
	}
	all := strings.Join(problems, "\n")
	for _, want := range []string{"wider than the window", "div reaches 608 px", "raw translation keys shown: verify.title\n", "axe image-alt", "axe label"} {
		if !strings.Contains(all+"\n", want) {
			t.Errorf("not found: %q in\n%s", want, all)
		}
	}
}
