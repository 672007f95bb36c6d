package e2e

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/frontdesk/frontdesk/internal/risk/geotest"
)

// A customer without a second factor signs in from Frankfurt 20 minutes
// after Hà Nội, in Chromium: the step-up page says why and sends a code
// by e-mail; with it the customer is in, and the security page shows
// where each sign-in came from. The step-up page, the security page and
// the console's security pages are checked in en, vi and zh at 1,280 and
// 390 px.
func TestRiskStepUpInBrowser(t *testing.T) {
	fd, offset := riskInstance(t, nil)
	email := "thu@example.com"
	fd.registerAPI(t, email)
	if r, _ := fd.signInFrom(t, geotest.IP(geotest.Hanoi, 5), email, apiPassword); r.Status != 201 {
		t.Fatalf("Hà Nội: %d %s", r.Status, r.Body)
	}
	offset.Add(int64(20 * time.Minute))

	ctx := Browser(t)
	// The browser reaches Frankfurt's address through the trusted proxy.
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{"X-Forwarded-For": geotest.IP(geotest.Frankfurt, 5)}}); err != nil {
		t.Fatal(err)
	}
	err := chromedp.Do(ctx,
		chromedp.Navigate(fd.URL+"/signin?lang=en"),
		chromedp.WaitVisible(css("#email")),
		chromedp.SendKeys(css("#email"), email),
		chromedp.SendKeys(css("#password"), apiPassword),
		chromedp.Submit(css("#password")),
		chromedp.WaitVisible(css("#risk-reason")),
	)
	if err != nil {
		t.Fatal(err)
	}
	reason, err := chromedp.Run(ctx, chromedp.Text(css("#risk-reason")))
	if err != nil {
		t.Fatal(err)
	}
	here, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(reason, "too far from your last sign-in") || !strings.Contains(reason, "e-mail") {
		t.Fatalf("step-up reason: %q", reason)
	}
	u, _ := url.Parse(here)
	checkPage(t, ctx, fd.URL+u.RequestURI(), "risk-step-up")

	n := len(fd.Mails(t, email))
	if err := chromedp.Do(ctx, chromedp.Navigate(here), chromedp.WaitVisible(css("#send-code")), chromedp.Click(css("#send-code")), chromedp.WaitVisible(css("#notice"))); err != nil {
		t.Fatal(err)
	}
	code := fd.WaitMail(t, email, n).Code(t)
	err = chromedp.Do(ctx,
		chromedp.SendKeys(css("#code"), code),
		chromedp.Click(css("#verify")),
		chromedp.WaitVisible(css("#sessions")),
		chromedp.Navigate(fd.URL+"/account/security?lang=en"),
		chromedp.WaitVisible(css("#history")),
	)
	if err != nil {
		t.Fatal(err)
	}
	history, err := chromedp.Run(ctx, chromedp.Text(css("#history")))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Frankfurt am Main, DE", "Hanoi, VN · Viettel Group", "Extra check asked", "too far from your last sign-in"} {
		if !strings.Contains(history, want) {
			t.Fatalf("security page history lacks %q:\n%s", want, history)
		}
	}
	checkPage(t, ctx, fd.URL+"/account/security", "risk-security-history")

	// The console's security pages, as a security officer sees them
	// (back to the real time: the authenticator codes follow it).
	offset.Store(0)
	sec := fd.staffToken(t, "sec@acme.example", "security_officer")
	sup := fd.staffToken(t, "sup@acme.example", "supervisor")
	var custID string
	{
		r := fd.call(t, "GET", "/api/v1/session", fd.signInAPI(t, email, apiPassword), nil)
		var s struct{ Account struct{ ID string } }
		r.decode(t, &s)
		custID = s.Account.ID
	}
	if status, _ := fd.consoleRequest(t, "POST", "/console/security/rules", sec, rulesForm("save", "1", nil)); status != 303 {
		t.Fatalf("save rules: %d", status)
	}
	if status, _ := fd.consoleRequest(t, "POST", "/console/customers/"+custID+"/reveal", sup, url.Values{"reason": {"Card dispute"}}); status != 303 {
		t.Fatalf("reveal: %d", status)
	}
	_, list := fd.consoleRequest(t, "GET", "/console/security/alerts", sec, nil)
	i := strings.Index(string(list), `href="/console/security/alerts/`)
	if i < 0 {
		t.Fatalf("no alert listed")
	}
	alert := string(list)[i+6 : i+6+len("/console/security/alerts/")+32]
	fd.consoleRequest(t, "POST", alert+"/note", sec, url.Values{"note": {"Checked with the team lead."}})

	staff := Browser(t)
	secure, httpOnly := true, true
	if _, err := chromedp.Call(staff, network.SetCookie, network.SetCookieParams{Name: "__Host-fd_session", Value: sec,
		URL: fd.URL, Path: "/", Secure: &secure, HTTPOnly: &httpOnly, SameSite: network.CookieSameSiteLax}); err != nil {
		t.Fatal(err)
	}
	checkPage(t, staff, fd.URL+"/console/security/alerts", "risk-console-alerts")
	checkPage(t, staff, fd.URL+alert, "risk-console-alert")
	checkPage(t, staff, fd.URL+"/console/security/rules", "risk-console-rules")
	checkPage(t, staff, fd.URL+"/console/customers/"+custID, "risk-console-customer")
	checkShown(t, staff, "risk-console-dry-run", func(lang string) chromedp.Action[chromedp.Void] {
		return chromedp.Steps(
			chromedp.Navigate(fd.URL+"/console/security/rules?lang="+lang),
			chromedp.WaitVisible(css("#dry-run")),
			chromedp.SetValue(css("#then_travel"), "block"),
			chromedp.Click(css("#dry-run")),
			chromedp.WaitVisible(css("#dry-run-result")),
		)
	})
}
