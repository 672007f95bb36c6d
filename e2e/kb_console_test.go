package e2e

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/frontdesk/frontdesk/internal/access"
)

// staffSession creates a staff member with role, signs in with a second
// factor and returns the session token.
func (i *Instance) staffSession(t *testing.T, email, role string) string {
	t.Helper()
	i.createStaff(t, email, role)
	tok := i.signInAPI(t, email, apiPassword)
	i.enrolTOTPAPI(t, tok)
	return tok
}

// A 1×1 PNG.
var onePixelPNG = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")

// kbRoutes lists the console's knowledge-base routes with their ids
// filled in.
func kbRoutes(t *testing.T, fd *Instance) [][2]string {
	var out [][2]string
	for _, rt := range fd.Routes() {
		method, path, _ := strings.Cut(rt.Pattern, " ")
		if !strings.HasPrefix(path, "/console/kb") {
			continue
		}
		if rt.Permission != access.KBEdit {
			t.Errorf("%s needs %q, not kb:edit", rt.Pattern, rt.Permission)
		}
		out = append(out, [2]string{method, strings.ReplaceAll(path, "{id}", "0123456789abcdef0123456789abcdef")})
	}
	if len(out) < 10 {
		t.Fatalf("only %d knowledge-base console routes", len(out))
	}
	return out
}

// ASVS 8.2.1/8.3.1: every console page of the knowledge base needs
// kb:edit — an agent gets 403 on each, even on addresses the menu never
// shows; a visitor without a session is sent to sign in (GET) or refused
// (POST); a supervisor is let in.
func TestKBConsoleNeedsKBEdit(t *testing.T) {
	fd := Start(t, fastHashing)
	agent := fd.staffSession(t, "agent@acme.example", "agent")
	sup := fd.staffSession(t, "sup@acme.example", "supervisor")
	for _, rt := range kbRoutes(t, fd) {
		method, path := rt[0], rt[1]
		if s, _ := fd.consoleRequest(t, method, path, agent, url.Values{}); s != http.StatusForbidden {
			t.Errorf("agent %s %s: %d, want 403", method, path, s)
		}
		s, _ := fd.consoleRequest(t, method, path, "", url.Values{})
		if want := map[string]int{"GET": http.StatusSeeOther, "POST": http.StatusUnauthorized}[method]; s != want {
			t.Errorf("anonymous %s %s: %d, want %d", method, path, s, want)
		}
		if s, _ := fd.consoleRequest(t, method, path, sup, url.Values{}); s == http.StatusForbidden || s >= 500 {
			t.Errorf("supervisor %s %s: %d", method, path, s)
		}
	}
	// The agent's menu does not offer the knowledge base; the supervisor's does.
	if _, page := fd.consoleRequest(t, "GET", "/console", agent, nil); strings.Contains(string(page), `id="nav-kb"`) {
		t.Error("the agent's menu offers the knowledge base")
	}
	if _, page := fd.consoleRequest(t, "GET", "/console", sup, nil); !strings.Contains(string(page), `id="nav-kb"`) {
		t.Error("the supervisor's menu lacks the knowledge base")
	}
}

