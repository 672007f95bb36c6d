package e2e

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// The guided level in two browsers: the customer consents to "guided";
// the agent's highlight outlines the element on the customer's page, a
// note appears beside it as text (markup in it stays text), the pointer
// shows where the agent points, and a click — full control only — is
// refused.
//
// ASVS 1.2.x / 3.2.2 (untrusted text rendered as text), 8.2.1 (the level
// the customer chose bounds what the agent may do).
func TestAssistGuidedInBrowser(t *testing.T) {
	fd := Start(t, fastHashing)
	sup, convID := assistDesk(t, fd)
	customer := fd.browserAs(t, fd.signInAPI(t, "minh@example.com", apiPassword))
	if err := chromedp.Do(customer, chromedp.Navigate(fd.URL+"/account/security"), chromedp.WaitVisible(css("#current_password"))); err != nil {
		t.Fatal(err)
	}
	_, err := chromedp.Run(customer, chromedp.Evaluate[bool](`(function(){
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
	waitFor(t, customer, `!!document.querySelector('#fd-assist-consent')`)
	if err := chromedp.Do(customer, chromedp.Click(css("#fd-assist-level-guided")), chromedp.Click(css("#fd-assist-accept"))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, customer, `!!document.querySelector('#fd-assist-banner[data-level="guided"]')`)
	waitFor(t, agent, `document.querySelector('#assist-live').getAttribute('data-level') === 'guided'`)
	waitFor(t, agent, inFrame(`return !!d.querySelector('#agent-target');`))

	// Highlight.
	if err := chromedp.Do(agent, chromedp.Click(css("#assist-tool-highlight"))); err != nil {
		t.Fatal(err)
	}
	agentClick(t, agent)
	waitFor(t, customer, `document.querySelector('#agent-target').classList.contains('fd-assist-highlight')`)

	// A note, with markup that must stay text.
	const note = `<img src=x onerror="document.title='pwned'"> Press this button`
	if err := chromedp.Do(agent, chromedp.Click(css("#assist-tool-annotate")), chromedp.SendKeys(css("#assist-note"), note)); err != nil {
		t.Fatal(err)
	}
	agentClick(t, agent)
	waitFor(t, customer, `!!document.querySelector('#fd-assist-note-text')`)
	got, _ := chromedp.Run(customer, chromedp.Evaluate[string](`document.querySelector('#fd-assist-note-text').textContent`))
	imgs, _ := chromedp.Run(customer, chromedp.Evaluate[int](`document.querySelectorAll('#fd-assist-ui img').length`))
	title, _ := chromedp.Run(customer, chromedp.Evaluate[string](`document.title`))
	if got != note || imgs != 0 || title == "pwned" {
		t.Fatalf("note shown as %q with %d images, title %q", got, imgs, title)
	}

	// The pointer.
	if err := chromedp.Do(agent, chromedp.Click(css("#assist-tool-pointer"))); err != nil {
		t.Fatal(err)
	}
	agentClick(t, agent)
	waitFor(t, customer, `(function(){ var p = document.querySelector('#fd-assist-pointer'); return !!p && !p.hidden && p.style.left !== ''; })()`)

	// A click needs full control: refused, and the page is unchanged.
	if err := chromedp.Do(agent, chromedp.Click(css("#assist-tool-click"))); err != nil {
		t.Fatal(err)
	}
	agentClick(t, agent)
	waitFor(t, agent, `document.querySelector('#assist-live').getAttribute('data-refused') === 'not_allowed'`)
	if got, _ := chromedp.Run(customer, chromedp.Text(css("#agent-target"))); got != "Press me" {
		t.Fatalf("a click at the guided level changed the page: %q", got)
	}
}
