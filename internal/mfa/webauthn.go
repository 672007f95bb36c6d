package mfa

import (
	"bytes"
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

	"github.com/frontdesk/frontdesk/internal/db"
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

// PurgeCeremonies deletes ceremonies nobody finished. The server runs it
// with the other purges.
func (s *Service) PurgeCeremonies(ctx context.Context) error {
	return s.db.Write(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, "DELETE FROM webauthn_ceremonies WHERE expires_at < ?", tx.Now())
		return err
	})
}
