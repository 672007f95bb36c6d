package mfa

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

const period = 30 // seconds per TOTP step

// Enrolment is a TOTP factor waiting for its first code.
type Enrolment struct {
	FactorID string
	Secret   string // base32, for typing into an app
	URL      string // otpauth:// URL, for the QR code
}

// StartTOTP begins a TOTP enrolment for the principal's account with a
// fresh 160-bit seed from crypto/rand (ASVS 6.5.3), sealed with the
// account's key. It needs a recent sign-in. An enrolment not yet
// confirmed is replaced.
func (s *Service) StartTOTP(ctx context.Context, p *identity.Principal, accountLabel string) (*Enrolment, error) {
	if err := s.id.RequireFresh(p); err != nil {
		return nil, err
	}
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
		dk, err := s.keys.DataKey(ctx, tx, subject(p.AccountID))
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM mfa_factors WHERE account_id = ? AND kind = 'totp' AND confirmed_at IS NULL", p.AccountID); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO mfa_factors (id, account_id, kind, name, secret_sealed, created_at) VALUES (?, ?, 'totp', ?, ?, ?)`,
			e.FactorID, p.AccountID, "Authenticator app", dk.Seal([]byte(e.Secret), seedAAD(e.FactorID)), tx.Now())
		if err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, audit.Event{Action: "mfa.totp.start", Target: "factor:" + e.FactorID, Subject: subject(p.AccountID)})
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}

// ConfirmTOTP completes the enrolment with a code from the app (no step
// may be skipped: ASVS 2.3.1) and names the factor. It returns a fresh set
// of recovery codes when the account had none.
func (s *Service) ConfirmTOTP(ctx context.Context, p *identity.Principal, code, name string) ([]string, error) {
	if name == "" {
		name = "Authenticator app"
	}
	name, err := factorName(name)
	if err != nil {
		return nil, err
	}
	var codes []string
	var notices []identity.Notice
	var bad bool
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		codes, notices, bad = nil, nil, false
		var id string
		var sealed []byte
		err := tx.QueryRow(ctx, "SELECT id, secret_sealed FROM mfa_factors WHERE account_id = ? AND kind = 'totp' AND confirmed_at IS NULL"+tx.ForUpdate(),
			p.AccountID).Scan(&id, &sealed)
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
		step, ok := s.match(string(secret), strings.TrimSpace(code), tx.Now(), 0)
		if !ok {
			bad = true
			return nil
		}
		if _, err := tx.Exec(ctx, "UPDATE mfa_factors SET name = ?, confirmed_at = ?, last_step = ?, last_used_at = ? WHERE id = ?", name, tx.Now(), step, tx.Now(), id); err != nil {
			return err
		}
		codes, notices, err = s.enrolled(ctx, tx, p, id, kindTOTP, name)
		return err
	})
	if err != nil {
		return nil, err
	}
	if bad {
		return nil, ErrInvalidCode
	}
	s.id.Send(ctx, notices)
	return codes, nil
}

// enrolled finishes any enrolment inside its transaction: the audit
// entry, recovery codes when the account has none, and the session and
// notice updates identity makes.
func (s *Service) enrolled(ctx context.Context, tx *db.Tx, p *identity.Principal, factorID, kind, name string) ([]string, []identity.Notice, error) {
	var codes []string
	var have int
	if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM recovery_codes WHERE account_id = ? AND used_at IS NULL", p.AccountID).Scan(&have); err != nil {
		return nil, nil, err
	}
	if have == 0 {
		var err error
		if codes, err = s.newRecoveryCodes(ctx, tx, p.AccountID); err != nil {
			return nil, nil, err
		}
	}
	if err := s.audit.Record(ctx, tx, audit.Event{Action: "mfa." + kind + ".enrol", Target: "factor:" + factorID, Subject: subject(p.AccountID)}); err != nil {
		return nil, nil, err
	}
	notices, err := s.id.FactorChanged(ctx, tx, p, "added", kind, name)
	return codes, notices, err
}

// verifyTOTP checks a code against the account's confirmed TOTP factors.
// Each time step is accepted once: a replayed code, or an older one, is
// refused (ASVS 6.5.1). Only server time counts (ASVS 6.5.8).
func (s *Service) verifyTOTP(ctx context.Context, tx *db.Tx, accountID, code string) error {
	code = strings.TrimSpace(code)
	type factor struct {
		id     string
		sealed []byte
		last   int64
	}
	rows, err := tx.Query(ctx, "SELECT id, secret_sealed, last_step FROM mfa_factors WHERE account_id = ? AND kind = 'totp' AND confirmed_at IS NOT NULL"+tx.ForUpdate(), accountID)
	fs, err := db.Collect(rows, err, func(row db.Scanner) (f factor, err error) {
		err = row.Scan(&f.id, &f.sealed, &f.last)
		return f, err
	})
	if err != nil {
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
		return s.audit.Record(ctx, tx, audit.Event{Action: "mfa.totp.use", Target: "factor:" + f.id, Subject: subject(accountID)})
	}
	return ErrInvalidCode
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
