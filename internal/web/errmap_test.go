package web

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/frontdesk/frontdesk/internal/assist"
	"github.com/frontdesk/frontdesk/internal/kb"
	"github.com/frontdesk/frontdesk/internal/support"
)

// The feature packages' shared error kinds map to the same answers from
// every mapper and from the renderer itself.
func TestFaultsMappedOnce(t *testing.T) {
	invalid := []error{
		fmt.Errorf("kb: %w", &kb.InvalidError{Field: "slug", Reason: "letters, digits and hyphens"}),
		fmt.Errorf("support: %w", &support.InvalidError{Field: "slug", Reason: "letters, digits and hyphens"}),
		fmt.Errorf("assist: %w", &assist.InvalidError{Field: "slug", Reason: "letters, digits and hyphens"}),
	}
	for _, err := range invalid {
		for _, mapped := range []error{KBError(err), SupportError(err), AssistError(err), PublicError(err)} {
			var e *Error
			if !errors.As(mapped, &e) || e.Status != http.StatusBadRequest || e.Code != "invalid_slug" || e.Field != "slug" || e.Message != "Letters, digits and hyphens." {
				t.Errorf("%v → %#v", err, mapped)
			}
		}
	}
	for _, err := range []error{kb.ErrNotFound, support.ErrNotFound, assist.ErrNotFound, fmt.Errorf("x: %w", kb.ErrNotFound)} {
		for _, mapped := range []error{KBError(err), SupportError(err), AssistError(err), IdentityError(err), PublicError(err)} {
			if mapped != ErrNotFound {
				t.Errorf("%v → %v, want ErrNotFound", err, mapped)
			}
		}
	}
	if other := errors.New("disk full"); PublicError(other) != ErrInternal {
		t.Error("an unknown error must stay internal")
	}
}
