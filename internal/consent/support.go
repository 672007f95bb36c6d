package consent

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"
)

// MaxNote is the longest note a staff member may write about a choice
// they record for a customer, in characters.
const MaxNote = 500

// StaffChoice is a choice a customer made by phone or in person, which a
// staff member records for them.
type StaffChoice struct {
	AccountID string
	Purpose   string // a purpose that needs consent
	Choice    string // Given or Withdrawn
	// Version is the notice version the staff member had in front of them
	// (and read or described to the customer); a choice on another
	// version than the current one is ErrStale.
	Version int
	// StaffID is the staff member's account id (recorded_by).
	StaffID string
	// Note says how and when the customer said it; it is required.
	Note string
}

func (c *StaffChoice) check() error {
	c.Note = strings.TrimSpace(c.Note)
	switch {
	case !IsOptional(c.Purpose):
		return invalid("purpose", "choose one of "+strings.Join(Optional, ", "))
	case c.Choice != Given && c.Choice != Withdrawn:
		return invalid("choice", "choose given or withdrawn")
	case c.Note == "":
		return invalid("note", "write how and when the customer told you their choice")
	case utf8.RuneCountInString(c.Note) > MaxNote:
		return invalid("note", fmt.Sprintf("write at most %d characters", MaxNote))
	case c.StaffID == "" || c.StaffID == c.AccountID:
		return invalid("recorded_by", "a staff member records a choice for a customer")
	}
	return nil
}

// RecordForCustomer records a choice a customer made by phone or in
// person: channel support, recorded_by the staff member, under the
// current notice version, with an audit entry (the staff member as actor,
// the note sealed with the customer's key) in the same transaction. Like
// Choose, a choice that changes nothing adds no row. The staff member's
// browser's Global Privacy Control signal plays no part: it is theirs, not
// the customer's. // GDPR 7(1), 7(3)
func (s *Service) RecordForCustomer(ctx context.Context, c StaffChoice) (*Record, bool, error) {
	if err := c.check(); err != nil {
		return nil, false, fmt.Errorf("consent: %w", err)
	}
	if c.Version <= 0 {
		return nil, false, ErrStale
	}
	return s.Choose(withoutGPC(ctx), Choice{AccountID: c.AccountID, Purpose: c.Purpose, Choice: c.Choice, Channel: ChannelSupport,
		Version: c.Version, RecordedBy: c.StaffID, Note: c.Note})
}
