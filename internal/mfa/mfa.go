// Package mfa owns second factors: TOTP (RFC 6238) with sealed seeds and
// replay refusal, and single-use recovery codes. Passkeys, SMS and e-mail
// codes, the sign-in challenge and assisted recovery build on it.
package mfa

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/keyring"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// Errors the service returns.
var (
	// ErrInvalidCode is the one answer for a wrong, replayed or unknown code.
	ErrInvalidCode = errors.New("mfa: invalid code")
	// ErrNoEnrolment means there is no TOTP enrolment waiting for a code.
	ErrNoEnrolment = errors.New("mfa: no enrolment in progress")
)

// Options are the service's dependencies and settings.
type Options struct {
	DB    *db.DB
	Keys  *keyring.Keyring
	Audit *audit.Log
	// Issuer names the service in authenticator apps (the organisation).
	Issuer string
	// Skew is how many 30-second steps before and after now a TOTP code
	// may come from: 1 in the default profile, 0 in pci.
	Skew int
}

// Service manages second factors. It is safe for concurrent use.
type Service struct {
	db     *db.DB
	keys   *keyring.Keyring
	audit  *audit.Log
	issuer string
	skew   int
}

// New returns the service.
func New(o Options) *Service {
	return &Service{db: o.DB, keys: o.Keys, audit: o.Audit, issuer: o.Issuer, skew: max(0, o.Skew)}
}

const period = 30 // seconds per TOTP step

func newID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func subject(accountID string) string { return "account:" + accountID }

func seedAAD(factorID string) []byte { return []byte("mfa_factors.secret:" + factorID) }

// Enrolment is a TOTP factor waiting for its first code.
type Enrolment struct {
	FactorID string
	Secret   string // base32, for typing into an app
	URL      string // otpauth:// URL, for the QR code
}

// StartTOTP begins a TOTP enrolment for the account with a fresh 160-bit
// seed from crypto/rand (ASVS 6.5.3), sealed with the account's key. An
// enrolment not yet confirmed is replaced.
func (s *Service) StartTOTP(ctx context.Context, accountID, accountLabel string) (*Enrolment, error) {
	seed := make([]byte, 20)
	if _, err := rand.Read(seed); err != nil {
		return nil, err
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: s.issuer, AccountName: accountLabel, Secret: seed, Period: period})
	if err != nil {
		return nil, fmt.Errorf("mfa: %w", err)
	}
	e := &Enrolment{FactorID: newID(), Secret: key.Secret(), URL: key.URL()}
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		dk, err := s.keys.DataKey(ctx, tx, subject(accountID))
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM mfa_factors WHERE account_id = ? AND kind = 'totp' AND confirmed_at IS NULL", accountID); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO mfa_factors (id, account_id, kind, name, secret_sealed, created_at) VALUES (?, ?, 'totp', ?, ?, ?)`,
			e.FactorID, accountID, "Authenticator app", dk.Seal([]byte(e.Secret), seedAAD(e.FactorID)), tx.Now())
		if err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, audit.Event{Action: "mfa.totp.start", Target: "factor:" + e.FactorID, Subject: subject(accountID)})
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}

// ConfirmTOTP completes the enrolment with a code from the app. It returns
// a fresh set of recovery codes when the account had none.
func (s *Service) ConfirmTOTP(ctx context.Context, accountID, code string) ([]string, error) {
	var codes []string
	var bad bool
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		codes, bad = nil, false
		var id string
		var sealed []byte
		err := tx.QueryRow(ctx, "SELECT id, secret_sealed FROM mfa_factors WHERE account_id = ? AND kind = 'totp' AND confirmed_at IS NULL"+tx.ForUpdate(),
			accountID).Scan(&id, &sealed)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNoEnrolment
		}
		if err != nil {
			return err
		}
		secret, err := s.keys.Open(ctx, tx, sealed, seedAAD(id))
		if err != nil {
			return err
		}
		step, ok := s.match(string(secret), code, tx.Now(), 0)
		if !ok {
			bad = true
			return nil
		}
		if _, err := tx.Exec(ctx, "UPDATE mfa_factors SET confirmed_at = ?, last_step = ?, last_used_at = ? WHERE id = ?", tx.Now(), step, tx.Now(), id); err != nil {
			return err
		}
		var have int
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM recovery_codes WHERE account_id = ? AND used_at IS NULL", accountID).Scan(&have); err != nil {
			return err
		}
		if have == 0 {
			if codes, err = s.newRecoveryCodes(ctx, tx, accountID); err != nil {
				return err
			}
		}
		return s.audit.Record(ctx, tx, audit.Event{Action: "mfa.totp.enrol", Target: "factor:" + id, Subject: subject(accountID)})
	})
	if err != nil {
		return nil, err
	}
	if bad {
		return nil, ErrInvalidCode
	}
	return codes, nil
}

