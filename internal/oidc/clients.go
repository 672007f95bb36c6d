package oidc

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/subtle"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/fault"
)

// Scopes are the scopes a client may be allowed.
var Scopes = []string{"openid", "profile", "email", "phone", "offline_access"}

// Default token lifetimes of a new client.
const (
	DefaultAccessTTL  = 10 * time.Minute
	DefaultRefreshTTL = 30 * 24 * time.Hour
	DefaultIDTokenTTL = 10 * time.Minute
)

// ErrClientNotFound is an unknown client id.
var ErrClientNotFound = fault.New(fault.ErrNotFound, "oidc: no such client")

// Client is a relying party registered with the provider.
type Client struct {
	ID                     string   `json:"client_id"`
	Name                   string   `json:"name"`
	LogoURL                string   `json:"logo_url,omitempty"`
	Public                 bool     `json:"public"`
	FirstParty             bool     `json:"first_party"`
	RedirectURIs           []string `json:"redirect_uris"`
	PostLogoutRedirectURIs []string `json:"post_logout_redirect_uris,omitempty"`
	BackchannelLogoutURI   string   `json:"backchannel_logout_uri,omitempty"`
	Scopes                 []string `json:"scopes"`
	AccessTokenType        string   `json:"access_token_type"` // "jwt" or "opaque"
	// AuthMethod is how the client authenticates at the token,
	// introspection and revocation endpoints: one of AuthMethods.
	AuthMethod string `json:"token_endpoint_auth_method"`
	// JWKS is the public JWK set of a private_key_jwt client (JSON).
	JWKS string `json:"jwks,omitempty"`
	// JWKSURI is where a private_key_jwt client publishes its public keys,
	// instead of JWKS.
	JWKSURI    string        `json:"jwks_uri,omitempty"`
	AccessTTL  time.Duration `json:"-"`
	RefreshTTL time.Duration `json:"-"`
	IDTokenTTL time.Duration `json:"-"`
	CreatedAt  time.Time     `json:"created_at"`

	secretHash []byte
}

// Client authentication methods (token_endpoint_auth_method).
const (
	AuthSecretBasic = "client_secret_basic"
	AuthSecretPost  = "client_secret_post"
	AuthPrivateKey  = "private_key_jwt"
	AuthNone        = "none"
)

// AuthMethods are the methods a confidential client may use; a public
// client uses AuthNone.
var AuthMethods = []string{AuthSecretBasic, AuthSecretPost, AuthPrivateKey}

// UsesSecret reports whether the client authenticates with a secret.
func (c *Client) UsesSecret() bool {
	return c.AuthMethod == AuthSecretBasic || c.AuthMethod == AuthSecretPost
}

// ClientInput is what an administrator sets on a client. Zero lifetimes
// take the defaults; nil Scopes allows them all.
type ClientInput struct {
	Name                   string
	LogoURL                string
	Public                 bool
	FirstParty             bool
	RedirectURIs           []string
	PostLogoutRedirectURIs []string
	BackchannelLogoutURI   string
	Scopes                 []string
	AccessTokenType        string
	// AuthMethod is one of AuthMethods for a confidential client
	// (client_secret_basic when empty), AuthNone or empty for a public one.
	AuthMethod string
	// JWKS is the public JWK set (JSON) of a private_key_jwt client; or
	// JWKSURI, the https:// address where it publishes them (one of both).
	JWKS       string
	JWKSURI    string
	AccessTTL  time.Duration
	RefreshTTL time.Duration
	IDTokenTTL time.Duration
}

