package mfa

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/protocol/webauthncose"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/identity"
)

// Passkeys (WebAuthn, through go-webauthn). A passkey is an mfa_factors row
// of kind 'webauthn': credential_id finds it from an assertion, and
// secret_sealed holds the library's credential record (public key, sign
// count, flags) sealed with the account's key, so that nobody can swap the
// key or roll the counter back in the database (ASVS 6.7.1). Each ceremony's
// challenge waits in webauthn_ceremonies for ceremonyTTL and is used once,
// whatever the outcome (ASVS 6.5.1). Passkeys are discoverable, so the same
// credential serves as a second factor after a password and for
// passwordless sign-in, where the authenticator must verify its user.

// ceremonyTTL is how long a browser has to answer a ceremony; the options
// tell it the same.
const ceremonyTTL = 5 * time.Minute

// maxCredential bounds the JSON a browser sends back; real ones are a few
// kilobytes.
const maxCredential = 64 << 10

// Ceremony purposes, as stored in webauthn_ceremonies.
const (
	purposeRegister = "register"
	purposeMFA      = "mfa"
	purposeReauth   = "reauth"
	purposeSignIn   = "signin"
)

// webAuthn is the relying party; a nil rp means passkeys are off.
type webAuthn struct {
	rp *webauthn.WebAuthn
}

func (w *webAuthn) on() bool { return w != nil && w.rp != nil }

// newWebAuthn configures the relying party for baseURL: its host is the RP
// ID, its scheme, host and port the only origin. A base URL without a host,
// or whose host cannot be an RP ID (an IP address, a single-label name
// other than localhost), leaves passkeys off instead of failing: the
// default base URL is http://127.0.0.1:8080, and browsers refuse WebAuthn
// on it anyway.
func newWebAuthn(rpName, baseURL string) (*webAuthn, error) {
	u, err := url.Parse(baseURL)
	if baseURL == "" || err != nil || u.Hostname() == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return &webAuthn{}, nil
	}
	host := strings.ToLower(u.Hostname())
	if protocol.ValidateRPID(host) != nil {
		return &webAuthn{}, nil
	}
	origin := u.Scheme + "://" + host
	if p := u.Port(); p != "" && !(u.Scheme == "https" && p == "443") && !(u.Scheme == "http" && p == "80") {
		origin += ":" + p // browsers leave a default port out of the origin
	}
	if rpName == "" {
		rpName = "Frontdesk"
	}
	timeouts := webauthn.TimeoutConfig{Timeout: ceremonyTTL, TimeoutUVD: ceremonyTTL}
	rp, err := webauthn.New(&webauthn.Config{
		RPID:                  host,
		RPDisplayName:         rpName,
		RPOrigins:             []string{origin},
		AttestationPreference: protocol.PreferNoAttestation,
		AuthenticatorSelection: protocol.AuthenticatorSelection{
			UserVerification: protocol.VerificationPreferred,
		},
		Timeouts: webauthn.TimeoutsConfig{Login: timeouts, Registration: timeouts},
		// No decision here rests on a client extension output, and some
		// password managers volunteer them: refusing those would only fail
		// honest ceremonies.
		ExtensionsUnsolicitedOutputPolicy: protocol.UnsolicitedOutputPolicyIgnore,
	})
	if err != nil {
		return nil, fmt.Errorf("mfa: webauthn: %w", err)
	}
	return &webAuthn{rp: rp}, nil
}

// passkeyAlgorithms are the only signature algorithms a passkey may use
// (ASVS 11.6.1): ECDSA P-256 with SHA-256, Ed25519, and RSA PKCS#1 v1.5
// with SHA-256 for older Windows Hello keys.
func passkeyAlgorithms() []protocol.CredentialParameter {
	return []protocol.CredentialParameter{
		{Type: protocol.PublicKeyCredentialType, Algorithm: webauthncose.AlgES256},
		{Type: protocol.PublicKeyCredentialType, Algorithm: webauthncose.AlgEdDSA},
		{Type: protocol.PublicKeyCredentialType, Algorithm: webauthncose.AlgRS256},
	}
}

// PasskeysEnabled reports whether the base URL allows passkeys, so the
// pages can leave them out when it does not.
func (s *Service) PasskeysEnabled() bool { return s.wa.on() }

// passkey is a stored credential and the factor it belongs to.
type passkey struct {
	factorID string
	cred     webauthn.Credential
}

// waUser is an account as the WebAuthn library sees it. Its handle is the
// account id, random hex that says nothing about the person.
type waUser struct {
	id   []byte
	name string
	keys []passkey
}

