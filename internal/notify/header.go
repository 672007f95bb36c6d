package notify

import (
	"fmt"
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"
)

// checkHeaderValue refuses values that could end a header line or smuggle
// in another one: CR, LF and every other control character (C0, DEL, C1),
// plus the Unicode line and paragraph separators and invalid UTF-8.
func checkHeaderValue(field, s string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("%w: %s is not valid UTF-8", ErrHeaderInjection, field)
	}
	for _, r := range s {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return fmt.Errorf("%w: %s contains control character %U", ErrHeaderInjection, field, r)
		}
	}
	return nil
}

// checkAddress validates a display name and a plain ASCII addr-spec.
// Internationalised addresses (SMTPUTF8) are not supported.
func checkAddress(field string, a mail.Address) error {
	if err := checkHeaderValue(field+" name", a.Name); err != nil {
		return err
	}
	if err := checkHeaderValue(field+" address", a.Address); err != nil {
		return err
	}
	if len(a.Address) > 254 {
		return fmt.Errorf("%w: %s address is longer than 254 bytes", ErrInvalidAddress, field)
	}
	for i := 0; i < len(a.Address); i++ {
		if a.Address[i] >= utf8.RuneSelf {
			return fmt.Errorf("%w: %s address is not ASCII", ErrInvalidAddress, field)
		}
	}
	p, err := mail.ParseAddress(a.Address)
	if err != nil || p.Name != "" || p.Address != a.Address || !strings.Contains(a.Address, "@") {
		// The address is not repeated: errors are logged, and the log
		// holds recipient domains only.
		return fmt.Errorf("%w: %s address is not of the form user@domain", ErrInvalidAddress, field)
	}
	return nil
}

// addressDomain returns the part after the last "@", or "" when there is none.
func addressDomain(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return addr[i+1:]
	}
	return ""
}

// formatAddress renders a checked address for a From or To header.
func formatAddress(a mail.Address) string {
	if a.Name == "" || isPlainText(a.Name, 60) {
		return a.String()
	}
	return encodeWords(a.Name) + " <" + a.Address + ">"
}

// formatText renders an unstructured header value such as Subject: plain
// when it is short printable ASCII, otherwise as RFC 2047 encoded-words.
func formatText(s string) string {
	if isPlainText(s, 65) {
		return s
	}
	return encodeWords(s)
}

// isPlainText reports whether s can be written as is: printable ASCII, no
// "=?" that a reader would mistake for an encoded-word, and short enough to
// keep the header line under 78 characters without folding.
func isPlainText(s string, max int) bool {
	if len(s) > max || strings.Contains(s, "=?") {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}

// encodeWords encodes s as RFC 2047 "Q" encoded-words of at most 75
// characters, folded onto continuation lines. Only characters that are safe
// in both unstructured text and display-name phrases stay literal, and a
// multi-byte character is never split across words, so every word decodes
// to valid UTF-8 on its own.
func encodeWords(s string) string {
	const prefix, suffix, maxWord = "=?utf-8?q?", "?=", 75
	var words []string
	var b strings.Builder
	b.WriteString(prefix)
	var enc []byte
	for _, r := range s {
		enc = enc[:0]
		var buf [utf8.UTFMax]byte
		for _, c := range buf[:utf8.EncodeRune(buf[:], r)] {
			switch {
			case c == ' ':
				enc = append(enc, '_')
			case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9',
				c == '!', c == '*', c == '+', c == '-', c == '/':
				enc = append(enc, c)
			default:
				enc = append(enc, '=', "0123456789ABCDEF"[c>>4], "0123456789ABCDEF"[c&15])
			}
		}
		if b.Len()+len(enc)+len(suffix) > maxWord && b.Len() > len(prefix) {
			b.WriteString(suffix)
			words = append(words, b.String())
			b.Reset()
			b.WriteString(prefix)
		}
		b.Write(enc)
	}
	b.WriteString(suffix)
	words = append(words, b.String())
	return strings.Join(words, "\r\n ")
}

// normalizeMsgID checks a Message-ID style value and returns it in angle
// brackets. Brackets in the input are optional.
func normalizeMsgID(field, s string) (string, error) {
	if err := checkHeaderValue(field, s); err != nil {
		return "", err
	}
	id := strings.TrimSuffix(strings.TrimPrefix(s, "<"), ">")
	at := strings.LastIndexByte(id, '@')
	if at <= 0 || at == len(id)-1 || len(id) > 250 {
		return "", fmt.Errorf("%w: %s must look like <left@right>", ErrInvalidMessageID, field)
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; c <= ' ' || c > '~' || c == '<' || c == '>' || c == '"' || c == '\\' {
			return "", fmt.Errorf("%w: %s contains %q", ErrInvalidMessageID, field, c)
		}
	}
	return "<" + id + ">", nil
}
