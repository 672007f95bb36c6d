package access

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
)

// Least privilege on fields: staff see a customer's e-mail and phone
// masked; revealing them needs customers:reveal_pii, works for one
// customer at a time, lasts RevealFor, and is an audit entry.

// RevealFor is how long a reveal lasts.
const RevealFor = 15 * time.Minute

// MaskEmail shows the first character of the local part and the domain:
// "j•••@example.com".
func MaskEmail(e string) string {
	local, domain, ok := strings.Cut(e, "@")
	if !ok || local == "" {
		return "•••"
	}
	r, _ := utf8.DecodeRuneInString(local)
	return string(r) + "•••@" + domain
}

// MaskName keeps the first letter of each word.
func MaskName(n string) string {
	var words []string
	for _, w := range strings.Fields(n) {
		r, _ := utf8.DecodeRuneInString(w)
		words = append(words, string(r)+"•••")
	}
	return strings.Join(words, " ")
}

// Reveal lets staffID see accountID's personal data unmasked for
// RevealFor, with the reason in the audit trail.
func (s *Service) Reveal(ctx context.Context, staffID, accountID, reason string) (time.Time, error) {
	var until time.Time
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		if staffID == accountID {
			return ErrSelfGrant
		}
		if s.guard != nil {
			if err := s.guard.BeforeReveal(ctx, tx, staffID); err != nil {
				return err
			}
		}
		until = tx.Now().Add(RevealFor)
		if _, err := tx.Exec(ctx, `INSERT INTO pii_reveals (staff_id, account_id, expires_at) VALUES (?, ?, ?)
			ON CONFLICT (staff_id, account_id) DO UPDATE SET expires_at = excluded.expires_at`, staffID, accountID, until); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, audit.Event{Action: "customer.reveal_pii", Target: "account:" + accountID, Subject: "account:" + accountID,
			Details: map[string]any{"by": staffID, "until": until.UTC().Format(time.RFC3339)}, Personal: map[string]any{"reason": reason}})
	})
	return until, err
}

// Revealed reports until when staffID may see accountID unmasked, or the
// zero time.
func (s *Service) Revealed(ctx context.Context, staffID, accountID string) (time.Time, error) {
	var until time.Time
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		var t time.Time
		err := tx.QueryRow(ctx, "SELECT expires_at FROM pii_reveals WHERE staff_id = ? AND account_id = ? AND expires_at > ?",
			staffID, accountID, tx.Now()).Scan(&t)
		if err == nil {
			until = t.UTC()
		}
		return nil
	})
	return until, err
}
