package access

import (
	"context"
	"slices"

	"github.com/frontdesk/frontdesk/internal/db"
)

// PermissionsOfRoles lists what the given roles allow together, built-in
// and custom alike, sorted; an unknown role allows nothing. Service
// accounts (internal/automation) hold roles without being staff accounts.
func (s *Service) PermissionsOfRoles(ctx context.Context, roles []string) ([]string, error) {
	var out []string
	err := s.db.Read(ctx, func(tx *db.Tx) (err error) {
		out, err = s.PermissionsOfRolesIn(ctx, tx, roles)
		return err
	})
	return out, err
}

// PermissionsOfRolesIn is PermissionsOfRoles inside the caller's
// transaction.
func (s *Service) PermissionsOfRolesIn(ctx context.Context, tx *db.Tx, roles []string) ([]string, error) {
	var out []string
	for _, r := range roles {
		if perms, builtin := Roles[r]; builtin {
			out = append(out, perms...)
			continue
		}
		rows, err := tx.Query(ctx, "SELECT permission FROM custom_role_permissions WHERE role = ?", r)
		perms, err := db.Collect(rows, err, db.Value[string])
		if err != nil {
			return nil, err
		}
		for _, p := range perms {
			if slices.Contains(Permissions, p) {
				out = append(out, p)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// RoleExists reports whether role is built in or defined by the business.
func (s *Service) RoleExists(ctx context.Context, role string) (bool, error) {
	var ok bool
	err := s.db.Read(ctx, func(tx *db.Tx) (err error) {
		ok, err = s.roleExists(ctx, tx, role)
		return err
	})
	return ok, err
}

// RolesWith lists every role that carries perm: the built-in ones in the
// order the documents show them, then the business's own, by name. A
// staff member refused a page is told whom to ask for which role.
func (s *Service) RolesWith(ctx context.Context, perm string) ([]string, error) {
	var out []string
	for _, r := range BuiltInRoles {
		if slices.Contains(Roles[r], perm) {
			out = append(out, r)
		}
	}
	if !slices.Contains(Permissions, perm) {
		return out, nil
	}
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, "SELECT role FROM custom_role_permissions WHERE permission = ? ORDER BY role", perm)
		custom, err := db.Collect(rows, err, db.Value[string])
		out = append(out, custom...)
		return err
	})
	return out, err
}
