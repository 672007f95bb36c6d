package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// A registrant asks for a new code through the API with the secret of
// their registration: the new code verifies, the old one no longer does.
// The answer is the same, body and headers, for an unknown address, an
// active account, a wrong secret and a real one (ASVS 6.3.8), and nothing
// is mailed unless the secret and address belong together.
func TestResendVerificationAPI(t *testing.T) {
	fd := Start(t, fastHashing)
	fd.registerAPI(t, "active@example.com")
	email := "pending@example.com"
	secret := fd.registerOnly(t, email, apiPassword)
	old := fd.WaitMail(t, email, 0).Code(t)

	shape := func(r apiResponse) string {
		t.Helper()
		h := []string{}
		for _, k := range []string{"Content-Type", "Cache-Control", "Retry-After", "Set-Cookie", "Content-Length"} {
			h = append(h, k+"="+r.Header.Get(k))
		}
		return string(r.Body) + " " + strings.Join(h, " ")
	}
	resend := func(email, secret string) apiResponse {
		return fd.call(t, "POST", "/api/v1/registrations/resend", "", map[string]string{"email": email, "registration": secret})
	}
	real := resend(email, secret)
	if real.Status != 202 || strings.TrimSpace(string(real.Body)) != `{"status":"verification_sent"}` {
		t.Fatalf("resend: %d %s", real.Status, real.Body)
	}
	for _, c := range []struct{ what, email, secret string }{
		{"unknown address", "nobody@example.com", secret},
		{"active account", "active@example.com", secret},
		{"wrong secret", email, strings.Repeat("A", len(secret))},
	} {
		if r := resend(c.email, c.secret); r.Status != real.Status || shape(r) != shape(real) {
			t.Errorf("%s: %d %s, the real one %d %s", c.what, r.Status, shape(r), real.Status, shape(real))
		}
	}
	fresh := fd.WaitMail(t, email, 1)
	if !strings.Contains(fresh.Text, "24 hours") {
		t.Errorf("the new e-mail's validity:\n%s", fresh.Text)
	}
	if n := len(fd.Mails(t, "nobody@example.com")) + len(fd.Mails(t, "active@example.com")); n != 2 {
		t.Errorf("%d e-mails to the others (the active account's two from its registration)", n)
	}
	if r := resend(email, ""); r.Status != 400 || r.errorCode(t) != "registration_required" {
		t.Errorf("without the secret: %d %s", r.Status, r.Body)
	}
	verify := func(code string) apiResponse {
		return fd.call(t, "POST", "/api/v1/registrations/verify", "", map[string]string{"email": email, "code": code, "registration": secret})
	}
	if code := fresh.Code(t); code != old {
		if r := verify(old); r.Status != 400 {
			t.Fatalf("the old code after a resend: %d %s", r.Status, r.Body)
		}
	}
	if r := verify(fresh.Code(t)); r.Status != 200 {
		t.Fatalf("the new code: %d %s", r.Status, r.Body)
	}
	fd.signInAPI(t, email, apiPassword)
}

// On the verify page after signing up, "Send a new code" mails a new code
// for the same registration and says so calmly, in each language; the new
// code then confirms the address. A verify page without the registration
// (after a sign-in of a pending account) says to sign in for a new code.
func TestResendVerificationInBrowser(t *testing.T) {
	fd := Start(t, fastHashing)
	ctx := Browser(t)
	want := map[string]string{"en": "We are sending a new e-mail", "vi": "Chúng tôi đang gửi một e-mail mới", "zh": "我们正在发送一封"}
	email := func(lang string) string { return "thu." + lang + "@example.com" }
	checkShown(t, ctx, "verify-resent", func(lang string) chromedp.Action[chromedp.Void] {
		return chromedp.Steps(chromedp.Navigate(withLang(t, fd.URL+"/signup", lang)), chromedp.WaitVisible(css("#email")),
			chromedp.SendKeys(css("#email"), email(lang)), chromedp.SendKeys(css("#password"), apiPassword),
			chromedp.Submit(css("#password")), chromedp.WaitVisible(css("#resend")),
			resendAndWait())
	})
	for _, lang := range checkLangs {
		fd.WaitMail(t, email(lang), 1) // the sign-up's and the resend's
	}
	notice, _ := chromedp.Run(ctx, chromedp.Text(css("#notice")))
	if !strings.Contains(notice, want["zh"]) {
		t.Errorf("notice after a resend: %q", notice)
	}
	// Again on the page the resend showed, then the newest code confirms.
	if err := chromedp.Do(ctx, resendAndWait()); err != nil {
		t.Fatal(err)
	}
	code := fd.WaitMail(t, email("zh"), 2).Code(t)
	if err := chromedp.Do(ctx, chromedp.SendKeys(css("#code"), code), chromedp.Submit(css("#code")), chromedp.WaitVisible(css("form[action='/signin'] #password"))); err != nil {
		t.Fatal(err)
	}
	// Without the registration's secret the page points to signing in.
	if err := chromedp.Do(ctx, chromedp.Navigate(fd.URL+"/verify?lang=en"), chromedp.WaitVisible(css("#verify-resend a[href='/signin']"))); err != nil {
		t.Fatal(err)
	}
	checkPage(t, ctx, fd.URL+"/verify", "verify-no-registration")
}

// resendAndWait presses "Send a new code" and waits for the page that
// answers it. The verify page may already show a notice (the sign-up's), so
// that one is removed first: waiting for "#notice" must find the new page's,
// not let the test check a page that is still being replaced.
func resendAndWait() chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Evaluate[chromedp.Void](`document.getElementById('notice')?.remove()`),
		chromedp.Click(css("#resend")), chromedp.WaitVisible(css("#notice")))
}
