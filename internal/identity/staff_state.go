package identity

import (
	"context"
	"database/sql"
	"time"

	"github.com/frontdesk/frontdesk/internal/db"
)

// StaffState is how far a staff account has come from its invitation.
type StaffState struct {
	// NeverSignedIn is true until the first complete sign-in.
	NeverSignedIn bool
	// InvitedUntil is when the open invitation link expires; zero when
	// no link is open (accepted, expired, or never invited).
	InvitedUntil time.Time
}

// Invited reports whether the account waits for its owner to accept an
// invitation: never signed in, with an invitation link still open.
func (st StaffState) Invited() bool { return st.NeverSignedIn && !st.InvitedUntil.IsZero() }

// StaffStates returns the state of every staff account, by account id.
func (s *Service) StaffStates(ctx context.Context) (map[string]StaffState, error) {
	out := map[string]StaffState{}
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		clear(out)
		// One reset link at most per account (issueToken replaces it).
		rows, err := tx.Query(ctx, `SELECT a.id, a.last_active_at, t.expires_at FROM accounts a
			LEFT JOIN account_tokens t ON t.account_id = a.id AND t.purpose = ? AND t.used_at IS NULL AND t.expires_at > ?
			WHERE a.kind = 'staff'`, purposeReset, tx.Now())
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			var last, until sql.NullTime
			if err := rows.Scan(&id, &last, &until); err != nil {
				return err
			}
			st := StaffState{NeverSignedIn: !last.Valid}
			if until.Valid {
				st.InvitedUntil = until.Time.UTC()
			}
			out[id] = st
		}
		return rows.Err()
	})
	return out, err
}
