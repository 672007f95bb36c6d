// Package automation keeps service accounts and their API keys: the
// credentials that scripts use on the admin API (/api/v1/admin/...).
//
// A staff member creates a service account and gives it staff roles; the
// roles may allow nothing the creator is not allowed. Each key of the
// account has scopes (a subset of the account's permissions, or all of
// them), an expiry, a last-used time, and can be revoked. What a call made
// with a key may do is decided at the time of the call, as the
// intersection of the key's scopes, the account's roles and the creator's
// current permissions: a key can never do more than its role, nor more
// than the person who made it, even after that person loses a role or
// leaves. Secrets are 256-bit random values stored as SHA-256 hashes and
// shown once. Every change here is an audit entry in the same transaction.
package automation

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"time"

	"github.com/frontdesk/frontdesk/internal/access"
	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/fault"
)

// KindService is the principal kind of a call made with an API key, and
// the audit actor kind that names the service account.
const KindService = "service"

// KeyPrefix starts every API key, so that a bearer token can be told from
// a session token without a look-up, and secret scanners can find leaked
// keys.
const KeyPrefix = "fdk_"

// Key lifetimes.
const (
	DefaultKeyLifetime = 90 * 24 * time.Hour
	MaxKeyLifetime     = 366 * 24 * time.Hour
)

// Errors of the service.
var (
	ErrNotFound = fault.New(fault.ErrNotFound, "automation: no such service account or key")
	// ErrInvalidKey answers a key that is unknown, wrong, expired, revoked
	// or whose account is disabled: the caller is not told which.
	ErrInvalidKey = errors.New("automation: the API key is not valid")
	// ErrBeyondCreator refuses roles or scopes that would allow what the
	// person granting them may not do.
	ErrBeyondCreator = errors.New("automation: more than you are allowed yourself")
	// ErrDisabled refuses a new key for a disabled account.
	ErrDisabled = errors.New("automation: the service account is disabled")
	// ErrExists is a service account name already in use.
	ErrExists = errors.New("automation: a service account with this name exists")
)

// RateLimitedError refuses a call over the key's rate; RetryAfter is how
// long until the window ends.
type RateLimitedError struct {
	RetryAfter time.Duration
}

func (e *RateLimitedError) Error() string { return "automation: the API key's rate limit is reached" }

// Options adjust the service.
type Options struct {
	// Rate is how many calls one key may make per Window; 0 means 600.
	Rate int
	// Window is the rate limit's window; 0 means a minute.
	Window time.Duration
}

// Service keeps service accounts and keys.
type Service struct {
	db     *db.DB
	audit  *audit.Log
	access *access.Service
	opts   Options
}

// New returns the service.
func New(d *db.DB, a *audit.Log, acc *access.Service, o Options) *Service {
	if o.Rate <= 0 {
		o.Rate = 600
	}
	if o.Window <= 0 {
		o.Window = time.Minute
	}
	return &Service{db: d, audit: a, access: acc, opts: o}
}

// Rate returns the calls allowed per window and the window.
func (s *Service) Rate() (int, time.Duration) { return s.opts.Rate, s.opts.Window }

func newID(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
