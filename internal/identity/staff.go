package identity

import (
	"context"
	"database/sql"
	"time"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
)

// Actions staff take on a customer's account from the console. None of
// them lets staff see or set a password (ASVS 6.4.6): a forced reset
// sends the owner a reset e-mail and refuses the old password until they
// choose a new one. The permission checks are the web layer's; every
// action is an audit entry with the staff member as actor.

// AccountDetail is what the console shows of one account.
type AccountDetail struct {
	Account
	Locked       bool       `json:"locked"`
	LockedUntil  *time.Time `json:"locked_until,omitempty"`
	Failed       int        `json:"failed_logins"`
	MustReset    bool       `json:"must_reset"`
	LastActiveAt *time.Time `json:"last_active_at,omitempty"`
}

// Detail returns an account with its lock state.
func (s *Service) Detail(ctx context.Context, id string) (*AccountDetail, error) {
	var out *AccountDetail
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		a, err := s.byID(ctx, tx, id, false)
		if err != nil {
			return err
		}
		if a == nil {
			return ErrNotFound
		}
		acct, err := s.open(ctx, tx, a)
		if err != nil {
			return err
		}
		out = &AccountDetail{Account: *acct, Failed: a.failed, MustReset: a.mustChange}
		if a.lockedUntil.Valid && tx.Now().Before(a.lockedUntil.Time) {
			t := a.lockedUntil.Time.UTC()
			out.Locked, out.LockedUntil = true, &t
		}
		var last sql.NullTime
		if err := tx.QueryRow(ctx, "SELECT last_active_at FROM accounts WHERE id = ?", id).Scan(&last); err != nil {
			return err
		}
		if last.Valid {
			t := last.Time.UTC()
			out.LastActiveAt = &t
		}
		return nil
	})
	return out, err
}

// SessionsOf lists an account's open sessions for staff.
func (s *Service) SessionsOf(ctx context.Context, accountID string) ([]Session, error) {
	var kind string
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		return tx.QueryRow(ctx, "SELECT kind FROM accounts WHERE id = ?", accountID).Scan(&kind)
	})
	if err != nil {
		return nil, ErrNotFound
	}
	return s.Sessions(ctx, &Principal{AccountID: accountID, Kind: kind})
}

// staffAction runs one console action on an account inside a transaction
// with its audit entry.
func (s *Service) staffAction(ctx context.Context, accountID, action string, do func(tx *db.Tx, a *accountRow) ([]outgoing, error)) error {
	var mails []outgoing
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		a, err := s.byID(ctx, tx, accountID, true)
		if err != nil {
			return err
		}
		if a == nil {
			return ErrNotFound
		}
		if mails, err = do(tx, a); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, audit.Event{Action: action, Target: "account:" + a.id, Subject: subject(a.id),
			Details: map[string]any{"by": "staff"}})
	})
	if err != nil {
		return err
	}
	s.send(ctx, mails)
	return nil
}

// StaffUnlock lifts a lockout.
func (s *Service) StaffUnlock(ctx context.Context, accountID string) error {
	return s.staffAction(ctx, accountID, "account.unlock", func(tx *db.Tx, a *accountRow) ([]outgoing, error) {
		_, err := tx.Exec(ctx, "UPDATE accounts SET failed_logins = 0, locked_until = NULL, updated_at = ? WHERE id = ?", tx.Now(), a.id)
		return nil, err
	})
}

// ForceReset makes the owner choose a new password: every session ends,
// the old password stops working, and a reset e-mail goes out.
func (s *Service) ForceReset(ctx context.Context, accountID string) error {
	return s.staffAction(ctx, accountID, "account.force_reset", func(tx *db.Tx, a *accountRow) ([]outgoing, error) {
		if _, err := tx.Exec(ctx, "UPDATE accounts SET must_change_password = ?, updated_at = ? WHERE id = ?", true, tx.Now(), a.id); err != nil {
			return nil, err
		}
		if _, err := s.endSessions(ctx, tx, a.id, "", "reset_forced"); err != nil {
			return nil, err
		}
		m, err := s.issueReset(ctx, tx, a)
		return []outgoing{m}, err
	})
}

// EndSessionsOf ends every session of an account.
func (s *Service) EndSessionsOf(ctx context.Context, accountID string) error {
	return s.staffAction(ctx, accountID, "account.end_sessions", func(tx *db.Tx, a *accountRow) ([]outgoing, error) {
		return nil, s.EndAllSessions(ctx, tx, a.id, "ended_by_staff")
	})
}

