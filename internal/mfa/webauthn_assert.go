package mfa

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/identity"
)

// BeginWebAuthn starts an assertion for a sign-in challenge (a password
// accepted, a second factor awaited) and returns the options for
// navigator.credentials.get, listing the account's passkeys. An unknown or
// finished challenge is identity.ErrChallengeInvalid; an account without
// passkeys is ErrUnavailable.
func (s *Service) BeginWebAuthn(ctx context.Context, challenge string) (json.RawMessage, error) {
	if !s.wa.on() {
		return nil, ErrUnavailable
	}
	var out json.RawMessage
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		ref, err := s.id.Challenge(ctx, tx, challenge)
		if err != nil {
			return err
		}
		// Bound to the challenge id: what identity passes as Proof.BoundTo.
		out, err = s.beginAssertion(ctx, tx, ref.AccountID, ref.ID, purposeMFA)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// BeginReauthWebAuthn starts an assertion to confirm the principal again
// before a sensitive change (identity.Service.Reauthenticate).
func (s *Service) BeginReauthWebAuthn(ctx context.Context, p *identity.Principal) (json.RawMessage, error) {
	if !s.wa.on() {
		return nil, ErrUnavailable
	}
	var out json.RawMessage
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		var err error
		out, err = s.beginAssertion(ctx, tx, p.AccountID, "reauth:"+p.Session.ID, purposeReauth)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Service) beginAssertion(ctx context.Context, tx *db.Tx, accountID, ceremonyID, purpose string) (json.RawMessage, error) {
	keys, err := s.passkeys(ctx, tx, accountID, false)
	if err != nil {
		return nil, err
	}
	if len(keys) == 0 {
		return nil, ErrUnavailable
	}
	assertion, sd, err := s.wa.rp.BeginLogin(&waUser{id: []byte(accountID), keys: keys},
		webauthn.WithUserVerification(protocol.VerificationPreferred))
	if err != nil {
		return nil, fmt.Errorf("mfa: webauthn: %w", err)
	}
	out, err := json.Marshal(assertion)
	if err != nil {
		return nil, err
	}
	return out, s.saveCeremony(ctx, tx, ceremonyID, accountID, purpose, sd)
}

// verifyAssertion checks a second-factor assertion for accountID against
// the ceremony begun for boundTo (a challenge id, or "reauth:" and a
// session id), inside the caller's transaction.
func (s *Service) verifyAssertion(ctx context.Context, tx *db.Tx, accountID, boundTo string, credential []byte) error {
	if !s.wa.on() {
		return ErrInvalidCode
	}
	purpose := purposeMFA
	if strings.HasPrefix(boundTo, "reauth:") {
		purpose = purposeReauth
	}
	sd, parsed, err := s.takeAssertion(ctx, tx, boundTo, accountID, purpose, credential)
	if err != nil || sd == nil {
		return cmp.Or(err, ErrInvalidCode)
	}
	keys, err := s.passkeys(ctx, tx, accountID, true)
	if err != nil {
		return err
	}
	cred, err := s.wa.rp.ValidateLogin(&waUser{id: []byte(accountID), keys: keys}, *sd, parsed)
	if err != nil {
		s.refused(ctx, purpose, err)
		return ErrInvalidCode
	}
	return s.passkeyUsed(ctx, tx, accountID, keys, cred, "mfa.webauthn.use")
}

// BeginPasskeySignIn starts a passwordless sign-in: the browser offers the
// passkeys it holds for this site, and the one chosen must verify its user
// (PIN or biometrics), which makes it two factors in one. It returns the
// ceremony id to send back with the answer.
func (s *Service) BeginPasskeySignIn(ctx context.Context) (string, json.RawMessage, error) {
	if !s.wa.on() {
		return "", nil, ErrUnavailable
	}
	assertion, sd, err := s.wa.rp.BeginDiscoverableLogin(webauthn.WithUserVerification(protocol.VerificationRequired))
	if err != nil {
		return "", nil, fmt.Errorf("mfa: webauthn: %w", err)
	}
	out, err := json.Marshal(assertion)
	if err != nil {
		return "", nil, err
	}
	id := newID()
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		return s.saveCeremony(ctx, tx, id, "", purposeSignIn, sd)
	})
	if err != nil {
		return "", nil, err
	}
	return id, out, nil
}

