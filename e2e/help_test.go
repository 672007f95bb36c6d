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
	vars := map[string]string{"FRONTDESK_DATA_DIR": i.DataDir, "FRONTDESK_DATABASE_URL": i.DatabaseURL}
	var out bytes.Buffer
	code := app.Main(context.Background(), []string{"kb", "import", dir}, app.Env{Getenv: func(k string) string { return vars[k] }, Stdout: &out, Stderr: &out})
	if code != 0 {
		t.Fatalf("kb import: %d %s", code, out.String())
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
	fd := Start(t, fastHashing)
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
