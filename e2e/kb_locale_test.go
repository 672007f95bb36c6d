package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/frontdesk/frontdesk/internal/app"
)

// Locales are BCP 47 tags wherever Frontdesk takes one: kb import reads
// zh-Hans, vi-VN and en-US; the search API answers ?locale=zh-CN, vi-VN and
// en-US, refuses fr and xx-invalid with 400 invalid_locale, and without a
// locale searches every language; ?lang=zh-CN shows a page in Chinese. An
// import with an unsupported locale names the file and line, exits 2 and
// imports nothing.
func TestKBLocaleTags(t *testing.T) {
	fd := Start(t, ownHelpCentre)
	out := fd.kbImport(t, map[string]string{
		"pw.zh.md": "---\nslug: forgot-password\nlocale: zh-Hans\ntitle: 忘记密码怎么办\n---\n在登录页面点击“忘记密码”。\n",
		"in.vi.md": "---\nslug: cannot-sign-in\nlocale: vi-VN\ntitle: Không đăng nhập được\n---\nKiểm tra mật khẩu.\n",
		"in.en.md": "---\nslug: cannot-sign-in\nlocale: en-US\ntitle: You cannot sign in\n---\nCheck your password.\n",
	})
	if !strings.Contains(out, "imported 3 article files") {
		t.Fatalf("import: %s", out)
	}

	search := func(q, locale string) (int, []string, []byte) {
		t.Helper()
		path := "/api/v1/kb/search?q=" + url.QueryEscape(q)
		if locale != "" {
			path += "&locale=" + url.QueryEscape(locale)
		}
		r := fd.call(t, "GET", path, "", nil)
		var res struct {
			Results []struct{ Locale, URL string }
		}
		json.Unmarshal(r.Body, &res)
		var got []string
		for _, h := range res.Results {
			got = append(got, h.Locale+" "+h.URL)
		}
		return r.Status, got, r.Body
	}
	for _, c := range []struct{ q, locale, want string }{
		{"密码", "zh-CN", "zh /help/forgot-password?lang=zh"},
		{"密码", "zh-Hans", "zh /help/forgot-password?lang=zh"},
		{"dang nhap", "vi-VN", "vi /help/cannot-sign-in?lang=vi"},
		{"password", "en-US", "en /help/cannot-sign-in?lang=en"},
		{"密码", "", "zh /help/forgot-password?lang=zh"},       // no locale: every language
		{"dang nhap", "", "vi /help/cannot-sign-in?lang=vi"}, // Vietnamese without accents
	} {
		if status, got, body := search(c.q, c.locale); status != http.StatusOK || strings.Join(got, ",") != c.want {
			t.Errorf("search %q locale %q: %d %v, want %q (%s)", c.q, c.locale, status, got, c.want, body)
		}
	}
	for _, tag := range []string{"fr", "xx-invalid"} {
		status, _, body := search("密码", tag)
		var e struct {
			Error struct{ Code, Message string }
		}
		if err := json.Unmarshal(body, &e); err != nil || status != http.StatusBadRequest || e.Error.Code != "invalid_locale" || !strings.Contains(e.Error.Message, tag) {
			t.Errorf("search locale %q: %d %s, want 400 invalid_locale", tag, status, body)
		}
	}

	// A mistake in any file imports nothing: exit 2, the file and line.
	dir := t.TempDir()
	for name, content := range map[string]string{
		"a-new.en.md": "---\nslug: new-article\nlocale: en\ntitle: Brand new article\n---\nText.\n",
		"b-fr.md":     "---\nslug: mot-de-passe\ntitle: Mot de passe oublié\nlocale: fr\n---\nTexte.\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	vars := map[string]string{"FRONTDESK_DATA_DIR": fd.DataDir, "FRONTDESK_DATABASE_URL": fd.DatabaseURL}
	var stdout, stderr bytes.Buffer
	code := app.Main(context.Background(), []string{"kb", "import", dir}, app.Env{Getenv: func(k string) string { return vars[k] }, Stdout: &stdout, Stderr: &stderr})
	if code != 2 || !strings.Contains(stderr.String(), filepath.Join(dir, "b-fr.md")+`:4: locale: "fr" is not a supported language`) || !strings.Contains(stderr.String(), "nothing imported") {
		t.Fatalf("import with locale fr: exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
	if _, got, _ := search("brand", ""); len(got) != 0 {
		t.Fatalf("an import that failed imported %v", got)
	}

	// The page language: ?lang= takes a tag too, and remembers the language.
	resp, err := http.Get(fd.URL + "/help?lang=zh-CN")
	if err != nil {
		t.Fatal(err)
	}
	page := new(bytes.Buffer)
	page.ReadFrom(resp.Body)
	resp.Body.Close()
	var cookie string
	for _, c := range resp.Cookies() {
		if c.Name == "lang" {
			cookie = c.Value
		}
	}
	if !strings.Contains(page.String(), `<html lang="zh">`) || cookie != "zh" {
		t.Fatalf("?lang=zh-CN: cookie %q, page %.200s", cookie, page.String())
	}
}
