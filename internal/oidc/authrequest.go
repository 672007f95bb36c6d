package oidc

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/fault"
)

// authRequestTTL is how long a customer has to sign in and consent; the
// code then lives codeTTL.
const (
	authRequestTTL = 30 * time.Minute
	codeTTL        = time.Minute
)

// The authentication context classes this provider asserts (NIST 800-63B
// authenticator assurance levels).
const (
	ACRAAL1 = "urn:frontdesk:aal1"
	ACRAAL2 = "urn:frontdesk:aal2"
)

// ErrRequestNotFound is an authorization request that is unknown, expired
// or already finished.
var ErrRequestNotFound = fault.New(fault.ErrNotFound, "oidc: no such authorization request")

// AuthRequest is one authorization request: what the client asked for,
// and once the customer has signed in, who and how.
type AuthRequest struct {
	ID            string
	ClientID      string
	RedirectURI   string
	Scopes        []string
	State         string
	Nonce         string
	ResponseMode  string
	CodeChallenge string
	Prompt        []string
	MaxAge        *time.Duration
	ACRValues     []string
	CreatedAt     time.Time
	ExpiresAt     time.Time

	AccountID string
	SessionID string
	AuthTime  time.Time
	AMR       []string
	ACR       string
	IsDone    bool
	codeUsed  bool
}

var (
	_ op.AuthRequest         = (*AuthRequest)(nil)
	_ op.RefreshTokenRequest = (*refreshRequest)(nil)
)

func (a *AuthRequest) GetID() string                      { return a.ID }
func (a *AuthRequest) GetACR() string                     { return a.ACR }
func (a *AuthRequest) GetAMR() []string                   { return a.AMR }
func (a *AuthRequest) GetAudience() []string              { return []string{a.ClientID} }
func (a *AuthRequest) GetAuthTime() time.Time             { return a.AuthTime }
func (a *AuthRequest) GetClientID() string                { return a.ClientID }
func (a *AuthRequest) GetNonce() string                   { return a.Nonce }
func (a *AuthRequest) GetRedirectURI() string             { return a.RedirectURI }
func (a *AuthRequest) GetScopes() []string                { return a.Scopes }
func (a *AuthRequest) GetState() string                   { return a.State }
func (a *AuthRequest) GetSubject() string                 { return a.AccountID }
func (a *AuthRequest) Done() bool                         { return a.IsDone }
func (a *AuthRequest) GetResponseType() oidc.ResponseType { return oidc.ResponseTypeCode }
func (a *AuthRequest) GetResponseMode() oidc.ResponseMode { return oidc.ResponseMode(a.ResponseMode) }
func (a *AuthRequest) GetCodeChallenge() *oidc.CodeChallenge {
	return &oidc.CodeChallenge{Challenge: a.CodeChallenge, Method: oidc.CodeChallengeMethodS256}
}

// NeedsAAL2 reports whether the client asked for a second factor.
func (a *AuthRequest) NeedsAAL2() bool { return slices.Contains(a.ACRValues, ACRAAL2) }

// HasPrompt reports whether the client sent prompt=p.
func (a *AuthRequest) HasPrompt(p string) bool { return slices.Contains(a.Prompt, p) }

