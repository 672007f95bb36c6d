package e2e

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
)

// After repeated failures the sign-in page explains paused sign-in, the
// unlock e-mail and the reset, the same for an account that exists and
// for an address with no account (ASVS 6.3.8: the answer does not tell
// them apart; that a locked account gets the wrong-password answer is
// internal/identity's test).
func TestSignInExplainsPause(t *testing.T) {
	fd := Start(t, fastHashing)
	fd.registerAPI(t, "locked@example.com")
	ctx := Browser(t)
	// try submits the form and waits for the answer to the n-th attempt
	// (the count the page carries), not the previous page still shown.
	try := func(email, pw string, n int) (paused bool, msg string) {
		t.Helper()
		err := chromedp.Do(ctx,
			chromedp.WaitVisible(css("#email")),
			chromedp.SetValue(css("#email"), email),
			chromedp.SendKeys(css("#password"), pw),
			chromedp.Submit(css("#password")),
		)
		if err != nil {
			t.Fatal(err)
		}
		waitFor(t, ctx, fmt.Sprintf(`document.readyState === 'complete' && !!document.querySelector('#form-error') && document.querySelector('input[name=tries]').value === '%d'`, n))
		msg, _ = chromedp.Run(ctx, chromedp.Text(css("#form-error")))
		paused, _ = chromedp.Run(ctx, chromedp.Evaluate[bool](`!!document.querySelector('#signin-paused')`))
		return paused, msg
	}
	for _, email := range []string{"locked@example.com", "nobody@example.com"} {
		if err := chromedp.Do(ctx, chromedp.Navigate(fd.URL+"/signin?lang=en")); err != nil {
			t.Fatal(err)
		}
		for i := 1; i <= 3; i++ {
			paused, msg := try(email, "not the password at all", i)
			if msg != "The e-mail address or password is not correct." || paused != (i >= 3) {
				t.Fatalf("%s, attempt %d: %q, explained %v", email, i, msg, paused)
			}
		}
	}
	checkShown(t, ctx, "signin-paused", func(lang string) chromedp.Action[chromedp.Void] {
		return chromedp.Steps(
			chromedp.Navigate(fd.URL+"/signin?lang="+lang),
			chromedp.WaitVisible(css("#email")),
			chromedp.SetValue(css("#email"), "nobody@example.com"),
			chromedp.SetValue(css("form[action='/signin'] input[name=tries]"), "2"),
			chromedp.SendKeys(css("#password"), "wrong"),
			chromedp.Submit(css("#password")),
			chromedp.WaitVisible(css("#signin-paused")),
		)
	})
}
