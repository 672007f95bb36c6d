package password

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Profile is a password policy. Lengths count Unicode code points after NFC
// normalisation, so every script gets the same allowance.
type Profile struct {
	Name string
	// MinLength and MaxLength bound the length in code points; a zero
	// MaxLength means no limit.
	MinLength, MaxLength int
	// MaxBytes bounds the UTF-8 length; zero means no limit.
	MaxBytes int
	// Composition rules, for policies such as PCI DSS that demand them.
	RequireUpper, RequireLower, RequireDigit, RequireSpecial bool
	// HistoryCount is how many previous passwords a new one must differ
	// from. Check does not see the history; the caller enforces it.
	HistoryCount int
}

// ProfileDefault follows NIST SP 800-63B and OWASP ASVS 5: a long minimum
// (15 for single-factor use), a generous maximum, no composition rules.
var ProfileDefault = Profile{Name: "default", MinLength: 15, MaxLength: 256, MaxBytes: 1024}

// ProfilePCI meets PCI DSS 4.0 requirements 8.3.6 and 8.3.7: twelve
// characters, upper and lower case, digits and symbols, and none of the last
// four passwords.
var ProfilePCI = Profile{
	Name: "pci", MinLength: 12, MaxLength: 256, MaxBytes: 1024,
	RequireUpper: true, RequireLower: true, RequireDigit: true, RequireSpecial: true,
	HistoryCount: 4,
}

// ProfileByName returns the built-in profile called name ("default" or
// "pci", in any case).
func ProfileByName(name string) (Profile, bool) {
	switch strings.ToLower(name) {
	case ProfileDefault.Name:
		return ProfileDefault, true
	case ProfilePCI.Name:
		return ProfilePCI, true
	}
	return Profile{}, false
}

// Normalize returns pw in Unicode normalisation form C, so that the same
// password typed on different systems hashes the same.
func Normalize(pw string) string { return norm.NFC.String(pw) }

// Check returns nil if pw meets p, or a Problem describing the first rule it
// breaks, in this order: valid UTF-8, length, composition, common passwords,
// words from c. pw need not be normalised; Check normalises it itself.
func (p Profile) Check(pw string, c Context) *Problem {
	if all := p.CheckAll(pw, c); len(all) > 0 {
		return all[0]
	}
	return nil
}

// CheckAll returns every rule pw breaks, in Check's order, so that a
// person sees them all in one answer rather than one per attempt (a pci
// password may lack a digit and a symbol and be too short at once). Text
// that is not valid UTF-8 is reported alone: nothing else can be judged.
func (p Profile) CheckAll(pw string, c Context) []*Problem {
	if !utf8.ValidString(pw) {
		return []*Problem{{Code: CodeInvalidUTF8}}
	}
	pw = Normalize(pw)
	var out []*Problem
	n := utf8.RuneCountInString(pw)
	if n < p.MinLength {
		out = append(out, &Problem{Code: CodeTooShort, Min: p.MinLength, Max: p.MaxLength})
	}
	if (p.MaxLength > 0 && n > p.MaxLength) || (p.MaxBytes > 0 && len(pw) > p.MaxBytes) {
		// Nothing more is read of an oversized input.
		return append(out, &Problem{Code: CodeTooLong, Min: p.MinLength, Max: p.MaxLength})
	}
	for _, code := range p.composition(pw) {
		out = append(out, &Problem{Code: code})
	}
	lower := strings.ToLower(pw)
	if isCommon(lower) {
		out = append(out, &Problem{Code: CodeCommon})
	}
	if w := c.match(lower); w != "" {
		out = append(out, &Problem{Code: CodeContext, Word: w})
	}
	return out
}

// composition returns the codes of the missing character classes, in the
// order upper, lower, digit, special.
func (p Profile) composition(pw string) []string {
	var upper, lower, digit, special bool
	for _, r := range pw {
		switch {
		case unicode.IsUpper(r) || unicode.IsTitle(r):
			upper = true
		case unicode.IsLower(r):
			lower = true
		case unicode.IsDigit(r):
			digit = true
		case !unicode.IsLetter(r) && !unicode.IsNumber(r) && !unicode.IsMark(r):
			special = true
		}
	}
	var out []string
	for _, c := range []struct {
		required, has bool
		code          string
	}{{p.RequireUpper, upper, CodeMissingUpper}, {p.RequireLower, lower, CodeMissingLower},
		{p.RequireDigit, digit, CodeMissingDigit}, {p.RequireSpecial, special, CodeMissingSpecial}} {
		if c.required && !c.has {
			out = append(out, c.code)
		}
	}
	return out
}
