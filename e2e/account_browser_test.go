package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// A customer signs up in the browser, verifies the address with the code
// from the e-mail, signs in, sees the session on the security page, signs
// out, and the old cookie no longer works (ASVS 7.4.1, 7.4.4).
func TestSignUpVerifySignInSignOutInBrowser(t *testing.T) {
	fd := Start(t, fastHashing)
	ctx := Browser(t)
	email := "hoa@example.com"
	pw := "Plum orbit lantern velvet 7!"

	err := chromedp.Do(ctx,
		chromedp.Navigate(fd.URL+"/signup"),
		chromedp.WaitVisible(css("#email")),
		chromedp.SendKeys(css("#email"), email),
		chromedp.SendKeys(css("#name"), "Hoa Pham"),
		chromedp.SendKeys(css("#password"), pw),
		chromedp.Submit(css("#password")),
		chromedp.WaitVisible(css("form[action='/verify'] #code")),
	)
	if err != nil {
		t.Fatal(err)
	}
	// Password managers work: the right autocomplete tokens, no paste
	// blocking (ASVS 6.2.6/6.2.7).
	code := fd.WaitMail(t, email, 0).Code(t)
	prefilled, _ := chromedp.Run(ctx, chromedp.Value(css("#email")))
	if prefilled != email {
		t.Fatalf("verification form lost the e-mail: %q", prefilled)
	}
	err = chromedp.Do(ctx,
		chromedp.SendKeys(css("#code"), code),
		chromedp.Submit(css("#code")),
		chromedp.WaitVisible(css("form[action='/signin'] #password")),
	)
	if err != nil {
		t.Fatal(err)
	}
	notice, _ := chromedp.Run(ctx, chromedp.Text(css("#notice")))
	if !strings.Contains(notice, "confirmed") {
		t.Fatalf("after verification: %q", notice)
	}
	ac, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#password').getAttribute('autocomplete') + ' ' + document.querySelector('#email').getAttribute('autocomplete') + ' ' + document.querySelector('#password').type`))
	if err != nil || ac != "current-password username password" {
		t.Fatalf("sign-in fields: %q %v", ac, err)
	}
	err = chromedp.Do(ctx,
		chromedp.SendKeys(css("#password"), pw),
		chromedp.Submit(css("#password")),
		chromedp.WaitVisible(css("#sessions")),
	)
	if err != nil {
		t.Fatal(err)
	}
	shown, _ := chromedp.Run(ctx, chromedp.Text(css("#account-email")))
	rows, _ := chromedp.Run(ctx, chromedp.Text(css("#sessions tbody")))
	if shown != email || !strings.Contains(rows, "This device") || !strings.Contains(rows, "Headless Chrome") {
		t.Fatalf("security page: %q / %q", shown, rows)
	}
	history, _ := chromedp.Run(ctx, chromedp.Text(css("#history tbody")))
	if !strings.Contains(history, "Signed in") || !strings.Contains(history, "127.0.0.1") {
		t.Fatalf("sign-in history: %q", history)
	}
	cookies, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{fd.URL}})
	if err != nil {
		t.Fatal(err)
	}
	var session *network.Cookie
	for _, c := range cookies.Cookies {
		if c.Name == "__Host-fd_session" {
			session = c
		}
	}
	if session == nil || !session.HTTPOnly || !session.Secure || session.SameSite != network.CookieSameSiteLax {
		t.Fatalf("session cookie: %+v", session)
	}
	// The visible sign-out button on every signed-in page.
	err = chromedp.Do(ctx, chromedp.Click(css("#signout")), chromedp.WaitVisible(css("form[action='/signin'] #password")))
	if err != nil {
		t.Fatal(err)
	}
	// Put the old cookie back: the server has forgotten the session.
	secure, httpOnly := true, true
	if _, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: session.Name, Value: session.Value, URL: fd.URL, Path: "/",
		Secure: &secure, HTTPOnly: &httpOnly, SameSite: network.CookieSameSiteLax}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(fd.URL+"/account/security"), chromedp.WaitVisible(css("form[action='/signin']"))); err != nil {
		t.Fatal(err)
	}
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	if !strings.Contains(loc, "/signin?next=") {
		t.Fatalf("old cookie still opens the security page: %s", loc)
	}
}

// A wrong password shows the message next to the form, in the page's
// language, and keeps the e-mail typed.
func TestSignInErrorInVietnamese(t *testing.T) {
	fd := Start(t, fastHashing)
	ctx := Browser(t)
	err := chromedp.Do(ctx,
		chromedp.Navigate(fd.URL+"/signin?lang=vi"),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), "nobody@example.com"),
		chromedp.SendKeys(chromedp.CSS("#password"), "not the password at all"),
		chromedp.Submit(chromedp.CSS("#password")),
		chromedp.WaitVisible(chromedp.CSS("#form-error")),
	)
	if err != nil {
		t.Fatal(err)
	}
	msg, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#form-error")))
	kept, _ := chromedp.Run(ctx, chromedp.Value(chromedp.CSS("#email")))
	if msg == "" || strings.Contains(msg, "not correct") || kept != "nobody@example.com" {
		t.Fatalf("error %q, e-mail kept %q", msg, kept)
	}
}
