package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
)

// The guided level in two browsers. At view level the agent's tools are
// disabled, and a highlight sent anyway is refused by the server; the
// customer allows "guided"; the agent's highlight outlines the element on
// the customer's page, a note appears beside it as text (markup in it
// stays text: no image, no script), the pointer shows where the agent
// points, labelled with the agent's name; a click — full control only —
// is refused; malformed guided actions are refused with invalid_data and
// never reach the page.
//
// ASVS 1.2.x / 3.2.2 (untrusted text rendered as text), 2.2.1 (input
// checked on the server), 8.2.1 (the level the customer chose bounds what
// the agent may do).
func TestAssistGuidedInBrowser(t *testing.T) {
	fd := Start(t, fastHashing)
	sup, convID := assistDesk(t, fd)
	customer := fd.browserAs(t, fd.signInAPI(t, "minh@example.com", apiPassword))
	if err := chromedp.Do(customer, chromedp.Navigate(fd.URL+"/account/security"), chromedp.WaitVisible(css("#current_password"))); err != nil {
		t.Fatal(err)
	}
	// A button for the agent to aim at; alert is replaced so that a
	// script run by a note would be seen, not block the page.
	_, err := chromedp.Run(customer, chromedp.Evaluate[bool](`(function(){
		window.alert = function(){ window.__xss = 1; };
		var b = document.createElement('button'); b.type = 'button'; b.id = 'agent-target'; b.textContent = 'Press me';
		b.addEventListener('click', function(){ b.textContent = 'Clicked by the agent'; });
		document.querySelector('main').prepend(b); return true; })()`))
	if err != nil {
		t.Fatal(err)
	}
	agent := fd.browserAs(t, sup)
	err = chromedp.Do(agent,
		chromedp.Navigate(fd.URL+"/console/conversations/"+convID),
		chromedp.WaitVisible(css("#assist-start")),
		chromedp.Click(css("#assist-start")),
		chromedp.WaitVisible(css("#assist-code")),
	)
	if err != nil {
		t.Fatal(err)
	}
	loc, _ := chromedp.Run(agent, chromedp.Evaluate[string](`location.pathname`))
	m := assistSessionLink.FindStringSubmatch(loc)
	if m == nil {
		t.Fatalf("the live view's address %q has no session", loc)
	}
	sessionID := m[1]

	// View only (preselected): every tool is disabled.
	waitFor(t, customer, `!!document.querySelector('#fd-assist-consent')`)
	if err := chromedp.Do(customer, chromedp.Click(css("#fd-assist-accept"))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, customer, `!!document.querySelector('#fd-assist-banner[data-level="view"]')`)
	waitFor(t, agent, `document.querySelector('#assist-live').getAttribute('data-level') === 'view'`)
	waitFor(t, agent, inFrame(`return !!d.querySelector('#agent-target');`))
	waitFor(t, agent, `['click','pointer','highlight','annotate'].every(function(k){ return document.querySelector('#assist-tool-' + k).disabled; })`)

	// A highlight sent anyway (a stale or altered console) is refused by
	// the server, shown to the agent, and the customer's page is unchanged.
	forceTool(t, agent, "highlight")
	agentClick(t, agent, customer)
	waitFor(t, agent, `document.querySelector('#assist-live').getAttribute('data-refused') === 'not_allowed'`)
	if msg, _ := chromedp.Run(agent, chromedp.Text(css("#assist-refused"))); !strings.Contains(msg, "not allowed") {
		t.Fatalf("the refusal shown to the agent: %q", msg)
	}
	if on, _ := chromedp.Run(customer, chromedp.Evaluate[bool](`document.querySelector('#agent-target').classList.contains('fd-assist-highlight')`)); on {
		t.Fatal("a highlight at view level reached the customer's page")
	}

	// The agent asks for guided; the customer allows it.
	if err := chromedp.Do(agent, chromedp.Click(css("#assist-request-guided"))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, customer, `!!document.querySelector('#fd-assist-allow')`)
	if err := chromedp.Do(customer, chromedp.Click(css("#fd-assist-allow"))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, customer, `!!document.querySelector('#fd-assist-banner[data-level="guided"]')`)
	waitFor(t, agent, `document.querySelector('#assist-live').getAttribute('data-level') === 'guided'`)
	waitFor(t, agent, `['pointer','highlight','annotate'].every(function(k){ return !document.querySelector('#assist-tool-' + k).disabled; }) && document.querySelector('#assist-tool-click').disabled`)

	// Highlight: a visible outline on that element, announced.
	if err := chromedp.Do(agent, chromedp.Click(css("#assist-tool-highlight"))); err != nil {
		t.Fatal(err)
	}
	agentClick(t, agent, customer)
	waitFor(t, customer, `(function(){ var b = document.querySelector('#agent-target'); var s = getComputedStyle(b);
		return b.classList.contains('fd-assist-highlight') && s.outlineStyle === 'solid' && parseFloat(s.outlineWidth) >= 3; })()`)
	waitFor(t, customer, `(document.querySelector('#fd-assist-said') || {}).textContent === 'An highlights: Press me'`)
	if n, _ := chromedp.Run(customer, chromedp.Evaluate[int](`document.querySelectorAll('.fd-assist-highlight').length`)); n != 1 {
		t.Fatalf("%d elements outlined, want the one aimed at", n)
	}

	// A note, with markup that must stay text.
	const note = `<img src=x onerror=alert(1)> Press this button`
	if err := chromedp.Do(agent, chromedp.Click(css("#assist-tool-annotate")), chromedp.SendKeys(css("#assist-note"), note)); err != nil {
		t.Fatal(err)
	}
	agentClick(t, agent, customer)
	waitFor(t, customer, `!!document.querySelector('#fd-assist-note-text')`)
	got, _ := chromedp.Run(customer, chromedp.Evaluate[string](`document.querySelector('#fd-assist-note-text').textContent`))
	from, _ := chromedp.Run(customer, chromedp.Evaluate[string](`document.querySelector('#fd-assist-note-from').textContent`))
	imgs, _ := chromedp.Run(customer, chromedp.Evaluate[int](`document.querySelectorAll('img[src="x"], #fd-assist-ui img').length`))
	xss, _ := chromedp.Run(customer, chromedp.Evaluate[bool](`!!window.__xss`))
	if got != note || from != "Note from An" || imgs != 0 || xss {
		t.Fatalf("note %q from %q shown with %d images, script run: %v", got, from, imgs, xss)
	}
	inUI, _ := chromedp.Run(customer, chromedp.Evaluate[bool](`!!document.querySelector('#fd-assist-ui[data-fd-block] #fd-assist-note')`))
	if !inUI {
		t.Fatal("the note is not inside the script's blocked UI")
	}
	if err := chromedp.Do(customer, chromedp.Click(css("#fd-assist-note-close"))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, customer, `!document.querySelector('#fd-assist-note')`)

	// The pointer follows the agent's mouse over the replay, labelled with
	// the agent's name, and lands where the agent points.
	if err := chromedp.Do(agent, chromedp.Click(css("#assist-tool-pointer"))); err != nil {
		t.Fatal(err)
	}
	x, y := replayPoint(t, agent)
	if err := chromedp.Do(agent, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, x-4, y), chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, x, y)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, customer, `(function(){ var p = document.querySelector('#fd-assist-pointer'); if (!p || p.hidden || p.style.left === '') { return false; }
		return p.textContent === 'An' && document.elementsFromPoint(parseFloat(p.style.left), parseFloat(p.style.top)).indexOf(document.querySelector('#agent-target')) >= 0; })()`)

	// A click needs full control: refused, and the page is unchanged.
	chromedp.Run(agent, chromedp.Evaluate[bool](`(function(){ document.querySelector('#assist-live').removeAttribute('data-refused'); return true; })()`))
	forceTool(t, agent, "click")
	agentClick(t, agent, customer)
	waitFor(t, agent, `document.querySelector('#assist-live').getAttribute('data-refused') === 'not_allowed'`)
	if got, _ := chromedp.Run(customer, chromedp.Text(css("#agent-target"))); got != "Press me" {
		t.Fatalf("a click at the guided level changed the page: %q", got)
	}

	// Malformed guided actions, sent on a second agent socket of the same
	// console: each is refused with invalid_data and a message, and none
	// reaches the customer's page.
	refusals, err := chromedp.Run(agent, chromedp.Evaluate[[]map[string]string](`(async function(){
		var r = await fetch('/console/assist/`+sessionID+`/ticket', { method: 'POST', credentials: 'same-origin', headers: { 'Accept': 'application/json' } });
		var ticket = (await r.json()).ticket;
		var bad = [
			{ type: 'action', kind: 'annotate', target: 1, data: { text: '' } },
			{ type: 'action', kind: 'annotate', target: 1, data: { text: 'x'.repeat(141) } },
			{ type: 'action', kind: 'annotate', target: 1, data: '<b>bold</b>' },
			{ type: 'action', kind: 'pointer', target: 1, data: { x: 'left', y: 10 } },
			{ type: 'action', kind: 'pointer', target: 1 },
			{ type: 'action', kind: 'highlight', target: 1, data: { html: '<img src=x>' } }
		];
		return await new Promise(function(resolve, reject){
			var ws = new WebSocket('ws://' + location.host + '/console/assist/ws'), out = [];
			ws.onopen = function(){ ws.send(JSON.stringify({ type: 'hello', ticket: ticket })); };
			ws.onmessage = function(m){
				var f = JSON.parse(m.data);
				if (f.type === 'welcome') { bad.forEach(function(b){ ws.send(JSON.stringify(b)); }); }
				if (f.type === 'refused' || f.type === 'acted') { out.push({ type: f.type, kind: f.kind, code: f.code || '', message: f.message || '' }); }
				if (out.length === bad.length) { ws.close(); resolve(out); }
			};
			ws.onerror = function(){ reject(new Error('socket')); };
		});
	})()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if len(refusals) != 6 {
		t.Fatalf("answers to the malformed actions: %v", refusals)
	}
	for _, r := range refusals {
		if r["type"] != "refused" || r["code"] != "invalid_data" || r["message"] == "" {
			t.Fatalf("a malformed action was answered %v", r)
		}
	}
	if n, _ := chromedp.Run(customer, chromedp.Evaluate[int](`document.querySelectorAll('#fd-assist-note, img[src="x"]').length`)); n != 0 {
		t.Fatalf("a malformed action reached the customer's page (%d elements)", n)
	}
}

// forceTool enables a tool's button the level disables and chooses it, as
// a stale or altered console could: what it sends is the server's to refuse.
func forceTool(t *testing.T, agent context.Context, tool string) {
	t.Helper()
	_, err := chromedp.Run(agent, chromedp.Evaluate[bool](`(function(){ var b = document.querySelector('#assist-tool-`+tool+`'); b.disabled = false; b.click(); return b.getAttribute('aria-pressed') === 'true'; })()`))
	if err != nil {
		t.Fatal(err)
	}
}

// replayPoint is the point of the agent's page over #agent-target in the
// replay (its left part, clear of the label).
func replayPoint(t *testing.T, agent context.Context) (float64, float64) {
	t.Helper()
	type point struct{ X, Y float64 }
	// The live view scales the customer's page to its column: a point of
	// the page is at the frame's corner plus the point times the scale.
	p, err := chromedp.Run(agent, chromedp.Evaluate[point](`(function(){ var f = document.querySelector('#assist-view iframe'); var fr = f.getBoundingClientRect();
		var scale = fr.width / (f.offsetWidth || fr.width) || 1;
		var b = f.contentDocument.querySelector('#agent-target').getBoundingClientRect();
		return {X: fr.left + (b.left + Math.min(b.width / 2, 10)) * scale, Y: fr.top + (b.top + b.height / 2) * scale}; })()`))
	if err != nil {
		t.Fatal(err)
	}
	return p.X, p.Y
}
