package automation

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"errors"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/fault"
	"github.com/frontdesk/frontdesk/internal/identity"
)

// Key states.
const (
	KeyActive  = "active"
	KeyExpired = "expired"
	KeyRevoked = "revoked"
)

// Key is an API key as staff see it: never its secret.
type Key struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Scopes     []string   `json:"scopes"` // empty: all of the account's permissions
	CreatedBy  string     `json:"created_by"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  time.Time  `json:"expires_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
	State      string     `json:"state"`
}

const keyColumns = "id, name, scopes, created_by, created_at, expires_at, last_used_at, revoked_at"

func scanKey(row db.Scanner) (Key, error) {
	var k Key
	var scopes string
	var used, revoked sql.NullTime
	err := row.Scan(&k.ID, &k.Name, &scopes, &k.CreatedBy, &k.CreatedAt, &k.ExpiresAt, &used, &revoked)
	k.Scopes = splitScopes(scopes)
	k.CreatedAt, k.ExpiresAt = k.CreatedAt.UTC(), k.ExpiresAt.UTC()
	if used.Valid {
		t := used.Time.UTC()
		k.LastUsedAt = &t
	}
	if revoked.Valid {
		t := revoked.Time.UTC()
		k.RevokedAt = &t
	}
	return k, err
}

func (k *Key) state(now time.Time) {
	switch {
	case k.RevokedAt != nil:
		k.State = KeyRevoked
	case !now.Before(k.ExpiresAt):
		k.State = KeyExpired
	default:
		k.State = KeyActive
	}
}

func splitScopes(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}

// NewKey is what a staff member asks for.
type NewKey struct {
	Name string `json:"name"`
	// Scopes narrow the key to some of the account's permissions; none
	// means all of them.
	Scopes []string `json:"scopes"`
	// ExpiresInDays is the key's lifetime; 0 means 90 days, at most 366.
	ExpiresInDays int `json:"expires_in_days"`
}