// VerifyTOTP checks a code against the account's confirmed TOTP factors.
// Each time step is accepted once: a replayed code, or an older one, is
// refused (ASVS 6.5.1). Only server time counts (ASVS 6.5.8).
func (s *Service) VerifyTOTP(ctx context.Context, accountID, code string) error {
	var ok bool
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		ok = false
		rows, err := tx.Query(ctx, "SELECT id, secret_sealed, last_step FROM mfa_factors WHERE account_id = ? AND kind = 'totp' AND confirmed_at IS NOT NULL"+tx.ForUpdate(), accountID)
		if err != nil {
			return err
		}
		type factor struct {
			id     string
			sealed []byte
			last   int64
		}
		var fs []factor
		for rows.Next() {
			var f factor
			if err := rows.Scan(&f.id, &f.sealed, &f.last); err != nil {
				rows.Close()
				return err
			}
			fs = append(fs, f)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, f := range fs {
			secret, err := s.keys.Open(ctx, tx, f.sealed, seedAAD(f.id))
			if err != nil {
				return err
			}
			step, match := s.match(string(secret), code, tx.Now(), f.last)
			if !match {
				continue
			}
			if _, err := tx.Exec(ctx, "UPDATE mfa_factors SET last_step = ?, last_used_at = ? WHERE id = ?", step, tx.Now(), f.id); err != nil {
				return err
			}
			ok = true
			return s.audit.Record(ctx, tx, audit.Event{Action: "mfa.totp.use", Target: "factor:" + f.id, Subject: subject(accountID)})
		}
		return nil
	})
	if err != nil {
		return err
	}
	if !ok {
		return ErrInvalidCode
	}
	return nil
}

// match looks for code among the steps now±skew that are later than
// after, and returns the step it matched.
func (s *Service) match(secret, code string, now time.Time, after int64) (int64, bool) {
	if len(code) != 6 {
		return 0, false
	}
	cur := now.Unix() / period
	for d := -int64(s.skew); d <= int64(s.skew); d++ {
		step := cur + d
		if step <= after {
			continue
		}
		want, err := totp.GenerateCodeCustom(secret, time.Unix(step*period, 0), totp.ValidateOpts{Period: period, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return step, true
		}
	}
	return 0, false
}

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
func (s *Service) RegenerateRecoveryCodes(ctx context.Context, accountID string) ([]string, error) {
	var codes []string
	err := s.db.Write(ctx, func(tx *db.Tx) (err error) {
		codes, err = s.newRecoveryCodes(ctx, tx, accountID)
		return err
	})
	return codes, err
}

// UseRecoveryCode spends one recovery code of the account.
func (s *Service) UseRecoveryCode(ctx context.Context, accountID, code string) error {
	norm := normalizeRecovery(code)
	if norm == "" {
		return ErrInvalidCode
	}
	var ok bool
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		ok = false
		res, err := tx.Exec(ctx, "UPDATE recovery_codes SET used_at = ? WHERE account_id = ? AND code_hash = ? AND used_at IS NULL",
			tx.Now(), accountID, hashRecovery(norm))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		ok = true
		return s.audit.Record(ctx, tx, audit.Event{Action: "mfa.recovery_code.use", Target: "account:" + accountID, Subject: subject(accountID)})
	})
	if err != nil {
		return err
	}
	if !ok {
		return ErrInvalidCode
	}
	return nil
}
