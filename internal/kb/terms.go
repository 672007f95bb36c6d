package kb

import (
	"strings"
	"unicode"

	"github.com/kljensen/snowball/english"

	"github.com/frontdesk/frontdesk/internal/textfold"
)

// Search terms. Both databases index the same terms, derived here, so a
// query finds the same articles on SQLite and PostgreSQL:
//
//   - Latin words folded (lower case, diacritics gone, đ → d), so "dang
//     nhap" finds "Đăng nhập" — PostgreSQL's unaccent and SQLite's
//     remove_diacritics both miss đ;
//   - and their English stem, so "passwords" and "resetting" find
//     "password" and "reset" (the stem of a Vietnamese syllable is
//     usually itself);
//   - Chinese (and Japanese, Korean) text as every character and every
//     pair of neighbours, so "密码" (a pair) finds "忘记密码怎么办" without
//     word segmentation — both databases' trigram indexes need three
//     characters, which a two-character Chinese word does not have.

// indexTerms returns the terms of a text to index, space-separated.
func indexTerms(text string) string {
	var b strings.Builder
	seen := map[string]bool{}
	add := func(t string) {
		if t != "" && !seen[t] {
			seen[t] = true
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(t)
		}
	}
	for _, t := range textfold.Terms(text, 1, 0) {
		if isLatinWord(t) {
			add(t)
			add(english.Stem(t, true))
		} else {
			add(t)
		}
	}
	return b.String()
}

// queryTerms returns what a query must match: the stem of each Latin word
// and each pair of neighbouring Chinese characters (the character alone
// for a one-character query).
func queryTerms(q string) []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range textfold.QueryTerms(q) {
		if isLatinWord(t) {
			t = english.Stem(t, true)
		}
		if t != "" && !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	if len(out) > 10 {
		out = out[:10]
	}
	return out
}

func isLatinWord(t string) bool {
	for _, r := range t {
		if r > unicode.MaxLatin1 && !unicode.Is(unicode.Latin, r) {
			return false
		}
	}
	return true
}

func stem(w string) string { return english.Stem(w, true) }
