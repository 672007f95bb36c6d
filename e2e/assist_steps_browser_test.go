package e2e

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

var stepsSession = regexp.MustCompile(`data-session="([0-9a-f]{32})" data-kind="steps"`)

// "Record my steps" in a browser: the customer starts it from the
// conversation's page, the recording goes on across the portal's pages
// without a new consent (nobody watches it live; the banner stays), what
// the customer types into an ordinary field is recorded and a canary typed
// into a password field is not — in no WebSocket frame, no table and not
// in the recording; Stop attaches it to the conversation with a message,
// and the agent replays it from the console.
//
// ASVS 14.2.x (masked data never leaves the browser), 8.2.2 (a customer
// records only on their own conversation), GDPR 25.
func TestAssistStepsInBrowser(t *testing.T) {
	fd := Start(t, fastHashing)
	sup, convID := assistDesk(t, fd)
	custToken := fd.signInAPI(t, "minh@example.com", apiPassword)
	customer := fd.browserAs(t, custToken)
	var custFrames frames
	custFrames.listen(t, customer)

	err := chromedp.Do(customer,
		chromedp.Navigate(fd.URL+"/support/"+convID),
		chromedp.WaitVisible(css("#steps-start")),
		chromedp.Click(css("#steps-start")),
	)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, customer, `!!document.querySelector('#fd-assist-banner[data-kind="steps"]')`)

	// Another page of the portal: still recording, no consent asked.
	if err := chromedp.Do(customer, chromedp.Navigate(fd.URL+"/account/security"), chromedp.WaitVisible(css("#current_password"))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, customer, `!!document.querySelector('#fd-assist-banner[data-kind="steps"]') && !document.querySelector('#fd-assist-consent')`)
	_, err = chromedp.Run(customer, chromedp.Evaluate[bool](`(function(){
		var n = document.createElement('input'); n.id = 'note-field'; n.type = 'text'; n.autocomplete = 'off';
		document.querySelector('main').appendChild(n); return true; })()`))
	if err != nil {
		t.Fatal(err)
	}
	const visible = "steps-visible-marker"
	if err := chromedp.Do(customer, chromedp.SendKeys(css("#note-field"), visible), chromedp.SendKeys(css("#current_password"), canaryPassword)); err != nil {
		t.Fatal(err)
	}
	// The ordinary field's text has been sent (the recorder works on the
	// second page); then Stop.
	for i := 0; ; i++ {
		if all, _ := custFrames.text(); strings.Contains(all, visible) {
			break
		}
		if i == 100 {
			t.Fatal("the typed text never left in a batch")
		}
		chromedp.Run(customer, chromedp.Sleep(100e6))
	}
	if err := chromedp.Do(customer, chromedp.Click(css("#fd-assist-stop"))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, customer, `!!document.querySelector('#fd-assist-ended')`)

	if all, n := custFrames.text(); n < 3 || containsCanary(all) != "" {
		t.Fatalf("%d frames; canary %q in a WebSocket frame", n, containsCanary(all))
	}
	// The conversation says it; the agent finds the recording and replays it.
	if s, page := fd.consoleRequest(t, "GET", "/support/"+convID, custToken, nil); s != http.StatusOK || !strings.Contains(string(page), "recorded their steps") {
		t.Fatalf("conversation page: %d, no message about the recording", s)
	}
	_, page := fd.consoleRequest(t, "GET", "/console/conversations/"+convID, sup, nil)
	m := stepsSession.FindStringSubmatch(string(page))
	if m == nil || !strings.Contains(string(page), "/console/assist/"+m[1]+"/replay") {
		t.Fatal("no recording of steps with a replay link on the console's conversation page")
	}
	status, rec := fd.consoleRequest(t, "GET", "/console/assist/"+m[1]+"/recording", sup, nil)
	if status != http.StatusOK || !strings.Contains(string(rec), visible) || !strings.Contains(string(rec), `"type":2`) {
		t.Fatalf("recording: %d, has the typed text: %v", status, strings.Contains(string(rec), visible))
	}
	if c := containsCanary(string(rec)); c != "" {
		t.Fatalf("canary %q in the recording", c)
	}
	scanDatabase(t, fd)
	err = chromedp.Do(fd.browserAs(t, sup),
		chromedp.Navigate(fd.URL+"/console/assist/"+m[1]+"/replay"),
		chromedp.WaitVisible(css("#assist-replay")),
	)
	if err != nil {
		t.Fatal(err)
	}
}

// From the chat widget on the portal: a signed-in customer who has written
// gets "Record my steps", which starts the recording on the conversation's
// page (the widget offers it only on the portal's own pages, where the
// customer is signed in).
func TestAssistStepsFromWidget(t *testing.T) {
	fd := Start(t, fastHashing)
	assistAgent(t, fd)
	fd.registerAPI(t, "minh@example.com")
	customer := fd.browserAs(t, fd.signInAPI(t, "minh@example.com", apiPassword))
	if err := chromedp.Do(customer, chromedp.Navigate(fd.URL+"/contact"), chromedp.WaitReady("body")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, customer, `!!document.querySelector('#frontdesk-chat')`)
	chromedp.Run(customer, chromedp.Evaluate[any](widgetJS(`$('#fd-open').click(); return true;`)))
	chromedp.Run(customer, chromedp.Evaluate[any](widgetJS(`$('#fd-text').value = "The limit page keeps failing"; $('#fd-form').requestSubmit(); return true;`)))
	waitFor(t, customer, widgetJS(`return !!$('#fd-steps-start');`))
	chromedp.Run(customer, chromedp.Evaluate[any](widgetJS(`$('#fd-steps-start').click(); return true;`)))
	waitFor(t, customer, `location.pathname.indexOf('/support/') === 0 && !!document.querySelector('#fd-assist-banner[data-kind="steps"]')`)
	if err := chromedp.Do(customer, chromedp.Click(css("#fd-assist-stop"))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, customer, `!!document.querySelector('#fd-assist-ended')`)
}
