package identity

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"errors"
	"time"

	"github.com/frontdesk/frontdesk/internal/db"
)

// Purposes of e-mailed secrets. A code or link issued for one purpose is
// never accepted for another (ASVS 6.6.2).
const (
	purposeVerify = "verify"
	purposeReset  = "reset"
	purposeUnlock = "unlock"
	purposeNotMe  = "not_me"
)

// issued is a freshly issued secret, in clear, for the e-mail only.
type issued struct {
	code string // six digits, or "" for link-only purposes
	link string // 256-bit secret for the URL
}

// issueToken replaces any open secret of this purpose for the account with
// a new one. Codes are stored as a keyed hash bound to the token row; links
// as SHA-256 (they carry 256 bits).
func (s *Service) issueToken(ctx context.Context, tx *db.Tx, accountID, purpose string, ttl time.Duration, withCode bool) (issued, error) {
	if _, err := tx.Exec(ctx, "DELETE FROM account_tokens WHERE account_id = ? AND purpose = ?", accountID, purpose); err != nil {
		return issued{}, err
	}
	id := newID()
	out := issued{link: newSecret()}
	var codeHash []byte
	if withCode {
		out.code = newCode()
		codeHash = s.codeHash(id, out.code)
	}
	_, err := tx.Exec(ctx, `INSERT INTO account_tokens (id, account_id, purpose, code_hash, link_hash, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, id, accountID, purpose, codeHash, hashSecret(out.link), tx.Now(), tx.Now().Add(ttl))
	return out, err
}

// codeHash is an HMAC of the code under a server key, bound to the token:
// six digits are too few to store with a plain hash (ASVS 6.5.2).
func (s *Service) codeHash(tokenID, code string) []byte {
	return s.keys.BlindIndex("account-code:"+tokenID, code)
}

// tokenRow is an open secret.
type tokenRow struct {
	id, accountID string
	codeHash      []byte
	attempts      int
	expiresAt     time.Time
	usedAt        sql.NullTime
}

// checkCode finds the open secret of purpose for accountID and compares
// code to it. A wrong code counts an attempt; the secret dies after
// CodeAttempts wrong ones, and asking for a new code does not reset the
// count of the account's abuse elsewhere (ASVS 6.6.3). The error is always
// ErrInvalidCode, whatever went wrong. On success the secret is used up.
func (s *Service) checkCode(ctx context.Context, tx *db.Tx, accountID, purpose, code string) (bool, error) {
	var t tokenRow
	err := tx.QueryRow(ctx, "SELECT id, account_id, code_hash, attempts, expires_at, used_at FROM account_tokens WHERE account_id = ? AND purpose = ?"+tx.ForUpdate(),
		accountID, purpose).Scan(&t.id, &t.accountID, &t.codeHash, &t.attempts, &t.expiresAt, &t.usedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if t.usedAt.Valid || !tx.Now().Before(t.expiresAt) || t.attempts >= s.policy.CodeAttempts || len(t.codeHash) == 0 {
		return false, nil
	}
	if len(code) != 6 || subtle.ConstantTimeCompare(s.codeHash(t.id, code), t.codeHash) != 1 {
		_, err := tx.Exec(ctx, "UPDATE account_tokens SET attempts = attempts + 1 WHERE id = ?", t.id)
		return false, err
	}
	_, err = tx.Exec(ctx, "UPDATE account_tokens SET used_at = ? WHERE id = ?", tx.Now(), t.id)
	return err == nil, err
}

// useLink finds the open secret for link, checks its purpose and expiry
// and uses it up. It returns the account id, or "" when the link is not
// valid.
func (s *Service) useLink(ctx context.Context, tx *db.Tx, purpose, link string) (string, error) {
	if link == "" || len(link) > 100 {
		return "", nil
	}
	var t tokenRow
	var p string
	err := tx.QueryRow(ctx, "SELECT id, account_id, purpose, expires_at, used_at FROM account_tokens WHERE link_hash = ?"+tx.ForUpdate(),
		hashSecret(link)).Scan(&t.id, &t.accountID, &p, &t.expiresAt, &t.usedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	if p != purpose || t.usedAt.Valid || !tx.Now().Before(t.expiresAt) {
		return "", nil
	}
	if _, err := tx.Exec(ctx, "UPDATE account_tokens SET used_at = ? WHERE id = ?", tx.Now(), t.id); err != nil {
		return "", err
	}
	return t.accountID, nil
}

// peekLink reports the account a still-valid link belongs to without
// using it (the reset page shows a form first).
func (s *Service) peekLink(ctx context.Context, tx *db.Tx, purpose, link string) (string, error) {
	if link == "" || len(link) > 100 {
		return "", nil
	}
	var t tokenRow
	var p string
	err := tx.QueryRow(ctx, "SELECT account_id, purpose, expires_at, used_at FROM account_tokens WHERE link_hash = ?",
		hashSecret(link)).Scan(&t.accountID, &p, &t.expiresAt, &t.usedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil || p != purpose || t.usedAt.Valid || !tx.Now().Before(t.expiresAt) {
		return "", err
	}
	return t.accountID, nil
}
