package e2e

import (
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/frontdesk/frontdesk/internal/mfa/totptest"
)

// The whole code flow in Chromium for a third-party public client (a
// mobile or single-page app: no secret, PKCE only) that demands a second
// factor (acr_values): Frontdesk's own sign-in page, the TOTP step, the
// consent page, and back to the app, whose ID token says how the customer
// signed in (amr pwd+otp, acr AAL2). The consent is then listed under
// "Apps with access" and removing it revokes the app's tokens. Each page
// of the flow is checked as a person sees it (languages, widths, axe).
func TestOIDCCodeFlowInBrowserWithTOTP(t *testing.T) {
	fd := Start(t, fastHashing)
	ctx := Browser(t)
	email := "mai@example.com"
	fd.registerAPI(t, email)
	key, _ := fd.enrolTOTPAPI(t, fd.signInAPI(t, email, apiPassword))
	r := startRP(t)
	c := fd.addOIDCClient(t, "--name", "Acme Cards", "--redirect-uri", r.URL+"/cb", "--public")
	if c.Secret != "" {
		t.Fatal("a public client got a secret")
	}
	r.connect(fd, c)

	verifier := oauth2.GenerateVerifier()
	start := r.conf.AuthCodeURL("st-browser", oauth2.S256ChallengeOption(verifier), gooidc.Nonce("nonce-b"),
		oauth2.SetAuthURLParam("acr_values", "urn:frontdesk:aal2"))
	err := chromedp.Do(ctx,
		chromedp.Navigate(start),
		chromedp.WaitVisible(css("form[action='/signin'] #password")),
		chromedp.SendKeys(css("#email"), email),
		chromedp.SendKeys(css("#password"), apiPassword),
		chromedp.Submit(css("#password")),
		chromedp.WaitVisible(css("#mfa-form #code")),
		// The enrolment used this step's code; the next step's is allowed.
		chromedp.SendKeys(css("#code"), totptest.Code(key, time.Now().Add(30*time.Second))),
		chromedp.Submit(css("#code")),
		chromedp.WaitVisible(css("#allow")),
	)
	if err != nil {
		t.Fatal(err)
	}
	consentURL, _ := chromedp.Run(ctx, chromedp.Location())
	scopes, _ := chromedp.Run(ctx, chromedp.Text(css("#scopes")))
	if !strings.Contains(scopes, "e-mail") || !strings.Contains(scopes, "name") {
		t.Fatalf("consent lists %q", scopes)
	}
	checkPage(t, ctx, consentURL, "oauth-consent")

	if err := chromedp.Do(ctx, chromedp.Navigate(consentURL), chromedp.WaitVisible(css("#allow")), chromedp.Click(css("#allow"))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, `location.href.startsWith(`+jsString(r.URL+"/cb")+`)`)
	landed, _ := chromedp.Run(ctx, chromedp.Location())
	u, _ := url.Parse(landed)
	if u.Query().Get("state") != "st-browser" {
		t.Fatalf("landed on %s", landed)
	}
	tok, id, err := r.exchange(u.Query().Get("code"), verifier)
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	var cl idClaims
	id.Claims(&cl)
	// What really happened: a password and an authenticator app, AAL2.
	if !slices.Contains(cl.AMR, "pwd") || !slices.Contains(cl.AMR, "otp") || !slices.Contains(cl.AMR, "mfa") || cl.ACR != "urn:frontdesk:aal2" {
		t.Fatalf("amr %v acr %q, want pwd+otp at AAL2", cl.AMR, cl.ACR)
	}
	if cl.Nonce != "nonce-b" || cl.Email != email {
		t.Fatalf("claims %+v", cl)
	}

	// Apps with access: listed, and removing it revokes the app's tokens.
	if err := chromedp.Do(ctx, chromedp.Navigate(fd.URL+"/account/apps"), chromedp.WaitVisible(css("#apps"))); err != nil {
		t.Fatal(err)
	}
	listed, _ := chromedp.Run(ctx, chromedp.Text(css("#apps")))
	if !strings.Contains(listed, "Acme Cards") {
		t.Fatalf("apps page lists %q", listed)
	}
	checkPage(t, ctx, fd.URL+"/account/apps", "account-apps")
	err = chromedp.Do(ctx, chromedp.Navigate(fd.URL+"/account/apps?lang=en"), chromedp.WaitVisible(css("#apps")),
		chromedp.Click(css("#apps button")), chromedp.WaitVisible(css("#no-apps")))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.conf.TokenSource(t.Context(), &oauth2.Token{RefreshToken: tok.RefreshToken, Expiry: time.Now().Add(-time.Hour)}).Token(); err == nil {
		t.Fatal("the refresh token works after the customer removed the app")
	}

	// The provider's other pages.
	checkPage(t, ctx, fd.URL+"/oauth/logout", "oauth-logout")
	checkPage(t, ctx, fd.URL+"/oauth/login/no-such-request", "oauth-error")
}
