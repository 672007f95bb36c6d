// Package mfa owns second factors: TOTP (RFC 6238) with sealed seeds and
// replay refusal, passkeys (WebAuthn), codes sent by SMS or e-mail, and
// single-use recovery codes; and support-assisted recovery of a lost
// factor. It implements identity.SecondFactors, through which sign-in asks
// for a second factor without importing this package.
package mfa

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/fault"
	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/frontdesk/frontdesk/internal/keyring"
	"github.com/frontdesk/frontdesk/internal/notify"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// Errors the service returns.
var (
	// ErrInvalidCode is the one answer for a wrong, replayed, expired or
	// unknown code or assertion. It wraps identity.ErrInvalidCode, which
	// is what sign-in counts as a failure.
	ErrInvalidCode = fmt.Errorf("mfa: %w", identity.ErrInvalidCode)
	// ErrNoEnrolment means there is no enrolment waiting for a code.
	ErrNoEnrolment = errors.New("mfa: no enrolment in progress")
	// ErrNotFound is a factor or request that does not exist or is not the
	// caller's.
	ErrNotFound = fault.New(fault.ErrNotFound, "mfa: not found")
	// ErrLastFactor refuses to remove the only factor of an account that
	// must have one.
	ErrLastFactor = errors.New("mfa: this account must keep at least one second factor")
	// ErrUnavailable is a method the policy or the configuration turns off.
	ErrUnavailable = errors.New("mfa: method not available")
	// ErrNotSent means an SMS could not be delivered; nothing was granted.
	ErrNotSent = errors.New("mfa: the code could not be sent")
)

// Options are the service's dependencies and settings.
type Options struct {
	DB       *db.DB
	Keys     *keyring.Keyring
	Audit    *audit.Log
	Identity *identity.Service
	// SMS sends codes to phones; nil turns SMS off.
	SMS notify.SMS
	// Issuer names the service in authenticator apps (the organisation).
	Issuer string
	// BaseURL is the public URL: the WebAuthn origin and RP ID, and the
	// host SMS codes are bound to for autofill.
	BaseURL string
	Logger  *slog.Logger
}

// Service manages second factors. It is safe for concurrent use.
type Service struct {
	db     *db.DB
	keys   *keyring.Keyring
	audit  *audit.Log
	id     *identity.Service
	sms    notify.SMS
	policy identity.Policy
	issuer string
	base   string
	skew   int
	log    *slog.Logger
	wa     *webAuthn
}

// New returns the service and connects it to sign-in.
func New(o Options) (*Service, error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	pol := o.Identity.Policy()
	s := &Service{db: o.DB, keys: o.Keys, audit: o.Audit, id: o.Identity, sms: o.SMS, policy: pol, issuer: o.Issuer,
		base: strings.TrimSuffix(o.BaseURL, "/"), skew: max(0, pol.TOTPSkew), log: o.Logger}
	wa, err := newWebAuthn(o.Issuer, s.base)
	if err != nil {
		return nil, err
	}
	s.wa = wa
	o.Identity.SetSecondFactors(s)
	return s, nil
}

// Methods lists the methods the account can prove itself with, strongest
// first. Recovery codes count only beside a real factor.
func (s *Service) Methods(ctx context.Context, tx *db.Tx, accountID string) ([]string, error) {
	rows, err := tx.Query(ctx, "SELECT DISTINCT kind FROM mfa_factors WHERE account_id = ? AND confirmed_at IS NOT NULL", accountID)
	kinds, err := db.Collect(rows, err, db.Value[string])
	if err != nil {
		return nil, err
	}
	have := map[string]bool{}
	for _, k := range kinds {
		have[k] = true
	}
	if !s.policy.EmailOTPFactor {
		delete(have, kindEmail)
	}
	if !s.PasskeysEnabled() {
		delete(have, kindWebAuthn)
	}
	if s.sms == nil {
		delete(have, kindSMS)
	}
	var out []string
	for _, k := range []string{kindWebAuthn, kindTOTP, kindSMS, kindEmail} {
		if have[k] {
			out = append(out, k)
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	var codes int
	if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM recovery_codes WHERE account_id = ? AND used_at IS NULL", accountID).Scan(&codes); err != nil {
		return nil, err
	}
	if codes > 0 {
		out = append(out, identity.MethodRecoveryCode)
	}
	return out, nil
}

// Verify checks a proof inside the caller's transaction. A wrong proof is
// ErrInvalidCode.
func (s *Service) Verify(ctx context.Context, tx *db.Tx, p identity.Proof) error {
	switch p.Method {
	case identity.MethodTOTP:
		return s.verifyTOTP(ctx, tx, p.AccountID, p.Code)
	case identity.MethodRecoveryCode:
		return s.useRecoveryCode(ctx, tx, p.AccountID, p.Code)
	case identity.MethodSMS, identity.MethodEmail:
		return s.checkSent(ctx, tx, p.AccountID, p.BoundTo, p.Method, p.Code)
	case identity.MethodWebAuthn:
		return s.verifyAssertion(ctx, tx, p.AccountID, p.BoundTo, p.Credential)
	}
	return ErrInvalidCode
}

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

const period = 30 // seconds per TOTP step

func newID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func subject(accountID string) string { return "account:" + accountID }

func seedAAD(factorID string) []byte { return []byte("mfa_factors.secret:" + factorID) }

// sealedSecret is a factor's id and sealed secret as read, before opening.
type sealedSecret struct {
	id     string
	sealed []byte
}

// scanSealedSecret reads the columns id, secret_sealed.
func scanSealedSecret(row db.Scanner) (f sealedSecret, err error) {
	err = row.Scan(&f.id, &f.sealed)
	return f, err
}

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

// newSecret returns 256 random bits, URL-safe encoded.
func newSecret() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Enrollable lists the kinds of factor an owner can add here.
func (s *Service) Enrollable() []string {
	out := []string{kindTOTP}
	if s.PasskeysEnabled() {
		out = append([]string{kindWebAuthn}, out...)
	}
	if s.available(kindSMS) {
		out = append(out, kindSMS)
	}
	if s.available(kindEmail) {
		out = append(out, kindEmail)
	}
	return out
}

// BeginPasskeySignInFrom is BeginPasskeySignIn for an anonymous caller at
// ip: each call stores a ceremony, so callers get a quota (ASVS 2.4.1).
func (s *Service) BeginPasskeySignInFrom(ctx context.Context, ip string) (string, json.RawMessage, error) {
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		wait, err := identity.Quota(ctx, tx, s.policy.ThrottleWindow, map[string]int{"passkey:ip:" + ip: 10 * s.policy.IPFailures})
		if err == nil && wait > 0 {
			err = &RateLimitedError{RetryAfter: wait, Reason: "passkey"}
		}
		return err
	})
	if err != nil {
		return "", nil, err
	}
	return s.BeginPasskeySignIn(ctx)
}
