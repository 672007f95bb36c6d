package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// widgetJS runs a statement in the widget's shadow root, where $ is
// querySelector.
func widgetJS(js string) string {
	return `(function(){ var r = document.querySelector('#frontdesk-chat').shadowRoot; var $ = function(s){ return r.querySelector(s); }; ` + js + ` })()`
}

// The whole chat in two real browsers: a visitor opens the widget on a
// page of another site of the business and writes; the agent's inbox
// shows it live; the agent replies from the console and the visitor sees
// the reply; the agent resolves; the visitor rates 5, and the agent sees
// the rating. A script typed by the visitor stays text on both sides.
func TestChatInBrowser(t *testing.T) {
	site := httptest.NewServer(nil)
	defer site.Close()
	vars := map[string]string{"FRONTDESK_WIDGET_ORIGINS": site.URL}
	for k, v := range fastHashing {
		vars[k] = v
	}
	fd := Start(t, vars)
	site.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<!doctype html><html lang="vi"><head><title>Ngân hàng</title></head><body><h1>Trang chủ ngân hàng</h1>
<script src="%s/widget.js" data-lang="en"></script></body></html>`, fd.URL)
	})
	fd.createStaff(t, "sup@acme.example", "supervisor")
	sup := fd.signInAPI(t, "sup@acme.example", apiPassword)
	fd.enrolTOTPAPI(t, sup)
	if s := fd.postForm(t, "/console/desk/agents", sup, url.Values{"account": {fd.accountID(t, sup)}, "display_name": {"An"}, "language": {"en", "vi"}}); s != http.StatusSeeOther {
		t.Fatalf("agent: %d", s)
	}

	// The agent's inbox is open (the desk is online).
	agent := Browser(t)
	secure, httpOnly := true, true
	if _, err := chromedp.Call(agent, network.SetCookie, network.SetCookieParams{Name: "__Host-fd_session", Value: sup,
		URL: fd.URL, Path: "/", Secure: &secure, HTTPOnly: &httpOnly, SameSite: network.CookieSameSiteLax}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(agent, chromedp.Navigate(fd.URL+"/console/inbox?view=active"), chromedp.WaitVisible(css("#inbox"))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, agent, `document.querySelector('#inbox') !== null`) // page up; its live socket heartbeats

	// The visitor, on the business's own site.
	visitor := Browser(t)
	payload := `<img src=x onerror="window.__xss=1">`
	err := chromedp.Do(visitor,
		chromedp.Navigate(site.URL),
		chromedp.WaitReady("body"),
	)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, visitor, `!!document.querySelector('#frontdesk-chat')`)
	chromedp.Run(visitor, chromedp.Evaluate[any](widgetJS(`$('#fd-open').click(); return true;`)))
	waitFor(t, visitor, widgetJS(`return $('#fd-status').textContent === "We are online.";`))
	chromedp.Run(visitor, chromedp.Evaluate[any](widgetJS(`$('#fd-text').value = "My card is blocked "+`+"`"+payload+"`"+`; $('#fd-form').requestSubmit(); return true;`)))
	waitFor(t, visitor, widgetJS(`return !r.querySelector('[data-pending]') && r.querySelectorAll('.m.customer').length === 1;`))

	// The agent's inbox shows it without a reload by hand.
	waitFor(t, agent, `document.querySelectorAll('#inbox a[href^="/console/conversations/"]').length === 1`)
	err = chromedp.Do(agent,
		chromedp.Click(css(`#inbox a[href^="/console/conversations/"]`)),
		chromedp.WaitVisible(css("#messages")),
	)
	if err != nil {
		t.Fatal(err)
	}
	first, _ := chromedp.Run(agent, chromedp.Text(css("#m1 .body")))
	if !strings.Contains(first, payload) {
		t.Fatalf("the agent sees %q", first)
	}
	// The agent replies; the visitor sees it live.
	err = chromedp.Do(agent,
		chromedp.SendKeys(css("#body"), "Hello, I have unblocked your card."),
		chromedp.Click(css("#send")),
	)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, visitor, widgetJS(`var m = r.querySelectorAll('.m.agent'); return m.length === 1 && m[0].textContent.indexOf("unblocked your card") >= 0;`))
	waitFor(t, agent, `document.querySelectorAll('#messages .message.agent').length === 1`)
	// The agent resolves (the field saves as it changes); the visitor is
	// asked to rate, and gives 5.
	if err := chromedp.Do(agent, chromedp.SetValue(css("#status"), "resolved")); err != nil {
		t.Fatal(err)
	}
	chromedp.Run(agent, chromedp.Evaluate[bool](`document.querySelector('#status').dispatchEvent(new Event('change')) || true`))
	waitFor(t, agent, `document.querySelector('#fields-status').textContent === 'Saved.'`)
	waitFor(t, visitor, widgetJS(`return !$('#fd-rate').hidden;`))
	chromedp.Run(visitor, chromedp.Evaluate[any](widgetJS(`$('#fd-rate-5').click(); return true;`)))
	waitFor(t, visitor, widgetJS(`return $('#fd-rate').hidden;`))
	// The agent's page does not follow ratings live: a reload shows it.
	reloadUntil(t, agent, `!!document.querySelector('#rating')`)
	if r, _ := chromedp.Run(agent, chromedp.Text(css("#rating"))); !strings.HasPrefix(r, "5/5") {
		t.Fatalf("rating shown to the agent: %q", r)
	}
	// ASVS 1.2.1: the visitor's markup ran nowhere.
	for name, ctx := range map[string]context.Context{"agent": agent, "visitor": visitor} {
		if x, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.__xss === 1`)); x {
			t.Fatalf("script ran in the %s's page", name)
		}
	}
}

// waitFor polls a JavaScript condition in the page until it holds.
func waitFor(t *testing.T, ctx context.Context, cond string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		ok, err := evalBounded(ctx, cond)
		if err == nil && ok {
			return
		}
		if ctx.Err() != nil {
			// Not the page: the tab itself is gone.
			t.Fatalf("the browser tab ended (%v) while waiting for: %s", ctx.Err(), cond)
		}
		if time.Now().After(deadline) {
			t.Fatalf("never true: %s (%v)", cond, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// evalBounded evaluates cond once, giving up after 10 s: a page that
// hangs must fail the wait, not hold the test until go test's deadline.
func evalBounded(ctx context.Context, cond string) (bool, error) {
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return chromedp.Run(cctx, chromedp.Evaluate[bool](cond))
}

// reloadUntil reloads the page until cond holds: for what the server has
// stored but this page does not follow live.
func reloadUntil(t *testing.T, ctx context.Context, cond string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		rctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		err := chromedp.Do(rctx, chromedp.Reload())
		cancel()
		if ctx.Err() != nil {
			t.Fatalf("the browser tab ended (%v) while reloading for: %s", ctx.Err(), cond)
		}
		if ok, eerr := evalBounded(ctx, cond); err == nil && eerr == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("never true after reloading: %s (reload: %v)", cond, err)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// ASVS 1.2.1/1.3.x: markup in every field a customer controls — name,
// subject, message, and a tag an agent typed from it — stays text in the
// console's pages, checked in a real browser (an alert or a script that
// ran would set window.__xss).
func TestDeskPagesRenderCustomerMarkupInert(t *testing.T) {
	fd := Start(t, fastHashing)
	fd.createStaff(t, "sup@acme.example", "supervisor")
	sup := fd.signInAPI(t, "sup@acme.example", apiPassword)
	fd.enrolTOTPAPI(t, sup)
	payloads := []string{`<script>window.__xss=1</script>`, `<img src=x onerror="window.__xss=1">`, `<svg onload="window.__xss=1">`, `"><iframe src="javascript:window.top.__xss=1">`}
	all := strings.Join(payloads, " ")
	if s, _ := fd.consoleRequest(t, "POST", "/contact", "", url.Values{"email": {"x@example.com"}, "name": {"N " + all}, "subject": {"S " + all},
		"body": {"B " + all}, "category": {"browser"}}); s != http.StatusSeeOther {
		t.Fatalf("contact: %d", s)
	}
	ctx := Browser(t)
	secure, httpOnly := true, true
	if _, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: "__Host-fd_session", Value: sup,
		URL: fd.URL, Path: "/", Secure: &secure, HTTPOnly: &httpOnly, SameSite: network.CookieSameSiteLax}); err != nil {
		t.Fatal(err)
	}
	err := chromedp.Do(ctx,
		chromedp.Navigate(fd.URL+"/console/inbox?view=all"),
		chromedp.WaitVisible(css(`#inbox a[href^="/console/conversations/"]`)),
		chromedp.Click(css(`#inbox a[href^="/console/conversations/"]`)),
		chromedp.WaitVisible(css("#messages")),
	)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := chromedp.Run(ctx, chromedp.Text(css("#m1 .body")))
	who, _ := chromedp.Run(ctx, chromedp.Text(css("#who")))
	if !strings.Contains(body, payloads[0]) || !strings.Contains(who, payloads[1]) {
		t.Fatalf("markup not shown as text: body %q, who %q", body, who)
	}
	// The conversation page is open now; then the other pages that show it.
	for _, page := range []string{"", "/console/inbox?view=all", "/console/analytics", "/console/complaints"} {
		if page != "" {
			if err := chromedp.Do(ctx, chromedp.Navigate(fd.URL+page), chromedp.WaitReady("main")); err != nil {
				t.Fatal(err)
			}
		}
		if x, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.__xss === 1`)); x {
			t.Fatalf("customer markup ran in the console (%s)", page)
		}
		if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('main iframe, main img, main svg[onload]').length`)); n != 0 {
			t.Fatalf("%d elements from customer markup on %s", n, page)
		}
	}
}

