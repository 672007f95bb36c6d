package password

import "fmt"

// Problem codes, stable for clients and translations.
const (
	CodeTooShort       = "too_short"
	CodeTooLong        = "too_long"
	CodeMissingUpper   = "missing_upper"
	CodeMissingLower   = "missing_lower"
	CodeMissingDigit   = "missing_digit"
	CodeMissingSpecial = "missing_special"
	CodeCommon         = "common"
	CodeContext        = "context"
	CodeInvalidUTF8    = "invalid_utf8"
)

// Problem is why a password was refused. It never contains the password.
type Problem struct {
	Code string // one of the Code constants
	// Min and Max are the profile's length limits in code points, for
	// too_short and too_long.
	Min, Max int
	// Word is the lower-cased context word the password contains, for context.
	Word string
}

// Error returns an English sentence for the user.
func (p *Problem) Error() string {
	switch p.Code {
	case CodeTooShort:
		return fmt.Sprintf("Use at least %d characters.", p.Min)
	case CodeTooLong:
		return fmt.Sprintf("Use at most %d characters.", p.Max)
	case CodeMissingUpper:
		return "Include at least one upper-case letter."
	case CodeMissingLower:
		return "Include at least one lower-case letter."
	case CodeMissingDigit:
		return "Include at least one digit."
	case CodeMissingSpecial:
		return "Include at least one symbol, punctuation mark or space."
	case CodeCommon:
		return "This password is one of the most commonly used passwords."
	case CodeContext:
		return "The password must not contain your e-mail address, name or the organisation's name."
	case CodeInvalidUTF8:
		return "The password contains characters that are not valid text."
	}
	return "The password does not meet the password policy."
}
