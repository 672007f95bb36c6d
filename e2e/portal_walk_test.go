package e2e

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// Every page of the portal and the help centre as a customer sees it
// (STYLE.md habit 15), signed out and signed in, on a fresh install with
// the starter articles: in English, Vietnamese and Chinese at 1,280 and
// 390 px, with no horizontal overflow, no raw translation key and no
// axe-core violation of WCAG 2.1 A/AA; screenshots are left in
// $FRONTDESK_SCREENSHOTS/TestPortalPagesAsSeen for a person to look at.
// The pages the sign-up and code forms lead to are walked by
// TestPagesAsSeen.
func TestPortalPagesAsSeen(t *testing.T) {
	fd := Start(t, fastHashing)
	ctx := Browser(t)

	signedOut := []struct{ path, name string }{
		{"/", "home"},
		{"/signin", "signin"},
		{"/signup", "signup"},
		{"/forgot", "forgot"},
		{"/reset", "reset"},
		{"/verify", "verify"},
		{"/unlock?token=x", "unlock"},
		{"/not-me?token=x", "not-me"},
		{"/recovery", "recovery"},
		{"/recovery/cancel?token=x", "recovery-cancel"},
		{"/contact", "contact"},
		{"/complaint", "complaint"},
		{"/survey?token=x", "survey"},
		{"/help", "help"},
		{"/help?q=password", "help-search"},
		{"/help?q=zzxqv+wqqz", "help-no-result"},
		{"/help/categories/signing-in", "help-category"},
		{"/help/locked-account", "help-article"},
		{"/help/guides", "help-guides"},
		{"/help/guides/cant-sign-in", "help-guide"},
		{"/help/guides/cant-sign-in?path=0", "help-guide-step"},
		{"/no-such-page", "not-found"},
	}
	for _, p := range signedOut {
		checkPage(t, ctx, fd.URL+p.path, "out-"+p.name)
	}

	// A customer with an authenticator app and a conversation.
	email := "walk@example.com"
	fd.registerAPI(t, email)
	token := fd.signInAPI(t, email, apiPassword)
	fd.enrolTOTPAPI(t, token)
	if s := fd.postForm(t, "/contact", token, url.Values{"subject": {"Card blocked"}, "body": {"My card is blocked since this morning."}}); s != http.StatusSeeOther {
		t.Fatalf("contact: %d", s)
	}
	conv := fd.firstConversation(t)
	me := fd.browserAs(t, token)
	signedIn := []struct{ path, name string }{
		{"/account/security", "security"},
		{"/account/mfa/setup", "mfa-setup"},
		{"/account/reauth", "reauth"},
		{"/contact", "contact"},
		{"/support/" + conv, "conversation"},
		{"/support/assist", "assist"},
		{"/complaint", "complaint"},
		{"/help", "help"},
	}
	for _, p := range signedIn {
		checkPage(t, me, fd.URL+p.path, "in-"+p.name)
	}

	// Times are shown in the reader's time zone, named; UTC on hover.
	if _, err := chromedp.Call(me, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: "Asia/Ho_Chi_Minh"}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(me, chromedp.Navigate(fd.URL+"/account/security?lang=en"),
		chromedp.WaitVisible(css("time[data-local]"))); err != nil {
		t.Fatal(err)
	}
	shown, _ := chromedp.Run(me, chromedp.Evaluate[[]string](`(function(){ var e = document.querySelector('time[data-local]'); return [e.textContent, e.title]; })()`))
	if len(shown) != 2 || !strings.Contains(shown[0], "GMT+7") || !strings.HasSuffix(shown[1], " UTC") {
		t.Errorf("a time on the security page: %q", shown)
	}
}