// CreateKey issues a key for service account id and returns its secret,
// which is not kept: only its hash is. by is the staff member issuing it;
// the scopes may allow nothing beyond what the account's roles and by may
// do.
func (s *Service) CreateKey(ctx context.Context, by, id string, in NewKey) (string, *Key, error) {
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" || utf8.RuneCountInString(in.Name) > 60 || !utf8.ValidString(in.Name) {
		return "", nil, &fault.Invalid{Field: "name", Reason: "Give the key a name of up to 60 characters, such as where it is used"}
	}
	life := time.Duration(in.ExpiresInDays) * 24 * time.Hour
	if in.ExpiresInDays == 0 {
		life = DefaultKeyLifetime
	}
	if life <= 0 || life > MaxKeyLifetime {
		return "", nil, &fault.Invalid{Field: "expires_in_days", Reason: "A key lasts from 1 to 366 days"}
	}
	a, err := s.Get(ctx, id)
	if err != nil {
		return "", nil, err
	}
	if a.DisabledAt != nil {
		return "", nil, ErrDisabled
	}
	slices.Sort(in.Scopes)
	in.Scopes = slices.Compact(in.Scopes)
	if len(beyond(in.Scopes, a.Permissions)) > 0 {
		return "", nil, &fault.Invalid{Field: "scopes", Reason: "A scope must be one of the service account's permissions: " + strings.Join(a.Permissions, ", ")}
	}
	mine, err := s.access.PermissionsOf(ctx, by)
	if err != nil {
		return "", nil, err
	}
	granted := in.Scopes
	if len(granted) == 0 {
		granted = a.Permissions
	}
	if len(beyond(granted, mine)) > 0 {
		return "", nil, ErrBeyondCreator
	}
	secret := make([]byte, 32)
	rand.Read(secret)
	k := &Key{ID: newID(8), Name: in.Name, Scopes: in.Scopes, CreatedBy: by, State: KeyActive}
	if k.Scopes == nil {
		k.Scopes = []string{}
	}
	token := KeyPrefix + k.ID + "_" + base64.RawURLEncoding.EncodeToString(secret)
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		k.CreatedAt, k.ExpiresAt = tx.Now(), tx.Now().Add(life)
		if _, err := tx.Exec(ctx, `INSERT INTO api_keys (id, service_account_id, name, secret_hash, scopes, created_by, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, k.ID, id, k.Name, hashSecret(secret), strings.Join(k.Scopes, ","), by, k.CreatedAt, k.ExpiresAt); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, audit.Event{Action: "api_key.create", Target: "service_account:" + id,
			Details: map[string]any{"key": k.ID, "name": k.Name, "scopes": strings.Join(k.Scopes, ","), "expires_at": k.ExpiresAt.Format(time.RFC3339), "by": by}})
	})
	if err != nil {
		return "", nil, err
	}
	return token, k, nil
}

func hashSecret(secret []byte) []byte {
	h := sha256.Sum256(secret)
	return h[:]
}

// RevokeKey stops a key for good; revoking a revoked key changes nothing.
func (s *Service) RevokeKey(ctx context.Context, id, keyID, by string) error {
	return s.db.Write(ctx, func(tx *db.Tx) error {
		var revoked sql.NullTime
		err := tx.QueryRow(ctx, "SELECT revoked_at FROM api_keys WHERE id = ? AND service_account_id = ?"+tx.ForUpdate(), keyID, id).Scan(&revoked)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil || revoked.Valid {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE api_keys SET revoked_at = ? WHERE id = ?", tx.Now(), keyID); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, audit.Event{Action: "api_key.revoke", Target: "service_account:" + id,
			Details: map[string]any{"key": keyID, "by": by}})
	})
}

// parseToken splits "fdk_<id>_<secret>".
func parseToken(token string) (id string, secret []byte, ok bool) {
	rest, found := strings.CutPrefix(token, KeyPrefix)
	if !found {
		return "", nil, false
	}
	id, enc, found := strings.Cut(rest, "_")
	if !found || len(id) != 16 || len(enc) != 43 {
		return "", nil, false
	}
	secret, err := base64.RawURLEncoding.DecodeString(enc)
	return id, secret, err == nil && len(secret) == 32
}

// Authenticate checks an API key and counts the call against its rate:
// it returns the principal the call acts as (Kind KindService, AccountID
// the service account, Session.ID the key), ErrInvalidKey, or a
// *RateLimitedError. The last-used time is written with the count.
func (s *Service) Authenticate(ctx context.Context, token string) (*identity.Principal, error) {
	keyID, secret, ok := parseToken(token)
	if !ok {
		return nil, ErrInvalidKey
	}
	var p *identity.Principal
	var limited *RateLimitedError
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		var accountID string
		var hash []byte
		var expires time.Time
		var revoked, disabled, start sql.NullTime
		var calls int
		err := tx.QueryRow(ctx, `SELECT k.service_account_id, k.secret_hash, k.expires_at, k.revoked_at, a.disabled_at, k.window_start, k.window_calls
			FROM api_keys k JOIN service_accounts a ON a.id = k.service_account_id WHERE k.id = ?`+tx.ForUpdate(), keyID).
			Scan(&accountID, &hash, &expires, &revoked, &disabled, &start, &calls)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrInvalidKey
		}
		if err != nil {
			return err
		}
		now := tx.Now()
		if subtle.ConstantTimeCompare(hash, hashSecret(secret)) != 1 || revoked.Valid || disabled.Valid || !now.Before(expires) {
			return ErrInvalidKey
		}
		if !start.Valid || now.Sub(start.Time) >= s.opts.Window || now.Before(start.Time) {
			start, calls = sql.NullTime{Time: now, Valid: true}, 0
		}
		if calls >= s.opts.Rate {
			limited = &RateLimitedError{RetryAfter: start.Time.Add(s.opts.Window).Sub(now)}
			return nil
		}
		if _, err := tx.Exec(ctx, "UPDATE api_keys SET last_used_at = ?, window_start = ?, window_calls = ? WHERE id = ?",
			now, start.Time, calls+1, keyID); err != nil {
			return err
		}
		p = &identity.Principal{AccountID: accountID, Kind: KindService, Locale: "en",
			Session: identity.Session{ID: keyID, CreatedAt: now, AuthAt: now, AAL: 2, Methods: []string{"api_key"}}}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if limited != nil {
		return nil, limited
	}
	return p, nil
}

// Permissions returns what calls with key keyID may do now: its scopes
// (or all its account's permissions), within its account's roles, within
// its creator's current permissions; nothing when the creator's account
// is no longer an active staff account.
func (s *Service) Permissions(ctx context.Context, keyID string) ([]string, error) {
	out := []string{}
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		out = out[:0]
		var scopes, accountID, creator, status string
		err := tx.QueryRow(ctx, `SELECT k.scopes, k.service_account_id, a.created_by, COALESCE(c.status, '') FROM api_keys k
			JOIN service_accounts a ON a.id = k.service_account_id LEFT JOIN accounts c ON c.id = a.created_by AND c.kind = 'staff'
			WHERE k.id = ?`, keyID).Scan(&scopes, &accountID, &creator, &status)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil || status != identity.StatusActive {
			return err
		}
		rows, err := tx.Query(ctx, "SELECT role FROM service_account_roles WHERE service_account_id = ?", accountID)
		roles, err := db.Collect(rows, err, db.Value[string])
		if err != nil {
			return err
		}
		perms, err := s.access.PermissionsOfRolesIn(ctx, tx, roles)
		if err != nil {
			return err
		}
		mine, err := s.access.PermissionsIn(ctx, tx, creator)
		if err != nil {
			return err
		}
		for _, p := range perms {
			if (scopes == "" || slices.Contains(splitScopes(scopes), p)) && slices.Contains(mine, p) {
				out = append(out, p)
			}
		}
		return nil
	})
	return out, err
}

// Allowed reports whether a call made with an API key may use perm; any
// other principal gets false.
func (s *Service) Allowed(ctx context.Context, p *identity.Principal, perm string) (bool, error) {
	if p == nil || p.Kind != KindService {
		return false, nil
	}
	perms, err := s.Permissions(ctx, p.Session.ID)
	return slices.Contains(perms, perm), err
}

// Creator returns the staff account that created service account id.
func (s *Service) Creator(ctx context.Context, id string) (string, error) {
	var by string
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		err := tx.QueryRow(ctx, "SELECT created_by FROM service_accounts WHERE id = ?", id).Scan(&by)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		return err
	})
	return by, err
}

// RecordDenied writes the audit entry of a call the key was not allowed to
// make (or made too often), naming the service account.
func (s *Service) RecordDenied(ctx context.Context, p *identity.Principal, route, reason string) error {
	return s.db.Write(ctx, func(tx *db.Tx) error {
		return s.audit.Record(ctx, tx, audit.Event{Action: "admin_api.call", Target: "route:" + route, Outcome: audit.Denied,
			Details: map[string]any{"key": p.Session.ID, "reason": reason}})
	})
}