// Editing the help centre over HTTP: bad input is refused with its reason
// and changes nothing; a cross-site form is refused (ASVS 3.5.1–3.5.3);
// files are checked by content (ASVS 5.2.2) and served with safe headers
// (ASVS 5.4.1) only once published; every change is in the audit trail
// (ASVS 16.2.1).
func TestKBConsoleEditing(t *testing.T) {
	fd := Start(t, fastHashing)
	sup := fd.staffSession(t, "sup@acme.example", "supervisor")
	admin := fd.staffSession(t, "admin@acme.example", "administrator")
	article := url.Values{"slug": {"reset-guide"}, "locale": {"en"}, "title": {"Reset your password"}, "summary": {""},
		"body": {"1. Open **Sign in**\n2. Choose *Forgot password*"}, "status": {"draft"}, "action": {"save"}}

	// Bad input: the form comes back with the reason and the input kept.
	bad := url.Values{}
	for k, v := range article {
		bad[k] = v
	}
	bad.Set("slug", "Not A Slug")
	status, page := fd.consoleRequest(t, "POST", "/console/kb/articles", sup, bad)
	if status != http.StatusBadRequest || !strings.Contains(string(page), `id="slug-error"`) || !strings.Contains(string(page), "Choose *Forgot password*") {
		t.Fatalf("bad slug: %d %s", status, page)
	}
	bad.Set("slug", "guides")
	if status, _ := fd.consoleRequest(t, "POST", "/console/kb/articles", sup, bad); status != http.StatusBadRequest {
		t.Fatalf("reserved slug: %d", status)
	}
	// Preview: sanitised, nothing saved.
	preview := url.Values{"slug": {"x"}, "locale": {"en"}, "title": {"x"}, "body": {"**bold** [x](javascript:alert(1)) <script>alert(2)</script>"}, "action": {"preview"}}
	status, page = fd.consoleRequest(t, "POST", "/console/kb/articles", sup, preview)
	shown := regexp.MustCompile(`(?s)<div class="article-body" id="preview-body">(.*?)</div>`).FindSubmatch(page)
	if status != http.StatusOK || shown == nil || !strings.Contains(string(shown[1]), "<strong>bold</strong>") || strings.Contains(string(shown[1]), "javascript:") || strings.Contains(string(shown[1]), "<script") {
		t.Fatalf("preview: %d %s", status, page)
	}
	// A cross-site form post is refused and creates nothing.
	if s := fd.crossSitePost(t, "/console/kb/articles", sup, article); s != http.StatusForbidden {
		t.Fatalf("cross-site post: %d", s)
	}
	if _, list := fd.consoleRequest(t, "GET", "/console/kb", sup, nil); strings.Contains(string(list), "reset-guide") || strings.Contains(string(list), "Not A Slug") {
		t.Fatalf("a refused article exists: %s", list)
	}

	// Created as a draft.
	status, _ = fd.consoleRequest(t, "POST", "/console/kb/articles", sup, article)
	if status != http.StatusSeeOther {
		t.Fatalf("create: %d", status)
	}
	_, list := fd.consoleRequest(t, "GET", "/console/kb", sup, nil)
	m := regexp.MustCompile(`href="/console/kb/articles/([0-9a-f]{32})"`).FindSubmatch(list)
	if m == nil {
		t.Fatalf("no article listed: %s", list)
	}
	id := string(m[1])

	// Files: a page named .png is refused, a picture kept.
	if status, _ := fd.uploadTo(t, "/console/kb/articles/"+id+"/files?locale=en", sup, "shot.png", []byte("<html><script>alert(1)</script></html>")); status != http.StatusUnsupportedMediaType {
		t.Fatalf("html as png: %d", status)
	}
	if status, _ := fd.uploadTo(t, "/console/kb/articles/"+id+"/files?locale=en", sup, "step1.png", onePixelPNG); status != http.StatusSeeOther {
		t.Fatalf("png: %d", status)
	}
	_, page = fd.consoleRequest(t, "GET", "/console/kb/articles/"+id+"?locale=en", sup, nil)
	fm := regexp.MustCompile(`!\[step1\]\((/help/files/[0-9a-f]{32})\)`).FindSubmatch(page)
	if fm == nil || strings.Count(string(page), `data-file="`) != 1 {
		t.Fatalf("file not listed once: %s", page)
	}
	fileURL := string(fm[1])
	get := func(token string) *http.Response {
		req, _ := http.NewRequest("GET", fd.URL+fileURL, nil)
		if token != "" {
			req.AddCookie(&http.Cookie{Name: "__Host-fd_session", Value: token})
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	if r := get(""); r.StatusCode != http.StatusNotFound {
		t.Fatalf("a draft's file is public: %d", r.StatusCode)
	}
	if r := get(sup); r.StatusCode != 200 || r.Header.Get("Cache-Control") != "private, no-store" {
		t.Fatalf("editor's view of a draft's file: %d %v", r.StatusCode, r.Header)
	}
	// Published, with the picture in the text.
	publish := url.Values{"locale": {"en"}, "title": {"Reset your password"}, "body": {"1. Open **Sign in**\n\n![step1](" + fileURL + ")"}, "status": {"published"}, "action": {"save"}}
	if status, _ := fd.consoleRequest(t, "POST", "/console/kb/articles/"+id, sup, publish); status != http.StatusSeeOther {
		t.Fatalf("publish: %d", status)
	}
	r := get("")
	for h, want := range map[string]string{"Content-Type": "image/png", "X-Content-Type-Options": "nosniff", "Content-Disposition": `inline; filename=step1.png`, "Cache-Control": "public, max-age=3600"} {
		if r.StatusCode != 200 || r.Header.Get(h) != want {
			t.Errorf("published file: %d %s = %q, want %q", r.StatusCode, h, r.Header.Get(h), want)
		}
	}
	if res := fd.Get(t, "/help/reset-guide?lang=en"); res.StatusCode != 200 {
		t.Fatalf("published article: %d", res.StatusCode)
	}
	// A Vietnamese translation, then the history has both.
	vi := url.Values{"locale": {"vi"}, "title": {"Đặt lại mật khẩu"}, "body": {"1. Mở **Đăng nhập**"}, "status": {"published"}, "action": {"save"}}
	if status, _ := fd.consoleRequest(t, "POST", "/console/kb/articles/"+id, sup, vi); status != http.StatusSeeOther {
		t.Fatalf("translation: %d", status)
	}
	if _, h := fd.consoleRequest(t, "GET", "/console/kb/articles/"+id+"/history", sup, nil); strings.Count(string(h), "<tr><td>") != 3 || !strings.Contains(string(h), "Đặt lại mật khẩu") {
		t.Fatalf("history: %s", h)
	}
	// Categories and flows: refused input, then saved.
	if status, _ := fd.consoleRequest(t, "POST", "/console/kb/categories", sup, url.Values{"id": {"sign-in"}, "name_en": {"Signing in"}}); status != http.StatusBadRequest {
		t.Fatalf("category without names: %d", status)
	}
	if status, _ := fd.consoleRequest(t, "POST", "/console/kb/categories", sup, url.Values{"id": {"sign-in"}, "name_en": {"Signing in"}, "name_vi": {"Đăng nhập"}, "name_zh": {"登录"}}); status != http.StatusSeeOther {
		t.Fatalf("category: %d", status)
	}
	loop := `{"nodes":[{"id":"start","kind":"question","text":{"en":"Q?"},"choices":[{"label":{"en":"A"},"next":"again"},{"label":{"en":"B"},"next":"talk"}]},
{"id":"again","kind":"step","text":{"en":"Try."},"worked":"start","stuck":"talk"},{"id":"talk","kind":"handover"}]}`
	flow := url.Values{"slug": {"card-help"}, "title_en": {"Card help"}, "status": {"published"}, "definition": {loop}, "action": {"save"}}
	status, page = fd.consoleRequest(t, "POST", "/console/kb/flows", sup, flow)
	if status != http.StatusBadRequest || !strings.Contains(string(page), `<code>again</code>: answer 1 leads back to “start”`) || !strings.Contains(string(page), "Try.") {
		t.Fatalf("a loop: %d %s", status, page)
	}
	good := strings.Replace(loop, `"worked":"start"`, `"worked":"art"`, 1)
	good = strings.Replace(good, `{"id":"talk","kind":"handover"}`, `{"id":"talk","kind":"handover"},{"id":"art","kind":"article","article":"reset-guide"}`, 1)
	flow.Set("definition", good)
	flow.Set("action", "preview") // checked and outlined, not saved
	if status, page := fd.consoleRequest(t, "POST", "/console/kb/flows", sup, flow); status != http.StatusOK || !strings.Contains(string(page), `id="node-art"`) {
		t.Fatalf("flow preview: %d %s", status, page)
	}
	if res := fd.Get(t, "/help/guides/card-help"); res.StatusCode != http.StatusNotFound {
		t.Fatalf("a preview saved the guide: %d", res.StatusCode)
	}
	flow.Set("action", "save")
	if status, page := fd.consoleRequest(t, "POST", "/console/kb/flows", sup, flow); status != http.StatusSeeOther {
		t.Fatalf("flow: %d %s", status, page)
	}
	if res := fd.Get(t, "/help/guides/card-help?path=0.0"); res.StatusCode != 200 {
		t.Fatalf("guide: %d", res.StatusCode)
	}
	// kb export carries the files, and kb import restores them under the
	// same address, so the Markdown still shows them.
	dir := t.TempDir()
	if out := fd.kbRun(t, "export", dir); !strings.Contains(out, "exported 1 files of articles") {
		t.Fatalf("export: %s", out)
	}
	other := Start(t, fastHashing)
	if out := other.kbRun(t, "import", dir); !strings.Contains(out, "imported 1 files of articles") {
		t.Fatalf("import: %s", out)
	}
	other.kbRun(t, "import", dir) // again: nothing doubles
	if res := other.Get(t, fileURL); res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("imported file: %d", res.StatusCode)
	}
	// Every change is in the audit trail.
	for _, action := range []string{"kb.save", "kb.file.add", "kb.category.save", "kb.flow.save"} {
		if _, trail := fd.consoleRequest(t, "GET", "/console/audit?action="+action, admin, nil); !strings.Contains(string(trail), action) {
			t.Errorf("no audit entry for %s", action)
		}
	}
}
