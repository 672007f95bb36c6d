package identity

import (
	"errors"
	"fmt"
	"time"

	"github.com/frontdesk/frontdesk/internal/fault"
)

// Errors the service returns; the web layer maps them to statuses.
var (
	// ErrInvalidCredentials is the one answer for an unknown e-mail, a wrong
	// password, a locked or a disabled account.
	ErrInvalidCredentials = errors.New("identity: invalid credentials")
	// ErrInvalidCode is the one answer for a wrong, used or expired code or
	// link, whatever the e-mail.
	ErrInvalidCode = errors.New("identity: invalid or expired code")
	// ErrUnauthenticated means a session token is unknown, ended or expired.
	ErrUnauthenticated = errors.New("identity: not signed in")
	// ErrEmailNotVerified is returned, after a correct password, for an
	// account whose e-mail is not verified yet; a new code is sent.
	ErrEmailNotVerified = errors.New("identity: e-mail address not verified")
	// ErrResetRequired is returned, after a correct password, for an account
	// whose owner reported a sign-in as not theirs; a reset e-mail is sent.
	ErrResetRequired = errors.New("identity: password reset required")
	// ErrWrongPassword is returned when the current password given to
	// confirm a change is wrong.
	ErrWrongPassword = errors.New("identity: current password is wrong")
	// ErrNotFound is returned for a session or account that does not exist
	// or does not belong to the caller.
	ErrNotFound = fault.New(fault.ErrNotFound, "identity: not found")
	// ErrExists is returned when an administrator's e-mail is taken.
	ErrExists = errors.New("identity: an account with this e-mail already exists")
)

// RateLimitedError says the caller must wait before trying again.
type RateLimitedError struct {
	RetryAfter time.Duration
	Reason     string // for logs and audit: "ip", "network", "stuffing", "registration", "reset"
}

func (e *RateLimitedError) Error() string {
	return fmt.Sprintf("identity: rate limited (%s) for %s", e.Reason, e.RetryAfter)
}

// FieldError is invalid input in one field, with a sentence that says how
// to fix it. It never repeats a password.
type FieldError struct {
	Field   string // JSON name: "email", "password", "phone", …
	Code    string // snake_case: "invalid_email", "too_short", "common", …
	Message string
	Min     int // for too_short / too_long: the limit
	Max     int
	// Details, when the input breaks several rules at once (a pci password
	// too short and without a digit), lists every one of them, the first
	// being this error's own Code and Message; nil for a single rule.
	Details []FieldError
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }
