package mfa

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/identity"
)

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