// normalize checks and cleans the input; allowLoopback lets a jwks_uri
// be http:// on loopback (the test setting).
func (in *ClientInput) normalize(allowLoopback bool) error {
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" || len(in.Name) > 100 {
		return &fault.Invalid{Field: "name", Reason: "Give the app a name of up to 100 characters."}
	}
	in.LogoURL = strings.TrimSpace(in.LogoURL)
	if in.LogoURL != "" {
		if u, err := url.Parse(in.LogoURL); err != nil || u.Scheme != "https" || u.Host == "" || len(in.LogoURL) > 500 {
			return &fault.Invalid{Field: "logo_url", Reason: "The logo must be an https:// address."}
		}
	}
	in.RedirectURIs = cleanList(in.RedirectURIs)
	if len(in.RedirectURIs) == 0 || len(in.RedirectURIs) > 20 {
		return &fault.Invalid{Field: "redirect_uris", Reason: "Give between one and 20 redirect addresses."}
	}
	for _, u := range in.RedirectURIs {
		if err := checkRedirect(u, in.Public); err != nil {
			return &fault.Invalid{Field: "redirect_uris", Reason: err.Error()}
		}
	}
	in.PostLogoutRedirectURIs = cleanList(in.PostLogoutRedirectURIs)
	for _, u := range in.PostLogoutRedirectURIs {
		if err := checkRedirect(u, in.Public); err != nil {
			return &fault.Invalid{Field: "post_logout_redirect_uris", Reason: err.Error()}
		}
	}
	in.BackchannelLogoutURI = strings.TrimSpace(in.BackchannelLogoutURI)
	if in.BackchannelLogoutURI != "" {
		if err := checkRedirect(in.BackchannelLogoutURI, false); err != nil {
			return &fault.Invalid{Field: "backchannel_logout_uri", Reason: err.Error()}
		}
	}
	if in.Scopes == nil {
		in.Scopes = slices.Clone(Scopes)
	}
	in.Scopes = cleanList(in.Scopes)
	for _, sc := range in.Scopes {
		if !slices.Contains(Scopes, sc) {
			return &fault.Invalid{Field: "scopes", Reason: "Unknown scope " + sc + "."}
		}
	}
	if !slices.Contains(in.Scopes, "openid") {
		in.Scopes = append([]string{"openid"}, in.Scopes...)
	}
	if err := in.normalizeAuth(allowLoopback); err != nil {
		return err
	}
	switch in.AccessTokenType {
	case "":
		in.AccessTokenType = "jwt"
	case "jwt", "opaque":
	default:
		return &fault.Invalid{Field: "access_token_type", Reason: "Choose jwt or opaque."}
	}
	for _, d := range []struct {
		v   *time.Duration
		def time.Duration
		max time.Duration
		f   string
	}{{&in.AccessTTL, DefaultAccessTTL, 24 * time.Hour, "access_ttl"}, {&in.RefreshTTL, DefaultRefreshTTL, 365 * 24 * time.Hour, "refresh_ttl"},
		{&in.IDTokenTTL, DefaultIDTokenTTL, 24 * time.Hour, "id_token_ttl"}} {
		if *d.v == 0 {
			*d.v = d.def
		}
		if *d.v < time.Minute || *d.v > d.max {
			return &fault.Invalid{Field: d.f, Reason: fmt.Sprintf("Choose a lifetime between one minute and %s.", d.max)}
		}
	}
	return nil
}

// normalizeAuth checks the authentication method and, for
// private_key_jwt, the public keys: an inline set, or a jwks_uri.
func (in *ClientInput) normalizeAuth(allowLoopback bool) error {
	in.AuthMethod = strings.TrimSpace(in.AuthMethod)
	in.JWKSURI = strings.TrimSpace(in.JWKSURI)
	if in.Public {
		if in.AuthMethod != "" && in.AuthMethod != AuthNone {
			return &fault.Invalid{Field: "auth_method", Reason: "A public app (mobile or browser) cannot keep a secret: it authenticates with PKCE only."}
		}
		in.AuthMethod, in.JWKS, in.JWKSURI = AuthNone, "", ""
		return nil
	}
	if in.AuthMethod == "" {
		in.AuthMethod = AuthSecretBasic
	}
	if !slices.Contains(AuthMethods, in.AuthMethod) {
		return &fault.Invalid{Field: "auth_method", Reason: "Choose client_secret_basic, client_secret_post or private_key_jwt."}
	}
	if in.AuthMethod != AuthPrivateKey {
		in.JWKS, in.JWKSURI = "", ""
		return nil
	}
	if in.JWKSURI != "" {
		if strings.TrimSpace(in.JWKS) != "" {
			return &fault.Invalid{Field: "jwks_uri", Reason: "Give either the keys' address or the keys themselves, not both."}
		}
		if err := checkJWKSURI(in.JWKSURI, allowLoopback); err != nil {
			return &fault.Invalid{Field: "jwks_uri", Reason: err.Error()}
		}
		return nil
	}
	set, err := parseJWKS(in.JWKS)
	if err != nil {
		return &fault.Invalid{Field: "jwks", Reason: err.Error()}
	}
	b, _ := json.Marshal(set)
	in.JWKS = string(b)
	return nil
}