func (u *waUser) WebAuthnID() []byte          { return u.id }
func (u *waUser) WebAuthnName() string        { return u.name }
func (u *waUser) WebAuthnDisplayName() string { return u.name }
func (u *waUser) WebAuthnCredentials() []webauthn.Credential {
	out := make([]webauthn.Credential, len(u.keys))
	for i, k := range u.keys {
		out[i] = k.cred
	}
	return out
}

// passkeys opens the account's confirmed passkeys; lock holds their rows
// until the transaction ends, so that two assertions cannot both advance
// the same sign count.
func (s *Service) passkeys(ctx context.Context, tx *db.Tx, accountID string, lock bool) ([]passkey, error) {
	q := "SELECT id, secret_sealed FROM mfa_factors WHERE account_id = ? AND kind = 'webauthn' AND confirmed_at IS NOT NULL ORDER BY created_at, id"
	if lock {
		q += tx.ForUpdate()
	}
	rows, err := tx.Query(ctx, q, accountID)
	rs, err := db.Collect(rows, err, scanSealedSecret)
	if err != nil {
		return nil, err
	}
	out := make([]passkey, 0, len(rs))
	for _, r := range rs {
		rec, err := s.keys.Open(ctx, tx, r.sealed, seedAAD(r.id))
		if err != nil {
			return nil, err
		}
		k := passkey{factorID: r.id}
		if err := json.Unmarshal(rec, &k.cred); err != nil {
			return nil, fmt.Errorf("mfa: passkey %s: %w", r.id, err)
		}
		k.cred.Authenticator.CloneWarning = false // judged afresh on each assertion
		out = append(out, k)
	}
	return out, nil
}

// saveCeremony stores a ceremony under id, replacing one begun before.
func (s *Service) saveCeremony(ctx context.Context, tx *db.Tx, id, accountID, purpose string, sd *webauthn.SessionData) error {
	data, err := json.Marshal(sd)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, "DELETE FROM webauthn_ceremonies WHERE id = ?", id); err != nil {
		return err
	}
	account := sql.NullString{String: accountID, Valid: accountID != ""}
	_, err = tx.Exec(ctx, "INSERT INTO webauthn_ceremonies (id, account_id, purpose, data, expires_at) VALUES (?, ?, ?, ?, ?)",
		id, account, purpose, data, tx.Now().Add(ceremonyTTL))
	return err
}

