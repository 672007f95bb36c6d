package mailin

import (
	"strings"
	"testing"
)

func TestParseSanitisesHTML(t *testing.T) {
	msg := parseFile(t, "html_xss.eml")
	html := strings.ToLower(msg.HTML)
	for _, bad := range []string{
		"<script", "alert", "onerror", "onload", "onclick", "javascript:", "<iframe", "<form",
		"<input", "<button", "<style", "style=", "class=", "id=", "<svg", "track.example.net", "evil.example.net",
	} {
		if strings.Contains(html, bad) {
			t.Errorf("sanitised HTML contains %q:\n%s", bad, msg.HTML)
		}
	}
	for _, good := range []string{
		`<p>Hello, please check my <b>account</b>.</p>`,
		`<img src="cid:logo@example.net" alt="logo">`,
		`<a href="https://example.net/help" rel="nofollow noreferrer noopener" target="_blank">help page</a>`,
		`<a href="mailto:mallory@example.net" rel="nofollow noreferrer">write</a>`,
		`click me`,
	} {
		if !strings.Contains(msg.HTML, good) {
			t.Errorf("sanitised HTML lacks %q:\n%s", good, msg.HTML)
		}
	}
	if msg.Text != "Hello, please check my account.\nSee https://example.net/help for details." {
		t.Errorf("Text = %q, want the text/plain alternative", msg.Text)
	}
}

func TestSanitizeHTMLImages(t *testing.T) {
	tests := []struct{ in, want string }{
		{`<img src="https://example.com/a.png" alt="a">`, `<img alt="a">`},
		{`<img src="//example.com/a.png">`, ``},
		{`<img src="cid:part1@example.com">`, `<img src="cid:part1@example.com">`},
		{`<img src="data:image/png;base64,iVBORw0KGgo=">`, `<img src="data:image/png;base64,iVBORw0KGgo=">`},
		{`<img src="data:text/html;base64,PHNjcmlwdD4=">`, ``},
		{`<a href="cid:part1@example.com">x</a>`, `x`},
		{`<a href="/relative">x</a>`, `x`},
		{`<a href="JaVaScRiPt:alert(1)">x</a>`, `x`},
		{`<a href=" javascript:alert(1)">x</a>`, `x`},
	}
	for _, tt := range tests {
		if got := sanitizeHTML(tt.in); got != tt.want {
			t.Errorf("sanitizeHTML(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseHTMLOnly(t *testing.T) {
	msg := parseFile(t, "html_only.eml")
	want := "Xin chào,\n\nI cannot sign in & reset my password.\nError: <E42>\n\nSteps:\n\n- Open the app\n- Tap \"Sign in\"\n\nThanks,\nLan"
	if msg.Text != want {
		t.Errorf("Text = %q\nwant   %q", msg.Text, want)
	}
	if !strings.HasPrefix(msg.HTML, "<p>Xin chào,</p>") {
		t.Errorf("HTML = %q", msg.HTML)
	}
}

func TestHTMLToText(t *testing.T) {
	tests := []struct{ in, want string }{
		{`<div>Line one</div><div><br></div><div>Line two</div>`, "Line one\n\nLine two"},
		{`<p>a <b>bold</b> word</p><p>next</p>`, "a bold word\n\nnext"},
		{`<pre>  indented
  code</pre>`, "  indented\n  code"},
		{`<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>`, "a b\nc"},
		{`caf&eacute; &#8211; &#x4e2d;&#25991;`, "café – 中文"},
	}
	for _, tt := range tests {
		if got := htmlToText(tt.in); got != tt.want {
			t.Errorf("htmlToText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
