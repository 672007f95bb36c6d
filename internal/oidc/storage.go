package oidc

import (
	"context"
	"errors"
	"slices"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/frontdesk/frontdesk/internal/identity"
)

// LoginPath is the portal page that signs the customer in for an
// authorization request (?id=…).
const LoginPath = "/oauth/login"

// storage adapts the service to the op package's Storage. Errors for the
// client are *oidc.Error values; anything else answers server_error.
type storage struct{ s *Service }

var (
	_ op.Storage                        = storage{}
	_ op.CanSetUserinfoFromRequest      = storage{}
	_ op.CanTerminateSessionFromRequest = storage{}
)

// opClient is a Client as the op package sees it.
type opClient struct{ *Client }

var _ op.Client = opClient{}

func (c opClient) GetID() string                        { return c.ID }
func (c opClient) RedirectURIs() []string               { return c.Client.RedirectURIs }
func (c opClient) PostLogoutRedirectURIs() []string     { return c.Client.PostLogoutRedirectURIs }
func (c opClient) LoginURL(id string) string            { return LoginPath + "/" + id }
func (c opClient) IDTokenLifetime() time.Duration       { return c.IDTokenTTL }
func (c opClient) DevMode() bool                        { return false }
func (c opClient) ClockSkew() time.Duration             { return 0 }
func (c opClient) IsScopeAllowed(scope string) bool     { return slices.Contains(c.Scopes, scope) }
func (c opClient) IDTokenUserinfoClaimsAssertion() bool { return true }
func (c opClient) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}
func (c opClient) GrantTypes() []oidc.GrantType {
	return []oidc.GrantType{oidc.GrantTypeCode, oidc.GrantTypeRefreshToken}
}
func (c opClient) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (c opClient) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (c opClient) ApplicationType() op.ApplicationType {
	if c.Public {
		return op.ApplicationTypeNative
	}
	return op.ApplicationTypeWeb
}
func (c opClient) AuthMethod() oidc.AuthMethod {
	switch {
	case c.Public:
		return oidc.AuthMethodNone
	case c.Client.AuthMethod == AuthPrivateKey:
		return oidc.AuthMethodPrivateKeyJWT
	case c.Client.AuthMethod == AuthSecretPost:
		return oidc.AuthMethodPost
	}
	return oidc.AuthMethodBasic
}
func (c opClient) AccessTokenType() op.AccessTokenType {
	if c.Client.AccessTokenType == "opaque" {
		return op.AccessTokenTypeBearer
	}
	return op.AccessTokenTypeJWT
}

// serverError hides a failure's details from the client; the op package
// logs the parent.
func serverError(err error) error {
	var oe *oidc.Error
	if errors.As(err, &oe) {
		return err
	}
	return oidc.ErrServerError().WithParent(err)
}

func (st storage) CreateAuthRequest(ctx context.Context, in *oidc.AuthRequest, _ string) (op.AuthRequest, error) {
	a, err := st.s.createAuthRequest(ctx, in)
	if err != nil {
		return nil, serverError(err)
	}
	return a, nil
}

func (st storage) AuthRequestByID(ctx context.Context, id string) (op.AuthRequest, error) {
	a, err := st.s.Request(ctx, id)
	if err != nil {
		return nil, err
	}
	return a, nil
}

func (st storage) AuthRequestByCode(ctx context.Context, code string) (op.AuthRequest, error) {
	a, err := st.s.requestByCode(ctx, code)
	if err != nil {
		return nil, err
	}
	return a, nil
}

func (st storage) SaveAuthCode(ctx context.Context, id, code string) error {
	return st.s.saveCode(ctx, id, code)
}

// DeleteAuthRequest keeps a redeemed request until it expires: a second
// use of its code must still be recognised.
func (st storage) DeleteAuthRequest(context.Context, string) error { return nil }

func (st storage) CreateAccessToken(ctx context.Context, req op.TokenRequest) (string, time.Time, error) {
	return st.s.createAccessToken(ctx, req)
}

func (st storage) CreateAccessAndRefreshTokens(ctx context.Context, req op.TokenRequest, current string) (string, string, time.Time, error) {
	return st.s.createTokens(ctx, req, current)
}

