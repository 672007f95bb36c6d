package support

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// A conversation without a subject is named by its first message's first
// line, cut at a word.
func TestSubjectFrom(t *testing.T) {
	long := strings.Repeat("password reset link ", 10)
	for _, tc := range []struct{ body, want string }{
		{"I cannot sign in\nI tried twice.", "I cannot sign in"},
		{"  Tôi   quên mật khẩu  ", "Tôi quên mật khẩu"},
		{"我的账户被锁定了", "我的账户被锁定了"},
		{long, "password reset link password reset link password reset link…"},
		// A NUL (or another control character) a client sent is a space,
		// never part of the subject; a line of nothing else names nothing.
		{"card\x00blocked\x1b[0m", "card blocked [0m"},
		{"\x00\x00\x00", ""},
		{"\x00\nsecond line", ""},
	} {
		if got := subjectFrom(tc.body); got != tc.want {
			t.Errorf("subjectFrom(%q) = %q, want %q", tc.body, got, tc.want)
		}
	}
	if got := subjectFrom(strings.Repeat("密", 300)); utf8.RuneCountInString(got) != 61 {
		t.Errorf("a long line without spaces: %q", got)
	}
}

func TestReference(t *testing.T) {
	if got := Reference("1a2b3c4d5e6f00000000000000000000"); got != "FD-1A2B3C4D" {
		t.Errorf("Reference = %q", got)
	}
	if Reference("") != "" {
		t.Error("an empty id has a reference")
	}
}
