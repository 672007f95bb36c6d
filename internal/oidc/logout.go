package oidc

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/zitadel/oidc/v3/pkg/crypto"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
)

// rpSession is a client signed in through a Frontdesk session.
type rpSession struct {
	sessionID, clientID, accountID, backchannel string
}

// EndSessions ends the relying-party sessions that hang on the given
// Frontdesk sessions: their tokens are revoked and each client with a
// back-channel logout URI is sent a logout token.
func (s *Service) endRPSessions(ctx context.Context, sessionIDs []string) error {
	if len(sessionIDs) == 0 {
		return nil
	}
	var ended []rpSession
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		ended = nil
		in := strings.TrimSuffix(strings.Repeat("?, ", len(sessionIDs)), ", ")
		args := make([]any, len(sessionIDs))
		for i, id := range sessionIDs {
			args[i] = id
		}
		rows, err := tx.Query(ctx, `SELECT r.session_id, r.client_id, r.account_id, c.backchannel_logout_uri FROM oidc_rp_sessions r
			JOIN oidc_clients c ON c.id = r.client_id WHERE r.session_id IN (`+in+`)`, args...)
		ended, err = db.Collect(rows, err, func(r db.Scanner) (x rpSession, err error) {
			err = r.Scan(&x.sessionID, &x.clientID, &x.accountID, &x.backchannel)
			return x, err
		})
		if err != nil {
			return err
		}
		if _, err := s.revokeWhere(ctx, tx, "session_id IN ("+in+")", args...); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM oidc_rp_sessions WHERE session_id IN ("+in+")", args...); err != nil {
			return err
		}
		for _, x := range ended {
			err := s.audit.Record(ctx, tx, audit.Event{Action: "oidc.session.end", Target: "oidc_client:" + x.clientID, Subject: subject(x.accountID),
				Details: map[string]any{"session": x.sessionID}})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.backchannel(ctx, ended)
	return nil
}

// backchannel posts a logout token to every client that asked for one
// (OpenID Connect Back-Channel Logout 1.0), concurrently, each with the
// client's timeout. A client that does not answer is logged: its tokens
// are revoked already.
func (s *Service) backchannel(ctx context.Context, ended []rpSession) {
	var wg sync.WaitGroup
	for _, x := range ended {
		if x.backchannel == "" {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.sendLogout(ctx, x); err != nil {
				s.log.WarnContext(ctx, "back-channel logout not delivered", "client", x.clientID, "error", err.Error())
			}
		}()
	}
	wg.Wait()
}

func (s *Service) sendLogout(ctx context.Context, x rpSession) error {
	ks, err := s.keySet(ctx)
	if err != nil {
		return err
	}
	signer, err := op.SignerFromKey(ks.active)
	if err != nil {
		return err
	}
	claims := oidc.NewLogoutTokenClaims(s.issuer, x.accountID, oidc.Audience{x.clientID}, time.Now().Add(2*time.Minute), newID(), x.sessionID, 0)
	token, err := crypto.Sign(claims, signer)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, x.backchannel, strings.NewReader(url.Values{"logout_token": {token}}.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := s.client.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return &statusError{code: resp.StatusCode}
	}
	return nil
}

type statusError struct{ code int }

func (e *statusError) Error() string { return "the client answered " + http.StatusText(e.code) }

// SessionEnded ends the relying-party sessions of a Frontdesk session that
// was just ended on this node (sign-out), without waiting for the sweep.
func (s *Service) SessionEnded(ctx context.Context, sessionID string) error {
	return s.endRPSessions(ctx, []string{sessionID})
}

// Sweep ends the relying-party sessions whose Frontdesk session has ended
// in any way (signed out, ended by staff, expired) and deletes expired
// requests and tokens. Every node may run it: each step is idempotent.
func (s *Service) Sweep(ctx context.Context) error {
	var ids []string
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, "SELECT DISTINCT session_id FROM oidc_rp_sessions")
		ids, err = db.Collect(rows, err, db.Value[string])
		return err
	})
	if err != nil {
		return err
	}
	for len(ids) > 0 {
		batch := ids[:min(len(ids), 200)]
		ids = ids[len(batch):]
		live, err := s.accounts.LiveSessions(ctx, batch)
		if err != nil {
			return err
		}
		var dead []string
		for _, id := range batch {
			if !live[id] {
				dead = append(dead, id)
			}
		}
		if err := s.endRPSessions(ctx, dead); err != nil {
			return err
		}
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		now := tx.Now()
		if _, err := tx.Exec(ctx, "DELETE FROM oidc_auth_requests WHERE expires_at <= ?", now); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM oidc_client_assertions WHERE expires_at <= ?", now); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "DELETE FROM oidc_tokens WHERE expires_at <= ?", now.Add(-time.Hour))
		return err
	})
}
