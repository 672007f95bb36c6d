package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"

	"github.com/frontdesk/frontdesk/internal/mfa/totptest"
)

func css(s string) chromedp.CSS { return chromedp.CSS(s) }

// A customer adds an authenticator app from the QR page, signs out, and
// signs in again with a code from the app (ASVS 6.3.3). The codes come
// from an implementation independent of the server's.
func TestTOTPEnrolmentAndSignInInBrowser(t *testing.T) {
	fd := Start(t, fastHashing)
	ctx := Browser(t)
	email := "thu@example.com"
	fd.registerAPI(t, email)

	err := chromedp.Do(ctx,
		chromedp.Navigate(fd.URL+"/signin"),
		chromedp.WaitVisible(css("#email")),
		chromedp.SendKeys(css("#email"), email),
		chromedp.SendKeys(css("#password"), apiPassword),
		chromedp.Submit(css("#password")),
		chromedp.WaitVisible(css("#mfa-prompt")),
		chromedp.Click(css("#add-totp")),
		chromedp.WaitVisible(css("#totp-secret")),
	)
	if err != nil {
		t.Fatal(err)
	}
	secret, _ := chromedp.Run(ctx, chromedp.Text(css("#totp-secret")))
	qrWidth, err := chromedp.Run(ctx, chromedp.Evaluate[int](`(async () => { const i = document.querySelector('#totp-qr'); await i.decode(); return i.naturalWidth; })()`, chromedp.EvalAwaitPromise))
	if err != nil || qrWidth < 100 {
		t.Fatalf("QR code not shown: width %d %v", qrWidth, err)
	}
	key, err := totptest.Key(secret)
	if err != nil || len(key) != 20 {
		t.Fatalf("secret %q: %v", secret, err)
	}
	err = chromedp.Do(ctx,
		chromedp.SendKeys(css("#code"), totptest.Code(key, time.Now())),
		chromedp.SendKeys(css("#name"), "Pixel"),
		chromedp.Submit(css("#code")),
		chromedp.WaitVisible(css("#recovery-codes")),
	)
	if err != nil {
		t.Fatal(err)
	}
	n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#recovery-codes li').length`))
	if n != 10 {
		t.Fatalf("%d recovery codes shown", n)
	}
	// They can be copied, downloaded and printed.
	if b, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#codes-actions').hidden ? 'hidden' : [].map.call(document.querySelectorAll('#codes-actions button'), function (b) { return b.textContent; }).join('|')`)); b != "Copy|Download|Print" {
		t.Fatalf("recovery-code actions: %q", b)
	}
	err = chromedp.Do(ctx, chromedp.Click(css("#codes-done")), chromedp.WaitVisible(css("#factors")))
	if err != nil {
		t.Fatal(err)
	}
	factors, _ := chromedp.Run(ctx, chromedp.Text(css("#factors tbody")))
	if !strings.Contains(factors, "Authenticator app") {
		t.Fatalf("factors: %q", factors)
	}
	fd.WaitSubject(t, email, "sign-in method was added")

	// Sign out, sign in: the password alone is not enough.
	err = chromedp.Do(ctx,
		chromedp.Click(css("#signout")),
		chromedp.WaitVisible(css("form[action='/signin'] #password")),
		chromedp.SendKeys(css("#email"), email),
		chromedp.SendKeys(css("#password"), apiPassword),
		chromedp.Submit(css("#password")),
		chromedp.WaitVisible(css("#mfa-form #code")),
	)
	if err != nil {
		t.Fatal(err)
	}
	if r := fd.Get(t, "/account/security"); r.Request.URL.Path != "/signin" {
		t.Fatalf("a request without the session reached %s", r.Request.URL.Path)
	}
	// A wrong code first, then the next step's code (the enrolment used
	// this step's; one step of skew is allowed).
	err = chromedp.Do(ctx,
		chromedp.SendKeys(css("#code"), "000000"),
		chromedp.Submit(css("#code")),
		chromedp.WaitVisible(css("#code-error")),
		chromedp.SendKeys(css("#code"), totptest.Code(key, time.Now().Add(30*time.Second))),
		chromedp.Submit(css("#code")),
		chromedp.WaitVisible(css("#sessions")),
	)
	if err != nil {
		t.Fatal(err)
	}
	shown, _ := chromedp.Run(ctx, chromedp.Text(css("#account-email")))
	if shown != email {
		t.Fatalf("signed in as %q", shown)
	}
}

// A customer registers a passkey with Chromium's virtual authenticator,
// signs out, and signs in with the passkey alone, no password typed.
func TestPasskeyRegistrationAndPasswordlessSignIn(t *testing.T) {
	vars := map[string]string{"FRONTDESK_ADDR": "localhost:0"}
	for k, v := range fastHashing {
		vars[k] = v
	}
	fd := Start(t, vars)
	base := strings.Replace(fd.URL, "127.0.0.1", "localhost", 1)
	ctx := Browser(t)
	if _, err := chromedp.Call(ctx, webauthn.Enable, webauthn.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	_, err := chromedp.Call(ctx, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{Options: &webauthn.VirtualAuthenticatorOptions{
		Protocol: webauthn.AuthenticatorProtocolCtap2, Transport: webauthn.AuthenticatorTransportInternal,
		HasResidentKey: true, HasUserVerification: true, IsUserVerified: true, AutomaticPresenceSimulation: true}})
	if err != nil {
		t.Fatal(err)
	}
	email := "khanh@example.com"
	fd.registerAPI(t, email)
	err = chromedp.Do(ctx,
		chromedp.Navigate(base+"/signin"),
		chromedp.WaitVisible(css("#email")),
		chromedp.SendKeys(css("#email"), email),
		chromedp.SendKeys(css("#password"), apiPassword),
		chromedp.Submit(css("#password")),
		chromedp.WaitVisible(css("#add-passkey")),
		chromedp.SendKeys(css("#passkey-name"), "This laptop"),
		chromedp.Click(css("#add-passkey")),
		chromedp.WaitVisible(css("#recovery-codes")),
		chromedp.Click(css("#codes-done")),
		chromedp.WaitVisible(css("#factors")),
	)
	if err != nil {
		errText, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.querySelector('#passkey-error')||{}).textContent||''`))
		t.Fatalf("%v (page says %q)", err, errText)
	}
	factors, _ := chromedp.Run(ctx, chromedp.Text(css("#factors tbody")))
	if !strings.Contains(factors, "Passkey") {
		t.Fatalf("factors: %q", factors)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(css("#signout")),
		chromedp.WaitVisible(css("#signin-passkey")),
		chromedp.Click(css("#signin-passkey")),
		chromedp.WaitVisible(css("#sessions")),
	)
	if err != nil {
		errText, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.querySelector('#passkey-error')||{}).textContent||''`))
		t.Fatalf("%v (page says %q)", err, errText)
	}
	shown, _ := chromedp.Run(ctx, chromedp.Text(css("#account-email")))
	if shown != email {
		t.Fatalf("signed in as %q", shown)
	}
}
