package e2e

import (
	"io"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// A person opens the home page: they see who the service belongs to, a way
// to get help, and can switch the page to Vietnamese.
func TestHomePageInBrowser(t *testing.T) {
	fd := Start(t, map[string]string{"FRONTDESK_ORG_NAME": "Acme Bank", "FRONTDESK_SUPPORT_EMAIL": "help@acme.example"})
	ctx := Browser(t)

	if err := chromedp.Do(ctx, chromedp.Navigate(fd.URL+"/"), chromedp.WaitVisible(chromedp.CSS("h1"))); err != nil {
		t.Fatal(err)
	}
	heading, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("h1")))
	if err != nil {
		t.Fatal(err)
	}
	if heading != "Welcome to Acme Bank customer service" {
		t.Fatalf("heading %q", heading)
	}
	title, _ := chromedp.Run(ctx, chromedp.Title())
	if title != "Acme Bank customer service" {
		t.Fatalf("title %q", title)
	}
	// The stylesheet loaded under the CSP: the button is styled, not a bare link.
	bg, err := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector('.card .button')).backgroundColor`))
	if err != nil {
		t.Fatal(err)
	}
	if bg == "" || bg == "rgba(0, 0, 0, 0)" {
		t.Fatalf("the stylesheet did not apply (button background %q)", bg)
	}

	// Switch language with the menu.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`.langs a[hreflang="vi"]`)), chromedp.WaitVisible(chromedp.CSS(`html[lang="vi"] h1`))); err != nil {
		t.Fatal(err)
	}
	heading, _ = chromedp.Run(ctx, chromedp.Text(chromedp.CSS("h1")))
	if heading != "Chào mừng bạn đến với dịch vụ khách hàng Acme Bank" {
		t.Fatalf("Vietnamese heading %q", heading)
	}

	// Follow "Contact support": the support address is there.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`.card a.button`)), chromedp.WaitVisible(chromedp.CSS(`a[href^="mailto:"]`))); err != nil {
		t.Fatal(err)
	}
	mail, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`a[href^="mailto:"]`)))
	if mail != "help@acme.example" {
		t.Fatalf("support address %q", mail)
	}

	if os.Getenv("FRONTDESK_SCREENSHOTS") != "" {
		chromedp.Do(ctx, chromedp.Navigate(fd.URL+"/?lang=en"))
		png, _ := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		os.WriteFile(os.Getenv("FRONTDESK_SCREENSHOTS")+"/home.png", png, 0o644)
	}
}

// A broken link shows a page the customer can act on: what happened, a
// reference, and a way to contact support that carries the reference.
func TestErrorPageInBrowser(t *testing.T) {
	fd := Start(t, nil)
	ctx := Browser(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(fd.URL+"/account/does-not-exist"), chromedp.WaitVisible(chromedp.ID("request-id"))); err != nil {
		t.Fatal(err)
	}
	heading, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("h1")))
	if heading != "We can't find that page" {
		t.Fatalf("heading %q", heading)
	}
	ref, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("request-id")))
	if len(ref) < 8 {
		t.Fatalf("reference %q", ref)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`a[href^="/contact?ref="]`)), chromedp.WaitVisible(chromedp.ID("ref"))); err != nil {
		t.Fatal(err)
	}
	carried, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("ref")))
	if carried != ref {
		t.Fatalf("contact page shows reference %q, want %q", carried, ref)
	}
	if !strings.Contains(fd.Logs(), ref) {
		t.Fatal("the reference is not in the server log, so support cannot find the request")
	}
	if os.Getenv("FRONTDESK_SCREENSHOTS") != "" {
		chromedp.Do(ctx, chromedp.Navigate(fd.URL+"/nowhere?lang=zh"))
		png, _ := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		os.WriteFile(os.Getenv("FRONTDESK_SCREENSHOTS")+"/error.png", png, 0o644)
	}
}

// The probes answer on the real server, on whichever database the suite runs.
func TestProbes(t *testing.T) {
	fd := Start(t, nil)
	for _, path := range []string{"/healthz", "/readyz"} {
		resp := fd.Get(t, path)
		if resp.StatusCode != http.StatusOK {
			b, _ := io.ReadAll(resp.Body)
			t.Fatalf("%s: %d %s", path, resp.StatusCode, b)
		}
	}
	resp := fd.Get(t, "/metrics")
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.Contains(string(b), `frontdesk_http_requests_total{code="200",method="GET",route="GET /readyz"} 1`) {
		t.Fatalf("metrics: %d\n%.2000s", resp.StatusCode, b)
	}
}