// parseJWKS accepts a JWK set of one to ten public signing keys: RSA of
// 2,048 bits or more, or EC P-256, each with its own kid when there are
// several.
func parseJWKS(raw string) (*jose.JSONWebKeySet, error) {
	raw = strings.TrimSpace(raw)
	bad := errors.New(`Paste the app's public keys as a JWK set: {"keys":[…]} with one to ten RSA (2048 bits or more) or EC P-256 public keys.`)
	if raw == "" || len(raw) > 32<<10 {
		return nil, bad
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal([]byte(raw), &set); err != nil || len(set.Keys) == 0 || len(set.Keys) > 10 {
		return nil, bad
	}
	kids := map[string]bool{}
	for _, k := range set.Keys {
		if !k.Valid() || !k.IsPublic() {
			return nil, errors.New("Only public keys belong here: remove the private parts (d, p, q…) and never share them.")
		}
		switch pk := k.Key.(type) {
		case *rsa.PublicKey:
			if pk.N.BitLen() < 2048 {
				return nil, bad
			}
		case *ecdsa.PublicKey:
			if pk.Curve != elliptic.P256() {
				return nil, bad
			}
		default:
			return nil, bad
		}
		if k.Use != "" && k.Use != "sig" {
			return nil, errors.New(`A key's "use" must be "sig".`)
		}
		if kids[k.KeyID] || (len(set.Keys) > 1 && k.KeyID == "") {
			return nil, errors.New(`Give every key its own "kid".`)
		}
		kids[k.KeyID] = true
	}
	return &set, nil
}

func cleanList(in []string) []string {
	var out []string
	for _, v := range in {
		for _, f := range strings.Fields(v) {
			if !slices.Contains(out, f) {
				out = append(out, f)
			}
		}
	}
	return out
}

// checkRedirect accepts an absolute URI without a fragment: https, http
// on a loopback host only, or (for public clients, which are apps) a
// private-use scheme such as com.bank.app:/callback (RFC 8252).
func checkRedirect(raw string, public bool) error {
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || len(raw) > 1000 {
		return errors.New("Each address must be a full URL such as https://app.example/callback.")
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		return errors.New("An address may not contain a fragment (#).")
	}
	switch u.Scheme {
	case "https":
		if u.Host == "" {
			return errors.New("Each address must name a host.")
		}
	case "http":
		host := u.Hostname()
		if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return errors.New("Plain http:// is allowed only for localhost; use https://.")
		}
	default:
		if !public || !strings.Contains(u.Scheme, ".") {
			return errors.New("Use https://, http://localhost, or (for an app) a reverse-domain scheme such as com.example.app:/callback.")
		}
	}
	return nil
}

