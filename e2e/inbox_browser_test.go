package e2e

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// deskWithConversations starts an instance with a supervisor who is an
// agent of the desk (returned signed in), and three conversations from
// three channels: a visitor's from the contact page with no subject, a
// phone call, and a Chinese visitor's. It returns their ids, newest first.
func deskWithConversations(t *testing.T) (*Instance, string, []string) {
	t.Helper()
	fd := Start(t, fastHashing)
	fd.createStaff(t, "sup@acme.example", "supervisor")
	sup := fd.signInAPI(t, "sup@acme.example", apiPassword)
	fd.enrolTOTPAPI(t, sup)
	if s := fd.postForm(t, "/console/desk/agents", sup, url.Values{"account": {fd.accountID(t, sup)}, "display_name": {"Bảo Nguyễn"}, "language": {"vi", "en", "zh"}, "max_open": {"10"}}); s != http.StatusSeeOther {
		t.Fatalf("make agent: %d", s)
	}
	for _, f := range []url.Values{
		{"email": {"lan.tran@example.vn"}, "name": {"Trần Thị Lan"}, "body": {"Tôi không nhận được mã xác minh qua tin nhắn, đã thử ba lần trong sáng nay mà vẫn không có gì."}, "category": {"two_factor"}},
		{"email": {"wei@example.cn"}, "name": {"王伟"}, "subject": {"账户被锁定"}, "body": {"我输错了几次密码，现在账户被锁定了，怎么解锁？"}, "category": {"account_locked"}},
	} {
		if s, _ := fd.consoleRequest(t, "POST", "/contact", "", f); s != http.StatusSeeOther {
			t.Fatalf("contact: %d", s)
		}
	}
	if s := fd.postForm(t, "/console/calls", sup, url.Values{"name": {"Anna Schmidt"}, "email": {"anna@example.de"}, "subject": {"Card blocked abroad"},
		"direction": {"inbound"}, "number": {"+4915112345678"}, "duration": {"4:10"}, "outcome": {"follow_up"}, "notes": {"Travelling in Vietnam; card declined twice."}}); s != http.StatusSeeOther {
		t.Fatalf("call: %d", s)
	}
	_, page := fd.consoleRequest(t, "GET", "/console/inbox?view=all", sup, nil)
	var ids []string
	for _, m := range convLink.FindAllStringSubmatch(string(page), -1) {
		if len(ids) == 0 || ids[len(ids)-1] != m[1] {
			ids = append(ids, m[1])
		}
	}
	if len(ids) != 3 {
		t.Fatalf("the inbox lists %d conversations: %v", len(ids), ids)
	}
	return fd, sup, ids
}

