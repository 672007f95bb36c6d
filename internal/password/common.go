package password

//go:generate go run gen_common.go

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"io"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
)

// minBase is the shortest form of a password that isCommon compares.
const minBase = 4

// commonGz is the list of common passwords, one a line, lower-case, sorted:
// src/passwords.json of the npm package @zxcvbn-ts/language-common 4.1.3
// (MIT licence, Copyright (c) 2012-2016 Dan Wheeler and Dropbox, Inc. and
// (c) 2021 zxcvbn-ts; see common.LICENSE), the most frequent passwords of
// the xato.net ten-million-password corpus. gen_common.go writes it.
//
//go:embed common.txt.gz
var commonGz []byte

// commonList decompresses the list on first use.
var commonList = sync.OnceValue(loadCommon)

// loadCommon returns the embedded list: about 50,000 strings sharing one
// backing array, sorted for binary search.
func loadCommon() []string {
	zr, err := gzip.NewReader(bytes.NewReader(commonGz))
	if err != nil {
		panic("password: embedded common.txt.gz: " + err.Error())
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		panic("password: embedded common.txt.gz: " + err.Error())
	}
	return strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
}

// inCommonList reports whether s is on the list.
func inCommonList(s string) bool {
	_, found := slices.BinarySearch(commonList(), s)
	return found
}

// isCommon reports whether the lower-cased password is, or is built on, a
// common password: it is looked up as it is, without trailing digits and
// punctuation, with leetspeak undone, and as the unit of a repetition
// ("monkeymonkey"). Forms shorter than four characters are skipped.
// Repeated characters and keyboard or alphabet runs count as common too.
func isCommon(lower string) bool {
	stripped := stripTrailing(lower)
	candidates := []string{lower, stripped}
	for _, s := range []string{lower, stripped} {
		for _, one := range []rune{'l', 'i'} {
			u := unleet(s, one)
			candidates = append(candidates, u, stripTrailing(u))
		}
	}
	for _, c := range candidates {
		// A stub left after stripping ("x" of "x8403917265") says
		// nothing about the password.
		if utf8.RuneCountInString(c) < minBase {
			continue
		}
		unit := repeatedUnit(c)
		if utf8.RuneCountInString(unit) == 1 || isRun(c) || inCommonList(c) || inCommonList(unit) {
			return true
		}
	}
	return false
}

// stripTrailing removes trailing ASCII digits and punctuation, the usual
// way a common password is stretched ("password2025!").
func stripTrailing(s string) string {
	return strings.TrimRightFunc(s, func(r rune) bool {
		return r < 0x80 && (r >= '0' && r <= '9' || strings.ContainsRune("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~ ", r))
	})
}

// unleet undoes common character substitutions; one is the letter '1'
// stands for, 'l' or 'i'.
func unleet(s string, one rune) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '@', '4':
			return 'a'
		case '0':
			return 'o'
		case '1':
			return one
		case '3':
			return 'e'
		case '5', '$':
			return 's'
		case '7':
			return 't'
		}
		return r
	}, s)
}

// repeatedUnit returns the shortest u such that s is u repeated.
func repeatedUnit(s string) string {
	for n := 1; n <= len(s)/2; n++ {
		if len(s)%n == 0 && strings.Repeat(s[:n], len(s)/n) == s {
			return s[:n]
		}
	}
	return s
}

// runs are sequences whose substrings make trivial passwords: the alphabet,
// the digits, and the rows and the columns of a QWERTY keyboard; isRun also
// reads them backwards.
var runs = []string{
	"abcdefghijklmnopqrstuvwxyz",
	"01234567890123456789",
	"1234567890qwertyuiopasdfghjklzxcvbnm",
	"qazwsxedcrfvtgbyhnujmikolp",
}

// isRun reports whether s, of at least four characters, is a substring of a
// run or of its reverse.
func isRun(s string) bool {
	if len(s) < 4 {
		return false
	}
	for _, r := range runs {
		b := []byte(r)
		slices.Reverse(b)
		if strings.Contains(r, s) || strings.Contains(string(b), s) {
			return true
		}
	}
	return false
}