// DisableInactiveStaff disables staff accounts that have not signed in
// for `after` (90 days: PCI 8.2.6), counting from creation for accounts
// that never did, and tells each by e-mail. It returns how many.
func (s *Service) DisableInactiveStaff(ctx context.Context, after time.Duration) (int, error) {
	var n int
	var mails []outgoing
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		n, mails = 0, nil
		cutoff := tx.Now().Add(-after)
		rows, err := tx.Query(ctx, `SELECT id FROM accounts WHERE kind = 'staff' AND status = 'active'
			AND COALESCE(last_active_at, created_at) < ?`, cutoff)
		ids, err := db.Collect(rows, err, db.Value[string])
		if err != nil {
			return err
		}
		for _, id := range ids {
			a, err := s.byID(ctx, tx, id, true)
			if err != nil || a == nil {
				return err
			}
			if _, err := tx.Exec(ctx, "UPDATE accounts SET status = ?, updated_at = ? WHERE id = ?", StatusDisabled, tx.Now(), id); err != nil {
				return err
			}
			if _, err := s.endSessions(ctx, tx, id, "", "inactive"); err != nil {
				return err
			}
			m, err := s.notice(ctx, tx, a, "staff_inactive", mailArgs{Minutes: int(after / (24 * time.Hour))})
			if err != nil {
				return err
			}
			mails = append(mails, m)
			if err := s.audit.Record(ctx, tx, audit.Event{Action: "account.disable", Target: "account:" + id, Subject: subject(id),
				Actor: &audit.Actor{Kind: "system"}, Details: map[string]any{"reason": "inactive", "days": int(after / (24 * time.Hour))}}); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	s.send(ctx, mails)
	return n, nil
}

// InviteTTL is how long an invitation link to set a password works.
const InviteTTL = 72 * time.Hour

// InviteStaff creates an active staff account without a usable password
// and e-mails the person a link to choose one (valid InviteTTL); then,
// when not nil, runs in the same transaction (the console grants the role
// there). The account enrols a second factor at its first sign-in.
func (s *Service) InviteStaff(ctx context.Context, emailIn string, then func(tx *db.Tx, accountID string) error) (*Account, error) {
	email, err := NormalizeEmail(emailIn)
	if err != nil {
		return nil, err
	}
	// Nobody knows this password: the owner sets their own through the link.
	hash, err := s.hasher.Hash(ctx, newSecret())
	if err != nil {
		return nil, s.hashBusy(err)
	}
	var acct *Account
	var mails []outgoing
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		mails = nil
		if a, err := s.byEmail(ctx, tx, email, true); err != nil {
			return err
		} else if a != nil {
			return ErrExists
		}
		id := newID()
		es, _, _, err := s.sealFields(ctx, tx, id, email, "", "")
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO accounts (id, kind, status, email_index, email_sealed, locale, password_hash,
			password_changed_at, email_verified_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'en', ?, ?, ?, ?, ?)`,
			id, KindStaff, StatusActive, s.emailIndex(email), es, hash, tx.Now(), tx.Now(), tx.Now(), tx.Now())
		if err != nil {
			return err
		}
		link, err := s.issueToken(ctx, tx, id, purposeReset, InviteTTL, false)
		if err != nil {
			return err
		}
		mails = append(mails, outgoing{to: email, locale: "en", kind: "staff_invite",
			args: mailArgs{URL: s.base + "/reset?token=" + link.link, Minutes: int(InviteTTL / time.Hour), Help: s.base + "/contact"}})
		acct = &Account{ID: id, Kind: KindStaff, Status: StatusActive, Email: email, Locale: "en", EmailVerified: true, CreatedAt: tx.Now()}
		if err := s.audit.Record(ctx, tx, audit.Event{Action: "account.invite_staff", Target: "account:" + id, Subject: subject(id),
			Personal: map[string]any{"email": email}}); err != nil {
			return err
		}
		if then != nil {
			return then(tx, id)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.send(ctx, mails)
	return acct, nil
}

// StaffAccounts lists every staff account, opened, oldest first.
func (s *Service) StaffAccounts(ctx context.Context) ([]Account, error) {
	var out []Account
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		out = nil
		rows, err := tx.Query(ctx, "SELECT "+accountColumns+" FROM accounts WHERE kind = 'staff' ORDER BY created_at, id LIMIT 1000")
		rs, err := db.Collect(rows, err, scanAccount)
		if err != nil {
			return err
		}
		for _, a := range rs {
			acct, err := s.open(ctx, tx, a)
			if err != nil {
				return err
			}
			out = append(out, *acct)
		}
		return nil
	})
	return out, err
}
