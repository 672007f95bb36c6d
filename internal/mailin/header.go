package mailin

import (
	"mime"
	"net/mail"
	"regexp"
	"strings"
	"unicode"

	"github.com/emersion/go-message"
	"golang.org/x/text/unicode/norm"
)

// addressParser decodes RFC 2047 display names in every charset that
// go-message/charset registers, not only UTF-8 and ISO-8859-1.
var addressParser = mail.AddressParser{
	WordDecoder: &mime.WordDecoder{CharsetReader: message.CharsetReader},
}

// bareAddress finds something shaped like an address in a malformed field.
var bareAddress = regexp.MustCompile(`[^\s<>"(),;:\[\]]+@[^\s<>"(),;:\[\]]+`)

// addressList parses an address header field. A field that does not parse as
// a whole is split on commas and the parts that make sense are kept.
func addressList(v string) []mail.Address {
	if strings.TrimSpace(v) == "" {
		return nil
	}
	list, err := addressParser.ParseList(v)
	if err != nil {
		list = nil
		for _, s := range strings.Split(v, ",") {
			if a, err := addressParser.Parse(s); err == nil {
				list = append(list, a)
			} else if addr := bareAddress.FindString(s); addr != "" {
				list = append(list, &mail.Address{Address: addr})
			}
		}
	}
	out := make([]mail.Address, 0, len(list))
	for _, a := range list {
		out = append(out, mail.Address{Name: cleanLine(a.Name), Address: cleanLine(a.Address)})
	}
	return out
}

// msgIDs returns the message ids in a Message-ID, In-Reply-To or References
// field without their angle brackets. Ids written without brackets, as some
// mailers do, are split on white space.
func msgIDs(v string) []string {
	var ids []string
	for rest := v; ; {
		_, after, ok := strings.Cut(rest, "<")
		if !ok {
			break
		}
		id, tail, ok := strings.Cut(after, ">")
		if !ok {
			break
		}
		if id = compact(id); id != "" {
			ids = append(ids, id)
		}
		rest = tail
	}
	if len(ids) > 0 {
		return ids
	}
	for _, f := range strings.FieldsFunc(v, func(r rune) bool { return unicode.IsSpace(r) || r == ',' }) {
		if id := compact(strings.Trim(f, "<>")); id != "" {
			ids = append(ids, id)
		}
	}
	return ids
}

// compact removes white space and control characters.
func compact(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, ""))
}

// cleanLine turns a decoded header value into one line of valid UTF-8 in
// NFC: runs of white space become one space, control characters go.
// Windows-1258 in particular decodes Vietnamese to combining marks.
func cleanLine(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r):
			return ' '
		case unicode.IsControl(r):
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
	return norm.NFC.String(strings.Join(strings.Fields(s), " "))
}

// cleanFilename keeps the last path element of a sender-supplied file name.
func cleanFilename(name string) string {
	name = cleanLine(name)
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	if name == "." || name == ".." {
		return ""
	}
	return name
}
