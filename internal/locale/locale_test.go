package locale_test

import (
	"errors"
	"testing"

	"golang.org/x/text/language"

	"github.com/frontdesk/frontdesk/internal/locale"
)

func TestParse(t *testing.T) {
	for _, c := range []struct{ tag, want string }{
		{"en", "en"}, {"en-US", "en"}, {"en-GB", "en"}, {"EN", "en"}, {"en_US", "en"}, {"en-Latn-US", "en"}, {" en ", "en"},
		{"vi", "vi"}, {"vi-VN", "vi"}, {"VI-vn", "vi"},
		{"zh", "zh"}, {"zh-Hans", "zh"}, {"zh-CN", "zh"}, {"zh-SG", "zh"}, {"zh-Hans-CN", "zh"}, {"zh_CN", "zh"}, {"cmn", "zh"},
		// No Traditional Chinese translations: the Simplified ones are shown.
		{"zh-Hant", "zh"}, {"zh-TW", "zh"}, {"zh-HK", "zh"},
	} {
		got, err := locale.Parse(c.tag)
		if err != nil || got != c.want {
			t.Errorf("Parse(%q) = %q, %v; want %q", c.tag, got, err, c.want)
		}
	}
	for _, tag := range []string{"", "fr", "fr-FR", "de-CH", "yue", "i-klingon", "tlh", "xx-invalid", "english", "und", "x-foo", "zh-", "en--US", "../en"} {
		if got, err := locale.Parse(tag); !errors.Is(err, locale.ErrUnsupported) {
			t.Errorf("Parse(%q) = %q, %v; want ErrUnsupported", tag, got, err)
		}
	}
}

func TestMatch(t *testing.T) {
	for _, c := range []struct{ header, want string }{
		{"vi-VN,vi;q=0.9,en;q=0.8", "vi"}, {"zh-CN,zh;q=0.9", "zh"}, {"fr-FR,fr;q=0.9", "en"}, {"", "en"}, {"fr;q=0.9,zh-TW;q=0.5", "zh"},
	} {
		tags, _, _ := language.ParseAcceptLanguage(c.header)
		if got := locale.Match(tags...); got != c.want {
			t.Errorf("Match(%q) = %q, want %q", c.header, got, c.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"en-US", "zh-Hans", "vi_VN", "xx-invalid", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, tag string) {
		got, err := locale.Parse(tag)
		if err == nil && got != "en" && got != "vi" && got != "zh" {
			t.Fatalf("Parse(%q) = %q", tag, got)
		}
	})
}
