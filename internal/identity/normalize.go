package identity

import (
	"net/mail"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Limits on input sizes, checked before anything else happens.
const (
	maxEmailLen = 254
	maxNameLen  = 200 // code points
)

// NormalizeEmail trims s, applies Unicode NFC and lower-cases the domain,
// then checks it is one plain address (no display name, no comments, no
// control characters). The local part keeps its case as typed; look-ups
// ignore case (see emailKey).
func NormalizeEmail(s string) (string, error) {
	bad := &FieldError{Field: "email", Code: "invalid_email", Message: "Enter an e-mail address like name@example.com."}
	s = norm.NFC.String(strings.TrimSpace(s))
	if s == "" || len(s) > maxEmailLen || !utf8.ValidString(s) {
		return "", bad
	}
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 || at > 64 {
		return "", bad
	}
	local, domain := s[:at], strings.ToLower(s[at+1:])
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			// Mail can only be delivered to plain ASCII addresses for now
			// (no SMTPUTF8); refusing here beats a code that never arrives.
			return "", &FieldError{Field: "email", Code: "invalid_email", Message: "Use an address written with Latin letters, digits and . _ + - only; addresses in other scripts are not supported yet."}
		}
	}
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) || r == '<' || r == '>' || r == '(' || r == ')' || r == ',' || r == ';' || r == '"' || r == '\\' {
			return "", bad
		}
	}
	if !validDomain(domain) {
		return "", bad
	}
	addr := local + "@" + domain
	parsed, err := mail.ParseAddress(addr)
	if err != nil || parsed.Address != addr || parsed.Name != "" {
		return "", bad
	}
	return addr, nil
}

// validDomain accepts dot-separated labels of letters (any script), digits
// and hyphens, with at least one dot; no empty labels, none over 63 bytes.
func validDomain(d string) bool {
	if len(d) > 253 || !strings.Contains(d, ".") {
		return false
	}
	for label := range strings.SplitSeq(d, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if r != '-' && !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.Mn, r) {
				return false
			}
		}
	}
	return true
}

// emailKey is what the blind index is computed over: addresses differing
// only in case are one account.
func emailKey(normalized string) string { return strings.ToLower(normalized) }

var e164 = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)

// NormalizePhone accepts an E.164 number, allowing spaces, dots, dashes
// and parentheses as the owner may type them: "+84 (912) 345-678".
func NormalizePhone(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == '+' && i == 0, r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')':
		default:
			return "", phoneError
		}
	}
	p := b.String()
	if !e164.MatchString(p) {
		return "", phoneError
	}
	return p, nil
}

var phoneError = &FieldError{Field: "phone", Code: "invalid_phone", Message: "Enter the phone number in international format, starting with + and the country code, e.g. +84912345678."}

// NormalizeName trims a display name and checks its length and characters.
func NormalizeName(s string) (string, error) {
	s = norm.NFC.String(strings.TrimSpace(s))
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > maxNameLen {
		return "", &FieldError{Field: "name", Code: "invalid_name", Message: "Use at most 200 characters for your name."}
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return "", &FieldError{Field: "name", Code: "invalid_name", Message: "The name contains characters that are not allowed."}
		}
	}
	return s, nil
}

// Locales accounts can choose.
var Locales = []string{"en", "vi", "zh"}

// NormalizeLocale maps "", "vi-VN", "zh-Hans" and the like to a supported
// locale, or fails for anything else.
func NormalizeLocale(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return "en", nil
	}
	base, _, _ := strings.Cut(strings.ReplaceAll(s, "_", "-"), "-")
	for _, l := range Locales {
		if base == l {
			return l, nil
		}
	}
	return "", &FieldError{Field: "locale", Code: "invalid_locale", Message: "Choose one of the languages: en, vi, zh."}
}

// MaskPhone shows the country code and the last two digits, for staff
// and for messages that must not repeat a number:
// "+84•••••89".
func MaskPhone(p string) string {
	if len(p) < 6 {
		return strings.Repeat("•", len(p))
	}
	cc := 3
	if strings.HasPrefix(p, "+1") || strings.HasPrefix(p, "+7") {
		cc = 2
	}
	return p[:cc] + strings.Repeat("•", len(p)-cc-2) + p[len(p)-2:]
}