// AddClient registers a client. For a confidential client the secret is
// returned here, once; only its hash is kept.
func (s *Service) AddClient(ctx context.Context, in ClientInput) (*Client, string, error) {
	if err := in.normalize(s.remote.allowLoopback); err != nil {
		return nil, "", fmt.Errorf("oidc: %w", err)
	}
	c := clientFrom(in)
	c.ID = newID()
	var secret string
	if c.UsesSecret() {
		secret = newSecret()
		c.secretHash = hashSecret(secret)
	}
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		c.CreatedAt = tx.Now()
		_, err := tx.Exec(ctx, `INSERT INTO oidc_clients (id, name, logo_url, secret_hash, public, first_party, redirect_uris,
			post_logout_redirect_uris, backchannel_logout_uri, scopes, access_token_type, access_ttl_seconds, refresh_ttl_seconds,
			id_token_ttl_seconds, created_at, updated_at, auth_method, jwks, jwks_uri) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.ID, c.Name, c.LogoURL, c.secretHash, c.Public, c.FirstParty, strings.Join(c.RedirectURIs, " "),
			strings.Join(c.PostLogoutRedirectURIs, " "), c.BackchannelLogoutURI, strings.Join(c.Scopes, " "), c.AccessTokenType,
			int64(c.AccessTTL/time.Second), int64(c.RefreshTTL/time.Second), int64(c.IDTokenTTL/time.Second), c.CreatedAt, c.CreatedAt,
			c.AuthMethod, c.JWKS, c.JWKSURI)
		if err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, audit.Event{Action: "oidc.client.add", Target: "oidc_client:" + c.ID, Details: c.auditDetails()})
	})
	if err != nil {
		return nil, "", err
	}
	return c, secret, nil
}

func clientFrom(in ClientInput) *Client {
	return &Client{Name: in.Name, LogoURL: in.LogoURL, Public: in.Public, FirstParty: in.FirstParty, RedirectURIs: in.RedirectURIs,
		PostLogoutRedirectURIs: in.PostLogoutRedirectURIs, BackchannelLogoutURI: in.BackchannelLogoutURI, Scopes: in.Scopes,
		AccessTokenType: in.AccessTokenType, AuthMethod: in.AuthMethod, JWKS: in.JWKS, JWKSURI: in.JWKSURI, AccessTTL: in.AccessTTL, RefreshTTL: in.RefreshTTL,
		IDTokenTTL: in.IDTokenTTL}
}

// auditDetails is what the audit trail keeps of a client's settings:
// everything but secrets (the JWK set is public, only its size is kept).
func (c *Client) auditDetails() map[string]any {
	return map[string]any{"name": c.Name, "public": c.Public, "first_party": c.FirstParty, "redirect_uris": c.RedirectURIs,
		"post_logout_redirect_uris": c.PostLogoutRedirectURIs, "backchannel_logout_uri": c.BackchannelLogoutURI, "scopes": c.Scopes,
		"access_token_type": c.AccessTokenType, "auth_method": c.AuthMethod, "jwks_bytes": len(c.JWKS), "jwks_uri": c.JWKSURI, "logo_url": c.LogoURL,
		"access_ttl_seconds": int64(c.AccessTTL / time.Second), "refresh_ttl_seconds": int64(c.RefreshTTL / time.Second),
		"id_token_ttl_seconds": int64(c.IDTokenTTL / time.Second)}
}

// UpdateClient changes a client's settings; its id stays. A client that
// starts to authenticate with a secret gets a new one, returned here once;
// one that stops using a secret (public, private_key_jwt) loses it.
func (s *Service) UpdateClient(ctx context.Context, id string, in ClientInput) (*Client, string, error) {
	old, err := s.Client(ctx, id)
	if err != nil {
		return nil, "", err
	}
	if err := in.normalize(s.remote.allowLoopback); err != nil {
		return nil, "", fmt.Errorf("oidc: %w", err)
	}
	c := clientFrom(in)
	c.ID, c.CreatedAt, c.secretHash = id, old.CreatedAt, old.secretHash
	var secret string
	switch {
	case !c.UsesSecret():
		c.secretHash = nil
	case len(c.secretHash) == 0:
		secret = newSecret()
		c.secretHash = hashSecret(secret)
	}
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, `UPDATE oidc_clients SET name = ?, logo_url = ?, public = ?, first_party = ?, redirect_uris = ?,
			post_logout_redirect_uris = ?, backchannel_logout_uri = ?, scopes = ?, access_token_type = ?, access_ttl_seconds = ?,
			refresh_ttl_seconds = ?, id_token_ttl_seconds = ?, auth_method = ?, jwks = ?, jwks_uri = ?, secret_hash = ?, updated_at = ? WHERE id = ?`,
			c.Name, c.LogoURL, c.Public, c.FirstParty, strings.Join(c.RedirectURIs, " "), strings.Join(c.PostLogoutRedirectURIs, " "),
			c.BackchannelLogoutURI, strings.Join(c.Scopes, " "), c.AccessTokenType, int64(c.AccessTTL/time.Second),
			int64(c.RefreshTTL/time.Second), int64(c.IDTokenTTL/time.Second), c.AuthMethod, c.JWKS, c.JWKSURI, c.secretHash, tx.Now(), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrClientNotFound
		}
		d := c.auditDetails()
		d["secret_issued"] = secret != ""
		return s.audit.Record(ctx, tx, audit.Event{Action: "oidc.client.update", Target: "oidc_client:" + id, Details: d})
	})
	if err != nil {
		return nil, "", err
	}
	return c, secret, nil
}

// ErrNoSecret is a secret rotation asked of a client that authenticates
// without one (public, private_key_jwt).
var ErrNoSecret = fault.New(fault.ErrInvalid, "oidc: the client does not use a secret")

// RotateSecret gives a client a new secret, returned here once; the old
// one stops working at once.
func (s *Service) RotateSecret(ctx context.Context, id string) (string, error) {
	c, err := s.Client(ctx, id)
	if err != nil {
		return "", err
	}
	if !c.UsesSecret() {
		return "", ErrNoSecret
	}
	secret := newSecret()
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, "UPDATE oidc_clients SET secret_hash = ?, updated_at = ? WHERE id = ?", hashSecret(secret), tx.Now(), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrClientNotFound
		}
		return s.audit.Record(ctx, tx, audit.Event{Action: "oidc.client.secret", Target: "oidc_client:" + id, Details: map[string]any{"name": c.Name}})
	})
	if err != nil {
		return "", err
	}
	return secret, nil
}

// RemoveClient deletes a client with its consents and tokens.
func (s *Service) RemoveClient(ctx context.Context, id string) error {
	return s.db.Write(ctx, func(tx *db.Tx) error {
		var name string
		err := tx.QueryRow(ctx, "SELECT name FROM oidc_clients WHERE id = ?", id).Scan(&name)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrClientNotFound
		}
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM oidc_clients WHERE id = ?", id); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, audit.Event{Action: "oidc.client.remove", Target: "oidc_client:" + id, Details: map[string]any{"name": name}})
	})
}

const clientColumns = `id, name, logo_url, secret_hash, public, first_party, redirect_uris, post_logout_redirect_uris,
	backchannel_logout_uri, scopes, access_token_type, access_ttl_seconds, refresh_ttl_seconds, id_token_ttl_seconds, created_at,
	auth_method, jwks, jwks_uri`

func scanClient(row db.Scanner) (*Client, error) {
	var c Client
	var redirects, postLogout, scopes string
	var access, refresh, idt int64
	err := row.Scan(&c.ID, &c.Name, &c.LogoURL, &c.secretHash, &c.Public, &c.FirstParty, &redirects, &postLogout,
		&c.BackchannelLogoutURI, &scopes, &c.AccessTokenType, &access, &refresh, &idt, &c.CreatedAt, &c.AuthMethod, &c.JWKS, &c.JWKSURI)
	if c.AuthMethod == "" { // registered before the column existed
		c.AuthMethod = AuthSecretBasic
		if c.Public {
			c.AuthMethod = AuthNone
		}
	}
	c.RedirectURIs, c.PostLogoutRedirectURIs, c.Scopes = strings.Fields(redirects), strings.Fields(postLogout), strings.Fields(scopes)
	c.AccessTTL, c.RefreshTTL, c.IDTokenTTL = time.Duration(access)*time.Second, time.Duration(refresh)*time.Second, time.Duration(idt)*time.Second
	c.CreatedAt = c.CreatedAt.UTC()
	return &c, err
}

// clientMemoKey carries one HTTP request's memo of the clients it read:
// a step of the flow asks for the same client several times (the op
// package, the policy, the pages), a database read each. Within one
// request the answer may be the same; across requests it is read afresh,
// so an edit or a removal counts from the next request on every node.
type clientMemoKey struct{}

type clientMemo struct {
	mu sync.Mutex
	m  map[string]*Client
}

// WithClientMemo returns ctx with a memo for the clients read while one
// request is served.
func WithClientMemo(ctx context.Context) context.Context {
	if _, ok := ctx.Value(clientMemoKey{}).(*clientMemo); ok {
		return ctx
	}
	return context.WithValue(ctx, clientMemoKey{}, &clientMemo{m: map[string]*Client{}})
}

// Client returns one client, or ErrClientNotFound.
func (s *Service) Client(ctx context.Context, id string) (*Client, error) {
	if id == "" || len(id) > 100 {
		return nil, ErrClientNotFound
	}
	memo, _ := ctx.Value(clientMemoKey{}).(*clientMemo)
	if memo != nil {
		memo.mu.Lock()
		c := memo.m[id]
		memo.mu.Unlock()
		if c != nil {
			cp := *c
			return &cp, nil
		}
	}
	c, err := scanClient(s.db.QueryRowOnce(ctx, "SELECT "+clientColumns+" FROM oidc_clients WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrClientNotFound
	}
	if err == nil && memo != nil {
		cp := *c
		memo.mu.Lock()
		memo.m[id] = &cp
		memo.mu.Unlock()
	}
	return c, err
}

// Clients lists every client by name.
func (s *Service) Clients(ctx context.Context) ([]*Client, error) {
	var out []*Client
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, "SELECT "+clientColumns+" FROM oidc_clients ORDER BY name, id")
		out, err = db.Collect(rows, err, scanClient)
		return err
	})
	return out, err
}

// checkSecret compares a presented client secret with the stored hash in
// constant time.
func (c *Client) checkSecret(secret string) bool {
	return c.UsesSecret() && len(c.secretHash) > 0 && secret != "" && len(secret) < 200 &&
		subtle.ConstantTimeCompare(hashSecret(secret), c.secretHash) == 1
}

// ErrRedirectMismatch is a redirect_uri the client did not register.
var ErrRedirectMismatch = errors.New("oidc: redirect_uri not registered for the client")