// createAuthRequest stores a validated authorization request. PKCE with
// S256 is required of every client, confidential ones included (OAuth 2.1).
func (s *Service) createAuthRequest(ctx context.Context, in *oidc.AuthRequest) (*AuthRequest, error) {
	if in.CodeChallenge == "" {
		return nil, oidc.ErrInvalidRequest().WithDescription("PKCE is required: send code_challenge with code_challenge_method=S256")
	}
	if in.CodeChallengeMethod != oidc.CodeChallengeMethodS256 || len(in.CodeChallenge) < 43 || len(in.CodeChallenge) > 128 {
		return nil, oidc.ErrInvalidRequest().WithDescription("code_challenge_method must be S256")
	}
	if in.ResponseType != oidc.ResponseTypeCode {
		return nil, oidc.ErrUnauthorizedClient().WithDescription("only the authorization code flow is supported")
	}
	if !slices.Contains(in.Scopes, oidc.ScopeOpenID) {
		return nil, oidc.ErrInvalidScope().WithDescription("the openid scope is required")
	}
	c, err := s.Client(ctx, in.ClientID)
	if err != nil {
		return nil, oidc.ErrInvalidRequest().WithDescription("unknown client")
	}
	var scopes []string
	for _, sc := range in.Scopes {
		if slices.Contains(c.Scopes, sc) && !slices.Contains(scopes, sc) {
			scopes = append(scopes, sc)
		}
	}
	if len(in.State) > 1000 || len(in.Nonce) > 1000 {
		return nil, oidc.ErrInvalidRequest().WithDescription("state or nonce too long")
	}
	mode := string(in.ResponseMode)
	if mode != "" && mode != string(oidc.ResponseModeQuery) && mode != string(oidc.ResponseModeFormPost) {
		return nil, oidc.ErrInvalidRequest().WithDescription("response_mode must be query or form_post")
	}
	if mode == string(oidc.ResponseModeFormPost) && !strings.HasPrefix(in.RedirectURI, "https://") && !strings.HasPrefix(in.RedirectURI, "http://") {
		return nil, oidc.ErrInvalidRequest().WithDescription("response_mode=form_post needs an http(s) redirect_uri")
	}
	a := &AuthRequest{ID: newID(), ClientID: c.ID, RedirectURI: in.RedirectURI, Scopes: scopes, State: in.State, Nonce: in.Nonce,
		ResponseMode: mode, CodeChallenge: in.CodeChallenge, Prompt: in.Prompt, ACRValues: in.ACRValues}
	var maxAge sql.NullInt64
	if in.MaxAge != nil {
		d := time.Duration(*in.MaxAge) * time.Second
		a.MaxAge, maxAge = &d, sql.NullInt64{Int64: int64(*in.MaxAge), Valid: true}
	}
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		a.CreatedAt, a.ExpiresAt = tx.Now(), tx.Now().Add(authRequestTTL)
		_, err := tx.Exec(ctx, `INSERT INTO oidc_auth_requests (id, client_id, redirect_uri, scopes, state, nonce, response_mode,
			code_challenge, prompt, max_age, acr_values, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			a.ID, a.ClientID, a.RedirectURI, strings.Join(a.Scopes, " "), a.State, a.Nonce, a.ResponseMode, a.CodeChallenge,
			strings.Join(a.Prompt, " "), maxAge, strings.Join(a.ACRValues, " "), a.CreatedAt, a.ExpiresAt)
		return err
	})
	return a, err
}

const requestColumns = `id, client_id, redirect_uri, scopes, state, nonce, response_mode, code_challenge, prompt, max_age,
	acr_values, created_at, expires_at, account_id, session_id, auth_time, amr, acr, done, code_used_at IS NOT NULL`

func scanRequest(row db.Scanner) (*AuthRequest, error) {
	var a AuthRequest
	var scopes, prompt, acrValues, amr string
	var maxAge sql.NullInt64
	var account, session sql.NullString
	var authTime sql.NullTime
	err := row.Scan(&a.ID, &a.ClientID, &a.RedirectURI, &scopes, &a.State, &a.Nonce, &a.ResponseMode, &a.CodeChallenge, &prompt,
		&maxAge, &acrValues, &a.CreatedAt, &a.ExpiresAt, &account, &session, &authTime, &amr, &a.ACR, &a.IsDone, &a.codeUsed)
	if err != nil {
		return nil, err
	}
	a.Scopes, a.Prompt, a.ACRValues, a.AMR = strings.Fields(scopes), strings.Fields(prompt), strings.Fields(acrValues), splitList(amr)
	if maxAge.Valid {
		d := time.Duration(maxAge.Int64) * time.Second
		a.MaxAge = &d
	}
	a.AccountID, a.SessionID, a.AuthTime = account.String, session.String, authTime.Time.UTC()
	a.CreatedAt, a.ExpiresAt = a.CreatedAt.UTC(), a.ExpiresAt.UTC()
	return &a, nil
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// Request returns an open authorization request for the sign-in pages.
func (s *Service) Request(ctx context.Context, id string) (*AuthRequest, error) {
	if id == "" || len(id) > 64 {
		return nil, ErrRequestNotFound
	}
	a, err := scanRequest(s.db.QueryRowOnce(ctx, "SELECT "+requestColumns+" FROM oidc_auth_requests WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) || (err == nil && (!s.db.Now().Before(a.ExpiresAt) || a.codeUsed)) {
		return nil, ErrRequestNotFound
	}
	return a, err
}

// Authentication is what the customer's session proved: who, which
// session, when, and how.
type Authentication struct {
	AccountID string
	SessionID string
	AuthTime  time.Time
	Methods   []string
	AAL       int
}

// amrValues maps Frontdesk's sign-in methods to RFC 8176 values.
func amrValues(methods []string) []string {
	var out []string
	add := func(v string) {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	for _, m := range methods {
		switch m {
		case "pwd", "password":
			add("pwd")
		case "totp":
			add("otp")
		case "sms":
			add("sms")
			add("otp")
		case "email", "recovery_code":
			add("otp")
		case "passkey", "webauthn":
			add("hwk")
			add("user")
		case "":
		default:
			add(m)
		}
	}
	if len(out) > 1 {
		add("mfa")
	}
	return out
}

// completion is how a finished request is stored: the account, the
// session, when and how (amr, acr).
func (au Authentication) completion() (amr, acr string) {
	acr = ACRAAL1
	if au.AAL >= 2 {
		acr = ACRAAL2
	}
	return strings.Join(amrValues(au.Methods), ","), acr
}

// Complete records that the customer signed in and consented: the request
// may now be turned into a code by the provider's callback.
func (s *Service) Complete(ctx context.Context, id string, au Authentication) error {
	amr, acr := au.completion()
	return s.db.Write(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, `UPDATE oidc_auth_requests SET account_id = ?, session_id = ?, auth_time = ?, amr = ?, acr = ?, done = TRUE
			WHERE id = ? AND done = FALSE AND expires_at > ?`, au.AccountID, au.SessionID, au.AuthTime, amr, acr, id, tx.Now())
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrRequestNotFound
		}
		return nil
	})
}

// Deny ends a request the customer refused; the client is told
// access_denied by the callback.
func (s *Service) Deny(ctx context.Context, id string) error {
	return s.db.Write(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, "DELETE FROM oidc_auth_requests WHERE id = ?", id)
		return err
	})
}

// completingKey carries into saveCode the sign-in that finishes a
// request whose code is issued in the same step (Provider.Issue).
type completingKey struct{}

type completing struct {
	id string
	au Authentication
}

// saveCode binds a fresh code to a finished request; or, under
// Provider.Issue, finishes the request and binds its code in one write.
func (s *Service) saveCode(ctx context.Context, id, code string) error {
	return s.db.Write(ctx, func(tx *db.Tx) error {
		var res sql.Result
		var err error
		if c, ok := ctx.Value(completingKey{}).(*completing); ok && c.id == id {
			amr, acr := c.au.completion()
			res, err = tx.Exec(ctx, `UPDATE oidc_auth_requests SET account_id = ?, session_id = ?, auth_time = ?, amr = ?, acr = ?, done = TRUE,
				code_hash = ?, expires_at = ? WHERE id = ? AND done = FALSE AND code_hash IS NULL AND expires_at > ?`,
				c.au.AccountID, c.au.SessionID, c.au.AuthTime, amr, acr, hashSecret(code), tx.Now().Add(codeTTL), id, tx.Now())
		} else {
			res, err = tx.Exec(ctx, "UPDATE oidc_auth_requests SET code_hash = ?, expires_at = ? WHERE id = ? AND done = TRUE AND code_hash IS NULL",
				hashSecret(code), tx.Now().Add(codeTTL), id)
		}
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrRequestNotFound
		}
		return nil
	})
}

// requestByCode finds the request of a code being redeemed. The code is
// spent by the write that issues its tokens (spendCode), so a redemption
// costs one write transaction; a code found spent already revokes every
// token the first redemption issued (RFC 6749 §4.1.2) and fails.
func (s *Service) requestByCode(ctx context.Context, code string) (*AuthRequest, error) {
	if code == "" || len(code) > 512 {
		return nil, ErrRequestNotFound
	}
	a, err := scanRequest(s.db.QueryRowOnce(ctx, "SELECT "+requestColumns+" FROM oidc_auth_requests WHERE code_hash = ?", hashSecret(code)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrRequestNotFound
	}
	if err != nil {
		return nil, err
	}
	if a.codeUsed {
		if err := s.db.Write(ctx, func(tx *db.Tx) error { return s.codeReused(ctx, tx, a.ID, a.ClientID, a.AccountID) }); err != nil {
			return nil, err
		}
		return nil, ErrRequestNotFound
	}
	if !s.db.Now().Before(a.ExpiresAt) {
		return nil, ErrRequestNotFound
	}
	return a, nil
}

// spendCode marks the code of request id used, in the transaction that
// issues its tokens; the request is kept until its tokens' keys expire so
// that a second use is still recognised. False when the code was spent
// already (two redemptions at once): what the first issued is revoked.
func (s *Service) spendCode(ctx context.Context, tx *db.Tx, id, clientID, accountID string) (bool, error) {
	res, err := tx.Exec(ctx, "UPDATE oidc_auth_requests SET code_used_at = ?, expires_at = ? WHERE id = ? AND code_used_at IS NULL",
		tx.Now(), tx.Now().Add(keyOverlap), id)
	if err != nil {
		return false, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, s.codeReused(ctx, tx, id, clientID, accountID)
	}
	return true, nil
}

// codeReused revokes the tokens of a request whose code came back, and
// audits it.
func (s *Service) codeReused(ctx context.Context, tx *db.Tx, id, clientID, accountID string) error {
	if _, err := s.revokeWhere(ctx, tx, "auth_request_id = ?", id); err != nil {
		return err
	}
	return s.audit.Record(ctx, tx, audit.Event{Action: "oidc.code.reuse", Target: "oidc_client:" + clientID, Subject: subject(accountID),
		Outcome: audit.Denied, Details: map[string]any{"request": id}})
}
