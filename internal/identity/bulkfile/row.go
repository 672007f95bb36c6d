package bulkfile

import (
	"crypto/sha256"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/frontdesk/frontdesk/internal/password"
)

// The fields of a row, in the order an export writes them.
const (
	fEmail = iota
	fName
	fPhone
	fLocale
	fRole
	fHash
	fInvite
	nFields
)

var fieldNames = [nFields]string{"email", "name", "phone", "locale", "role", "password_hash", "send_invite"}

// fieldIndex returns the field called name, or -1.
func fieldIndex(name string) int {
	for i, n := range fieldNames {
		if n == name {
			return i
		}
	}
	return -1
}

// rawRow is a row as read, before validation.
type rawRow struct {
	line     int
	vals     [nFields]string
	problems []identity.RowError
}

func (r *rawRow) problem(field, reason string) {
	r.problems = append(r.problems, identity.RowError{Line: r.line, Field: field, Reason: reason})
}

// roleName is the shape of a role name (access.CreateRole's rule).
var roleName = regexp.MustCompile(`^[a-z][a-z0-9_]{1,39}$`)

// validate normalises a row with identity's rules and records each
// problem. Reasons name the rule, never the value, which may be personal.
func (r *Reader) validate(raw rawRow) identity.ImportRow {
	row := identity.ImportRow{Line: raw.line}
	for _, p := range raw.problems {
		if p.Field == "row" { // the values cannot be trusted
			row.Problems = raw.problems
			return row
		}
	}
	v := &raw.vals
	switch email := strings.TrimSpace(v[fEmail]); {
	case email == "":
		raw.problem("email", "required")
	default:
		norm, err := identity.NormalizeEmail(email)
		if err != nil {
			reason := "not a valid e-mail address"
			if !isASCII(email) {
				reason += " (only addresses in ASCII letters, digits and . _ + - are supported)"
			}
			raw.problem("email", reason)
			break
		}
		row.Email = norm
		key := sha256.Sum256([]byte(strings.ToLower(norm)))
		var k [16]byte
		copy(k[:], key[:16])
		if first, dup := r.seen[k]; dup {
			raw.problem("email", fmt.Sprintf("same e-mail address as line %d", first))
		} else {
			r.seen[k] = raw.line
		}
	}
	if name, err := identity.NormalizeName(v[fName]); err != nil {
		reason := "contains control characters"
		if utf8.RuneCountInString(strings.TrimSpace(v[fName])) > 200 {
			reason = "longer than 200 characters"
		}
		raw.problem("name", reason)
	} else {
		row.Name = name
	}
	if phone, err := identity.NormalizePhone(v[fPhone]); err != nil {
		raw.problem("phone", "not an international (E.164) number like +84912345678")
	} else {
		row.Phone = phone
	}
	if loc, err := identity.NormalizeLocale(v[fLocale]); err != nil {
		raw.problem("locale", "not one of "+strings.Join(identity.Locales, ", "))
	} else {
		row.Locale = loc
	}
	for _, role := range strings.FieldsFunc(strings.ToLower(v[fRole]), func(c rune) bool { return c == ' ' || c == ',' || c == ';' || c == '\t' }) {
		known := roleName.MatchString(role)
		if known && r.opts.ValidRole != nil {
			known = r.opts.ValidRole(role)
		}
		if !known {
			raw.problem("role", "unknown role "+columnLabel(role))
			continue
		}
		if !slices.Contains(row.Roles, role) {
			row.Roles = append(row.Roles, role)
		}
	}
	if h := strings.TrimSpace(v[fHash]); h != "" {
		if password.IsSupportedHash(h) {
			row.PasswordHash = h
		} else {
			raw.problem("password_hash", "unsupported hash format (expected $argon2id$…, $2a$/$2b$ bcrypt or pbkdf2-sha256$<iterations>$<salt>$<hash>)")
		}
	}
	switch strings.ToLower(strings.TrimSpace(v[fInvite])) {
	case "", "false":
	case "true":
		row.SendInvite = true
	default:
		raw.problem("send_invite", "not true or false")
	}
	row.Problems = raw.problems
	return row
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