// The bot in the widget: it answers from the help centre, says it is
// automatic, and when the visitor asks for a person the agent gets the
// whole transcript — the question, the bot's suggestions, the hand-over.
func TestBotInWidget(t *testing.T) {
	fd, site, agent := widgetDesk(t)
	fd.kbImport(t, map[string]string{"card.en.md": "---\nslug: blocked-card\nlocale: en\ntitle: Your card is blocked\n---\nCall us or unblock it in the app.\n"})
	visitor := Browser(t)
	if err := chromedp.Do(visitor, chromedp.Navigate(site), chromedp.WaitReady("body")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, visitor, `!!document.querySelector('#frontdesk-chat')`)
	chromedp.Run(visitor, chromedp.Evaluate[any](widgetJS(`$('#fd-open').click(); return true;`)))
	waitFor(t, visitor, widgetJS(`return $('#fd-status').textContent === "We are online.";`))
	chromedp.Run(visitor, chromedp.Evaluate[any](widgetJS(`$('#fd-text').value = "Help, my card is blocked"; $('#fd-form').requestSubmit(); return true;`)))
	// The bot answers, as a bot, with the article.
	waitFor(t, visitor, widgetJS(`var b = r.querySelector('.m.bot'); return !!b && b.textContent.indexOf("Your card is blocked") >= 0 && b.textContent.indexOf("Automatic answer") >= 0 && !$('#fd-bot').hidden;`))
	chromedp.Run(visitor, chromedp.Evaluate[any](widgetJS(`$('#fd-human').click(); return true;`)))
	waitFor(t, visitor, widgetJS(`return r.querySelectorAll('.m.system').length === 1 && $('#fd-bot').hidden;`))
	// The agent gets the conversation with the transcript.
	openHandedOver(t, agent)
}

