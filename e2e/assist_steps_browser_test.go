package e2e

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/frontdesk/frontdesk/internal/db"
)

var stepsSession = regexp.MustCompile(`data-session="([0-9a-f]{32})" data-kind="steps"`)

// "Record my steps" in a browser: the customer starts it from the
// conversation's page, the recording goes on across the portal's pages
// without a new consent (nobody watches it live; the banner stays), what
// the customer types into an ordinary field is recorded and a canary typed
// into a password field is not — in no WebSocket frame, no table and not
// in the recording; Stop attaches it to the conversation with a message,
// and the agent replays it from the console — also once it is archived.
// A second recording while one is open is refused (409).
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

	// Another page of the portal: still recording, no consent asked. The
	// page keeps its sockets in reach, to drop one below.
	_, err = chromedp.Call(customer, cdppage.AddScriptToEvaluateOnNewDocument, cdppage.AddScriptToEvaluateOnNewDocumentParams{Source: `(function(){
		var W = window.WebSocket; window.__fdSockets = [];
		var F = function(u, p){ var s = p === undefined ? new W(u) : new W(u, p); window.__fdSockets.push(s); return s; };
		F.prototype = W.prototype; F.CONNECTING = 0; F.OPEN = 1; F.CLOSING = 2; F.CLOSED = 3; window.WebSocket = F; })()`})
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(customer, chromedp.Navigate(fd.URL+"/account/security"), chromedp.WaitVisible(css("#current_password"))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, customer, `!!document.querySelector('#fd-assist-banner[data-kind="steps"]') && !document.querySelector('#fd-assist-consent')`)
	// A socket that drops does not end or pause the recording: the next
	// state poll joins again with a fresh ticket, without a consent.
	const assistSockets = `window.__fdSockets.filter(function(s){ return s.url.indexOf('/support/assist/ws') >= 0; })`
	waitFor(t, customer, assistSockets+`.some(function(s){ return s.readyState === 1; })`)
	if _, err := chromedp.Run(customer, chromedp.Evaluate[bool](assistSockets+`.forEach(function(s){ s.close(); }) || true`)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, customer, `(function(){ var a = `+assistSockets+`; return a.length === 2 && a[1].readyState === 1 && !!document.querySelector('#fd-assist-banner[data-kind="steps"]') && !document.querySelector('#fd-assist-consent'); })()`)
	// A second recording of the same conversation is refused, with why.
	if s, page := fd.consoleRequest(t, "POST", "/support/"+convID+"/steps", custToken, nil); s != http.StatusConflict || !strings.Contains(string(page), `id="form-error"`) {
		t.Fatalf("a second recording: %d", s)
	}
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
	// The message is posted after the session has ended (and retried if it
	// fails), so the page may show the end before it: wait for it.
	for i := 0; ; i++ {
		s, page := fd.consoleRequest(t, "GET", "/support/"+convID, custToken, nil)
		if s == http.StatusOK && strings.Contains(string(page), "recorded their steps") {
			break
		}
		if i == 100 {
			t.Fatalf("conversation page: %d, no message about the recording after 20 s", s)
		}
		time.Sleep(200 * time.Millisecond)
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

	// The agent's replay plays the customer's pages: the typed text is on
	// the replayed page, the canary nowhere in its DOM or field values.
	agent := fd.browserAs(t, sup)
	err = chromedp.Do(agent,
		chromedp.Navigate(fd.URL+"/console/assist/"+m[1]+"/replay"),
		chromedp.WaitVisible(css("#assist-replay")),
	)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, agent, `document.querySelector('#assist-replay').getAttribute('data-finished') === 'true'`)
	replayed := `(function(){ var f = document.querySelector('#assist-view iframe'); var d = f && f.contentDocument; if (!d) { return ''; }
		return d.documentElement.outerHTML + ' ' + Array.from(d.querySelectorAll('input,textarea')).map(function(e){ return e.value; }).join(' '); })()`
	dom, err := chromedp.Run(agent, chromedp.Evaluate[string](replayed))
	if err != nil || !strings.Contains(dom, visible) || !strings.Contains(dom, "current_password") {
		t.Fatalf("the agent's replay does not show the second page with the typed text (%v)", err)
	}
	if c := containsCanary(dom); c != "" {
		t.Fatalf("canary %q in the agent's replay", c)
	}

	// The customer finds it among their sessions, with a replay.
	err = chromedp.Do(customer,
		chromedp.Navigate(fd.URL+"/support/assist"),
		chromedp.WaitVisible(css(`#assist-list tr[data-session="`+m[1]+`"] .assist-replay-link`)),
		chromedp.Click(css(`#assist-list tr[data-session="`+m[1]+`"] .assist-replay-link`)),
		chromedp.WaitVisible(css("#assist-replay")),
	)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, customer, `document.querySelector('#assist-replay').getAttribute('data-playing') === 'true'`)

	// "frontdesk assist archive --older-than 0s" (e.g. before a backup)
	// moves it to its archive file at once; the agent's replay now comes
	// from the file, still without the canary.
	fd.archiveRecordings(t, 0, 1, "--older-than", "0s")
	scanDataDir(t, fd)
	status, rec = fd.consoleRequest(t, "GET", "/console/assist/"+m[1]+"/recording", sup, nil)
	if status != http.StatusOK || !strings.Contains(string(rec), `"source":"archive"`) || !strings.Contains(string(rec), visible) || containsCanary(string(rec)) != "" {
		t.Fatalf("recording from the archive: %d, has the typed text: %v, canary %q", status, strings.Contains(string(rec), visible), containsCanary(string(rec)))
	}
}

