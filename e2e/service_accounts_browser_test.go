package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// An administrator makes a service account and a key in the console: the
// secret is shown once, works on the admin API, and the page lists the
// key's last use. Both pages are checked in en, vi and zh at 1,280 and
// 390 px (overflow, raw keys, axe-core).
func TestServiceAccountsInBrowser(t *testing.T) {
	k := newAdminKit(t, nil)
	ctx := Browser(t)
	secure, httpOnly := true, true
	if _, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: "__Host-fd_session", Value: k.boss,
		URL: k.URL, Path: "/", Secure: &secure, HTTPOnly: &httpOnly, SameSite: network.CookieSameSiteLax}); err != nil {
		t.Fatal(err)
	}
	page := k.URL + "/console/service-accounts"
	checkPage(t, ctx, page, "service-accounts-empty")

	// A bad name is refused next to the field, and nothing is made.
	err := chromedp.Do(ctx, chromedp.Navigate(page+"?lang=en"),
		chromedp.SendKeys(css("#sa-name"), "x"),
		chromedp.Click(css("input[name=role][value=auditor]")),
		chromedp.Click(css("#create-service-account")),
		chromedp.WaitVisible(css(".field-error")))
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-service-account]').length`)); n != 0 {
		t.Fatalf("%d service accounts after a refused name", n)
	}
	err = chromedp.Do(ctx, chromedp.Navigate(page+"?lang=en"),
		chromedp.SendKeys(css("#sa-name"), "Nightly sync"),
		chromedp.SendKeys(css("#sa-description"), "Imports the bank's new customers every night"),
		chromedp.Click(css("input[name=role][value=supervisor]")),
		chromedp.Click(css("#create-service-account")),
		chromedp.WaitVisible(css("[data-service-account='Nightly sync']")))
	if err != nil {
		t.Fatal(err)
	}
	// The key: its secret is on the answer, once.
	newKey := func(lang string) chromedp.Action[chromedp.Void] {
		return chromedp.Steps(
			chromedp.Navigate(withLang(t, page, lang)),
			chromedp.SendKeys(css("[data-service-account='Nightly sync'] input[name=key_name]"), "cron "+lang),
			chromedp.Click(css("[data-service-account='Nightly sync'] input[name=scope][value='customers:read']")),
			chromedp.Click(css("[data-service-account='Nightly sync'] button[id^=new-key-]")),
			chromedp.WaitVisible(css("#key-secret")))
	}
	checkShown(t, ctx, "service-accounts-new-key", newKey)
	secret, err := chromedp.Run(ctx, chromedp.Text(css("#key-secret")))
	if err != nil || !strings.HasPrefix(secret, "fdk_") {
		t.Fatalf("secret %q: %v", secret, err)
	}
	var list struct{ Accounts []any }
	k.mustCall(t, 200, "GET", "/api/v1/admin/accounts", secret, nil).decode(t, &list)
	if r := k.call(t, "POST", "/api/v1/admin/accounts/"+k.custID+"/unlock", secret, nil); r.Status != 403 {
		t.Fatalf("a key scoped to customers:read unlocked: %d", r.Status)
	}
	err = chromedp.Do(ctx, chromedp.Navigate(page+"?lang=en"), chromedp.WaitVisible(css("[data-key='cron zh']")))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := chromedp.Run(ctx, chromedp.Text(css("body")))
	if strings.Contains(body, secret) || strings.Contains(body, "fdk_") {
		t.Fatal("the secret is shown again")
	}
	if !strings.Contains(body, "boss@acme.example") || strings.Contains(body, k.bossID) {
		t.Fatal("the creator is not named by e-mail")
	}
	checkPage(t, ctx, page, "service-accounts")
	// Revoke from the page.
	err = chromedp.Do(ctx, chromedp.Click(css("[data-key='cron zh'] button")), chromedp.WaitVisible(css("#notice")))
	if err != nil {
		t.Fatal(err)
	}
	if r := k.call(t, "GET", "/api/v1/admin/accounts", secret, nil); r.Status != 401 {
		t.Fatalf("revoked in the console, the key still answers %d", r.Status)
	}
}
