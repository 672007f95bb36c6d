package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/frontdesk/frontdesk/internal/db"
)

// widgetLook is what the launcher and the panel look like, read from the
// browser's computed styles: a widget whose stylesheet was refused (the
// portal's CSP blocked its <style> once) has none of these.
const widgetLook = `(function(){
	var r = document.querySelector('#frontdesk-chat').shadowRoot, l = r.querySelector('#fd-open'), p = r.querySelector('.panel');
	var ls = getComputedStyle(l), ps = getComputedStyle(p);
	var b = l.getBoundingClientRect();
	return {launcher: ls.position, bg: ls.backgroundColor, radius: ls.borderTopLeftRadius, panel: ps.position,
		right: Math.round(window.innerWidth - b.right), bottom: Math.round(window.innerHeight - b.bottom),
		label: l.getAttribute('aria-label') || l.textContent, hostHidden: document.querySelector('#frontdesk-chat').hidden};
})()`

type widgetStyle struct {
	Launcher   string `json:"launcher"`
	Bg         string `json:"bg"`
	Radius     string `json:"radius"`
	Panel      string `json:"panel"`
	Right      int    `json:"right"`
	Bottom     int    `json:"bottom"`
	Label      string `json:"label"`
	HostHidden bool   `json:"hostHidden"`
}

// checkWidgetLook fails unless the widget is shown, styled by widget.css
// (a fixed round launcher at the bottom right, in the brand colour) and
// labelled in the language wanted.
func checkWidgetLook(t *testing.T, ctx context.Context, where, label string) {
	t.Helper()
	waitFor(t, ctx, `!!document.querySelector('#frontdesk-chat') && !document.querySelector('#frontdesk-chat').hidden`)
	got, err := chromedp.Run(ctx, chromedp.Evaluate[widgetStyle](widgetLook))
	if err != nil {
		t.Fatalf("%s: %v", where, err)
	}
	want := widgetStyle{Launcher: "fixed", Bg: "rgb(11, 92, 173)", Radius: "28px", Panel: "fixed", Right: 20, Bottom: 20, Label: label}
	if got != want {
		t.Errorf("%s: the widget is\n %+v, want\n %+v", where, got, want)
	}
}

