package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/frontdesk/frontdesk/internal/app"
)

// kbImport runs `frontdesk kb import DIR` against the instance's database.
func (i *Instance) kbImport(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return i.kbRun(t, "import", dir)
}

// kbRun runs `frontdesk kb import|export DIR` against the instance's
// database.
func (i *Instance) kbRun(t *testing.T, command, dir string) string {
	t.Helper()
	vars := map[string]string{"FRONTDESK_DATA_DIR": i.DataDir, "FRONTDESK_DATABASE_URL": i.DatabaseURL}
	var out bytes.Buffer
	code := app.Main(context.Background(), []string{"kb", command, dir}, app.Env{Getenv: func(k string) string { return vars[k] }, Stdout: &out, Stderr: &out})
	if code != 0 {
		t.Fatalf("kb %s: %d %s", command, code, out.String())
	}
	return out.String()
}

var helpArticles = map[string]string{
	"signin.vi.md": "---\nslug: cannot-sign-in\nlocale: vi\ntitle: Không đăng nhập được\ncategory: sign-in\n---\nNếu bạn không đăng nhập được:\n\n1. Kiểm tra **mật khẩu**.\n2. Nếu tài khoản bị khóa, mở e-mail chúng tôi đã gửi.\n",
	"signin.en.md": "---\nslug: cannot-sign-in\nlocale: en\ntitle: You cannot sign in\ncategory: sign-in\n---\n1. Check your **password**.\n2. If your account is locked, open the e-mail we sent.\n",
	"pw.zh.md":     "---\nslug: forgot-password\nlocale: zh\ntitle: 忘记密码怎么办\n---\n在登录页面点击“忘记密码”。\n",
	"draft.en.md":  "---\nslug: draft\nlocale: en\ntitle: Internal draft\nstatus: draft\n---\nNot yet.\n",
	"app.en.md":    "---\nslug: authenticator-app\nlocale: en\ntitle: Set up an authenticator app\n---\nScan the QR code.\n",
}

// The help centre end to end: articles imported from files, found in
// Vietnamese typed without diacritics, opened and voted on in a real
// browser; the public JSON search finds Chinese by a two-character word.
func TestHelpCentreInBrowser(t *testing.T) {
	fd := Start(t, ownHelpCentre)
	if out := fd.kbImport(t, helpArticles); !strings.Contains(out, "imported 5 article files") {
		t.Fatalf("import: %s", out)
	}
	fd.kbImport(t, helpArticles) // idempotent: the same files again

	r := fd.call(t, "GET", "/api/v1/kb/search?q=%E5%AF%86%E7%A0%81&locale=zh", "", nil)
	var res struct {
		Results []struct{ ID, Title, URL, Snippet string }
	}
	json.Unmarshal(r.Body, &res)
	if r.Status != 200 || len(res.Results) != 1 || res.Results[0].Title != "忘记密码怎么办" || !strings.Contains(res.Results[0].Snippet, "<mark>") {
		t.Fatalf("api search: %d %s", r.Status, r.Body)
	}
	if r := fd.call(t, "GET", "/api/v1/kb/search?q=draft&locale=en", "", nil); !strings.Contains(string(r.Body), `"results":[]`) {
		t.Fatalf("a draft is public: %s", r.Body)
	}

	ctx := Browser(t)
	err := chromedp.Do(ctx,
		chromedp.Navigate(fd.URL+"/help?lang=vi"),
		chromedp.WaitVisible(css("#q")),
		chromedp.SendKeys(css("#q"), "dang nhap"),
		chromedp.Submit(css("#q")),
		chromedp.WaitVisible(css("#results a")),
	)
	if err != nil {
		t.Fatal(err)
	}
	snippet, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#results .snippet').innerHTML`))
	if !strings.Contains(snippet, "<mark>") {
		t.Fatalf("no highlight in %q", snippet)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(css("#results a")),
		chromedp.WaitVisible(css("#article-title")),
	)
	if err != nil {
		t.Fatal(err)
	}
	title, _ := chromedp.Run(ctx, chromedp.Text(css("#article-title")))
	if title != "Không đăng nhập được" {
		t.Fatalf("article %q", title)
	}
	if err := chromedp.Do(ctx, chromedp.Click(css("#vote-yes")), chromedp.WaitVisible(css("#voted"))); err != nil {
		t.Fatal(err)
	}
	// A language without the article falls back to English, and says so.
	if err := chromedp.Do(ctx, chromedp.Navigate(fd.URL+"/help/authenticator-app?lang=zh"), chromedp.WaitVisible(css("#fallback"))); err != nil {
		t.Fatal(err)
	}
	// Without an English version there is nothing to fall back to.
	if res := fd.Get(t, "/help/forgot-password?lang=vi"); res.StatusCode != 404 {
		t.Fatalf("forgot-password in vi: %d", res.StatusCode)
	}
}