// errNoPasskey is a user handle that names no account with passkeys.
var errNoPasskey = errors.New("no passkey for this user handle")

// PasskeySignIn checks a passwordless assertion for ceremony inside the
// caller's transaction (identity.Service.SignInWith) and returns the
// account it signs in. Any failure is ("", ErrInvalidCode).
func (s *Service) PasskeySignIn(ctx context.Context, tx *db.Tx, ceremony string, credential []byte) (string, error) {
	if !s.wa.on() {
		return "", ErrInvalidCode
	}
	sd, parsed, err := s.takeAssertion(ctx, tx, ceremony, "", purposeSignIn, credential)
	if err != nil || sd == nil {
		return "", cmp.Or(err, ErrInvalidCode)
	}
	var keys []passkey
	var dbErr error
	lookup := func(_, userHandle []byte) (webauthn.User, error) {
		// The handle comes from the client: only something shaped like an
		// account id reaches the database (PostgreSQL rejects invalid
		// UTF-8 in a text parameter, and would end the transaction).
		if !accountIDShape(userHandle) {
			return nil, errNoPasskey
		}
		keys, dbErr = s.passkeys(ctx, tx, string(userHandle), true)
		if dbErr != nil {
			return nil, dbErr
		}
		if len(keys) == 0 {
			return nil, errNoPasskey
		}
		return &waUser{id: userHandle, keys: keys}, nil
	}
	cred, err := s.wa.rp.ValidateDiscoverableLogin(lookup, *sd, parsed)
	if dbErr != nil {
		return "", dbErr
	}
	if err != nil {
		s.refused(ctx, purposeSignIn, err)
		return "", ErrInvalidCode
	}
	// The session asked for user verification and the library checked
	// it; without it a passkey is one factor only, so check again here.
	if !parsed.Response.AuthenticatorData.Flags.HasUserVerified() {
		s.refused(ctx, purposeSignIn, errors.New("user not verified"))
		return "", ErrInvalidCode
	}
	accountID := string(parsed.Response.UserHandle)
	if err := s.passkeyUsed(ctx, tx, accountID, keys, cred, "mfa.passkey.use"); err != nil {
		return "", err
	}
	return accountID, nil
}

// accountIDShape reports whether a user handle could be an account id:
// 1 to 64 letters, digits, '-' or '_'.
func accountIDShape(b []byte) bool {
	if len(b) == 0 || len(b) > 64 {
		return false
	}
	for _, c := range b {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// passkeyUsed stores what a verified assertion changed (sign count,
// flags) and records the use. A sign count that did not move forward means
// two authenticators hold the same key, one of them a copy: the assertion
// is refused and the attempt recorded.
func (s *Service) passkeyUsed(ctx context.Context, tx *db.Tx, accountID string, keys []passkey, cred *webauthn.Credential, action string) error {
	var factorID string
	for _, k := range keys {
		if bytes.Equal(k.cred.ID, cred.ID) {
			factorID = k.factorID
			break
		}
	}
	if factorID == "" {
		return ErrInvalidCode
	}
	if cred.Authenticator.CloneWarning {
		s.log.WarnContext(ctx, "passkey sign count did not advance: possibly a cloned authenticator", "factor", factorID)
		err := s.audit.Record(ctx, tx, audit.Event{Action: "mfa.webauthn.clone_suspected", Target: "factor:" + factorID, Subject: subject(accountID),
			Outcome: audit.Denied})
		if err != nil {
			return err
		}
		return ErrInvalidCode
	}
	rec, err := json.Marshal(cred)
	if err != nil {
		return err
	}
	dk, err := s.keys.DataKey(ctx, tx, subject(accountID))
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, "UPDATE mfa_factors SET secret_sealed = ?, last_used_at = ? WHERE id = ?",
		dk.Seal(rec, seedAAD(factorID)), tx.Now(), factorID); err != nil {
		return err
	}
	return s.audit.Record(ctx, tx, audit.Event{Action: action, Target: "factor:" + factorID, Subject: subject(accountID)})
}