// The widget on a page of another site of the business, whose page is in
// Vietnamese and says so only in <html lang>: the launcher floats, styled,
// in Vietnamese; a conversation comes back after a reload; an answer that
// comes while the panel is closed is counted on the launcher.
func TestWidgetOnForeignPage(t *testing.T) {
	site := httptest.NewServer(nil)
	defer site.Close()
	vars := map[string]string{"FRONTDESK_WIDGET_ORIGINS": site.URL}
	for k, v := range fastHashing {
		vars[k] = v
	}
	fd := Start(t, vars)
	site.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The host's own strict CSP allows Frontdesk's script and stylesheet
		// and nothing inline: what docs/support.md tells a business to set.
		w.Header().Set("Content-Security-Policy", fmt.Sprintf("default-src 'self'; script-src %[1]s; style-src %[1]s; connect-src %[2]s", fd.URL, "ws"+fd.URL[len("http"):]))
		fmt.Fprintf(w, `<!doctype html><html lang="vi"><head><title>Ngân hàng</title></head><body><h1>Trang chủ ngân hàng</h1>
<script src="%s/widget.js" async></script></body></html>`, fd.URL)
	})
	fd.createStaff(t, "sup@acme.example", "supervisor")
	sup := fd.signInAPI(t, "sup@acme.example", apiPassword)
	fd.enrolTOTPAPI(t, sup)
	if s := fd.postForm(t, "/console/desk/agents", sup, url.Values{"account": {fd.accountID(t, sup)}, "display_name": {"An"}, "language": {"vi"}}); s != http.StatusSeeOther {
		t.Fatalf("agent: %d", s)
	}

	visitor := Browser(t)
	if err := chromedp.Do(visitor, chromedp.EmulateViewport(1280, 800), chromedp.Navigate(site.URL), chromedp.WaitReady("body")); err != nil {
		t.Fatal(err)
	}
	checkWidgetLook(t, visitor, "foreign page", "Trò chuyện với chúng tôi")

	// The visitor writes (offline: with an e-mail address).
	chromedp.Run(visitor, chromedp.Evaluate[any](widgetJS(`$('#fd-open').click(); return true;`)))
	waitFor(t, visitor, widgetJS(`return !$('#fd-email').hidden;`))
	chromedp.Run(visitor, chromedp.Evaluate[any](widgetJS(`$('#fd-email').value = "lan@example.com"; $('#fd-text').value = "Thẻ của tôi bị khóa"; $('#fd-form').requestSubmit(); return true;`)))
	waitFor(t, visitor, widgetJS(`return !r.querySelector('[data-pending]') && r.querySelectorAll('.m.customer').length === 1;`))
	// The automatic assistant answers a first message from the help
	// centre's starter articles ("khóa": the locked-account guide) after
	// acknowledging it. Its answer must be in before the panel closes, or
	// it is rightly counted unread beside the agent's, which a busy machine
	// delays enough to happen.
	waitFor(t, visitor, widgetJS(`return r.querySelectorAll('.m.bot').length >= 1;`))
	if got, _ := chromedp.Run(visitor, chromedp.Evaluate[string](widgetJS(`return $('#fd-send').textContent;`))); got != "Gửi" {
		t.Errorf("the send button says %q, want Vietnamese", got)
	}

	// After a reload the conversation is shown again, the panel still open.
	if err := chromedp.Do(visitor, chromedp.Reload(), chromedp.WaitReady("body")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, visitor, `!!document.querySelector('#frontdesk-chat')`)
	waitFor(t, visitor, widgetJS(`var m = r.querySelectorAll('.m.customer'); return m.length === 1 && m[0].textContent.indexOf("Thẻ của tôi bị khóa") >= 0 && !$('.panel').hidden;`))

	// The visitor closes the panel; the agent answers; the launcher counts it.
	chromedp.Run(visitor, chromedp.Evaluate[any](widgetJS(`$('#fd-close').click(); return true;`)))
	conv := fd.firstConversation(t)
	if s := fd.postForm(t, "/console/conversations/"+conv+"/reply", sup, url.Values{"body": {"Chúng tôi đã mở khóa thẻ."}}); s != http.StatusSeeOther {
		t.Fatalf("reply: %d", s)
	}
	waitFor(t, visitor, widgetJS(`return !$('#fd-unread').hidden && $('#fd-unread').textContent === "1" && $('#fd-open').getAttribute('aria-label') === "Trò chuyện với chúng tôi (1 tin nhắn mới)";`))
	// Still counted after a reload; read once the panel opens.
	if err := chromedp.Do(visitor, chromedp.Reload(), chromedp.WaitReady("body")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, visitor, `!!document.querySelector('#frontdesk-chat')`)
	waitFor(t, visitor, widgetJS(`return $('#fd-unread').textContent === "1" && $('.panel').hidden;`))
	chromedp.Run(visitor, chromedp.Evaluate[any](widgetJS(`$('#fd-open').click(); return true;`)))
	waitFor(t, visitor, widgetJS(`return $('#fd-unread').hidden && r.querySelectorAll('.m.agent').length === 1 && r.querySelectorAll('.m.customer').length === 1;`))

	// On a phone the panel takes the whole screen.
	if err := chromedp.Do(visitor, chromedp.EmulateViewport(390, 800)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, visitor, widgetJS(`var b = $('.panel').getBoundingClientRect(); return Math.round(b.width) === 390 && Math.round(b.left) === 0;`))
}

// The widget on the portal's own contact page, under the portal's strict
// CSP (nonces, no inline style): styled, and in the page's language.
func TestWidgetOnContactPage(t *testing.T) {
	fd := Start(t, fastHashing)
	ctx := Browser(t)
	for lang, label := range map[string]string{"en": "Chat with us", "vi": "Trò chuyện với chúng tôi", "zh": "在线咨询"} {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800), chromedp.Navigate(fd.URL+"/contact?lang="+lang), chromedp.WaitReady("body")); err != nil {
			t.Fatal(err)
		}
		checkWidgetLook(t, ctx, "contact page ("+lang+")", label)
	}
}

// firstConversation is the id of the oldest conversation.
func (i *Instance) firstConversation(t *testing.T) string {
	t.Helper()
	var id string
	i.queryRow(t, `SELECT id FROM conversations ORDER BY created_at LIMIT 1`, &id)
	return id
}

// queryRow runs a one-row query on the instance's database.
func (i *Instance) queryRow(t *testing.T, query string, dest ...any) {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, db.Options{URL: i.DatabaseURL, DataDir: i.DataDir})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.Read(ctx, func(tx *db.Tx) error { return tx.QueryRow(ctx, query).Scan(dest...) }); err != nil {
		t.Fatal(err)
	}
}