// The editor's side and the guides in real browsers: an editor writes an
// article in the console, previews it (sanitised), publishes it, and a
// customer reads it with its related articles; then the customer walks
// the example guide "Can't sign in" on the help centre with plain links —
// an answer, Back, other answers — to its end, a self-service action.
func TestKBEditorAndGuideInBrowser(t *testing.T) {
	fd := Start(t, fastHashing)
	fd.kbImport(t, helpArticles)
	editor := fd.browserAs(t, fd.staffSession(t, "editor@acme.example", "supervisor"))
	err := chromedp.Do(editor,
		chromedp.Navigate(fd.URL+"/console"),
		chromedp.Click(css("#nav-kb")),
		chromedp.WaitVisible(css("#articles")),
		chromedp.Click(css("#new-article")),
		chromedp.WaitVisible(css("#slug")),
		chromedp.SendKeys(css("#slug"), "locked-sign-in"),
		chromedp.SendKeys(css("#title"), "Signing in when your account is locked"),
		chromedp.SetValue(css("#body"), "1. Open the **e-mail** we sent.\n2. Press *Unlock*.\n\n<img src=x onerror=\"window.__xss=1\">"),
		chromedp.SetValue(css("#category"), "sign-in"),
		chromedp.SetValue(css("#status"), "published"),
		chromedp.Click(css("#preview")),
		chromedp.WaitVisible(css("#preview-body")),
	)
	if err != nil {
		t.Fatal(err)
	}
	// The preview is rendered by the server and arrives a moment later:
	// wait for it rather than read the placeholder.
	waitFor(t, editor, `document.querySelector('#preview-body').innerHTML.indexOf('<strong>e-mail</strong>') >= 0`)
	if h, _ := chromedp.Run(editor, chromedp.Evaluate[string](`document.querySelector('#preview-body').innerHTML`)); !strings.Contains(h, "<strong>e-mail</strong>") || strings.Contains(h, "onerror") {
		t.Fatalf("preview %q", h)
	}
	if err := chromedp.Do(editor, chromedp.Click(css("#save")), chromedp.WaitVisible(css("#article-status"))); err != nil {
		t.Fatal(err)
	}
	if s, _ := chromedp.Run(editor, chromedp.Text(css("#article-status"))); s != "Published" {
		t.Fatalf("status %q", s)
	}

	reader := Browser(t)
	if err := chromedp.Do(reader, chromedp.Navigate(fd.URL+"/help/locked-sign-in?lang=en"), chromedp.WaitVisible(css("#related"))); err != nil {
		t.Fatal(err)
	}
	if rel, _ := chromedp.Run(reader, chromedp.Text(css("#related"))); !strings.Contains(rel, "You cannot sign in") {
		t.Fatalf("related %q", rel)
	}
	// The guide, without JavaScript in the way: every answer is a link.
	step := func(sel, kind string) {
		t.Helper()
		if err := chromedp.Do(reader, chromedp.Click(css(sel)), chromedp.WaitVisible(css(`#guide-node[data-kind="`+kind+`"]`))); err != nil {
			t.Fatalf("%s → %s: %v", sel, kind, err)
		}
	}
	if err := chromedp.Do(reader, chromedp.Navigate(fd.URL+"/help?lang=en"), chromedp.WaitVisible(css("#guides"))); err != nil {
		t.Fatal(err)
	}
	step(`#guides a[href="/help/guides/cant-sign-in"]`, "question")
	step("#answer-0", "step") // "The e-mail address or password is not correct."
	step("#guide-back", "question")
	step("#answer-2", "step") // "Choose a new password before signing in…"
	step("#answer-1", "action")
	if href, _ := chromedp.Run(reader, chromedp.Evaluate[string](`document.querySelector('#guide-link').getAttribute('href')`)); href != "/forgot" {
		t.Fatalf("the end links to %q", href)
	}
	if n, _ := chromedp.Run(reader, chromedp.Evaluate[int](`document.querySelectorAll('#guide-path li').length`)); n != 2 {
		t.Fatalf("%d answers shown", n)
	}
	// In Vietnamese, and a path the guide does not have starts again.
	if err := chromedp.Do(reader, chromedp.Navigate(fd.URL+"/help/guides/cant-sign-in?lang=vi&path=7"), chromedp.WaitVisible(css("#form-error"))); err != nil {
		t.Fatal(err)
	}
	if q, _ := chromedp.Run(reader, chromedp.Text(css("#guide-text"))); q != "Trang đăng nhập hiện thông báo gì?" {
		t.Fatalf("vi question %q", q)
	}
	// ASVS 1.2.1/1.3.1: the markup in the editor's text ran nowhere.
	for name, ctx := range map[string]context.Context{"editor": editor, "reader": reader} {
		if x, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.__xss === 1`)); x {
			t.Fatalf("the editor's markup ran in the %s's page", name)
		}
	}
}

// A guide in the chat widget: the bot offers it when the chat opens, the
// visitor answers with buttons (labelled as the automatic assistant), asks
// for a person at the end, and the agent receives the conversation with
// the path taken in the transcript.
func TestGuideInWidget(t *testing.T) {
	fd, site, agent := widgetDesk(t)
	visitor := Browser(t)
	if err := chromedp.Do(visitor, chromedp.Navigate(site), chromedp.WaitReady("body")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, visitor, `!!document.querySelector('#frontdesk-chat')`)
	chromedp.Run(visitor, chromedp.Evaluate[any](widgetJS(`$('#fd-open').click(); return true;`)))
	waitFor(t, visitor, widgetJS(`var b = $('#fd-flows'); return !!b && b.textContent.indexOf("Automatic answer") >= 0 && !!b.querySelector('[data-choice="flow-cant-sign-in"]');`))
	last := func(js string) string {
		return widgetJS(`var all = r.querySelectorAll('.m.flow'); var b = all[all.length - 1]; ` + js)
	}
	chromedp.Run(visitor, chromedp.Evaluate[any](widgetJS(`$('[data-choice="flow-cant-sign-in"]').click(); return true;`)))
	waitFor(t, visitor, last(`return b.getAttribute('data-kind') === 'question' && b.querySelectorAll('[data-choice^="answer-"]').length === 6;`))
	chromedp.Run(visitor, chromedp.Evaluate[any](last(`b.querySelector('[data-choice="answer-0"]').click(); return true;`)))
	waitFor(t, visitor, last(`return b.getAttribute('data-kind') === 'step';`))
	chromedp.Run(visitor, chromedp.Evaluate[any](last(`b.querySelector('[data-choice="answer-1"]').click(); return true;`))) // still stuck
	waitFor(t, visitor, last(`return b.getAttribute('data-kind') === 'action' && b.querySelector('a[data-choice="link"]').href === '`+fd.URL+`/forgot';`))
	chromedp.Run(visitor, chromedp.Evaluate[any](last(`b.querySelector('[data-choice="talk"]').click(); return true;`)))
	waitFor(t, visitor, widgetJS(`return !r.querySelector('[data-pending]') && r.querySelectorAll('.m.system').length === 1;`))

	openHandedOver(t, agent)
	path, _ := chromedp.Run(agent, chromedp.Text(css(`#messages .message[data-kind="bot"] .body`)))
	for _, want := range []string{"cant-sign-in", "path 0.1", "The e-mail address or password is not correct.", "Still stuck", "asked to talk to a person"} {
		if !strings.Contains(path, want) {
			t.Errorf("transcript lacks %q: %s", want, path)
		}
	}
}
