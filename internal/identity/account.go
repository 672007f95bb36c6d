package identity

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"time"

	"github.com/frontdesk/frontdesk/internal/db"
)

// Kinds and statuses of accounts.
const (
	KindCustomer = "customer"
	KindStaff    = "staff"

	StatusPending  = "pending"  // registered, e-mail not verified
	StatusActive   = "active"   // may sign in
	StatusDisabled = "disabled" // may not sign in; all sessions ended
)

// Account is an account as its owner and staff see it, personal fields
// opened.
type Account struct {
	ID            string    `json:"id"`
	Kind          string    `json:"kind"`
	Status        string    `json:"status"`
	Email         string    `json:"email"`
	Name          string    `json:"name,omitempty"`
	Phone         string    `json:"phone,omitempty"`
	Locale        string    `json:"locale"`
	EmailVerified bool      `json:"email_verified"`
	CreatedAt     time.Time `json:"created_at"`
}

// accountRow is the stored row, with what sign-in needs.
type accountRow struct {
	id, kind, status, locale string
	emailSealed, nameSealed  []byte
	phoneSealed              []byte
	passwordHash             string
	mustChange               bool
	verifiedAt               sql.NullTime
	failed                   int
	lockedUntil              sql.NullTime
	createdAt                time.Time
	mustEnrol                bool // mfa_enrol_required
}

const accountColumns = `id, kind, status, locale, email_sealed, name_sealed, phone_sealed, password_hash,
	must_change_password, email_verified_at, failed_logins, locked_until, created_at, mfa_enrol_required`

func scanAccount(row interface{ Scan(...any) error }) (*accountRow, error) {
	var a accountRow
	err := row.Scan(&a.id, &a.kind, &a.status, &a.locale, &a.emailSealed, &a.nameSealed, &a.phoneSealed,
		&a.passwordHash, &a.mustChange, &a.verifiedAt, &a.failed, &a.lockedUntil, &a.createdAt, &a.mustEnrol)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return &a, err
}

// byEmail loads the account with this normalised e-mail, or nil. With
// lock, the row is locked for update (PostgreSQL; SQLite writes are
// serialised anyway).
func (s *Service) byEmail(ctx context.Context, tx *db.Tx, email string, lock bool) (*accountRow, error) {
	q := "SELECT " + accountColumns + " FROM accounts WHERE email_index = ?"
	if lock {
		q += tx.ForUpdate()
	}
	return scanAccount(tx.QueryRow(ctx, q, s.emailIndex(email)))
}

// byID loads an account by id, or nil.
func (s *Service) byID(ctx context.Context, tx *db.Tx, id string, lock bool) (*accountRow, error) {
	q := "SELECT " + accountColumns + " FROM accounts WHERE id = ?"
	if lock {
		q += tx.ForUpdate()
	}
	return scanAccount(tx.QueryRow(ctx, q, id))
}

func (s *Service) emailIndex(email string) []byte { return s.keys.BlindIndex("email", emailKey(email)) }

// aad binds a sealed field to its row and column, so a ciphertext moved
// to another account or field fails to open.
func aad(accountID, field string) []byte { return []byte("accounts." + field + ":" + accountID) }

// open returns the account with its personal fields opened.
func (s *Service) open(ctx context.Context, tx *db.Tx, a *accountRow) (*Account, error) {
	return openAccount(a, func(ct, aad []byte) ([]byte, error) { return s.keys.Open(ctx, tx, ct, aad) })
}

// errNotCached stops openCached at the first field whose key is not cached.
var errNotCached = errors.New("identity: data key not cached")

// openCached is open without the database, when the account's data key
// is cached; ok is false otherwise (or on any error: open reports it).
func (s *Service) openCached(a *accountRow) (*Account, bool) {
	out, err := openAccount(a, func(ct, aad []byte) ([]byte, error) {
		pt, ok, err := s.keys.OpenCached(ct, aad)
		if err == nil && !ok {
			err = errNotCached
		}
		return pt, err
	})
	return out, err == nil
}

// openAccount builds the Account of a, opening each sealed field with
// openField.
func openAccount(a *accountRow, openField func(ct, aad []byte) ([]byte, error)) (*Account, error) {
	out := &Account{ID: a.id, Kind: a.kind, Status: a.status, Locale: a.locale,
		EmailVerified: a.verifiedAt.Valid, CreatedAt: a.createdAt.UTC()}
	for _, f := range []struct {
		name string
		ct   []byte
		dst  *string
	}{{"email", a.emailSealed, &out.Email}, {"name", a.nameSealed, &out.Name}, {"phone", a.phoneSealed, &out.Phone}} {
		if len(f.ct) == 0 {
			continue
		}
		pt, err := openField(f.ct, aad(a.id, f.name))
		if err != nil {
			return nil, err
		}
		*f.dst = string(pt)
	}
	return out, nil
}

// sealFields seals e-mail, name and phone with the account's data key
// (created on first use). Empty name or phone stay NULL.
func (s *Service) sealFields(ctx context.Context, tx *db.Tx, id, email, name, phone string) (e, n, p []byte, err error) {
	key, err := s.keys.DataKey(ctx, tx, subject(id))
	if err != nil {
		return nil, nil, nil, err
	}
	e = key.Seal([]byte(email), aad(id, "email"))
	if name != "" {
		n = key.Seal([]byte(name), aad(id, "name"))
	}
	if phone != "" {
		p = key.Seal([]byte(phone), aad(id, "phone"))
	}
	return e, n, p, s.index(ctx, tx, id, email, name, phone)
}

// sealFor seals a value with the account's key, e.g. an IP address.
func (s *Service) sealFor(ctx context.Context, tx *db.Tx, accountID, field string, v []byte) ([]byte, error) {
	key, err := s.keys.DataKey(ctx, tx, subject(accountID))
	if err != nil {
		return nil, err
	}
	return key.Seal(v, []byte(field+":"+accountID)), nil
}

func (s *Service) openFor(ctx context.Context, tx *db.Tx, accountID, field string, ct []byte) ([]byte, error) {
	return s.keys.Open(ctx, tx, ct, []byte(field+":"+accountID))
}

// AccountByID returns an account with its personal fields opened.
func (s *Service) AccountByID(ctx context.Context, id string) (*Account, error) {
	var out *Account
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		a, err := s.byID(ctx, tx, id, false)
		if err != nil {
			return err
		}
		if a == nil {
			return ErrNotFound
		}
		out, err = s.open(ctx, tx, a)
		return err
	})
	return out, err
}

func base64URL(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// FindByEmail returns the active or pending account with this e-mail
// inside tx, or nil, for the services above identity.
func (s *Service) FindByEmail(ctx context.Context, tx *db.Tx, emailIn string) (*Account, error) {
	email, err := NormalizeEmail(emailIn)
	if err != nil {
		return nil, err
	}
	a, err := s.byEmail(ctx, tx, email, false)
	if err != nil || a == nil {
		return nil, err
	}
	return s.open(ctx, tx, a)
}

// AccountIn is AccountByID inside the caller's transaction.
func (s *Service) AccountIn(ctx context.Context, tx *db.Tx, id string) (*Account, error) {
	a, err := s.byID(ctx, tx, id, false)
	if err != nil {
		return nil, err
	}
	if a == nil {
		return nil, ErrNotFound
	}
	return s.open(ctx, tx, a)
}
