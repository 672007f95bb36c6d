// Package mfa owns second factors: TOTP (RFC 6238) with sealed seeds and
// replay refusal, passkeys (WebAuthn), codes sent by SMS or e-mail, and
// single-use recovery codes; and support-assisted recovery of a lost
// factor. It implements identity.SecondFactors, through which sign-in asks
// for a second factor without importing this package.
package mfa

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/fault"
	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/frontdesk/frontdesk/internal/keyring"
	"github.com/frontdesk/frontdesk/internal/notify"
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
