package textfold_test

import (
	"slices"
	"testing"

	"github.com/frontdesk/frontdesk/internal/textfold"
)

func TestFold(t *testing.T) {
	for in, want := range map[string]string{"Đăng": "dang", "NHẬP": "nhap", "Nguyễn": "nguyen", "Café": "cafe", "密码": "密码"} {
		if got := textfold.Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}

// Every query term is among the terms of a text that contains the query,
// in Vietnamese typed without diacritics and in Chinese without spaces.
func TestQueryTermsAreInTextTerms(t *testing.T) {
	for _, tc := range []struct {
		text, query string
		match       bool
	}{
		{"Tôi không đăng nhập được", "dang nhap", true},
		{"Tôi không đăng nhập được", "dang ky", false},
		{"忘记密码怎么办", "密码", true},
		{"忘记密码怎么办", "码", true},
		{"忘记密码怎么办", "密怎", false},
		{"Reset my PASSWORD please", "password", true},
		{"账户被锁定 account locked", "locked 锁定", true},
	} {
		terms := textfold.Terms(tc.text, 1, 0)
		q := textfold.QueryTerms(tc.query)
		all := len(q) > 0
		for _, term := range q {
			all = all && slices.Contains(terms, term)
		}
		if all != tc.match {
			t.Errorf("%q in %q: %v (terms %v, query %v)", tc.query, tc.text, all, terms, q)
		}
	}
}

func TestTermsLimits(t *testing.T) {
	if got := textfold.Terms("a an and ant", 2, 0); !slices.Equal(got, []string{"an", "and", "ant"}) {
		t.Errorf("min length: %v", got)
	}
	if got := textfold.Terms("one two three four", 1, 2); len(got) != 2 {
		t.Errorf("max: %v", got)
	}
}
