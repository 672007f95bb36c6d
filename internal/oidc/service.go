// Package oidc is Frontdesk's OpenID Connect provider, built on
// github.com/zitadel/oidc/v3's op package: the clients that may sign
// customers in, their authorization requests, codes, tokens and consents,
// the signing keys, and the logout of relying parties when a Frontdesk
// session ends. The protocol itself (parsing, validation, token formats)
// is the library's; this package is its storage and its policy: PKCE S256
// for every client, exact redirect URIs, refresh-token rotation with reuse
// detection, claims read from the sealed profile only for granted scopes.
package oidc

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/frontdesk/frontdesk/internal/keyring"
)

// Accounts is what the provider needs from identity: the profile behind
// the claims, and the sessions that RP sessions hang on.
type Accounts interface {
	AccountByID(ctx context.Context, id string) (*identity.Account, error)
	LiveSessions(ctx context.Context, ids []string) (map[string]bool, error)
	EndSession(ctx context.Context, p *identity.Principal, sessionID string) error
}

// Options configure the provider.
type Options struct {
	DB    *db.DB
	Keys  *keyring.Keyring
	Audit *audit.Log
	// Accounts reads profiles and sessions.
	Accounts Accounts
	// Issuer is the public base URL: the iss of every token.
	Issuer string
	// KeyRotation is how long a signing key signs before a new one takes
	// over (default 30 days).
	KeyRotation time.Duration
	// HTTPClient sends back-channel logout tokens (default: 5 s timeout).
	HTTPClient *http.Client
	// SigningAlg is the algorithm of new signing keys: RS256 (default) or
	// ES256. Every node must be given the same.
	SigningAlg string
	// JWKSAllowLoopback lets a client's jwks_uri be plain http:// on a
	// loopback address: for tests and development only.
	JWKSAllowLoopback bool
	// JWKSRefetchEvery is how often a client's jwks_uri may be fetched
	// again for an assertion naming an unknown kid (default 60 s).
	JWKSRefetchEvery time.Duration
	Logger           *slog.Logger
}

// Service is the provider's storage and policy. It is safe for concurrent
// use; nothing a second node needs is kept only in memory.
type Service struct {
	db       *db.DB
	keys     *keyring.Keyring
	audit    *audit.Log
	accounts Accounts
	issuer   string
	rotation time.Duration
	client   *http.Client
	log      *slog.Logger
	alg      string
	remote   *remoteKeys

	// The signing keys, read from the database at most once per keyTTL so
	// that a key made by another node is published promptly.
	keyMu     sync.Mutex
	keyCache  *keySet
	keyLoaded time.Time
}

// New returns the provider service.
func New(o Options) *Service {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.KeyRotation <= 0 {
		o.KeyRotation = 30 * 24 * time.Hour
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 5 * time.Second}
	}
	if o.SigningAlg == "" {
		o.SigningAlg = "RS256"
	}
	s := &Service{db: o.DB, keys: o.Keys, audit: o.Audit, accounts: o.Accounts, issuer: strings.TrimRight(o.Issuer, "/"),
		rotation: o.KeyRotation, client: o.HTTPClient, log: o.Logger, alg: o.SigningAlg}
	s.remote = newRemoteKeys(o.JWKSAllowLoopback, o.JWKSRefetchEvery, o.DB.Now)
	return s
}

// Issuer is the iss of every token this provider signs.
func (s *Service) Issuer() string { return s.issuer }

// newSecret returns 256 random bits, base64url without padding.
func newSecret() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// newID returns a 128-bit random identifier.
func newID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// hashSecret is how secrets with 256 bits of entropy are kept at rest: a
// plain SHA-256 suffices (no guessing can succeed), and lets a look-up use
// the index.
func hashSecret(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

// subject is the audit subject of an account's events.
func subject(accountID string) string { return "account:" + accountID }
