package mfa

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/identity"
)

// Factor kinds, as stored and as the API names the methods.
const (
	kindTOTP     = identity.MethodTOTP
	kindWebAuthn = identity.MethodWebAuthn
	kindSMS      = identity.MethodSMS
	kindEmail    = identity.MethodEmail
)

// Factor is a second factor as its owner sees it: never a secret.
type Factor struct {
	ID         string     `json:"id"`
	Kind       string     `json:"kind"`
	Name       string     `json:"name"`
	Detail     string     `json:"detail,omitempty"` // a masked phone number
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
}

// Factors lists the account's confirmed factors, oldest first.
func (s *Service) Factors(ctx context.Context, accountID string) ([]Factor, error) {
	var out []Factor
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, `SELECT id, kind, name, secret_sealed, created_at, last_used_at FROM mfa_factors
			WHERE account_id = ? AND confirmed_at IS NOT NULL ORDER BY created_at, id`, accountID)
		type sealedFactor struct {
			Factor
			sealed []byte
		}
		all, err := db.Collect(rows, err, func(row db.Scanner) (f sealedFactor, err error) {
			var used sql.NullTime
			err = row.Scan(&f.ID, &f.Kind, &f.Name, &f.sealed, &f.CreatedAt, &used)
			f.CreatedAt, f.LastUsedAt = f.CreatedAt.UTC(), timePtr(used)
			return f, err
		})
		if err != nil {
			return err
		}
		out = make([]Factor, len(all))
		for i, f := range all {
			out[i] = f.Factor
			if f.Kind == kindSMS {
				if phone, err := s.keys.Open(ctx, tx, f.sealed, seedAAD(f.ID)); err == nil {
					out[i].Detail = identity.MaskPhone(string(phone))
				}
			}
		}
		return nil
	})
	return out, err
}

// RenameFactor names a factor ("Work phone", "YubiKey").
func (s *Service) RenameFactor(ctx context.Context, p *identity.Principal, factorID, name string) error {
	name, err := factorName(name)
	if err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, "UPDATE mfa_factors SET name = ? WHERE id = ? AND account_id = ? AND confirmed_at IS NOT NULL", name, factorID, p.AccountID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return s.audit.Record(ctx, tx, audit.Event{Action: "mfa.factor.rename", Target: "factor:" + factorID, Subject: subject(p.AccountID)})
	})
}

// factorName checks a name given to a factor.
func factorName(name string) (string, error) {
	n, err := identity.NormalizeName(name)
	if err != nil || len([]rune(n)) > 60 {
		return "", &identity.FieldError{Field: "name", Code: "invalid_name", Message: "Give the method a name of at most 60 characters."}
	}
	return n, nil
}

// RemoveFactor removes one of the principal's factors; it fails at once
// (ASVS 6.5.6). It needs a recent sign-in. The last factor of an account
// that must have one cannot go; removing the last factor of any other
// account also voids its recovery codes.
func (s *Service) RemoveFactor(ctx context.Context, p *identity.Principal, factorID string) error {
	if err := s.id.RequireFresh(p); err != nil {
		return err
	}
	var notices []identity.Notice
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		notices = nil
		var kind, name string
		err := tx.QueryRow(ctx, "SELECT kind, name FROM mfa_factors WHERE id = ? AND account_id = ? AND confirmed_at IS NOT NULL"+tx.ForUpdate(),
			factorID, p.AccountID).Scan(&kind, &name)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		var others int
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM mfa_factors WHERE account_id = ? AND confirmed_at IS NOT NULL AND id <> ?", p.AccountID, factorID).Scan(&others); err != nil {
			return err
		}
		if others == 0 && s.id.MFARequired(p.Kind) {
			return ErrLastFactor
		}
		if _, err := tx.Exec(ctx, "DELETE FROM mfa_factors WHERE id = ?", factorID); err != nil {
			return err
		}
		if others == 0 {
			if _, err := tx.Exec(ctx, "DELETE FROM recovery_codes WHERE account_id = ?", p.AccountID); err != nil {
				return err
			}
		}
		if err := s.audit.Record(ctx, tx, audit.Event{Action: "mfa.factor.remove", Target: "factor:" + factorID, Subject: subject(p.AccountID),
			Details: map[string]any{"kind": kind}}); err != nil {
			return err
		}
		notices, err = s.id.FactorChanged(ctx, tx, p, "removed", kind, name)
		return err
	})
	if err != nil {
		return err
	}
	s.id.Send(ctx, notices)
	return nil
}
