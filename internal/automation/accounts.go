package automation

import (
	"context"
	"database/sql"
	"errors"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/fault"
)

// Account is a service account as staff see it.
type Account struct {
	ID          string     `json:"id"`
	Name        string     `json:"name"`
	Description string     `json:"description"`
	Roles       []string   `json:"roles"`
	Permissions []string   `json:"permissions"` // what the roles allow
	CreatedBy   string     `json:"created_by"`  // staff account id
	CreatedAt   time.Time  `json:"created_at"`
	DisabledAt  *time.Time `json:"disabled_at,omitempty"`
	Keys        []Key      `json:"keys"`
}

// NewAccount is what a staff member fills in.
type NewAccount struct {
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Roles       []string `json:"roles"`
}

var accountName = regexp.MustCompile(`^[\p{L}\p{N}][\p{L}\p{N} ._-]{1,59}$`)

// validate checks a new account's fields.
func (in *NewAccount) validate() error {
	in.Name = strings.TrimSpace(in.Name)
	in.Description = strings.TrimSpace(in.Description)
	switch {
	case !accountName.MatchString(in.Name):
		return &fault.Invalid{Field: "name", Reason: "Give a name of 2 to 60 letters, digits, spaces, dots, dashes or underscores"}
	case utf8.RuneCountInString(in.Description) > 200 || !utf8.ValidString(in.Description):
		return &fault.Invalid{Field: "description", Reason: "Keep the description under 200 characters"}
	case len(in.Roles) == 0 || len(in.Roles) > 10:
		return &fault.Invalid{Field: "roles", Reason: "Give the service account one or more roles"}
	}
	return nil
}

// beyond lists what want holds that have does not.
func beyond(want, have []string) []string {
	var out []string
	for _, p := range want {
		if !slices.Contains(have, p) {
			out = append(out, p)
		}
	}
	return out
}

// Create makes a service account for the staff member by, with roles that
// allow nothing by may not do.
func (s *Service) Create(ctx context.Context, by string, in NewAccount) (*Account, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	slices.Sort(in.Roles)
	in.Roles = slices.Compact(in.Roles)
	for _, r := range in.Roles {
		ok, err := s.access.RoleExists(ctx, r)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, &fault.Invalid{Field: "roles", Reason: "There is no role named " + r}
		}
	}
	perms, err := s.access.PermissionsOfRoles(ctx, in.Roles)
	if err != nil {
		return nil, err
	}
	mine, err := s.access.PermissionsOf(ctx, by)
	if err != nil {
		return nil, err
	}
	if len(beyond(perms, mine)) > 0 {
		return nil, ErrBeyondCreator
	}
	a := &Account{ID: newID(16), Name: in.Name, Description: in.Description, Roles: in.Roles, Permissions: perms, CreatedBy: by, Keys: []Key{}}
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		a.CreatedAt = tx.Now()
		_, err := tx.Exec(ctx, "INSERT INTO service_accounts (id, name, description, created_by, created_at) VALUES (?, ?, ?, ?, ?)",
			a.ID, a.Name, a.Description, by, a.CreatedAt)
		if db.IsUniqueViolation(err) {
			return ErrExists
		}
		if err != nil {
			return err
		}
		for _, r := range a.Roles {
			if _, err := tx.Exec(ctx, "INSERT INTO service_account_roles (service_account_id, role) VALUES (?, ?)", a.ID, r); err != nil {
				return err
			}
		}
		return s.audit.Record(ctx, tx, audit.Event{Action: "service_account.create", Target: "service_account:" + a.ID,
			Details: map[string]any{"name": a.Name, "roles": strings.Join(a.Roles, ","), "by": by}})
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// List returns every service account with its keys, by name.
func (s *Service) List(ctx context.Context) ([]Account, error) {
	var out []Account
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, "SELECT id FROM service_accounts ORDER BY name")
		ids, err := db.Collect(rows, err, db.Value[string])
		if err != nil {
			return err
		}
		out = make([]Account, 0, len(ids))
		for _, id := range ids {
			a, err := s.get(ctx, tx, id)
			if err != nil {
				return err
			}
			out = append(out, *a)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].Permissions, err = s.access.PermissionsOfRoles(ctx, out[i].Roles); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Get returns one service account with its keys.
func (s *Service) Get(ctx context.Context, id string) (*Account, error) {
	var a *Account
	err := s.db.Read(ctx, func(tx *db.Tx) (err error) {
		a, err = s.get(ctx, tx, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	if a.Permissions, err = s.access.PermissionsOfRoles(ctx, a.Roles); err != nil {
		return nil, err
	}
	return a, nil
}

func (s *Service) get(ctx context.Context, tx *db.Tx, id string) (*Account, error) {
	a := Account{ID: id, Keys: []Key{}}
	var disabled sql.NullTime
	err := tx.QueryRow(ctx, "SELECT name, description, created_by, created_at, disabled_at FROM service_accounts WHERE id = ?", id).
		Scan(&a.Name, &a.Description, &a.CreatedBy, &a.CreatedAt, &disabled)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	a.CreatedAt = a.CreatedAt.UTC()
	if disabled.Valid {
		t := disabled.Time.UTC()
		a.DisabledAt = &t
	}
	rows, err := tx.Query(ctx, "SELECT role FROM service_account_roles WHERE service_account_id = ? ORDER BY role", id)
	if a.Roles, err = db.Collect(rows, err, db.Value[string]); err != nil {
		return nil, err
	}
	rows, err = tx.Query(ctx, "SELECT "+keyColumns+" FROM api_keys WHERE service_account_id = ? ORDER BY created_at DESC, id", id)
	keys, err := db.Collect(rows, err, scanKey)
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		k.state(tx.Now())
		a.Keys = append(a.Keys, k)
	}
	return &a, nil
}

// SetDisabled disables a service account, which stops all its keys at
// once, or enables it again.
func (s *Service) SetDisabled(ctx context.Context, id string, disabled bool, by string) error {
	return s.db.Write(ctx, func(tx *db.Tx) error {
		var at any
		action := "service_account.enable"
		if disabled {
			at, action = tx.Now(), "service_account.disable"
		}
		res, err := tx.Exec(ctx, "UPDATE service_accounts SET disabled_at = ? WHERE id = ?", at, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return s.audit.Record(ctx, tx, audit.Event{Action: action, Target: "service_account:" + id, Details: map[string]any{"by": by}})
	})
}
