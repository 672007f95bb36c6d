package fault_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/frontdesk/frontdesk/internal/fault"
)

func TestInvalid(t *testing.T) {
	err := fmt.Errorf("kb: %w", &fault.Invalid{Field: "slug", Reason: "letters, digits and hyphens"})
	if got := err.Error(); got != "kb: slug: letters, digits and hyphens" {
		t.Errorf("Error() = %q", got)
	}
	if !errors.Is(err, fault.ErrInvalid) {
		t.Error("an Invalid is not an ErrInvalid")
	}
	var inv *fault.Invalid
	if !errors.As(err, &inv) || inv.Field != "slug" {
		t.Errorf("errors.As = %v", inv)
	}
	if errors.Is(err, fault.ErrNotFound) {
		t.Error("an Invalid is an ErrNotFound")
	}
}

func TestNew(t *testing.T) {
	errNoArticle := fault.New(fault.ErrNotFound, "kb: no such article")
	errNoSession := fault.New(fault.ErrNotFound, "assist: no such session")
	err := fmt.Errorf("load: %w", errNoArticle)
	if got := errNoArticle.Error(); got != "kb: no such article" {
		t.Errorf("Error() = %q", got)
	}
	if !errors.Is(err, errNoArticle) || !errors.Is(err, fault.ErrNotFound) {
		t.Error("the sentinel or its kind does not match")
	}
	if errors.Is(err, errNoSession) || errors.Is(err, fault.ErrInvalid) {
		t.Error("another sentinel or kind matches")
	}
}