// Record my steps is offered from the professional plan up: on the basic
// plan the conversation's page says it is not part of the plan instead of
// offering the button, and a post anyway (a stale page, the widget) is
// refused with that message and 403 — nothing starts, and the refusal is
// audited.
//
// ASVS 8.2.1 (the plan decides), 16.3.x (the refusal audited).
func TestAssistStepsPlan(t *testing.T) {
	vars := map[string]string{"FRONTDESK_ASSIST_DEFAULT_PLAN": "basic"}
	for k, v := range fastHashing {
		vars[k] = v
	}
	fd := Start(t, vars)
	_, convID := assistDesk(t, fd)
	cust := fd.signInAPI(t, "minh@example.com", apiPassword)
	const refusal = "Recording your steps is not part of your organisation"
	s, page := fd.consoleRequest(t, "GET", "/support/"+convID, cust, nil)
	if s != http.StatusOK || strings.Contains(string(page), `id="steps-start"`) || !strings.Contains(string(page), `id="steps-plan"`) || !strings.Contains(string(page), refusal) {
		t.Fatalf("conversation page on the basic plan: %d, offers the button: %v", s, strings.Contains(string(page), `id="steps-start"`))
	}
	s, page = fd.consoleRequest(t, "POST", "/support/"+convID+"/steps", cust, nil)
	if s != http.StatusForbidden || !strings.Contains(string(page), `id="form-error"`) || !strings.Contains(string(page), refusal) {
		t.Fatalf("steps on the basic plan: %d", s)
	}
	if _, state := fd.consoleRequest(t, "GET", "/support/assist/state", cust, nil); strings.Contains(string(state), `"kind":"steps"`) {
		t.Fatal("a recording started on the basic plan")
	}
	ctx := context.Background()
	d, err := db.Open(ctx, db.Options{URL: fd.DatabaseURL, DataDir: fd.DataDir})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var sessions, denied int
	err = d.Read(ctx, func(tx *db.Tx) error {
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM assist_sessions").Scan(&sessions); err != nil {
			return err
		}
		return tx.QueryRow(ctx, "SELECT COUNT(*) FROM audit_log WHERE action = 'assist.steps_start' AND outcome = 'denied' AND target = ?", "conversation:"+convID).Scan(&denied)
	})
	if err != nil || sessions != 0 || denied != 1 {
		t.Fatalf("%d sessions, %d denied assist.steps_start audit entries (%v)", sessions, denied, err)
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
