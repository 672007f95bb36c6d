package kb_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/frontdesk/frontdesk/internal/kb"
)

// Locales are BCP 47 tags wherever the knowledge base takes one: an
// article is saved and searched by "zh-CN", "vi-VN" or "en-US"; an
// unsupported tag is an error that names the field, never an empty
// result; and a search without a locale searches every language.
func TestSearchLocales(t *testing.T) {
	s := newKB(t)
	corpus(t, s)
	a := save(t, s, kb.Input{Slug: "hans", Locale: "zh-Hans", Title: "更改电话号码", BodyMD: "在设置页面更改电话号码。"})
	if a.Locale != "zh" {
		t.Fatalf("saved in zh-Hans: stored as %q, want zh", a.Locale)
	}
	for _, tc := range []struct {
		q, locale string
		want      []string
	}{
		{"密码", "zh-CN", []string{"forgot-password-zh"}},
		{"密码", "zh-Hans", []string{"forgot-password-zh"}},
		{"密码", "zh-SG", []string{"forgot-password-zh"}},
		{"密码", "zh-TW", []string{"forgot-password-zh"}}, // no Traditional Chinese: the Simplified articles
		{"dang nhap", "vi-VN", []string{"sign-in-problems"}},
		{"passkey", "en-US", []string{"two-factor"}},
		{"passkey", "en-GB", []string{"two-factor"}},
		{"passkey", "EN_us", []string{"two-factor"}},
		// Without a locale, every language.
		{"密码", "", []string{"forgot-password-zh"}},
		{"电话", "", []string{"hans"}},
		{"dang nhap", "", []string{"sign-in-problems"}},
		{"passkey", "", []string{"two-factor"}},
		{"secrets", "", nil}, // drafts stay out
	} {
		r, err := s.Search(ctx, tc.q, kb.SearchOptions{Locale: tc.locale})
		if err != nil {
			t.Fatalf("search %q in %q: %v", tc.q, tc.locale, err)
		}
		if got := slugs(r); strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("search %q in %q: %v, want %v", tc.q, tc.locale, got, tc.want)
		}
	}
	// Every language, best first: an article with the words in its title
	// before one with them only in its text, whatever their languages.
	r, err := s.Search(ctx, "password", kb.SearchOptions{})
	if err != nil || r.Locale != "" || len(r.Hits) < 2 || r.Hits[0].Slug != "reset-password" {
		t.Fatalf("every language: %v %v %q", slugs(r), err, r.Locale)
	}
	for _, tag := range []string{"fr", "xx-invalid", "zh-", "english"} {
		var inv *kb.InvalidError
		if _, err := s.Search(ctx, "密码", kb.SearchOptions{Locale: tag}); !errors.As(err, &inv) || inv.Field != "locale" || !strings.Contains(inv.Reason, tag) {
			t.Errorf("search in %q: %v, want an invalid locale naming it", tag, err)
		}
		if _, err := s.Save(ctx, kb.Input{Slug: "x", Locale: tag, Title: "x", BodyMD: "x", Status: kb.StatusPublished}); !errors.As(err, &inv) || inv.Field != "locale" {
			t.Errorf("save in %q: %v, want an invalid locale", tag, err)
		}
	}
}

func TestParseFileLocale(t *testing.T) {
	for tag, want := range map[string]string{"zh-Hans": "zh", "zh-CN": "zh", "vi-VN": "vi", "en-US": "en", "en": "en", `"en-GB"`: "en"} {
		e, err := kb.ParseFile("---\nslug: a\nlocale: " + tag + "\ntitle: T\n---\nBody\n")
		if err != nil || e.Locale != want {
			t.Errorf("locale: %s: %q, %v; want %q", tag, e.Locale, err, want)
		}
	}
	for _, tag := range []string{"fr", "xx-invalid"} {
		_, err := kb.ParseFile("---\nslug: a\ntitle: T\nlocale: " + tag + "\n---\nBody\n")
		var fe *kb.FileError
		if !errors.As(err, &fe) || fe.Line != 4 || !strings.Contains(fe.Reason, tag) || !strings.Contains(err.Error(), "line 4: locale:") {
			t.Errorf("locale: %s: %v, want a mistake on line 4", tag, err)
		}
	}
	if _, err := kb.ParseFile("---\nslug: a\ntitle: T\n---\nBody\n"); err == nil || !strings.Contains(err.Error(), "locale is required") {
		t.Errorf("no locale: %v", err)
	}
}
