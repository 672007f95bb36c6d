package e2e

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// The account pages of this change as a person sees them (STYLE.md habit
// 15): each in English, Vietnamese and Chinese at 1,280 and 390 px, with
// no horizontal overflow, no raw translation key and no axe-core
// violation; the screenshots are left for a person to look at.
func TestPagesAsSeen(t *testing.T) {
	fd := Start(t, fastHashing)
	ctx := Browser(t)
	pw := "Plum orbit lantern velvet 7!"

	for _, p := range []struct{ path, name string }{
		{"/signup", "signup"},
		{"/signin", "signin"},
		{"/forgot", "forgot"},
		{"/no-such-page", "not-found"},
	} {
		checkPage(t, ctx, fd.URL+p.path, p.name)
	}

	// The code form shown after a sign-up, carrying the registration
	// secret: one new account per language.
	checkShown(t, ctx, "verify-code", func(lang string) chromedp.Action[chromedp.Void] {
		return chromedp.Steps(
			chromedp.Navigate(fd.URL+"/signup?lang="+lang),
			chromedp.WaitVisible(css("#email")),
			chromedp.SendKeys(css("#email"), "seen-"+lang+"@example.com"),
			chromedp.SendKeys(css("#name"), "Lan Tran"),
			chromedp.SendKeys(css("#password"), pw),
			chromedp.Submit(css("#password")),
			chromedp.WaitReady(css("form[action='/verify'] input[name=registration]")),
		)
	})

	// The e-mailed link opens the form that asks for the password.
	email := "seen-en@example.com"
	mail := fd.WaitMail(t, email, 0)
	checkPage(t, ctx, mail.Link(t), "verify-link")

	err := chromedp.Do(ctx,
		chromedp.Navigate(mail.Link(t)+"&lang=en"),
		chromedp.WaitVisible(css("form[action='/verify'] #password")),
		chromedp.SendKeys(css("#password"), pw),
		chromedp.Submit(css("#password")),
		chromedp.WaitVisible(css("form[action='/signin'] #password")),
		chromedp.SendKeys(css("#email"), email),
		chromedp.SendKeys(css("#password"), pw),
		chromedp.Submit(css("#password")),
		chromedp.WaitVisible(css("#sessions")),
	)
	if err != nil {
		t.Fatal(err)
	}
	checkPage(t, ctx, fd.URL+"/account/reauth", "reauth")
	checkPage(t, ctx, fd.URL+"/account/security", "security")
}
