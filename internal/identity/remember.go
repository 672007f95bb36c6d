package identity

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
)

// Remembered is a browser that may skip the second factor until
// ExpiresAt. Token is set only when it is created, for the cookie.
type Remembered struct {
	ID         string    `json:"id"`
	Device     string    `json:"device"`
	CreatedAt  time.Time `json:"created_at"`
	LastUsedAt time.Time `json:"last_used_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	Token      string    `json:"-"`
}

// remember records a browser after a passed second factor. The token is
// 256 random bits; only its hash is stored.
func (s *Service) remember(ctx context.Context, tx *db.Tx, accountID, userAgent string) (*Remembered, error) {
	now := tx.Now()
	r := &Remembered{ID: newID(), Device: DeviceName(userAgent), CreatedAt: now.UTC(), LastUsedAt: now.UTC(),
		ExpiresAt: now.Add(s.policy.RememberDevice).UTC(), Token: newSecret()}
	_, err := tx.Exec(ctx, `INSERT INTO remembered_devices (id, token_hash, account_id, device, created_at, last_used_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, r.ID, hashSecret(r.Token), accountID, r.Device, now, now, r.ExpiresAt)
	if err != nil {
		return nil, err
	}
	return r, s.audit.Record(ctx, tx, audit.Event{Action: "mfa.device.remember", Target: "device:" + r.ID, Subject: subject(accountID),
		Details: map[string]any{"until": r.ExpiresAt.Format(time.RFC3339)}})
}

// useRemembered reports whether token remembers a browser of this account
// and notes its use. A token of another account does not count.
func (s *Service) useRemembered(ctx context.Context, tx *db.Tx, accountID, token string) (bool, error) {
	if len(token) > 100 || s.policy.RememberDevice <= 0 {
		return false, nil
	}
	var id, owner string
	var expires time.Time
	err := tx.QueryRow(ctx, "SELECT id, account_id, expires_at FROM remembered_devices WHERE token_hash = ?", hashSecret(token)).Scan(&id, &owner, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil || owner != accountID || !tx.Now().Before(expires) {
		return false, err
	}
	_, err = tx.Exec(ctx, "UPDATE remembered_devices SET last_used_at = ? WHERE id = ?", tx.Now(), id)
	return err == nil, err
}

// RememberedDevices lists the browsers of the principal's account that
// skip the second factor.
func (s *Service) RememberedDevices(ctx context.Context, p *Principal) ([]Remembered, error) {
	var out []Remembered
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, `SELECT id, device, created_at, last_used_at, expires_at FROM remembered_devices
			WHERE account_id = ? AND expires_at > ? ORDER BY last_used_at DESC, id`, p.AccountID, tx.Now())
		out, err = db.Collect(rows, err, func(row db.Scanner) (r Remembered, err error) {
			err = row.Scan(&r.ID, &r.Device, &r.CreatedAt, &r.LastUsedAt, &r.ExpiresAt)
			r.CreatedAt, r.LastUsedAt, r.ExpiresAt = r.CreatedAt.UTC(), r.LastUsedAt.UTC(), r.ExpiresAt.UTC()
			return r, err
		})
		return err
	})
	return out, err
}

// ForgetDevice revokes one remembered browser ("" revokes all of them).
// Another account's device is ErrNotFound.
func (s *Service) ForgetDevice(ctx context.Context, p *Principal, id string) error {
	return s.db.Write(ctx, func(tx *db.Tx) error {
		q, args := "DELETE FROM remembered_devices WHERE account_id = ?", []any{p.AccountID}
		if id != "" {
			q, args = q+" AND id = ?", append(args, id)
		}
		res, err := tx.Exec(ctx, q, args...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 && id != "" {
			return ErrNotFound
		}
		return s.audit.Record(ctx, tx, audit.Event{Action: "mfa.device.forget", Target: "account:" + p.AccountID, Subject: subject(p.AccountID),
			Details: map[string]any{"device": id}})
	})
}
