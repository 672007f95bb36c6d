package oidc

import (
	"context"
	"net/http"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/frontdesk/frontdesk/internal/db"
)

// assertionMaxLife bounds how far ahead a client assertion may expire, so
// that the jti kept to refuse its replay is kept for at most this long.
const assertionMaxLife = time.Hour

// AssertionSigningAlgs are the algorithms a private_key_jwt client may
// sign its assertions with (those the op package's verifier accepts).
var AssertionSigningAlgs = []string{"RS256", "ES256", "PS256"}

// checkAssertion refuses a replayed client assertion (RFC 7523 §3, RFC
// 7521 §5.2): once an assertion has been verified (by the op package's
// own verifier, against the client's registered keys) its jti is kept
// until it expires, and the same jti from the same client is refused.
// The op package verifies assertions but keeps no jti, hence this step
// before the request reaches it. A request without an assertion, or one
// that does not verify, is left to the op package to answer.
func (p *Provider) checkAssertion(r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return nil // the op package answers invalid_request
	}
	assertion := r.PostForm.Get("client_assertion")
	if assertion == "" || r.PostForm.Get("client_assertion_type") != oidc.ClientAssertionTypeJWTAssertion {
		return nil
	}
	ctx := r.Context()
	req, err := op.VerifyJWTAssertion(ctx, assertion, op.NewJWTProfileVerifier(storage{p.s}, p.s.issuer, time.Hour, time.Second))
	if err != nil {
		return nil
	}
	bad := oidc.ErrInvalidClient()
	switch exp := req.ExpiresAt.AsTime(); {
	case req.JWTID == "" || len(req.JWTID) > 200:
		return bad.WithDescription("the client assertion must carry a jti")
	case exp.After(p.s.db.Now().Add(assertionMaxLife)):
		return bad.WithDescription("the client assertion must expire within an hour")
	}
	fresh, err := p.s.spendAssertion(ctx, req.Issuer, req.JWTID, req.ExpiresAt.AsTime())
	if err != nil {
		return oidc.ErrServerError().WithParent(err)
	}
	if !fresh {
		return bad.WithDescription("the client assertion was used already")
	}
	return nil
}

// spendAssertion records a client assertion's jti; false when it was
// recorded already.
func (s *Service) spendAssertion(ctx context.Context, clientID, jti string, exp time.Time) (bool, error) {
	var n int64
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, `INSERT INTO oidc_client_assertions (client_id, jti, expires_at) VALUES (?, ?, ?)
			ON CONFLICT (client_id, jti) DO NOTHING`, clientID, jti, exp.UTC())
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n == 1, err
}
