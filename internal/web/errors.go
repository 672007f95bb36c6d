package web

import (
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Error is an error whose code and message are safe to show the client.
// Anything else reaching the error renderer is logged in full and shown as
// "internal" with the request id.
type Error struct {
	Status  int
	Code    string // snake_case, stable: clients switch on it
	Message string // one sentence a person can act on
	Err     error  // the cause, for the log only
	// Field names the input at fault, so a page can show the message next
	// to it and the API can report it.
	Field string
	// RetryAfter, for 429 and 503, is sent as the Retry-After header.
	RetryAfter time.Duration
	// Permission, on a 403, names the staff permission that was missing,
	// so a staff member's error page can say which roles carry it.
	Permission string
	// Details lists every rule the input broke when there were several
	// (a pci password), each with its field, code and sentence.
	Details []ErrorDetail
}

// ErrorDetail is one broken rule of an input, in an error's details.
type ErrorDetail struct {
	Field   string `json:"field,omitempty"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %v", e.Code, e.Err)
	}
	return e.Code
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with a client-safe message.
func Errorf(status int, code, format string, args ...any) *Error {
	return &Error{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

// Common errors.
var (
	ErrNotFound         = &Error{Status: http.StatusNotFound, Code: "not_found", Message: "There is nothing at this address."}
	ErrUnauthenticated  = &Error{Status: http.StatusUnauthorized, Code: "unauthenticated", Message: "Sign in to continue."}
	ErrForbidden        = &Error{Status: http.StatusForbidden, Code: "forbidden", Message: "You do not have permission to do this."}
	ErrMethodNotAllowed = &Error{Status: http.StatusMethodNotAllowed, Code: "method_not_allowed", Message: "This address does not accept that method."}
	ErrUnsupportedMedia = &Error{Status: http.StatusUnsupportedMediaType, Code: "unsupported_media_type", Message: "Send the request body as application/json."}
	ErrBodyTooLarge     = &Error{Status: http.StatusRequestEntityTooLarge, Code: "body_too_large", Message: "The request body is too large."}
	ErrUnavailable      = &Error{Status: http.StatusServiceUnavailable, Code: "unavailable", Message: "The service is starting or briefly unavailable. Try again in a moment."}
	ErrInternal         = &Error{Status: http.StatusInternalServerError, Code: "internal", Message: "Something went wrong on our side. It has been logged; please try again, or contact support with the reference below."}
)

// ForbiddenFor is ErrForbidden naming the permission that was missing.
func ForbiddenFor(perm string) *Error {
	e := *ErrForbidden
	e.Permission = perm
	return &e
}

// PublicError returns the client-safe form of err: an *Error with a client
// status (4xx) or 503 keeps its code and message; everything else becomes
// "internal", whatever its text says.
func PublicError(err error) *Error {
	err = FaultError(err)
	var e *Error
	if errors.As(err, &e) && (e.Status < 500 || e.Status == http.StatusServiceUnavailable) {
		return e
	}
	return ErrInternal
}
