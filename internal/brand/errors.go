package brand

import (
	"fmt"

	"github.com/frontdesk/frontdesk/internal/fault"
)

// Error is a refused change: Code names the reason (the console shows it
// in the page's language, brand.err.<code>), Field the form field at
// fault. It is a fault.ErrInvalid.
type Error struct {
	Field, Code string
	// For "contrast": the colour's contrast and a darker shade that passes.
	Ratio   float64
	Suggest string
	// For "too_big": the limit in KiB; for "dimensions": the limits in pixels.
	Limit, Min, Max int
}

func (e *Error) Error() string {
	return fmt.Sprintf("brand: %s: %s", e.Field, e.Code)
}

// Unwrap makes every Error a fault.ErrInvalid.
func (e *Error) Unwrap() error { return fault.ErrInvalid }

var errBadColour = &Error{Field: "colour", Code: "colour"}
