package kb

import (
	"bufio"
	"fmt"
	"strings"
)

// Article files, for keeping a help centre in a Git repository: Markdown
// with a front matter of "key: value" lines between two "---" lines:
//
//	---
//	slug: reset-password
//	locale: vi
//	title: Đặt lại mật khẩu
//	category: sign-in
//	status: published
//	summary: Khi bạn quên mật khẩu.
//	---
//	1. Mở trang đăng nhập …
//
// Keys are slug, locale and title (required), category, status (default
// published) and summary. A file is one translation; the translations of
// an article share its slug.

// ParseFile reads an article file.
func ParseFile(content string) (Exported, error) {
	var e Exported
	content = strings.TrimPrefix(strings.ReplaceAll(content, "\r\n", "\n"), "\ufeff")
	if !strings.HasPrefix(content, "---\n") {
		return e, fmt.Errorf("no front matter: the file must start with a --- line")
	}
	head, body, ok := strings.Cut(content[4:], "\n---\n")
	if !ok {
		return e, fmt.Errorf("the front matter has no closing --- line")
	}
	sc := bufio.NewScanner(strings.NewReader(head))
	line := 1
	for sc.Scan() {
		line++
		l := strings.TrimSpace(sc.Text())
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		k, v, ok := strings.Cut(l, ":")
		if !ok {
			return e, fmt.Errorf("line %d: expected key: value", line)
		}
		v = strings.Trim(strings.TrimSpace(v), `"`)
		switch strings.TrimSpace(k) {
		case "slug":
			e.Slug = v
		case "locale":
			e.Locale = v
		case "title":
			e.Title = v
		case "category":
			e.Category = v
		case "status":
			e.Status = v
		case "summary":
			e.Summary = v
		default:
			return e, fmt.Errorf("line %d: unknown key %q (slug, locale, title, category, status, summary)", line, strings.TrimSpace(k))
		}
	}
	e.BodyMD = strings.TrimLeft(body, "\n")
	switch {
	case e.Slug == "":
		return e, fmt.Errorf("front matter: slug is required")
	case e.Locale == "":
		return e, fmt.Errorf("front matter: locale is required")
	case e.Title == "":
		return e, fmt.Errorf("front matter: title is required")
	}
	if e.Status == "" {
		e.Status = StatusPublished
	}
	return e, nil
}

// FormatFile writes an article file.
func FormatFile(e Exported) string {
	var b strings.Builder
	b.WriteString("---\n")
	fmt.Fprintf(&b, "slug: %s\nlocale: %s\ntitle: %s\n", e.Slug, e.Locale, oneLine(e.Title))
	if e.Category != "" {
		fmt.Fprintf(&b, "category: %s\n", e.Category)
	}
	fmt.Fprintf(&b, "status: %s\n", e.Status)
	if e.Summary != "" {
		fmt.Fprintf(&b, "summary: %s\n", oneLine(e.Summary))
	}
	b.WriteString("---\n")
	b.WriteString(e.BodyMD)
	if !strings.HasSuffix(e.BodyMD, "\n") {
		b.WriteByte('\n')
	}
	return b.String()
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