func (st storage) TokenRequestByRefreshToken(ctx context.Context, token string) (op.RefreshTokenRequest, error) {
	r, err := st.s.refreshByToken(ctx, token)
	if err != nil {
		return nil, err
	}
	return r, nil
}

func (st storage) TerminateSession(ctx context.Context, userID, clientID string) error {
	return nil // TerminateSessionFromRequest is used instead
}

func (st storage) RevokeToken(ctx context.Context, tokenOrID, userID, clientID string) *oidc.Error {
	if err := st.s.revoke(ctx, tokenOrID, userID, clientID); err != nil {
		return oidc.ErrServerError().WithParent(err)
	}
	return nil
}

func (st storage) GetRefreshTokenInfo(ctx context.Context, clientID, token string) (string, string, error) {
	r, err := scanToken(st.s.db.QueryRowOnce(ctx, "SELECT "+tokenColumns+" FROM oidc_tokens WHERE token_hash = ? AND kind = 'refresh'", hashSecret(token)))
	if err != nil || r.clientID != clientID {
		return "", "", op.ErrInvalidRefreshToken
	}
	return r.accountID, r.id, nil
}

func (st storage) SigningKey(ctx context.Context) (op.SigningKey, error) {
	ks, err := st.s.keySet(ctx)
	if err != nil {
		return nil, err
	}
	return ks.active, nil
}

// SignatureAlgorithms are those of the published keys, the signing key's
// first (discovery's id_token_signing_alg_values_supported).
func (st storage) SignatureAlgorithms(ctx context.Context) ([]jose.SignatureAlgorithm, error) {
	ks, err := st.s.keySet(ctx)
	if err != nil {
		return nil, err
	}
	return ks.algs(), nil
}

func (st storage) KeySet(ctx context.Context) ([]op.Key, error) {
	ks, err := st.s.keySet(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]op.Key, len(ks.all))
	for i, k := range ks.all {
		out[i] = publicKey{k}
	}
	return out, nil
}

func (st storage) GetClientByClientID(ctx context.Context, id string) (op.Client, error) {
	c, err := st.s.Client(ctx, id)
	if errors.Is(err, ErrClientNotFound) {
		return nil, err
	}
	if err != nil {
		return nil, oidc.ErrServerError().WithParent(err)
	}
	return opClient{c}, nil
}

func (st storage) AuthorizeClientIDSecret(ctx context.Context, id, secret string) error {
	c, err := st.s.Client(ctx, id)
	if errors.Is(err, ErrClientNotFound) {
		return oidc.ErrInvalidClient()
	}
	if err != nil {
		return oidc.ErrServerError().WithParent(err)
	}
	if !c.checkSecret(secret) {
		return oidc.ErrInvalidClient()
	}
	return nil
}

func (st storage) SetUserinfoFromScopes(context.Context, *oidc.UserInfo, string, string, []string) error {
	return nil // deprecated by the op package; SetUserinfoFromRequest fills the ID token
}

// SetUserinfoFromRequest fills the ID token's claims and its sid.
func (st storage) SetUserinfoFromRequest(ctx context.Context, info *oidc.UserInfo, req op.IDTokenRequest, scopes []string) error {
	var sid string
	switch r := req.(type) {
	case *AuthRequest:
		sid = r.SessionID
	case *refreshRequest:
		sid = r.sessionID
	}
	if sid != "" {
		info.AppendClaims("sid", sid)
	}
	return st.s.setClaims(ctx, info, req.GetSubject(), scopes)
}

// SetUserinfoFromToken answers /userinfo for a live access token.
func (st storage) SetUserinfoFromToken(ctx context.Context, info *oidc.UserInfo, tokenID, subject, _ string) error {
	t, err := st.s.accessToken(ctx, tokenID)
	if err != nil || t.accountID != subject {
		return oidc.ErrAccessDenied().WithDescription("the access token is not valid")
	}
	return st.s.setClaims(ctx, info, t.accountID, t.scopes)
}