// The inbox as agents see it, in three languages at 1,280 and 390 px:
// the views with counts and a current marker, the list with previews,
// channel icons and SLA clocks, and an open conversation with the
// customer's card beside the thread on a desktop, every pane on a phone
// without overflow.
func TestInboxAsSeen(t *testing.T) {
	fd, sup, ids := deskWithConversations(t)
	ctx := fd.browserAs(t, sup)
	checkPage(t, ctx, fd.URL+"/console/inbox?view=all", "inbox")
	checkPage(t, ctx, fd.URL+"/console/conversations/"+ids[2]+"?view=all", "inbox-conversation")

	// What the list says of each conversation.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(withLang(t, fd.URL+"/console/inbox?view=all", "en")), chromedp.WaitVisible(css("#inbox"))); err != nil {
		t.Fatal(err)
	}
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[[]map[string]string](`Array.from(document.querySelectorAll('#inbox .conv')).map(function(li){
		return {subject: li.querySelector('.subject').textContent, preview: (li.querySelector('.preview') || {textContent: ''}).textContent,
			channel: li.querySelector('.channel').getAttribute('data-channel'), channelName: li.querySelector('.channel-name').textContent,
			icon: li.querySelector('.channel svg') ? 'yes' : 'no', sla: (li.querySelector('.badge.sla') || {textContent: ''}).textContent}; })`))
	if err != nil || len(rows) != 3 {
		t.Fatalf("list rows: %v %v", rows, err)
	}
	want := []struct{ channel, name, subject, preview string }{
		{"phone", "Phone", "Card blocked abroad", ""},
		{"portal", "Portal", "账户被锁定", "我输错了几次密码"},
		{"portal", "Portal", "Tôi không nhận được mã xác minh qua tin nhắn, đã thử ba lần…", "đã thử ba lần trong sáng nay"},
	}
	for i, w := range want {
		r := rows[i]
		if r["channel"] != w.channel || r["channelName"] != w.name || r["icon"] != "yes" || r["subject"] != w.subject || !strings.Contains(r["preview"], w.preview) {
			t.Errorf("row %d: %v, want %+v", i, r, w)
		}
		if !strings.HasPrefix(r["sla"], "Due in") {
			t.Errorf("row %d has no SLA clock: %q", i, r["sla"])
		}
	}
	current, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#views a[aria-current="page"]').id`))
	if current != "view-all" {
		t.Errorf("current view %q", current)
	}
	counts, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#view-active .count').textContent + '/' + document.querySelector('#view-unassigned .count').textContent`))
	if counts != "3/3" {
		t.Errorf("active/unassigned counts %q", counts)
	}

	// A desktop shows the three panes side by side and the customer's card
	// beside the thread, within the first screen.
	if err := chromedp.Do(ctx, chromedp.Navigate(fd.URL+"/console/conversations/"+ids[2]+"?view=all"), chromedp.WaitVisible(css("#messages"))); err != nil {
		t.Fatal(err)
	}
	layout := `(function(){ function box(s){ var r = document.querySelector(s).getBoundingClientRect(); return r.width > 0 ? [Math.round(r.left), Math.round(r.top)] : null; }
		return JSON.stringify({views: box('#views'), list: box('#inbox-list'), conv: box('#conv-pane'), thread: box('#messages'), card: box('#details')}); })()`
	got, _ := chromedp.Run(ctx, chromedp.Evaluate[string](layout))
	var b map[string][]int
	mustJSON(t, got, &b)
	if b["views"] == nil || b["list"] == nil || !(b["views"][0] < b["list"][0] && b["list"][0] < b["conv"][0]) {
		t.Errorf("at 1,280 px the panes are not side by side: %s", got)
	}
	if !(b["card"][0] > b["thread"][0]) || b["card"][1] > 900 {
		t.Errorf("at 1,280 px the customer's card is not beside the thread: %s", got)
	}
	// A phone shows the conversation alone, with a way back to the list.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 800)); err != nil {
		t.Fatal(err)
	}
	got, _ = chromedp.Run(ctx, chromedp.Evaluate[string](layout))
	mustJSON(t, got, &b)
	if b["views"] != nil || b["list"] != nil || b["conv"] == nil {
		t.Errorf("at 390 px the conversation is not shown alone: %s", got)
	}
	if back, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('#back').getBoundingClientRect().width > 0`)); !back {
		t.Error("at 390 px there is no way back to the list")
	}
}

// A new conversation appears in an open inbox, and the views' counts
// change, without the page being reloaded.
func TestInboxLive(t *testing.T) {
	fd, sup, ids := deskWithConversations(t)
	ctx := fd.browserAs(t, sup)
	if err := chromedp.Do(ctx, chromedp.Navigate(fd.URL+"/console/conversations/"+ids[0]+"?view=all"), chromedp.WaitVisible(css("#inbox"))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, `document.documentElement.getAttribute('data-live') === '1'`)
	chromedp.Run(ctx, chromedp.Evaluate[bool](`window.__samePage = true`))
	if s, _ := fd.consoleRequest(t, "POST", "/contact", "", url.Values{"email": {"minh@example.vn"}, "name": {"Minh"}, "subject": {"Quên mật khẩu"},
		"body": {"Tôi quên mật khẩu."}, "category": {"forgotten_password"}}); s != http.StatusSeeOther {
		t.Fatalf("contact: %d", s)
	}
	waitFor(t, ctx, `document.querySelectorAll('#inbox .conv').length === 4 && document.querySelector('#inbox .conv .subject').textContent === 'Quên mật khẩu'`)
	waitFor(t, ctx, `document.querySelector('#view-active .count').textContent === '4'`)
	if same, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.__samePage === true && !!document.querySelector('#inbox .conv.selected')`)); !same {
		t.Error("the page was reloaded, or lost the open conversation's mark")
	}
}

