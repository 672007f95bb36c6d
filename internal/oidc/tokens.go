package oidc

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
)

// grant is what every token of a family carries from the code exchange
// that began it.
type grant struct {
	familyID      string
	clientID      string
	accountID     string
	sessionID     string
	authRequestID string
	scopes        []string
	amr           []string
	authTime      time.Time
	// fromCode: the grant begins with this redemption of a code, which
	// the write issuing the tokens spends.
	fromCode bool
}

// refreshRequest is a refresh token being redeemed.
type refreshRequest struct {
	grant
	tokenID string
}

func (r *refreshRequest) GetAMR() []string             { return r.amr }
func (r *refreshRequest) GetAudience() []string        { return []string{r.clientID} }
func (r *refreshRequest) GetAuthTime() time.Time       { return r.authTime }
func (r *refreshRequest) GetClientID() string          { return r.clientID }
func (r *refreshRequest) GetScopes() []string          { return r.scopes }
func (r *refreshRequest) GetSubject() string           { return r.accountID }
func (r *refreshRequest) SetCurrentScopes(sc []string) { r.scopes = sc }

// grantOf returns the grant behind a token request of the op package.
func grantOf(req op.TokenRequest) (grant, error) {
	switch r := req.(type) {
	case *AuthRequest:
		return grant{familyID: newID(), clientID: r.ClientID, accountID: r.AccountID, sessionID: r.SessionID, authRequestID: r.ID,
			scopes: r.Scopes, amr: r.AMR, authTime: r.AuthTime, fromCode: true}, nil
	case *refreshRequest:
		return r.grant, nil
	}
	return grant{}, oidc.ErrUnsupportedGrantType()
}

