package e2e

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/frontdesk/frontdesk/internal/mfa/totptest"
)

// First run, by one person, in the browser: an empty data directory; the
// setup link `serve` printed (ASVS 6.3.2: a one-time generated secret,
// no default account) creates the administrator, who must add a second
// factor before anything else, lands on the console's home with the
// first-run checklist, opens the inbox, and answers the first chat a
// visitor starts from the widget on the business's website. The link
// works once.
func TestFirstRunToAnsweredChat(t *testing.T) {
	site := httptest.NewServer(nil)
	defer site.Close()
	vars := map[string]string{"FRONTDESK_WIDGET_ORIGINS": site.URL}
	for k, v := range fastHashing {
		vars[k] = v
	}
	fd := Start(t, vars)
	site.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<!doctype html><html lang="en"><head><title>Acme Bank</title></head><body><h1>Acme Bank</h1>
<script src="%s/widget.js"></script></body></html>`, fd.URL)
	})
	m := regexp.MustCompile(`http://\S+/setup/([A-Za-z0-9_-]+)`).FindStringSubmatch(fd.Logs())
	if m == nil {
		t.Fatal("serve printed no setup link")
	}
	link := m[0]
	if strings.Count(fd.Logs(), m[1]) != 1 {
		t.Fatal("the setup secret appears in the log besides the printed link")
	}

	admin := Browser(t)
	checkPage(t, admin, link, "first-run")
	err := chromedp.Do(admin,
		chromedp.EmulateViewport(1280, 900), // the page check left a phone's width
		chromedp.Navigate(link+"?lang=en"),
		chromedp.WaitVisible(css("#setup-form")),
		chromedp.SendKeys(css("#email"), "owner@acme.example"),
		chromedp.SendKeys(css("#password"), apiPassword),
		chromedp.Click(css("#setup-create")),
		chromedp.WaitVisible(css("#add-totp")), // signed in, and the second factor comes first
		chromedp.Click(css("#add-totp")),
		chromedp.WaitVisible(css("#totp-secret")),
	)
	if err != nil {
		t.Fatal(err)
	}
	secret, _ := chromedp.Run(admin, chromedp.Text(css("#totp-secret")))
	key, _ := totptest.Key(secret)
	err = chromedp.Do(admin,
		chromedp.SendKeys(css("#code"), totptest.Code(key, time.Now())),
		chromedp.Submit(css("#code")),
		chromedp.WaitVisible(css("#recovery-codes")),
		chromedp.Click(css("#codes-done")),
		chromedp.WaitVisible(css("#checklist")),
	)
	if err != nil {
		t.Fatal(err)
	}
	if loc, _ := chromedp.Run(admin, chromedp.Location()); !strings.HasSuffix(loc, "/console") {
		t.Fatalf("after enrolling, the administrator is on %s", loc)
	}
	done := func(id string) bool {
		v, _ := chromedp.Run(admin, chromedp.Evaluate[string](`document.getElementById('`+id+`').dataset.done`))
		return v == "true"
	}
	if !done("setup-agent") || done("setup-answer") {
		t.Fatal("checklist: the administrator should count as the agent, and nothing is answered yet")
	}
	// The link is used up.
	if res := fd.Get(t, strings.TrimPrefix(link, fd.URL)); res.StatusCode != http.StatusNotFound {
		t.Fatalf("the used setup link answers %d", res.StatusCode)
	}

	// The same person opens the inbox: the desk is online.
	if err := chromedp.Do(admin, chromedp.Click(css("#nav-inbox")), chromedp.WaitVisible(css("#inbox"))); err != nil {
		t.Fatal(err)
	}
	visitor := Browser(t)
	if err := chromedp.Do(visitor, chromedp.Navigate(site.URL), chromedp.WaitReady("body")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, visitor, `!!document.querySelector('#frontdesk-chat')`)
	chromedp.Run(visitor, chromedp.Evaluate[any](widgetJS(`$('#fd-open').click(); return true;`)))
	waitFor(t, visitor, widgetJS(`return $('#fd-status').textContent === "We are online.";`))
	chromedp.Run(visitor, chromedp.Evaluate[any](widgetJS(`$('#fd-text').value = "Hello, is anyone there?"; $('#fd-form').requestSubmit(); return true;`)))
	waitFor(t, visitor, widgetJS(`return !r.querySelector('[data-pending]') && r.querySelectorAll('.m.customer').length === 1;`))

	waitFor(t, admin, `document.querySelectorAll('#inbox a[href^="/console/conversations/"]').length === 1`)
	err = chromedp.Do(admin,
		chromedp.Click(css(`#inbox a[href^="/console/conversations/"]`)),
		chromedp.WaitVisible(css("#messages")),
		chromedp.SendKeys(css("#body"), "Yes, I am here. How can I help?"),
		chromedp.Click(css("#send")),
	)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, visitor, widgetJS(`var m = r.querySelectorAll('.m.agent'); return m.length === 1 && m[0].textContent.indexOf("How can I help") >= 0;`))

	// Back home, the checklist counts the answered chat.
	if err := chromedp.Do(admin, chromedp.Navigate(fd.URL+"/console"), chromedp.WaitVisible(css("#tiles"))); err != nil {
		t.Fatal(err)
	}
	if n, _ := chromedp.Run(admin, chromedp.Evaluate[int](`document.querySelectorAll('#setup-answer[data-done=true], #setup-widget[data-done=true]').length`)); n != 2 {
		t.Fatalf("the checklist does not count the first chat and answer: %d of 2", n)
	}
}
