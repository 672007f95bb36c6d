package e2e

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// The console's pages for the apps that sign in (Settings › Apps that
// sign in) as an administrator sees them (STYLE.md habit 15): the list
// with an app of each kind, an app's page (a private_key_jwt server app
// with a jwks_uri), and the page answering a registration with its secret
// shown once; each in English, Vietnamese and Chinese at 1,280 and 390 px,
// with no horizontal overflow, no raw translation key and no axe-core
// violation. The list and an app's page never show a secret.
func TestOIDCClientsConsoleSeen(t *testing.T) {
	fd := Start(t, fastHashing)
	fd.createStaff(t, "admin@acme.example", "administrator")
	admin := fd.signInAPI(t, "admin@acme.example", apiPassword)
	fd.enrolTOTPAPI(t, admin)
	base := url.Values{"kind": {"confidential"}, "auth_method": {"client_secret_basic"}, "scope": {"openid", "profile", "email", "offline_access"},
		"access_token_type": {"jwt"}, "access_ttl": {"10"}, "id_token_ttl": {"10"}, "refresh_ttl": {"30"}}
	add := func(set map[string]string) (string, string) {
		t.Helper()
		f := cloneValues(base)
		for k, v := range set {
			f.Set(k, v)
		}
		status, body := fd.consoleRequest(t, "POST", "/console/oidc-clients", admin, f)
		id, secret := clientIDOnPage.FindSubmatch(body), secretOnPage.FindSubmatch(body)
		if status != http.StatusCreated || id == nil {
			t.Fatalf("register %s: %d", set["name"], status)
		}
		if secret == nil {
			return string(id[1]), ""
		}
		return string(id[1]), string(secret[1])
	}
	_, secret := add(map[string]string{"name": "Acme Online Banking", "redirect_uris": "https://online.acme.example/oidc/callback", "first_party": "on",
		"logo_url": "https://online.acme.example/logo.png"})
	server, _ := add(map[string]string{"name": "Acme Statements Service", "auth_method": "private_key_jwt",
		"jwks_uri": "https://statements.acme.example/.well-known/jwks.json", "redirect_uris": "https://statements.acme.example/cb"})
	add(map[string]string{"name": "Acme Mobile", "kind": "public", "redirect_uris": "com.acme.bank:/oauth/callback"})

	ctx := fd.staffBrowser(t, admin)
	checkPage(t, ctx, fd.URL+"/console/oidc-clients", "console-oidc-clients")
	checkPage(t, ctx, fd.URL+"/console/oidc-clients/"+server, "console-oidc-client")
	for _, path := range []string{"/console/oidc-clients", "/console/oidc-clients/" + server} {
		if err := chromedp.Do(ctx, chromedp.Navigate(fd.URL+path)); err != nil {
			t.Fatal(err)
		}
		waitFor(t, ctx, `document.readyState === 'complete'`)
		html, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.outerHTML`))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(html, secret) || strings.Contains(html, `id="client-secret"`) {
			t.Fatalf("%s shows a secret", path)
		}
	}
	checkShown(t, ctx, "console-oidc-client-added", func(lang string) chromedp.Action[chromedp.Void] {
		return chromedp.Steps(
			chromedp.Navigate(fd.URL+"/console/oidc-clients?lang="+lang),
			chromedp.WaitVisible(css("#oc-name")),
			chromedp.SendKeys(css("#oc-name"), "Acme Partner Portal "+lang),
			chromedp.SendKeys(css("#oc-redirects"), "https://partners.acme.example/callback"),
			chromedp.Click(css("#add-oidc-client")),
			chromedp.WaitVisible(css("#client-secret")),
		)
	})
}
