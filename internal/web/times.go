package web

import (
	"html/template"
	"time"
)

// Times are written by the server in UTC, inside <time datetime>; a script
// in the layout shows each in the reader's own time zone, named, and keeps
// the UTC text as the hover title (docs/architecture.md, "Times"). Without
// the script the UTC text stays, which is still correct.

// timeValue accepts a time.Time or a *time.Time (nil shows nothing).
func timeValue(v any) (time.Time, bool) {
	switch t := v.(type) {
	case time.Time:
		return t, !t.IsZero()
	case *time.Time:
		if t == nil || t.IsZero() {
			return time.Time{}, false
		}
		return *t, true
	}
	return time.Time{}, false
}

func timeTag(v any, layout, attrs string) template.HTML {
	t, ok := timeValue(v)
	if !ok {
		return ""
	}
	t = t.UTC()
	return template.HTML(`<time datetime="` + t.Format(time.RFC3339Nano) + `"` + attrs + `>` +
		template.HTMLEscapeString(t.Format(layout)) + ` UTC</time>`)
}

// When writes a moment to the minute: "2026-12-07 17:14 UTC", shown as the
// reader's "7 Dec 2026, 00:14 GMT+7".
func When(v any) template.HTML { return timeTag(v, "2006-01-02 15:04", "") }

// WhenExact writes a moment to the second (the audit trail).
func WhenExact(v any) template.HTML { return timeTag(v, "2006-01-02 15:04:05", ` data-precision="s"`) }

// Day writes the date of a moment, shown as the reader's local date (the
// full UTC time on hover).
func Day(v any) template.HTML { return timeTag(v, "2006-01-02", ` data-precision="d"`) }
