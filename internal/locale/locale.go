// Package locale reads the language tags Frontdesk is given — a page's
// ?lang= and cookie, an article file's front matter, the knowledge-base
// API's locale parameter, the console editor's — into one of the languages
// it speaks. It is the one place that decides what a tag means.
//
// Tags are BCP 47 (RFC 5646), matched with golang.org/x/text/language:
// case does not matter and "_" is read as "-", so "en-US", "en_GB",
// "vi-VN", "zh-Hans", "zh-CN" and "zh-SG" all name a supported language.
// Traditional Chinese ("zh-Hant", "zh-TW", "zh-HK") is read as zh: there is
// no Traditional Chinese translation, and a reader who asks for one is
// better served by the Simplified text than by an error. Any other
// language ("fr", "de-CH") and anything that is not a well-formed tag
// ("xx-invalid", "english") is ErrUnsupported.
package locale

import (
	"errors"
	"strings"

	"golang.org/x/text/language"
)

// Supported are the languages Frontdesk speaks, as the codes it stores.
var Supported = []string{"en", "vi", "zh"}

// Default is the language used when nothing else is known.
const Default = "en"

// ErrUnsupported is returned for a tag that is malformed or names a
// language Frontdesk does not speak.
var ErrUnsupported = errors.New("locale: not a supported language tag (en, vi or zh; BCP 47, e.g. en-US, vi-VN, zh-Hans)")

var (
	tags    = []language.Tag{language.English, language.Vietnamese, language.SimplifiedChinese}
	matcher = language.NewMatcher(tags)
)

// Parse returns the supported language a BCP 47 tag names: "en", "vi" or
// "zh". An empty tag is ErrUnsupported too; callers for which no tag has a
// meaning (search every language) check for "" first.
func Parse(tag string) (string, error) {
	t, err := language.Parse(strings.TrimSpace(tag))
	if err != nil {
		return "", ErrUnsupported
	}
	_, i, conf := matcher.Match(t)
	if conf == language.No {
		return "", ErrUnsupported
	}
	// The matcher also pairs a few unrelated languages with a supported
	// one (Klingon with English, with high confidence): the base languages
	// must agree, after folding macrolanguages (cmn is zh).
	got, _ := language.Macro.Canonicalize(t)
	b, _ := got.Base()
	if want, _ := tags[i].Base(); b != want {
		return "", ErrUnsupported
	}
	return Supported[i], nil
}

// Match returns the best supported language for a list of tags in order
// of preference (an Accept-Language header, parsed), or Default.
func Match(prefs ...language.Tag) string {
	_, i, conf := matcher.Match(prefs...)
	if conf == language.No {
		return Default
	}
	return Supported[i]
}
