package bus

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// parseSubject checks a subject (wildcards false) or a subscription pattern
// (wildcards true) and returns its tokens.
func parseSubject(s string, wildcards bool) ([]string, error) {
	invalid := func(why string) error {
		return fmt.Errorf("%w %.64q: %s", ErrInvalidSubject, s, why)
	}
	switch {
	case s == "":
		return nil, invalid("empty")
	case len(s) > MaxSubjectLen:
		return nil, invalid(fmt.Sprintf("longer than %d bytes", MaxSubjectLen))
	case !utf8.ValidString(s):
		return nil, invalid("not UTF-8")
	case strings.IndexFunc(s, badRune) >= 0:
		return nil, invalid("contains white space or a control character")
	}
	tokens := strings.Split(s, ".")
	for i, tok := range tokens {
		switch {
		case tok == "":
			return nil, invalid("empty token")
		case tok == "*" || tok == ">":
			if !wildcards {
				return nil, invalid("wildcards are only allowed in Subscribe")
			}
			if tok == ">" && i != len(tokens)-1 {
				return nil, invalid(`">" must be the last token`)
			}
		case strings.ContainsAny(tok, "*>"):
			return nil, invalid(`"*" and ">" must be whole tokens`)
		}
	}
	return tokens, nil
}

func badRune(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }

// parsePrefix checks a NATS subject prefix and returns it ending with ".",
// or "" for none.
func parsePrefix(p string) (string, error) {
	if p == "" {
		return "", nil
	}
	p = strings.TrimSuffix(p, ".")
	if _, err := parseSubject(p, false); err != nil {
		return "", fmt.Errorf("prefix: %w", err)
	}
	return p + ".", nil
}