// insertToken writes one token of g's family.
func (s *Service) insertToken(ctx context.Context, tx *db.Tx, g grant, kind string, hash []byte, ttl time.Duration) (string, time.Time, error) {
	id, exp := newID(), tx.Now().Add(ttl)
	_, err := tx.Exec(ctx, `INSERT INTO oidc_tokens (id, family_id, kind, token_hash, client_id, account_id, session_id, auth_request_id,
		scopes, amr, auth_time, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		id, g.familyID, kind, hash, g.clientID, g.accountID, g.sessionID, g.authRequestID, strings.Join(g.scopes, " "),
		strings.Join(g.amr, ","), g.authTime, tx.Now(), exp)
	return id, exp, err
}

// remember records that the client now holds tokens of the session, for
// back-channel logout.
func (s *Service) remember(ctx context.Context, tx *db.Tx, g grant) error {
	_, err := tx.Exec(ctx, `INSERT INTO oidc_rp_sessions (session_id, client_id, account_id, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (session_id, client_id) DO NOTHING`, g.sessionID, g.clientID, g.accountID, tx.Now())
	return err
}

func (s *Service) createAccessToken(ctx context.Context, req op.TokenRequest) (string, time.Time, error) {
	g, err := grantOf(req)
	if err != nil {
		return "", time.Time{}, err
	}
	c, err := s.Client(ctx, g.clientID)
	if err != nil {
		return "", time.Time{}, err
	}
	var id string
	var exp time.Time
	var reused bool
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		reused = false
		if g.fromCode {
			fresh, err := s.spendCode(ctx, tx, g.authRequestID, g.clientID, g.accountID)
			if err != nil || !fresh {
				reused = !fresh
				return err
			}
		}
		if id, exp, err = s.insertToken(ctx, tx, g, "access", nil, c.AccessTTL); err != nil {
			return err
		}
		return s.remember(ctx, tx, g)
	})
	if err == nil && reused {
		return "", time.Time{}, errCodeUsed()
	}
	return id, exp, err
}

// errCodeUsed: a code redeemed twice at once; the second redemption
// revoked what the first issued.
func errCodeUsed() error { return oidc.ErrInvalidGrant().WithDescription("the code was used already") }

// createTokens issues an access token and a refresh token. Redeeming a
// refresh token (current) rotates it: the old one is marked used in the
// same transaction, and if it already was, the family is revoked.
func (s *Service) createTokens(ctx context.Context, req op.TokenRequest, current string) (string, string, time.Time, error) {
	g, err := grantOf(req)
	if err != nil {
		return "", "", time.Time{}, err
	}
	c, err := s.Client(ctx, g.clientID)
	if err != nil {
		return "", "", time.Time{}, err
	}
	refresh := newSecret()
	var id string
	var exp time.Time
	var reused bool
	var codeUsed bool
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		reused, codeUsed = false, false
		if g.fromCode {
			fresh, err := s.spendCode(ctx, tx, g.authRequestID, g.clientID, g.accountID)
			if err != nil || !fresh {
				codeUsed = !fresh
				return err
			}
		}
		if current != "" {
			res, err := tx.Exec(ctx, "UPDATE oidc_tokens SET used_at = ? WHERE token_hash = ? AND kind = 'refresh' AND used_at IS NULL AND revoked_at IS NULL",
				tx.Now(), hashSecret(current))
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				reused = true
				return s.reuseDetected(ctx, tx, g)
			}
		}
		if id, exp, err = s.insertToken(ctx, tx, g, "access", nil, c.AccessTTL); err != nil {
			return err
		}
		ttl := c.RefreshTTL
		if current != "" {
			// A rotated family keeps the lifetime of its first token: rotation
			// never extends how long a grant lasts.
			var first time.Time
			if err := tx.QueryRow(ctx, "SELECT created_at FROM oidc_tokens WHERE family_id = ? AND kind = 'refresh' ORDER BY created_at LIMIT 1", g.familyID).Scan(&first); err == nil {
				ttl = first.Add(c.RefreshTTL).Sub(tx.Now())
			}
		}
		if _, _, err := s.insertToken(ctx, tx, g, "refresh", hashSecret(refresh), ttl); err != nil {
			return err
		}
		return s.remember(ctx, tx, g)
	})
	switch {
	case err == nil && reused:
		return "", "", time.Time{}, oidc.ErrInvalidGrant().WithDescription("refresh token already used")
	case err == nil && codeUsed:
		return "", "", time.Time{}, errCodeUsed()
	}
	return id, refresh, exp, err
}

// reuseDetected revokes a family whose refresh token came back after it
// was rotated: either the client or an attacker holds a stolen copy, and
// neither can be told apart (RFC 9700 §4.14.2).
func (s *Service) reuseDetected(ctx context.Context, tx *db.Tx, g grant) error {
	if _, err := s.revokeWhere(ctx, tx, "family_id = ?", g.familyID); err != nil {
		return err
	}
	return s.audit.Record(ctx, tx, audit.Event{Action: "oidc.refresh.reuse", Target: "oidc_client:" + g.clientID, Subject: subject(g.accountID),
		Outcome: audit.Denied, Details: map[string]any{"family": g.familyID}})
}

// revokeWhere revokes every live token matching cond.
func (s *Service) revokeWhere(ctx context.Context, tx *db.Tx, cond string, args ...any) (int64, error) {
	res, err := tx.Exec(ctx, "UPDATE oidc_tokens SET revoked_at = ? WHERE revoked_at IS NULL AND "+cond, append([]any{tx.Now()}, args...)...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

const tokenColumns = `id, family_id, client_id, account_id, session_id, auth_request_id, scopes, amr, auth_time, expires_at,
	used_at IS NOT NULL, revoked_at IS NOT NULL`

type tokenRow struct {
	grant
	id            string
	expiresAt     time.Time
	used, revoked bool
}

func scanToken(row db.Scanner) (*tokenRow, error) {
	var t tokenRow
	var scopes, amr string
	err := row.Scan(&t.id, &t.familyID, &t.clientID, &t.accountID, &t.sessionID, &t.authRequestID, &scopes, &amr, &t.authTime,
		&t.expiresAt, &t.used, &t.revoked)
	t.scopes, t.amr, t.authTime = strings.Fields(scopes), splitList(amr), t.authTime.UTC()
	return &t, err
}

// refreshByToken redeems a refresh token: unknown, expired and revoked
// ones fail; one already rotated revokes its family; one whose Frontdesk
// session has ended revokes its family too.
func (s *Service) refreshByToken(ctx context.Context, token string) (*refreshRequest, error) {
	bad := oidc.ErrInvalidGrant().WithDescription("invalid refresh token")
	if token == "" || len(token) > 100 {
		return nil, bad
	}
	t, err := scanToken(s.db.QueryRowOnce(ctx, "SELECT "+tokenColumns+" FROM oidc_tokens WHERE token_hash = ? AND kind = 'refresh'", hashSecret(token)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, bad
	}
	if err != nil {
		return nil, err
	}
	if t.revoked || !s.db.Now().Before(t.expiresAt) {
		return nil, bad
	}
	if t.used {
		if err := s.db.Write(ctx, func(tx *db.Tx) error { return s.reuseDetected(ctx, tx, t.grant) }); err != nil {
			return nil, err
		}
		return nil, oidc.ErrInvalidGrant().WithDescription("refresh token already used")
	}
	live, err := s.accounts.LiveSessions(ctx, []string{t.sessionID})
	if err != nil {
		return nil, err
	}
	if !live[t.sessionID] {
		if err := s.endRPSessions(ctx, []string{t.sessionID}); err != nil {
			return nil, err
		}
		return nil, oidc.ErrInvalidGrant().WithDescription("the sign-in session has ended")
	}
	return &refreshRequest{grant: t.grant, tokenID: t.id}, nil
}

// accessToken returns a live access token by id.
func (s *Service) accessToken(ctx context.Context, id string) (*tokenRow, error) {
	if id == "" || len(id) > 64 {
		return nil, ErrRequestNotFound
	}
	t, err := scanToken(s.db.QueryRowOnce(ctx, "SELECT "+tokenColumns+" FROM oidc_tokens WHERE id = ? AND kind = 'access'", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrRequestNotFound
	}
	if err != nil {
		return nil, err
	}
	if t.revoked || !s.db.Now().Before(t.expiresAt) {
		return nil, ErrRequestNotFound
	}
	return t, nil
}

// revoke serves RFC 7009: a token by id (the op package resolves an
// access token, and a refresh token through GetRefreshTokenInfo, to its
// id), or a refresh token by value. A refresh token revokes its whole
// family. A token of another client, or an unknown one, changes nothing
// and is not reported (the RFC answers 200 anyway).
func (s *Service) revoke(ctx context.Context, tokenOrID, userID, clientID string) error {
	return s.db.Write(ctx, func(tx *db.Tx) error {
		var family, account, kind string
		var err error
		if userID != "" {
			err = tx.QueryRow(ctx, "SELECT family_id, account_id, kind FROM oidc_tokens WHERE id = ? AND account_id = ? AND client_id = ?",
				tokenOrID, userID, clientID).Scan(&family, &account, &kind)
		} else {
			kind = "refresh"
			err = tx.QueryRow(ctx, "SELECT family_id, account_id FROM oidc_tokens WHERE token_hash = ? AND kind = 'refresh' AND client_id = ?",
				hashSecret(tokenOrID), clientID).Scan(&family, &account)
		}
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		if kind == "access" {
			_, err := s.revokeWhere(ctx, tx, "id = ?", tokenOrID)
			return err
		}
		if _, err := s.revokeWhere(ctx, tx, "family_id = ?", family); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, audit.Event{Action: "oidc.token.revoke", Target: "oidc_client:" + clientID, Subject: subject(account),
			Details: map[string]any{"family": family}})
	})
}
