package password

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// minContextWord is the shortest context word Check looks for; shorter
// ones, such as a surname "Li", would refuse too many unrelated passwords.
const minContextWord = 4

// Context holds words a password must not contain because an attacker who
// targets the account knows them (ASVS 6.1.2): the account's e-mail address
// and name and the organisation's name.
type Context struct {
	Email, Name, OrgName string
	// Extra holds more words, such as the product's name.
	Extra []string
}

// words returns the lower-cased NFC words of c with at least four code
// points, longest first: the e-mail address, its local part and the parts
// of that, the name with and without spaces and its parts, the organisation
// name with and without spaces, and Extra.
func (c Context) words() []string {
	var ws []string
	add := func(s string) {
		s = strings.ToLower(Normalize(strings.TrimSpace(s)))
		if utf8.RuneCountInString(s) >= minContextWord && !slices.Contains(ws, s) {
			ws = append(ws, s)
		}
	}
	add(c.Email)
	if i := strings.LastIndexByte(c.Email, '@'); i > 0 {
		local := c.Email[:i]
		add(local)
		for _, part := range strings.FieldsFunc(local, notAlnum) {
			add(part)
		}
	}
	add(c.Name)
	add(withoutSpaces(c.Name))
	for _, part := range strings.FieldsFunc(c.Name, notAlnum) {
		add(part)
	}
	add(c.OrgName)
	add(withoutSpaces(c.OrgName))
	for _, w := range c.Extra {
		add(w)
	}
	slices.SortStableFunc(ws, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	return ws
}

// match returns the first context word that the lower-cased password, as
// typed or with leetspeak undone, contains, or "".
func (c Context) match(lower string) string {
	words := c.words()
	if len(words) == 0 {
		return ""
	}
	forms := []string{lower, unleet(lower, 'l'), unleet(lower, 'i')}
	for _, w := range words {
		for _, f := range forms {
			if strings.Contains(f, w) {
				return w
			}
		}
	}
	return ""
}

func notAlnum(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) }

func withoutSpaces(s string) string {
	return strings.Join(strings.Fields(s), "")
}
