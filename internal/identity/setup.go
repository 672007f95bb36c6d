package identity

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/password"
)

// First run. A fresh install has no staff account and no default one
// (ASVS 6.3.2): `frontdesk serve` asks for a one-time setup link, prints
// it to the terminal, and whoever opens it creates the first
// administrator, who then enrols a second factor like every staff member.
// The link's secret is 256 bits from crypto/rand, stored as its SHA-256
// only, works once, for SetupTTL, and only while no staff account exists.
// `frontdesk admin create` remains the way without a browser.

// SetupTTL is how long a setup link works.
const SetupTTL = 24 * time.Hour

// ErrSetupDone refuses a setup link once a staff account exists.
var ErrSetupDone = errors.New("identity: the first staff account exists already")

// hasStaff reports whether any staff account exists.
func hasStaff(ctx context.Context, tx *db.Tx) (bool, error) {
	var n int
	err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM accounts WHERE kind = 'staff'").Scan(&n)
	return n > 0, err
}

// IssueSetupLink returns a new setup secret and when it expires, when no
// staff account exists; it replaces any earlier link. With staff already
// there it returns ErrSetupDone and issues nothing.
func (s *Service) IssueSetupLink(ctx context.Context) (string, time.Time, error) {
	secret := newSecret()
	var expires time.Time
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		if staff, err := hasStaff(ctx, tx); err != nil || staff {
			if err == nil {
				err = ErrSetupDone
			}
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM setup_links"); err != nil {
			return err
		}
		id := newID()
		expires = tx.Now().Add(SetupTTL).UTC()
		if _, err := tx.Exec(ctx, "INSERT INTO setup_links (id, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?)",
			id, hashSecret(secret), tx.Now(), expires); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, audit.Event{Action: "setup.link_issued", Target: "setup:" + id,
			Actor: &audit.Actor{Kind: audit.ActorSystem}, Details: map[string]any{"expires_at": expires.Format(time.RFC3339)}})
	})
	if err != nil {
		return "", time.Time{}, err
	}
	return secret, expires, nil
}

// openSetupLink finds the open link whose secret is token (with lock,
// locked for update); "" when there is none (wrong, used, expired, or
// staff exist).
func (s *Service) openSetupLink(ctx context.Context, tx *db.Tx, token string, lock bool) (string, error) {
	if token == "" || len(token) > 100 {
		return "", nil
	}
	var id string
	var expires time.Time
	var used sql.NullTime
	q := "SELECT id, expires_at, used_at FROM setup_links WHERE token_hash = ?"
	if lock {
		q += tx.ForUpdate()
	}
	err := tx.QueryRow(ctx, q, hashSecret(token)).Scan(&id, &expires, &used)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	if used.Valid || !tx.Now().Before(expires) {
		return "", nil
	}
	if staff, err := hasStaff(ctx, tx); err != nil || staff {
		return "", err
	}
	return id, nil
}

// SetupLinkValid reports whether token opens the setup page now.
func (s *Service) SetupLinkValid(ctx context.Context, token string) (bool, error) {
	var ok bool
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		id, err := s.openSetupLink(ctx, tx, token, false)
		ok = id != ""
		return err
	})
	return ok, err
}

// CompleteSetup uses the setup link token to create the first staff
// account with this e-mail and password; then, when not nil, runs in the
// same transaction (the caller grants the roles there). A wrong, used or
// expired link, or one used after a staff account appeared, is
// ErrInvalidCode.
func (s *Service) CompleteSetup(ctx context.Context, token, emailIn, pw string, then func(tx *db.Tx, accountID string) error) (*Account, error) {
	if ok, err := s.SetupLinkValid(ctx, token); err != nil || !ok {
		if err == nil {
			err = ErrInvalidCode
		}
		return nil, err
	}
	email, err := NormalizeEmail(emailIn)
	if err != nil {
		return nil, err
	}
	if err := s.checkPassword(pw, email, ""); err != nil {
		return nil, err
	}
	hash, err := s.hasher.Hash(ctx, password.Normalize(pw))
	if err != nil {
		return nil, s.hashBusy(err)
	}
	var acct *Account
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		// Checked again under the lock: two browsers on one link make
		// one account.
		id, err := s.openSetupLink(ctx, tx, token, true)
		if err != nil {
			return err
		}
		if id == "" {
			return ErrInvalidCode
		}
		if _, err := tx.Exec(ctx, "UPDATE setup_links SET used_at = ? WHERE id = ?", tx.Now(), id); err != nil {
			return err
		}
		if acct, err = s.createStaff(ctx, tx, email, hash, then); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, audit.Event{Action: "setup.complete", Target: "account:" + acct.ID, Subject: subject(acct.ID)})
	})
	if err != nil {
		return nil, err
	}
	return acct, nil
}
