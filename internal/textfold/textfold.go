// Package textfold turns text into the words a search matches on: lower
// case, diacritics removed (đ → d, so "dang nhap" matches "đăng nhập"),
// and Chinese, Japanese and Korean text — written without spaces — cut
// into overlapping pairs of characters, so that "密码" is found inside
// "忘记密码怎么办". It serves the keyed search tokens of sealed text, where
// the database cannot run a full-text index over the words.
package textfold

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Fold lower-cases a word and strips its diacritics, with đ → d (a letter
// of its own in Vietnamese, not d with a mark).
func Fold(w string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(w)) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r == 'đ':
			b.WriteRune('d')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// ideographic reports whether r is written without spaces between words.
func ideographic(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul)
}

// Terms returns the distinct search terms of text, in order of first
// appearance: each folded word of at least min runes (1 keeps every
// word), and for runs of ideographs every single character and every pair
// of neighbours. At most max terms (0 means no limit).
func Terms(text string, min, max int) []string {
	var out []string
	seen := map[string]bool{}
	add := func(t string) bool {
		if t == "" || seen[t] {
			return true
		}
		seen[t] = true
		out = append(out, t)
		return max <= 0 || len(out) < max
	}
	var word []rune
	var han []rune
	flush := func() bool {
		ok := true
		if len(word) > 0 {
			if f := Fold(string(word)); len([]rune(f)) >= min {
				ok = add(f)
			}
			word = word[:0]
		}
		for i := 0; ok && i < len(han); i++ {
			ok = add(string(han[i]))
			if ok && i+1 < len(han) {
				ok = add(string(han[i : i+2]))
			}
		}
		han = han[:0]
		return ok
	}
	for _, r := range text {
		switch {
		case ideographic(r):
			if len(word) > 0 {
				if !flush() {
					return out
				}
			}
			han = append(han, r)
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r):
			if len(han) > 0 {
				if !flush() {
					return out
				}
			}
			word = append(word, r)
		default:
			if !flush() {
				return out
			}
		}
	}
	flush()
	return out
}

// QueryTerms returns what a query must match: its folded words, and for
// ideographs the pairs of neighbours (a single character alone when the
// run has one), so that every term of a query is among the Terms of a
// text that contains it.
func QueryTerms(q string) []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range Terms(q, 1, 0) {
		rs := []rune(t)
		if ideographic(rs[0]) {
			continue
		}
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	// Ideograph runs: pairs, or the lone character.
	var run []rune
	emit := func() {
		switch {
		case len(run) == 1:
			if t := string(run); !seen[t] {
				seen[t] = true
				out = append(out, t)
			}
		case len(run) > 1:
			for i := 0; i+1 < len(run); i++ {
				if t := string(run[i : i+2]); !seen[t] {
					seen[t] = true
					out = append(out, t)
				}
			}
		}
		run = run[:0]
	}
	for _, r := range q {
		if ideographic(r) {
			run = append(run, r)
		} else {
			emit()
		}
	}
	emit()
	return out
}