// Fields save as they change (status, assignee, priority, tags), with no
// Save button while the script runs; without it one form saves them all.
func TestInboxAutosave(t *testing.T) {
	fd, sup, ids := deskWithConversations(t)
	ctx := fd.browserAs(t, sup)
	conv := ids[1]
	if err := chromedp.Do(ctx, chromedp.Navigate(fd.URL+"/console/conversations/"+conv), chromedp.WaitVisible(css("#update-form"))); err != nil {
		t.Fatal(err)
	}
	if shown, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('#save').getBoundingClientRect().width > 0`)); shown {
		t.Error("the Save button shows although the fields save themselves")
	}
	me := fd.accountID(t, sup)
	change := func(id, value string) {
		t.Helper()
		chromedp.Run(ctx, chromedp.Evaluate[bool](`(function(){ var el = document.querySelector('#`+id+`'); el.value = `+jsString(value)+`;
			document.querySelector('#fields-status').textContent = ''; el.dispatchEvent(new Event('change')); return true; })()`))
		waitFor(t, ctx, `document.querySelector('#fields-status').textContent === 'Saved.'`)
	}
	change("priority", "urgent")
	change("agent", me)
	change("tags", "vip, Sms")
	change("status", "pending")
	_, page := fd.consoleRequest(t, "GET", "/console/conversations/"+conv, sup, nil)
	for _, want := range []string{`<option value="urgent" selected>`, `<option value="` + me + `" selected>`, `value="sms, vip"`, `id="conv-status">Waiting for the customer<`} {
		if !strings.Contains(string(page), want) {
			i := strings.Index(string(page), `id="conv-status"`)
			t.Errorf("not saved: %s (%s)", want, string(page)[i:i+60])
		}
	}
	// Without JavaScript: one form, one Save, every field.
	if s := fd.postForm(t, "/console/conversations/"+conv+"/update", sup, url.Values{"status": {"open"}, "priority": {"low"}, "category": {"-"}, "team": {"-"},
		"agent": {""}, "tags": {"callback"}}); s != http.StatusSeeOther {
		t.Fatalf("form save: %d", s)
	}
	_, page = fd.consoleRequest(t, "GET", "/console/conversations/"+conv, sup, nil)
	for _, want := range []string{`<option value="low" selected>`, `id="assignee">Nobody<`, `value="callback"`, `id="conv-status">Open<`} {
		if !strings.Contains(string(page), want) {
			t.Errorf("form not saved: %s", want)
		}
	}
	// Bad input changes nothing and says so.
	if s := fd.postForm(t, "/console/conversations/"+conv+"/update", sup, url.Values{"priority": {"sky-high"}, "tags": {"<b>"}}); s != http.StatusBadRequest {
		t.Errorf("bad priority: %d", s)
	}
}

// The keyboard: ? lists the shortcuts, j and k move through the list, n
// starts a note, r a reply, e resolves; letters typed in the reply box
// stay text.
func TestInboxShortcuts(t *testing.T) {
	fd, sup, ids := deskWithConversations(t)
	ctx := fd.browserAs(t, sup)
	if err := chromedp.Do(ctx, chromedp.Navigate(fd.URL+"/console/inbox?view=all"), chromedp.WaitVisible(css("#inbox"))); err != nil {
		t.Fatal(err)
	}
	press := func(keys string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.KeyEvent(keys)); err != nil {
			t.Fatal(err)
		}
	}
	press("?")
	waitFor(t, ctx, `document.querySelector('#shortcuts').open && document.querySelector('#keys').getBoundingClientRect().height > 0`)
	press("?")
	// A key moves to another page; the next key is pressed only once that
	// page's script has run (readyState "complete" comes after it), or the
	// key would reach a page with no handler yet.
	at := func(id string) {
		t.Helper()
		waitFor(t, ctx, `location.pathname === '/console/conversations/`+id+`' && !!document.querySelector('#messages') && document.readyState === 'complete'`)
	}
	press("j")
	at(ids[0])
	press("j")
	at(ids[1])
	press("k")
	at(ids[0])
	press("n")
	waitFor(t, ctx, `document.activeElement.id === 'body' && document.querySelector('#kind-note').checked && document.querySelector('#reply-form').classList.contains('note-mode')`)
	// (The key that moved the focus is not typed: a browser drops it; the
	// protocol's separate "char" event may not, so the box starts empty.)
	chromedp.Run(ctx, chromedp.Evaluate[bool](`(document.querySelector('#body').value = '') === ''`))
	press("jen")
	if v, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#body').value + '|' + location.pathname`)); v != "jen|/console/conversations/"+ids[0] {
		t.Errorf("letters in the reply box acted as shortcuts: %q", v)
	}
	press("\x1b") // Escape leaves the box
	press("r")
	waitFor(t, ctx, `document.activeElement.id === 'body' && document.querySelector('#kind-reply').checked`)
	press("\x1b")
	press("e")
	waitFor(t, ctx, `document.querySelector('#fields-status').textContent === 'Saved.'`)
	_, page := fd.consoleRequest(t, "GET", "/console/conversations/"+ids[0], sup, nil)
	if !strings.Contains(string(page), `id="conv-status">Resolved<`) {
		t.Error("e did not resolve the conversation")
	}
}

