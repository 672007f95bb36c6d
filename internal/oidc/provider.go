package oidc

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"
)

// The provider's endpoints, all under /oauth/ but discovery.
const (
	DiscoveryPath     = "/.well-known/openid-configuration"
	AuthorizePath     = "/oauth/authorize"
	CallbackPath      = "/oauth/authorize/callback"
	TokenPath         = "/oauth/token"
	IntrospectionPath = "/oauth/introspect"
	UserinfoPath      = "/oauth/userinfo"
	RevocationPath    = "/oauth/revoke"
	EndSessionPath    = "/oauth/end_session"
	KeysPath          = "/oauth/keys"
)

// Provider is the op package's provider over this service's storage.
type Provider struct {
	s  *Service
	op *op.Provider
}

// Provider builds the protocol handler. cryptoKey encrypts opaque access
// tokens (their id and subject); every node must be given the same.
func (s *Service) Provider(cryptoKey [32]byte) (*Provider, error) {
	cfg := &op.Config{
		CryptoKey:                         cryptoKey,
		DefaultLogoutRedirectURI:          "/signin?notice=signedout",
		CodeMethodS256:                    true,
		AuthMethodPost:                    true,
		AuthMethodPrivateKeyJWT:           true,
		GrantTypeRefreshToken:             true,
		SupportedUILocales:                []language.Tag{language.English, language.Vietnamese, language.SimplifiedChinese},
		SupportedScopes:                   Scopes,
		BackChannelLogoutSupported:        true,
		BackChannelLogoutSessionSupported: true,
	}
	opts := []op.Option{
		op.WithCustomEndpoints(op.NewEndpoint(AuthorizePath[1:]), op.NewEndpoint(TokenPath[1:]), op.NewEndpoint(UserinfoPath[1:]),
			op.NewEndpoint(RevocationPath[1:]), op.NewEndpoint(EndSessionPath[1:]), op.NewEndpoint(KeysPath[1:])),
		op.WithCustomIntrospectionEndpoint(op.NewEndpoint(IntrospectionPath[1:])),
		op.WithLogger(s.log),
	}
	if u, err := url.Parse(s.issuer); err == nil && u.Scheme == "http" {
		// Plain HTTP is for development and tests; the operator is warned
		// about a non-loopback http base URL at start.
		opts = append(opts, op.WithAllowInsecure())
	}
	p, err := op.NewProvider(cfg, storage{s}, op.StaticIssuer(s.issuer), opts...)
	if err != nil {
		return nil, err
	}
	return &Provider{s: s, op: p}, nil
}

// ServeHTTP serves the protocol endpoints. A client assertion presented
// a second time is refused here, before the op package sees it.
func (p *Provider) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r = r.WithContext(WithClientMemo(r.Context()))
	if r.Method == http.MethodPost && (r.URL.Path == TokenPath || r.URL.Path == IntrospectionPath || r.URL.Path == RevocationPath) {
		if err := p.checkAssertion(r); err != nil {
			op.RequestError(w, r, err, p.s.log)
			return
		}
	}
	p.op.ServeHTTP(w, r)
}

// FormPost is a response_mode=form_post answer: the fields to post to the
// client's redirect URI, by a page Frontdesk renders (the op package's own
// page runs an inline script that Frontdesk's CSP forbids).
type FormPost struct {
	Action string
	Fields []FormField
	Client *Client
}

// FormField is one hidden field of a FormPost.
type FormField struct{ Name, Value string }

// Callback issues the code of a finished authorization request. For a
// form_post request it returns the form for the browser to post; for any
// other it has answered itself (a redirect, or the op package's error)
// and returns nil.
func (p *Provider) Callback(w http.ResponseWriter, r *http.Request) (*FormPost, error) {
	r = r.WithContext(WithClientMemo(r.Context()))
	ctx := r.Context()
	a, err := p.s.Request(ctx, r.URL.Query().Get("id"))
	if err != nil || a.ResponseMode != string(oidc.ResponseModeFormPost) || !a.IsDone {
		p.op.ServeHTTP(w, r)
		return nil, nil
	}
	c, err := p.s.Client(ctx, a.ClientID)
	if err != nil {
		return nil, err
	}
	res, err := op.BuildAuthResponseCodeResponsePayload(op.ContextWithIssuer(ctx, p.s.issuer), a, p.op)
	if err != nil {
		return nil, err
	}
	fp := &FormPost{Action: a.RedirectURI, Client: c, Fields: []FormField{{"code", res.Code}}}
	if res.State != "" {
		fp.Fields = append(fp.Fields, FormField{"state", res.State})
	}
	fp.Fields = append(fp.Fields, FormField{"iss", p.s.issuer})
	return fp, nil
}

