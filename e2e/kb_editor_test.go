package e2e

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

var articleLink = regexp.MustCompile(`href="/console/kb/articles/([0-9a-f]{32})"`)

// A renamed article keeps its old address: /help/{old} answers 301 to the
// new one (its query kept), the editor lists the former address, and no
// other article can take it.
func TestKBSlugRename(t *testing.T) {
	fd := Start(t, fastHashing)
	sup := fd.staffSession(t, "sup@acme.example", "supervisor")
	// No slug given: it is made from the title.
	if s, page := fd.consoleRequest(t, "POST", "/console/kb/articles", sup, url.Values{"locale": {"vi"}, "title": {"Đặt lại mật khẩu"},
		"body": {"Bấm **Quên mật khẩu**."}, "status": {"published"}, "action": {"save"}}); s != http.StatusSeeOther {
		t.Fatalf("create: %d %s", s, page)
	}
	_, list := fd.consoleRequest(t, "GET", "/console/kb", sup, nil)
	id := string(articleLink.FindSubmatch(list)[1])
	if res := fd.Get(t, "/help/dat-lai-mat-khau?lang=vi"); res.StatusCode != http.StatusOK {
		t.Fatalf("the address made from the title: %d", res.StatusCode)
	}
	if s, page := fd.consoleRequest(t, "POST", "/console/kb/articles/"+id, sup, url.Values{"locale": {"vi"}, "slug": {"reset-password"}, "title": {"Đặt lại mật khẩu"},
		"body": {"Bấm **Quên mật khẩu**."}, "status": {"published"}, "action": {"save"}}); s != http.StatusSeeOther {
		t.Fatalf("rename: %d %s", s, page)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Get(fd.URL + "/help/dat-lai-mat-khau?lang=vi")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusMovedPermanently || res.Header.Get("Location") != "/help/reset-password?lang=vi" {
		t.Fatalf("old address: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	if res := fd.Get(t, "/help/no-such-article"); res.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown address: %d", res.StatusCode)
	}
	_, page := fd.consoleRequest(t, "GET", "/console/kb/articles/"+id+"?locale=vi", sup, nil)
	if !strings.Contains(string(page), `id="former-slugs"`) || !strings.Contains(string(page), "<code>dat-lai-mat-khau</code>") {
		t.Errorf("the editor does not list the former address")
	}
	// Another article cannot take the old address; the refusal says why
	// and keeps what was typed.
	s, page := fd.consoleRequest(t, "POST", "/console/kb/articles", sup, url.Values{"locale": {"en"}, "slug": {"dat-lai-mat-khau"}, "title": {"Other"},
		"body": {"Kept text"}, "action": {"save"}})
	if s != http.StatusBadRequest || !strings.Contains(string(page), `id="slug-error"`) || !strings.Contains(string(page), "Kept text") {
		t.Errorf("taking a former address: %d", s)
	}
}

// The editor in a browser, as editors see it in three languages at both
// widths: a new article's address follows its title, the preview beside
// the text follows the text (sanitised), and a translation is written
// beside its source.
func TestKBEditorAsSeen(t *testing.T) {
	fd := Start(t, fastHashing)
	sup := fd.staffSession(t, "sup@acme.example", "supervisor")
	if s, _ := fd.consoleRequest(t, "POST", "/console/kb/articles", sup, url.Values{"locale": {"en"}, "title": {"Lost your phone?"},
		"summary": {"Sign in with a recovery code."}, "body": {"1. Choose **Use a recovery code**\n2. Type one of your codes"}, "status": {"published"}, "action": {"save"}}); s != http.StatusSeeOther {
		t.Fatalf("create: %d", s)
	}
	_, list := fd.consoleRequest(t, "GET", "/console/kb", sup, nil)
	id := string(articleLink.FindSubmatch(list)[1])

	ctx := fd.browserAs(t, sup)
	checkPage(t, ctx, fd.URL+"/console/kb/articles/new", "kb-editor-new")
	checkPage(t, ctx, fd.URL+"/console/kb/articles/"+id+"?locale=vi", "kb-editor-translation")

	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(fd.URL+"/console/kb/articles/new?lang=en"), chromedp.WaitVisible(css("#title")),
		chromedp.SendKeys(css("#title"), "Quên mật khẩu?"), chromedp.SendKeys(css("#body"), "**Bold** <script>window.__x=1</script>")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, `document.querySelector('#slug').value === 'quen-mat-khau'`)
	waitFor(t, ctx, `!!document.querySelector('#preview-body strong') && document.querySelector('#preview-body strong').textContent === 'Bold'`)
	if bad, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`!!document.querySelector('#preview-body script') || window.__x === 1`)); bad {
		t.Error("the live preview ran the text's script")
	}
	// The editor's own address wins over the title's.
	chromedp.Run(ctx, chromedp.Evaluate[bool](`(document.querySelector('#slug').value = '') === ''`))
	if err := chromedp.Do(ctx, chromedp.SendKeys(css("#slug"), "forgot"), chromedp.SendKeys(css("#title"), " Now")); err != nil {
		t.Fatal(err)
	}
	if v, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#slug').value`)); v != "forgot" {
		t.Errorf("the title overwrote the typed address: %q", v)
	}
	// A translation: the source beside the form, the preview beside it too.
	if err := chromedp.Do(ctx, chromedp.Navigate(fd.URL+"/console/kb/articles/"+id+"?locale=vi&lang=en"), chromedp.WaitVisible(css("#source"))); err != nil {
		t.Fatal(err)
	}
	got, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(function(){ var f = document.querySelector('#body').getBoundingClientRect(), s = document.querySelector('#source').getBoundingClientRect();
		return (s.left > f.right ? 'beside' : 'not beside') + '|' + document.querySelector('#source-title').textContent + '|' + document.querySelector('#source').getAttribute('lang'); })()`))
	if got != "beside|Lost your phone?|en" {
		t.Errorf("source: %q", got)
	}
}

// A guide written as a list of steps, not JSON: the server turns the rows
// into the definition and checks it as it checks JSON (a step leading to
// no step is refused, the rows kept); "Add a step" offers another row;
// the saved guide walks as written. In a browser, each step shows the
// fields of its kind, in three languages at both widths.
func TestKBFlowSteps(t *testing.T) {
	fd := Start(t, fastHashing)
	sup := fd.staffSession(t, "sup@acme.example", "supervisor")
	form := url.Values{"slug": {"code-missing"}, "title_en": {"The code does not arrive"}, "status": {"published"}, "steps": {"4"},
		"id_0": {"start"}, "kind_0": {"question"}, "text_0_en": {"How should the code reach you?"}, "text_0_vi": {"Mã được gửi qua đâu?"},
		"choice_0_0_en": {"Text message"}, "choice_0_0_next": {"wait"}, "choice_0_1_en": {"E-mail"}, "choice_0_1_next": {"talk"},
		"id_1": {"wait"}, "kind_1": {"step"}, "text_1_en": {"Wait a minute, then ask for a new code."}, "worked_1": {"done"}, "stuck_1": {"nowhere"},
		"id_2": {"done"}, "kind_2": {"solved"},
		"id_3": {"talk"}, "kind_3": {"handover"},
		"action": {"save"}}
	s, page := fd.consoleRequest(t, "POST", "/console/kb/flows", sup, form)
	if s != http.StatusBadRequest || !strings.Contains(string(page), `id="flow-problems"`) || !strings.Contains(string(page), "nowhere") ||
		!strings.Contains(string(page), "Wait a minute, then ask for a new code.") {
		t.Fatalf("a step leading nowhere: %d", s)
	}
	if _, list := fd.consoleRequest(t, "GET", "/console/kb/flows", sup, nil); strings.Contains(string(list), "code-missing") {
		t.Fatal("a refused guide was saved")
	}
	form.Set("action", "add")
	if _, page := fd.consoleRequest(t, "POST", "/console/kb/flows", sup, form); !strings.Contains(string(page), `id="id_4"`) || strings.Contains(string(page), `id="id_5"`) {
		t.Error("Add a step did not offer exactly one more row")
	}
	form.Set("stuck_1", "talk")
	form.Set("action", "save")
	if s, page := fd.consoleRequest(t, "POST", "/console/kb/flows", sup, form); s != http.StatusSeeOther {
		t.Fatalf("save: %d %s", s, page)
	}
	res := fd.Get(t, "/help/guides/code-missing?lang=vi")
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), "Mã được gửi qua đâu?") {
		t.Fatalf("the guide: %d", res.StatusCode)
	}
	_, list := fd.consoleRequest(t, "GET", "/console/kb/flows", sup, nil)
	flowID := regexp.MustCompile(`href="/console/kb/flows/([0-9a-f]{32})"`).FindSubmatch(list)
	if flowID == nil {
		t.Fatalf("no guide listed")
	}

	ctx := fd.browserAs(t, sup)
	checkPage(t, ctx, fd.URL+"/console/kb/flows/new", "kb-flow-new")
	checkPage(t, ctx, fd.URL+"/console/kb/flows/"+string(flowID[1]), "kb-flow-steps")
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(fd.URL+"/console/kb/flows/"+string(flowID[1])), chromedp.WaitVisible(css("#flow-steps"))); err != nil {
		t.Fatal(err)
	}
	shown := `(function(){ function v(s){ var e = document.querySelector(s); return e && e.getBoundingClientRect().height > 0 ? 1 : 0; }
		return '' + v('#choice_0_0_en') + v('#worked_0') + v('#worked_1') + v('#choice_1_0_en'); })()`
	if got, _ := chromedp.Run(ctx, chromedp.Evaluate[string](shown)); got != "1010" {
		t.Errorf("the steps show fields of other kinds: %s", got)
	}
	chromedp.Run(ctx, chromedp.Evaluate[bool](`(function(){ var s = document.querySelector('#kind_1'); s.value = 'question'; s.dispatchEvent(new Event('change', {bubbles: true})); return true; })()`))
	if got, _ := chromedp.Run(ctx, chromedp.Evaluate[string](shown)); got != "1001" {
		t.Errorf("a step turned question does not show its answers: %s", got)
	}
}
