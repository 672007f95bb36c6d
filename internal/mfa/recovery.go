package mfa

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"strings"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/identity"
)

// Recovery codes: 25 base32 characters (125 bits) in five groups.
const recoveryCodes = 10

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

func newRecoveryCode() string {
	b := make([]byte, 16)
	rand.Read(b)
	c := b32.EncodeToString(b)[:25]
	return c[0:5] + "-" + c[5:10] + "-" + c[10:15] + "-" + c[15:20] + "-" + c[20:25]
}

// normalizeRecovery accepts a code typed with or without dashes, spaces
// or lower case.
func normalizeRecovery(code string) string {
	code = strings.ToUpper(strings.NewReplacer("-", "", " ", "").Replace(code))
	if len(code) != 25 {
		return ""
	}
	return code[0:5] + "-" + code[5:10] + "-" + code[10:15] + "-" + code[15:20] + "-" + code[20:25]
}

func hashRecovery(code string) []byte {
	h := sha256.Sum256([]byte(code))
	return h[:]
}

// newRecoveryCodes replaces the account's recovery codes with a fresh set
// and returns them, to be shown once.
func (s *Service) newRecoveryCodes(ctx context.Context, tx *db.Tx, accountID string) ([]string, error) {
	if _, err := tx.Exec(ctx, "DELETE FROM recovery_codes WHERE account_id = ?", accountID); err != nil {
		return nil, err
	}
	codes := make([]string, recoveryCodes)
	for i := range codes {
		codes[i] = newRecoveryCode()
		if _, err := tx.Exec(ctx, "INSERT INTO recovery_codes (id, account_id, code_hash, created_at) VALUES (?, ?, ?, ?)",
			newID(), accountID, hashRecovery(codes[i]), tx.Now()); err != nil {
			return nil, err
		}
	}
	return codes, s.audit.Record(ctx, tx, audit.Event{Action: "mfa.recovery_codes.issue", Target: "account:" + accountID, Subject: subject(accountID)})
}

// RegenerateRecoveryCodes invalidates the old set and returns a new one.
// It needs a recent sign-in and a factor the codes stand in for.
func (s *Service) RegenerateRecoveryCodes(ctx context.Context, p *identity.Principal) ([]string, error) {
	if err := s.id.RequireFresh(p); err != nil {
		return nil, err
	}
	var codes []string
	err := s.db.Write(ctx, func(tx *db.Tx) (err error) {
		var n int
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM mfa_factors WHERE account_id = ? AND confirmed_at IS NOT NULL", p.AccountID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return ErrNoEnrolment
		}
		codes, err = s.newRecoveryCodes(ctx, tx, p.AccountID)
		return err
	})
	return codes, err
}

// RecoveryCodesLeft counts the account's unused recovery codes.
func (s *Service) RecoveryCodesLeft(ctx context.Context, accountID string) (int, error) {
	var n int
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		return tx.QueryRow(ctx, "SELECT COUNT(*) FROM recovery_codes WHERE account_id = ? AND used_at IS NULL", accountID).Scan(&n)
	})
	return n, err
}

// useRecoveryCode spends one recovery code of the account (ASVS 6.5.1).
func (s *Service) useRecoveryCode(ctx context.Context, tx *db.Tx, accountID, code string) error {
	norm := normalizeRecovery(code)
	if norm == "" {
		return ErrInvalidCode
	}
	res, err := tx.Exec(ctx, "UPDATE recovery_codes SET used_at = ? WHERE account_id = ? AND code_hash = ? AND used_at IS NULL",
		tx.Now(), accountID, hashRecovery(norm))
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrInvalidCode
	}
	return s.audit.Record(ctx, tx, audit.Event{Action: "mfa.recovery_code.use", Target: "account:" + accountID, Subject: subject(accountID)})
}
