package notify

import (
	"context"
	"errors"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

func TestLocaleFallback(t *testing.T) {
	m := newTestMailer(t, Config{OutboxDir: t.TempDir()}, nil)
	tests := []struct {
		locale, want, subject string
	}{
		{"en", "en", "Frontdesk: your mail configuration works"},
		{"", "en", "Frontdesk: your mail configuration works"},
		{"fr", "en", "Frontdesk: your mail configuration works"},
		{"en-GB", "en", "Frontdesk: your mail configuration works"},
		{"vi", "vi", "Frontdesk: cấu hình gửi thư của bạn hoạt động tốt"},
		{"vi-VN", "vi", "Frontdesk: cấu hình gửi thư của bạn hoạt động tốt"},
		{"VI_vn.UTF-8", "vi", "Frontdesk: cấu hình gửi thư của bạn hoạt động tốt"},
		{"zh", "zh", "Frontdesk：您的邮件配置工作正常"},
		{"zh-Hans-CN", "zh", "Frontdesk：您的邮件配置工作正常"},
	}
	for _, tc := range tests {
		t.Run(tc.locale, func(t *testing.T) {
			r, err := m.Render(Message{Template: "test", Locale: tc.locale})
			if err != nil {
				t.Fatalf("Render: %v", err)
			}
			if r.Locale != tc.want || r.Subject != tc.subject {
				t.Errorf("Render(%q) = locale %q, subject %q; want %q, %q", tc.locale, r.Locale, r.Subject, tc.want, tc.subject)
			}
			if !strings.Contains(r.HTML, `<html lang="`+tc.want+`">`) {
				t.Errorf("HTML is not marked lang=%q", tc.want)
			}
		})
	}
}

func TestRenderEveryTemplate(t *testing.T) {
	m := newTestMailer(t, Config{OutboxDir: t.TempDir(), SupportURL: "https://frontdesk.test/help"}, nil)
	if got := strings.Join(m.Templates(), ","); got != "desk_ack,desk_notice,desk_reply,notice,test" {
		t.Errorf("Templates() = %s", got)
	}
	for _, name := range m.Templates() {
		for _, locale := range []string{"en", "vi", "zh"} {
			for _, data := range []map[string]any{
				{"Title": "T", "Body": "B"}, // only the required keys
				{"Name": "N", "Title": "T", "Body": "B\n\nC", "ActionURL": "https://frontdesk.test/x", "ActionText": "Go"},
			} {
				r, err := m.Render(Message{Template: name, Locale: locale, Data: data})
				if err != nil {
					t.Fatalf("%s.%s: %v", name, locale, err)
				}
				if r.Locale != locale {
					t.Errorf("%s.%s rendered as %s", name, locale, r.Locale)
				}
				for _, part := range []string{r.Subject, r.Text, r.HTML} {
					if strings.Contains(part, "<no value>") || strings.Contains(part, "<nil>") {
						t.Errorf("%s.%s shows a missing value:\n%s", name, locale, part)
					}
				}
				if !strings.Contains(r.Text, "https://frontdesk.test/help") || !strings.Contains(r.HTML, `href="https://frontdesk.test/help"`) {
					t.Errorf("%s.%s lacks the support link", name, locale)
				}
			}
		}
	}
}

func TestRenderNotice(t *testing.T) {
	m := newTestMailer(t, Config{OutboxDir: t.TempDir(), SupportURL: "https://frontdesk.test/help"}, nil)
	r, err := m.Render(Message{Template: "notice", Locale: "en", Data: map[string]any{
		"Name":       `<b>Eve</b>`,
		"Title":      "Ticket & reply",
		"Body":       "First paragraph.\n\nSecond <i>paragraph</i>.",
		"ActionURL":  "javascript:alert(1)",
		"SupportURL": "https://support.example/",
	}})
	if err != nil {
		t.Fatal(err)
	}
	if r.Subject != "Ticket & reply" {
		t.Errorf("Subject = %q", r.Subject)
	}
	for _, want := range []string{
		"Hello &lt;b&gt;Eve&lt;/b&gt;,",
		"Ticket &amp; reply",
		"<p style=\"margin:0 0 16px 0;\">First paragraph.</p>",
		"Second &lt;i&gt;paragraph&lt;/i&gt;.",
		`href="#ZgotmplZ"`, // html/template refuses javascript: URLs
		`href="https://support.example/"`,
		"View details",
	} {
		if !strings.Contains(r.HTML, want) {
			t.Errorf("HTML lacks %q:\n%s", want, r.HTML)
		}
	}
	wantText := "Hello <b>Eve</b>,\n\nFirst paragraph.\n\nSecond <i>paragraph</i>.\n\nView details: javascript:alert(1)\n\n-- \nIf you need help, contact support: https://support.example/\nThis message was sent automatically; please do not reply to it.\n"
	if r.Text != wantText {
		t.Errorf("Text =\n%q\nwant\n%q", r.Text, wantText)
	}
}

func TestRenderErrors(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "outbox")
	m := newTestMailer(t, Config{OutboxDir: dir}, nil)
	tests := []struct {
		name string
		msg  Message
		want error
	}{
		{"unknown template", Message{Template: "nope"}, ErrUnknownTemplate},
		{"missing title", Message{Template: "notice", Data: map[string]any{"Body": "B"}}, ErrMissingField},
		{"empty body", Message{Template: "notice", Locale: "vi", Data: map[string]any{"Title": "T", "Body": " "}}, ErrMissingField},
		{"nil data", Message{Template: "notice", Locale: "zh"}, ErrMissingField},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if r, err := m.Render(tc.msg); !errors.Is(err, tc.want) || r != (Rendered{}) {
				t.Errorf("Render = %+v, %v; want nothing and %v", r, err, tc.want)
			}
			tc.msg.To = mail.Address{Address: "a@example.com"}
			if _, err := m.Send(context.Background(), tc.msg); !errors.Is(err, tc.want) {
				t.Errorf("Send error = %v, want %v", err, tc.want)
			}
		})
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("outbox has %d files after failed renders", len(entries))
	}
}

func TestLoadCatalogChecks(t *testing.T) {
	base := fstest.MapFS{
		"templates/layout/layout.txt":     {Data: []byte(`{{template "content" .}}{{template "footer" .}}`)},
		"templates/layout/layout.html":    {Data: []byte(`{{template "content" .}}{{template "footer" .}}`)},
		"templates/layout/footer.en.txt":  {Data: []byte("f")},
		"templates/layout/footer.en.html": {Data: []byte("f")},
		"templates/a.en.subject.txt":      {Data: []byte("s")},
		"templates/a.en.txt":              {Data: []byte("t")},
		"templates/a.en.html":             {Data: []byte("h")},
	}
	if _, err := loadCatalog(base); err != nil {
		t.Fatalf("valid catalog: %v", err)
	}
	tests := map[string]fstest.MapFS{
		"no English version": {"templates/b.vi.subject.txt": {}, "templates/b.vi.txt": {}, "templates/b.vi.html": {}},
		"missing html file":  {"templates/b.en.subject.txt": {}, "templates/b.en.txt": {}},
		"stray file":         {"templates/b.en.md": {}},
		"parse error":        {"templates/b.en.subject.txt": {Data: []byte("{{")}, "templates/b.en.txt": {}, "templates/b.en.html": {}},
	}
	for name, extra := range tests {
		t.Run(name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for k, v := range base {
				fsys[k] = v
			}
			for k, v := range extra {
				fsys[k] = v
			}
			if _, err := loadCatalog(fsys); err == nil {
				t.Error("loadCatalog accepted it")
			}
		})
	}
}
