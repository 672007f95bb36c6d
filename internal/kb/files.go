package kb

import (
	"bufio"
	"errors"
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
// published) and summary. The locale is a BCP 47 tag of a supported
// language (ParseLocale): zh-Hans is stored as zh, vi-VN as vi. A file is one translation; the translations of
// an article share its slug.

// FileError is a mistake in an article file, at Line (1 is the first
// line; 0 when the mistake is not on one line, such as a missing key).
type FileError struct {
	Line   int
	Reason string
}

func (e *FileError) Error() string {
	if e.Line == 0 {
		return e.Reason
	}
	return fmt.Sprintf("line %d: %s", e.Line, e.Reason)
}

func fileError(line int, format string, args ...any) error {
	return &FileError{Line: line, Reason: fmt.Sprintf(format, args...)}
}

// ParseFile reads an article file. Its mistakes are *FileError.
func ParseFile(content string) (Exported, error) {
	var e Exported
	content = strings.TrimPrefix(strings.ReplaceAll(content, "\r\n", "\n"), "\ufeff")
	if !strings.HasPrefix(content, "---\n") {
		return e, fileError(1, "no front matter: the file must start with a --- line")
	}
	head, body, ok := strings.Cut(content[4:], "\n---\n")
	if !ok {
		return e, fileError(0, "the front matter has no closing --- line")
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
			return e, fileError(line, "expected key: value")
		}
		v = strings.Trim(strings.TrimSpace(v), `"`)
		switch strings.TrimSpace(k) {
		case "slug":
			e.Slug = v
		case "locale":
			// A BCP 47 tag (zh-Hans, vi-VN, en-US); stored as en, vi or zh.
			l, err := ParseLocale(v)
			if err != nil {
				var inv *InvalidError
				errors.As(err, &inv)
				return e, fileError(line, "locale: %s", inv.Reason)
			}
			e.Locale = l
		case "title":
			e.Title = v
		case "category":
			e.Category = v
		case "status":
			e.Status = v
		case "summary":
			e.Summary = v
		default:
			return e, fileError(line, "unknown key %q (slug, locale, title, category, status, summary)", strings.TrimSpace(k))
		}
	}
	e.BodyMD = strings.TrimLeft(body, "\n")
	switch {
	case e.Slug == "":
		return e, fileError(0, "front matter: slug is required")
	case e.Locale == "":
		return e, fileError(0, "front matter: locale is required")
	case e.Title == "":
		return e, fileError(0, "front matter: title is required")
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