func jsString(s string) string { b, _ := json.Marshal(s); return string(b) }

func mustJSON(t *testing.T, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatalf("%v: %s", err, s)
	}
}

// An empty inbox with the console menu folded above it (as on every inbox
// page, and on phones): the inbox begins right under the menu, at 390 and
// at 1,280 px, rather than after a band of empty page (the console's grid
// used to share the window's spare height between the menu's row and the
// page's). Seen in en, vi and zh at both widths.
func TestEmptyInboxLayout(t *testing.T) {
	fd := Start(t, fastHashing)
	fd.createStaff(t, "sup@acme.example", "supervisor")
	sup := fd.signInAPI(t, "sup@acme.example", apiPassword)
	fd.enrolTOTPAPI(t, sup)
	ctx := fd.browserAs(t, sup)
	checkPage(t, ctx, fd.URL+"/console/inbox?view=all", "inbox-empty")
	for _, w := range []int64{390, 1280} {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(w, 900), chromedp.Navigate(withLang(t, fd.URL+"/console/inbox?view=all", "en")), chromedp.WaitVisible(css("#inbox .empty"))); err != nil {
			t.Fatal(err)
		}
		gap, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`(function(){
			var menu = document.querySelector('#sidebar'), head = document.querySelector('.inbox-head'), empty = document.querySelector('#inbox .empty');
			return [menu.open ? 1 : 0, head.getBoundingClientRect().top - menu.getBoundingClientRect().bottom, empty.getBoundingClientRect().bottom]; })()`))
		if err != nil || len(gap) != 3 {
			t.Fatalf("%d px: %v %v", w, gap, err)
		}
		if gap[0] != 0 || gap[1] < 0 || gap[1] > 64 || gap[2] > 900 {
			t.Errorf("%d px: menu open %v, %v px between the folded menu and the inbox, the empty list ends at %v px", w, gap[0], gap[1], gap[2])
		}
	}
}
