package kb_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/frontdesk/frontdesk/internal/fault"
	"github.com/frontdesk/frontdesk/internal/kb"
)

// TestErrorsAreTheSharedKinds: a refusal is a *fault.Invalid with the
// package's name in its text, and a missing article is a fault.ErrNotFound
// as well as a kb.ErrNotFound, so a caller maps them once for every
// feature package.
func TestErrorsAreTheSharedKinds(t *testing.T) {
	s := newKB(t)
	_, err := s.Save(ctx, kb.Input{Slug: "Bad Slug", Locale: "en", Title: "x", BodyMD: "x"})
	var inv *fault.Invalid
	if !errors.As(err, &inv) || inv.Field != "slug" || !errors.Is(err, fault.ErrInvalid) || !errors.Is(err, kb.ErrInvalid) {
		t.Fatalf("Save = %v, want a *fault.Invalid of the slug", err)
	}
	if !strings.HasPrefix(err.Error(), "kb: slug: ") {
		t.Errorf("Error() = %q, want it to start with kb: slug:", err)
	}
	_, err = s.Published(ctx, "nope", "en")
	if !errors.Is(err, kb.ErrNotFound) || !errors.Is(err, fault.ErrNotFound) || err.Error() != "kb: no such article" {
		t.Errorf("Published = %v, want kb.ErrNotFound of kind fault.ErrNotFound", err)
	}
}
