package mfa

import (
	"context"
	"database/sql"
	"errors"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/identity"
)

// CancelRecovery is the "cancel, this wasn't me" link of the approval
// notice: it works once, during the cool-off.
func (s *Service) CancelRecovery(ctx context.Context, token string) error {
	if token == "" || len(token) > 100 {
		return ErrInvalidCode
	}
	var notices []identity.Notice
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		notices = nil
		var id, account string
		err := tx.QueryRow(ctx, "SELECT id, account_id FROM recovery_requests WHERE cancel_hash = ? AND status = 'approved'"+tx.ForUpdate(),
			hashToken(token)).Scan(&id, &account)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrInvalidCode
		}
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE recovery_requests SET status = 'cancelled', closed_by = 'owner', closed_at = ?, cancel_hash = NULL WHERE id = ?", tx.Now(), id); err != nil {
			return err
		}
		if err := s.audit.Record(ctx, tx, audit.Event{Action: "recovery.cancel", Target: "recovery:" + id, Subject: subject(account),
			Details: map[string]any{"by": "owner_link"}}); err != nil {
			return err
		}
		n, err := s.id.NoticeFor(ctx, tx, account, "recovery_cancelled", identity.NoticeArgs{When: tx.Now()})
		notices = append(notices, n)
		return err
	})
	if err != nil {
		return err
	}
	s.id.Send(ctx, notices)
	return nil
}

// CompleteDueRecoveries resets the factors of every approved request
// whose cool-off is over: factors, recovery codes and remembered browsers
// go, every session ends, and the owner must enrol again at the next
// sign-in. The server runs it every minute; it is safe on several nodes.
func (s *Service) CompleteDueRecoveries(ctx context.Context) (int, error) {
	var ids []string
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, "SELECT id FROM recovery_requests WHERE status = 'approved' AND cooloff_until <= ? ORDER BY cooloff_until LIMIT 100", tx.Now())
		ids, err = db.Collect(rows, err, db.Value[string])
		return err
	})
	if err != nil {
		return 0, err
	}
	done := 0
	for _, id := range ids {
		var notices []identity.Notice
		err := s.db.Write(ctx, func(tx *db.Tx) error {
			notices = nil
			r, err := s.loadRequest(ctx, tx, id, true)
			if err != nil {
				return err
			}
			if r.Status != RecoveryApproved || r.CoolOffUntil == nil || tx.Now().Before(*r.CoolOffUntil) {
				return nil // cancelled or completed by another node meanwhile
			}
			for _, q := range []string{
				"DELETE FROM mfa_factors WHERE account_id = ?",
				"DELETE FROM recovery_codes WHERE account_id = ?",
				"DELETE FROM mfa_codes WHERE account_id = ?",
				"DELETE FROM mfa_challenges WHERE account_id = ?",
				"DELETE FROM webauthn_ceremonies WHERE account_id = ?",
			} {
				if _, err := tx.Exec(ctx, q, r.AccountID); err != nil {
					return err
				}
			}
			if err := s.id.EndAllSessions(ctx, tx, r.AccountID, "recovery_completed"); err != nil {
				return err
			}
			if err := s.id.RequireEnrolment(ctx, tx, r.AccountID); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, "UPDATE recovery_requests SET status = 'completed', closed_at = ?, cancel_hash = NULL WHERE id = ?", tx.Now(), id); err != nil {
				return err
			}
			if err := s.audit.Record(ctx, tx, audit.Event{Action: "recovery.complete", Target: "recovery:" + id, Subject: subject(r.AccountID),
				Actor: &audit.Actor{Kind: "system"}}); err != nil {
				return err
			}
			n, err := s.id.NoticeFor(ctx, tx, r.AccountID, "recovery_completed", identity.NoticeArgs{When: tx.Now(), URL: s.base + "/signin"})
			notices = append(notices, n)
			done++
			return err
		})
		if err != nil {
			return done, err
		}
		s.id.Send(ctx, notices)
	}
	return done, nil
}