// SetIntrospectionFromToken answers RFC 7662 for the client the token was
// issued to; to any other client every token is inactive.
func (st storage) SetIntrospectionFromToken(ctx context.Context, resp *oidc.IntrospectionResponse, tokenID, subject, clientID string) error {
	t, err := st.s.accessToken(ctx, tokenID)
	if err != nil || t.accountID != subject || t.clientID != clientID {
		resp.Active = false
		return nil
	}
	resp.Active = true
	resp.Scope = oidc.SpaceDelimitedArray(t.scopes)
	resp.ClientID = t.clientID
	resp.TokenType = oidc.BearerToken
	resp.Expiration = oidc.FromTime(t.expiresAt)
	resp.Subject = t.accountID
	resp.Audience = oidc.Audience{t.clientID}
	resp.Issuer = st.s.issuer
	resp.JWTID = t.id
	resp.AuthTime = oidc.FromTime(t.authTime)
	resp.AuthenticationMethodsReferences = t.amr
	return nil
}

func (st storage) GetPrivateClaimsFromScopes(context.Context, string, string, []string) (map[string]any, error) {
	return nil, nil
}

// GetKeyByIDAndClientID gives the public key that verifies a
// private_key_jwt client's assertion: the key of its registered JWK set
// with that kid (or its only key when the assertion names none), inline
// or fetched from its jwks_uri.
func (st storage) GetKeyByIDAndClientID(ctx context.Context, keyID, clientID string) (*jose.JSONWebKey, error) {
	c, err := st.s.Client(ctx, clientID)
	if errors.Is(err, ErrClientNotFound) {
		return nil, oidc.ErrInvalidClient()
	}
	if err != nil {
		return nil, oidc.ErrServerError().WithParent(err)
	}
	if c.AuthMethod != AuthPrivateKey {
		return nil, oidc.ErrInvalidClient().WithDescription("the client does not use private_key_jwt")
	}
	var key *jose.JSONWebKey
	if c.JWKSURI != "" {
		key, err = st.s.remote.key(ctx, c.JWKSURI, keyID)
		if err != nil {
			st.s.log.WarnContext(ctx, "oidc: a client's jwks_uri", "client", c.ID, "err", err)
			return nil, oidc.ErrInvalidClient().WithDescription("the client's public keys could not be fetched from its jwks_uri")
		}
	} else {
		set, err := parseJWKS(c.JWKS)
		if err != nil {
			return nil, oidc.ErrServerError().WithParent(err)
		}
		key = findKey(set, keyID)
	}
	if key == nil {
		return nil, oidc.ErrInvalidClient().WithDescription("no registered key with this kid")
	}
	return key, nil
}

func (st storage) ValidateJWTProfileScopes(context.Context, string, []string) ([]string, error) {
	return nil, oidc.ErrUnsupportedGrantType()
}

func (st storage) Health(ctx context.Context) error { return st.s.db.Ping(ctx) }

// browserKey carries the signed-in browser's principal into the end
// session endpoint.
type browserKey struct{}

// WithBrowser returns ctx carrying the principal of the browser session
// that called the end session endpoint, if any.
func WithBrowser(ctx context.Context, p *identity.Principal) context.Context {
	return context.WithValue(ctx, browserKey{}, p)
}

// TerminateSessionFromRequest serves RP-initiated logout. With an
// id_token_hint naming the signed-in customer, the Frontdesk session ends
// and with it every RP session; without a hint nothing ends here and the
// customer is asked on Frontdesk's own sign-out page.
func (st storage) TerminateSessionFromRequest(ctx context.Context, req *op.EndSessionRequest) (string, error) {
	p, _ := ctx.Value(browserKey{}).(*identity.Principal)
	if req.IDTokenHintClaims == nil {
		return LogoutPath, nil
	}
	sid := req.IDTokenHintClaims.SessionID
	if p != nil && p.AccountID == req.UserID {
		if err := st.s.accounts.EndSession(ctx, p, p.Session.ID); err != nil && !errors.Is(err, identity.ErrNotFound) {
			return "", oidc.ErrServerError().WithParent(err)
		}
		sid = p.Session.ID
	}
	if sid != "" {
		if err := st.s.endRPSessions(ctx, []string{sid}); err != nil {
			return "", oidc.ErrServerError().WithParent(err)
		}
	}
	return req.RedirectURI, nil
}

// LogoutPath is Frontdesk's own sign-out page, where a logout without an
// id_token_hint lands.
const LogoutPath = "/oauth/logout"
