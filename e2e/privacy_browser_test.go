package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// A customer asks for their data from the privacy page and sees it ready;
// closing the account needs the box ticked (an unticked form changes
// nothing), then shows the closing date, and the mailed link keeps the
// account. The page and the link's page are checked as a person sees
// them: en, vi, zh at 1,280 and 390 px, no overflow, no raw key, axe-core
// clean. // GDPR 15 // GDPR 17
func TestPrivacyPageInBrowser(t *testing.T) {
	fd := Start(t, fastHashing)
	ctx := Browser(t)
	const email = "privacy.page@example.com"
	fd.registerAPI(t, email)
	err := chromedp.Do(ctx,
		chromedp.Navigate(fd.URL+"/signin?lang=en"),
		chromedp.WaitVisible(css("form[action='/signin'] #password")),
		chromedp.SendKeys(css("#email"), email),
		chromedp.SendKeys(css("#password"), apiPassword),
		chromedp.Submit(css("#password")),
		chromedp.WaitVisible(css("#privacy-link")),
		chromedp.Click(css("#privacy-link")),
		chromedp.WaitVisible(css("#export")),
	)
	if err != nil {
		t.Fatal(err)
	}
	checkPage(t, ctx, fd.URL+"/account/privacy", "privacy")

	if err := chromedp.Do(ctx, chromedp.Navigate(fd.URL+"/account/privacy?lang=en"), chromedp.WaitVisible(css("#export")),
		chromedp.Click(css("#export")), chromedp.WaitVisible(css("#notice"))); err != nil {
		t.Fatal(err)
	}
	fd.WaitSubject(t, email, "Your data is ready to download")
	if err := chromedp.Do(ctx, chromedp.Navigate(fd.URL+"/account/privacy?lang=en"), chromedp.WaitVisible(css("#exports a.download"))); err != nil {
		t.Fatalf("no download link once the export is ready: %v", err)
	}
	checkPage(t, ctx, fd.URL+"/account/privacy", "privacy-export-ready")

	// Closing without ticking the box is refused and changes nothing.
	if err := chromedp.Do(ctx, chromedp.Click(css("#close")), chromedp.WaitVisible(css("#confirm-error"))); err != nil {
		t.Fatal(err)
	}
	if n := len(fd.Mails(t, email)); strings.Contains(fd.Mails(t, email)[n-1].Subject, "closed") {
		t.Fatal("an unconfirmed closure sent the closure e-mail")
	}
	if err := chromedp.Do(ctx, chromedp.Click(css("#confirm")), chromedp.Click(css("#close")), chromedp.WaitVisible(css("#closing"))); err != nil {
		t.Fatal(err)
	}
	checkPage(t, ctx, fd.URL+"/account/privacy", "privacy-closing")

	link := fd.WaitSubject(t, email, "Your account will be closed").Link(t)
	checkPage(t, ctx, link, "closure-cancel")
	if err := chromedp.Do(ctx, chromedp.Navigate(link+"&lang=en"), chromedp.WaitVisible(css("#confirm")), chromedp.Click(css("#confirm")),
		chromedp.WaitVisible(css("#notice"))); err != nil {
		t.Fatal(err)
	}
	notice, _ := chromedp.Run(ctx, chromedp.Text(css("#notice")))
	if !strings.Contains(notice, "stays open") {
		t.Fatalf("after keeping the account: %q", notice)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(fd.URL+"/account/privacy?lang=en"), chromedp.WaitVisible(css("#close"))); err != nil {
		t.Fatalf("the account still shows as closing: %v", err)
	}
}
