// Package fault holds the kinds of error that the feature packages return
// for expected outcomes, so that a caller maps each kind once, whichever
// package reported it: input refused (Invalid, ErrInvalid) and a thing that
// is not there (ErrNotFound). The web layer turns ErrInvalid into 422 and
// ErrNotFound into 404.
//
// The name says what it holds: the fault lies with the request, not with
// the server. It imports nothing of the module, so every package may use it.
package fault

import "errors"

// The kinds. Test them with errors.Is.
var (
	// ErrInvalid is input refused; *Invalid carries the field and reason.
	ErrInvalid = errors.New("invalid input")
	// ErrNotFound is a thing that does not exist, or that the caller may
	// not know exists.
	ErrNotFound = errors.New("not found")
)

// Invalid is input refused: the field at fault and, in words for the
// person who typed it, the reason. A package adds its name in front by
// wrapping it (fmt.Errorf("kb: %w", &fault.Invalid{…})).
type Invalid struct{ Field, Reason string }

func (e *Invalid) Error() string { return e.Field + ": " + e.Reason }

// Unwrap makes every Invalid an ErrInvalid.
func (e *Invalid) Unwrap() error { return ErrInvalid }

// New returns an error with its own text that is also of kind, for a
// package's own sentinels:
//
//	ErrNotFound = fault.New(fault.ErrNotFound, "kb: no such article")
//
// errors.Is matches both the package's sentinel and the kind.
func New(kind error, text string) error { return &kindError{kind: kind, text: text} }

type kindError struct {
	kind error
	text string
}

func (e *kindError) Error() string { return e.text }
func (e *kindError) Unwrap() error { return e.kind }