// takeCeremony deletes the ceremony id of purpose for accountID ("" for a
// passwordless sign-in, which has no account yet) and returns it while it
// was still valid. The row lock makes a second, concurrent use find
// nothing.
func (s *Service) takeCeremony(ctx context.Context, tx *db.Tx, id, accountID, purpose string) (*webauthn.SessionData, error) {
	if id == "" || len(id) > 200 {
		return nil, nil
	}
	q := "SELECT data, expires_at FROM webauthn_ceremonies WHERE id = ? AND purpose = ? AND "
	args := []any{id, purpose}
	if accountID == "" {
		q += "account_id IS NULL"
	} else {
		q += "account_id = ?"
		args = append(args, accountID)
	}
	var data []byte
	var expires time.Time
	err := tx.QueryRow(ctx, q+tx.ForUpdate(), args...).Scan(&data, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		s.refused(ctx, purpose, errors.New("no such ceremony, or already used"))
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if _, err := tx.Exec(ctx, "DELETE FROM webauthn_ceremonies WHERE id = ?", id); err != nil {
		return nil, err
	}
	if !tx.Now().Before(expires) {
		s.refused(ctx, purpose, errors.New("ceremony expired"))
		return nil, nil
	}
	var sd webauthn.SessionData
	if err := json.Unmarshal(data, &sd); err != nil {
		return nil, fmt.Errorf("mfa: ceremony %s: %w", purpose, err)
	}
	return &sd, nil
}

// refused logs why a ceremony failed, for debugging only: callers learn
// nothing but ErrInvalidCode.
func (s *Service) refused(ctx context.Context, what string, err error) {
	attrs := []any{"ceremony", what, "error", err}
	var pe *protocol.Error
	if errors.As(err, &pe) && pe.DevInfo != "" {
		attrs = append(attrs, "info", pe.DevInfo)
	}
	s.log.DebugContext(ctx, "webauthn: refused", attrs...)
}

func checkSize(b []byte) error {
	if len(b) == 0 || len(b) > maxCredential {
		return errors.New("credential missing or too large")
	}
	return nil
}

// takeAssertion spends the ceremony and parses the assertion that answers
// it; a nil session means either is not valid.
func (s *Service) takeAssertion(ctx context.Context, tx *db.Tx, id, accountID, purpose string, credential []byte) (*webauthn.SessionData, *protocol.ParsedCredentialAssertionData, error) {
	sd, err := s.takeCeremony(ctx, tx, id, accountID, purpose)
	if err != nil || sd == nil {
		return nil, nil, err
	}
	err = checkSize(credential)
	var parsed *protocol.ParsedCredentialAssertionData
	if err == nil {
		parsed, err = protocol.ParseCredentialRequestResponseBody(bytes.NewReader(credential))
	}
	if err != nil {
		s.refused(ctx, purpose, err)
		return nil, nil, nil
	}
	return sd, parsed, nil
}

// BeginPasskeyRegistration starts adding a passkey to the principal's
// account and returns the options for navigator.credentials.create, as
// {"publicKey": …} with base64url binary fields. The passkey must be
// discoverable, so it can also sign in without a password; the account's
// passkeys are excluded, so one authenticator is not added twice. It needs
// a recent sign-in.
func (s *Service) BeginPasskeyRegistration(ctx context.Context, p *identity.Principal, accountLabel string) (json.RawMessage, error) {
	if !s.wa.on() {
		return nil, ErrUnavailable
	}
	if err := s.id.RequireFresh(p); err != nil {
		return nil, err
	}
	if accountLabel == "" {
		accountLabel = s.wa.rp.Config.RPDisplayName
	}
	var out json.RawMessage
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		keys, err := s.passkeys(ctx, tx, p.AccountID, false)
		if err != nil {
			return err
		}
		exclude := make([]protocol.CredentialDescriptor, len(keys))
		for i, k := range keys {
			exclude[i] = k.cred.Descriptor()
		}
		creation, sd, err := s.wa.rp.BeginRegistration(&waUser{id: []byte(p.AccountID), name: accountLabel},
			webauthn.WithCredentialParameters(passkeyAlgorithms()),
			webauthn.WithResidentKeyRequirement(protocol.ResidentKeyRequirementRequired),
			webauthn.WithExclusions(exclude))
		if err != nil {
			return fmt.Errorf("mfa: webauthn: %w", err)
		}
		if out, err = json.Marshal(creation); err != nil {
			return err
		}
		if err := s.saveCeremony(ctx, tx, "register:"+p.Session.ID, p.AccountID, purposeRegister, sd); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, audit.Event{Action: "mfa.webauthn.start", Target: "account:" + p.AccountID, Subject: subject(p.AccountID)})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// FinishPasskeyRegistration checks the browser's answer to the
// registration begun in this session and stores the passkey under name
// ("Passkey" when empty). It returns a fresh set of recovery codes when
// the account had none. A wrong, late or replayed answer is ErrInvalidCode.
func (s *Service) FinishPasskeyRegistration(ctx context.Context, p *identity.Principal, credential []byte, name string) ([]string, error) {
	if !s.wa.on() {
		return nil, ErrUnavailable
	}
	if name == "" {
		name = "Passkey"
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
		sd, err := s.takeCeremony(ctx, tx, "register:"+p.Session.ID, p.AccountID, purposeRegister)
		if err != nil {
			return err
		}
		if sd == nil {
			bad = true
			return nil
		}
		var cred *webauthn.Credential
		err = checkSize(credential)
		if err == nil {
			var parsed *protocol.ParsedCredentialCreationData
			if parsed, err = protocol.ParseCredentialCreationResponseBody(bytes.NewReader(credential)); err == nil {
				cred, err = s.wa.rp.CreateCredential(&waUser{id: []byte(p.AccountID)}, *sd, parsed)
			}
		}
		if err != nil {
			s.refused(ctx, purposeRegister, err)
			bad = true
			return nil
		}
		// A credential id is the authenticator's; one already stored here
		// is the same passkey again, never a new one.
		var taken int
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM mfa_factors WHERE credential_id = ?", cred.ID).Scan(&taken); err != nil {
			return err
		}
		if taken > 0 {
			s.refused(ctx, purposeRegister, errors.New("credential id already registered"))
			bad = true
			return nil
		}
		rec, err := json.Marshal(cred)
		if err != nil {
			return err
		}
		dk, err := s.keys.DataKey(ctx, tx, subject(p.AccountID))
		if err != nil {
			return err
		}
		id := newID()
		_, err = tx.Exec(ctx, `INSERT INTO mfa_factors (id, account_id, kind, name, secret_sealed, confirmed_at, created_at, last_used_at, credential_id)
			VALUES (?, ?, 'webauthn', ?, ?, ?, ?, ?, ?)`,
			id, p.AccountID, name, dk.Seal(rec, seedAAD(id)), tx.Now(), tx.Now(), tx.Now(), cred.ID)
		if err != nil {
			return err
		}
		codes, notices, err = s.enrolled(ctx, tx, p, id, kindWebAuthn, name)
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

// PurgeCeremonies deletes ceremonies nobody finished. The server runs it
// with the other purges.
func (s *Service) PurgeCeremonies(ctx context.Context) error {
	return s.db.Write(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, "DELETE FROM webauthn_ceremonies WHERE expires_at < ?", tx.Now())
		return err
	})
}