// openHandedOver waits for the one conversation of the agent's inbox and
// opens it: the transcript is the customer's message, the bot's and the
// hand-over note, and the conversation is An's.
func openHandedOver(t *testing.T, agent context.Context) {
	t.Helper()
	waitFor(t, agent, `document.querySelectorAll('#inbox a[href^="/console/conversations/"]').length === 1`)
	if err := chromedp.Do(agent, chromedp.Click(css(`#inbox a[href^="/console/conversations/"]`)), chromedp.WaitVisible(css("#messages"))); err != nil {
		t.Fatal(err)
	}
	kinds, _ := chromedp.Run(agent, chromedp.Evaluate[string](`Array.from(document.querySelectorAll('#messages .message')).map(function(m){ return m.getAttribute('data-kind'); }).join(',')`))
	if kinds != "customer,bot,system" {
		t.Fatalf("transcript kinds: %q", kinds)
	}
	if who, _ := chromedp.Run(agent, chromedp.Text(css("#assignee"))); who != "An" {
		t.Fatalf("handed over to %q", who)
	}
}

// widgetDesk starts Frontdesk with a page of another site of the business
// that embeds the widget in English, and a supervisor who is the desk's
// agent "An", with the inbox open in a browser (so the desk is online).
func widgetDesk(t *testing.T) (fd *Instance, siteURL string, agent context.Context) {
	site := httptest.NewServer(nil)
	t.Cleanup(site.Close)
	vars := map[string]string{"FRONTDESK_WIDGET_ORIGINS": site.URL}
	for k, v := range fastHashing {
		vars[k] = v
	}
	fd = Start(t, vars)
	site.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<!doctype html><html><body><h1>Bank</h1><script src="%s/widget.js" data-lang="en"></script></body></html>`, fd.URL)
	})
	fd.createStaff(t, "sup@acme.example", "supervisor")
	sup := fd.signInAPI(t, "sup@acme.example", apiPassword)
	fd.enrolTOTPAPI(t, sup)
	if s := fd.postForm(t, "/console/desk/agents", sup, url.Values{"account": {fd.accountID(t, sup)}, "display_name": {"An"}, "language": {"en"}}); s != http.StatusSeeOther {
		t.Fatalf("agent: %d", s)
	}
	agent = fd.browserAs(t, sup)
	if err := chromedp.Do(agent, chromedp.Navigate(fd.URL+"/console/inbox?view=active"), chromedp.WaitVisible(css("#inbox"))); err != nil {
		t.Fatal(err)
	}
	return fd, site.URL, agent
}

// browserAs opens a browser signed in with a session token.
func (i *Instance) browserAs(t *testing.T, token string) context.Context {
	t.Helper()
	ctx := Browser(t)
	secure, httpOnly := true, true
	if _, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: "__Host-fd_session", Value: token,
		URL: i.URL, Path: "/", Secure: &secure, HTTPOnly: &httpOnly, SameSite: network.CookieSameSiteLax}); err != nil {
		t.Fatal(err)
	}
	return ctx
}