// Issue finishes a request that the customer's session satisfies as it
// stands (no page was shown) and issues its code at once: the request is
// marked done and bound to its code in one write, and the browser goes
// straight back to the client, instead of Complete, a redirect to the
// callback, and the callback's own write. It returns the client's
// redirect URI with the code (response_mode query) or the form to post
// (form_post). ErrRequestNotFound: the request expired or was finished
// meanwhile.
func (p *Provider) Issue(ctx context.Context, a *AuthRequest, au Authentication) (string, *FormPost, error) {
	done := *a
	done.AccountID, done.SessionID, done.AuthTime, done.IsDone = au.AccountID, au.SessionID, au.AuthTime, true
	ctx = context.WithValue(op.ContextWithIssuer(ctx, p.s.issuer), completingKey{}, &completing{id: a.ID, au: au})
	res, err := op.BuildAuthResponseCodeResponsePayload(ctx, &done, p.op)
	if errors.Is(err, ErrRequestNotFound) {
		return "", nil, ErrRequestNotFound
	}
	if err != nil {
		return "", nil, err
	}
	if done.ResponseMode == string(oidc.ResponseModeFormPost) {
		c, err := p.s.Client(ctx, done.ClientID)
		if err != nil {
			return "", nil, err
		}
		fp := &FormPost{Action: done.RedirectURI, Client: c, Fields: []FormField{{"code", res.Code}}}
		if res.State != "" {
			fp.Fields = append(fp.Fields, FormField{"state", res.State})
		}
		fp.Fields = append(fp.Fields, FormField{"iss", p.s.issuer})
		return "", fp, nil
	}
	u, err := op.AuthResponseURL(done.RedirectURI, oidc.ResponseTypeCode, oidc.ResponseMode(done.ResponseMode), res, p.op.Encoder())
	return u, nil, err
}

// Discovery serves /.well-known/openid-configuration. The op package's
// document lists the implicit flow, the plain PKCE method and endpoints
// this provider does not serve; Frontdesk's lists what it does: the code
// flow, S256, refresh tokens.
func (p *Provider) Discovery(w http.ResponseWriter, r *http.Request) {
	ctx := op.ContextWithIssuer(r.Context(), p.s.issuer)
	d := op.CreateDiscoveryConfig(ctx, p.op, storage{p.s})
	d.ResponseTypesSupported = []string{string(oidc.ResponseTypeCode)}
	d.ResponseModesSupported = []string{string(oidc.ResponseModeQuery), string(oidc.ResponseModeFormPost)}
	d.GrantTypesSupported = []oidc.GrantType{oidc.GrantTypeCode, oidc.GrantTypeRefreshToken}
	d.CodeChallengeMethodsSupported = []oidc.CodeChallengeMethod{oidc.CodeChallengeMethodS256}
	d.DeviceAuthorizationEndpoint, d.CheckSessionIframe = "", ""
	d.TokenEndpointAuthMethodsSupported = []oidc.AuthMethod{oidc.AuthMethodBasic, oidc.AuthMethodPost, oidc.AuthMethodPrivateKeyJWT, oidc.AuthMethodNone}
	d.IntrospectionEndpointAuthMethodsSupported = []oidc.AuthMethod{oidc.AuthMethodBasic, oidc.AuthMethodPost, oidc.AuthMethodPrivateKeyJWT}
	d.RevocationEndpointAuthMethodsSupported = d.TokenEndpointAuthMethodsSupported
	d.TokenEndpointAuthSigningAlgValuesSupported = AssertionSigningAlgs
	d.IntrospectionEndpointAuthSigningAlgValuesSupported = AssertionSigningAlgs
	d.RevocationEndpointAuthSigningAlgValuesSupported = AssertionSigningAlgs
	d.RequestParameterSupported, d.RequestURIParameterSupported = false, false
	d.ACRValuesSupported = []string{ACRAAL1, ACRAAL2}
	d.ClaimsSupported = []string{"sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr", "sid", "at_hash", "c_hash",
		"name", "locale", "email", "email_verified", "phone_number", "phone_number_verified"}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	json.NewEncoder(w).Encode(d)
}

// jwksCacheControl is how long a client may cache the JWKS. A key made by a
// rotation signs at once; clients fetch the set again when a token names
// a kid they do not know (every certified library does), so the cache
// only saves requests.
const jwksCacheControl = "public, max-age=300"

// Keys serves the JWKS (GET /oauth/keys) from the node's copy of the key
// table, marshalled once per reload, with an ETag: a client revalidating
// gets 304 Not Modified.
func (p *Provider) Keys(w http.ResponseWriter, r *http.Request) {
	ks, err := p.s.keySet(r.Context())
	if err != nil {
		p.s.log.ErrorContext(r.Context(), "oidc: key set", "err", err)
		http.Error(w, `{"error":"server_error"}`, http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Cache-Control", jwksCacheControl)
	h.Set("ETag", ks.etag)
	h.Set("Access-Control-Allow-Origin", "*")
	if inm := r.Header.Get("If-None-Match"); inm != "" && etagMatch(inm, ks.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", "application/json")
	w.Write(ks.jwks)
}

// etagMatch reports whether an If-None-Match header names etag.
func etagMatch(header, etag string) bool {
	for _, v := range strings.Split(header, ",") {
		v = strings.TrimPrefix(strings.TrimSpace(v), "W/")
		if v == etag || v == "*" {
			return true
		}
	}
	return false
}

// CheckAuthorize validates what an authorization request must get right
// before any error can be sent back to the client: a known client and a
// redirect URI registered for it, compared as exact strings. The op
// package would answer these in plain text; Frontdesk shows its own page.
func (p *Provider) CheckAuthorize(r *http.Request) (*Client, error) {
	q := r.URL.Query()
	c, err := p.s.Client(r.Context(), q.Get("client_id"))
	if err != nil {
		return nil, err
	}
	for _, u := range c.RedirectURIs {
		if u == q.Get("redirect_uri") {
			return c, nil
		}
	}
	return c, ErrRedirectMismatch
}
