// Package access decides what staff may do: fine-grained permissions,
// grouped into built-in roles, granted per staff account. Customers hold
// no permissions; everything of their own is reached through the
// signed-in checks of the web layer. Deny by default: an unknown role or
// permission grants nothing.
package access

import (
	"context"
	"errors"
	"slices"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/identity"
)

// Permissions.
const (
	CustomersRead          = "customers:read"
	CustomersRevealPII     = "customers:reveal_pii"
	CustomersUnlock        = "customers:unlock"
	CustomersResetPassword = "customers:reset_password"
	CustomersDisable       = "customers:disable"
	RecoveryApprove        = "recovery:approve"
	ConversationsRead      = "conversations:read"
	ConversationsWrite     = "conversations:write"
	AssistStart            = "assist:start"
	AssistReplay           = "assist:replay"
	AuditRead              = "audit:read"
	AccessReview           = "access:review"
	StaffManage            = "staff:manage"
	SettingsManage         = "settings:manage"
)

// Permissions lists every permission.
var Permissions = []string{CustomersRead, CustomersRevealPII, CustomersUnlock, CustomersResetPassword, CustomersDisable,
	RecoveryApprove, ConversationsRead, ConversationsWrite, AssistStart, AssistReplay, AuditRead, AccessReview, StaffManage, SettingsManage}

// Built-in roles.
const (
	RoleAgent           = "agent"
	RoleSupervisor      = "supervisor"
	RoleSecurityOfficer = "security_officer"
	RoleAuditor         = "auditor"
	RoleAdministrator   = "administrator"
)

// Roles maps each built-in role to its permissions.
var Roles = map[string][]string{
	RoleAgent:           {CustomersRead, CustomersUnlock, CustomersResetPassword, ConversationsRead, ConversationsWrite, AssistStart},
	RoleSupervisor:      {CustomersRead, CustomersRevealPII, CustomersUnlock, CustomersResetPassword, CustomersDisable, ConversationsRead, ConversationsWrite, AssistStart, AssistReplay},
	RoleSecurityOfficer: {CustomersRead, CustomersRevealPII, CustomersUnlock, CustomersDisable, RecoveryApprove, AuditRead, AccessReview},
	RoleAuditor:         {AuditRead, AccessReview, CustomersRead},
	RoleAdministrator:   {StaffManage, SettingsManage, AuditRead, CustomersRead},
}

// ErrUnknownRole is a role that does not exist.
var ErrUnknownRole = errors.New("access: unknown role")

// Service reads and grants roles.
type Service struct {
	db    *db.DB
	audit *audit.Log
}

// New returns the service.
func New(d *db.DB, a *audit.Log) *Service { return &Service{db: d, audit: a} }

// Allowed reports whether the principal holds perm. Only staff sessions
// that passed a second factor hold any (ASVS 6.3.3).
func (s *Service) Allowed(ctx context.Context, p *identity.Principal, perm string) (bool, error) {
	if p == nil || p.Kind != identity.KindStaff || p.Session.AAL < 2 || p.Session.MustEnrol {
		return false, nil
	}
	roles, err := s.RolesOf(ctx, p.AccountID)
	if err != nil {
		return false, err
	}
	for _, r := range roles {
		if slices.Contains(Roles[r], perm) {
			return true, nil
		}
	}
	return false, nil
}

// RolesOf lists a staff account's roles.
func (s *Service) RolesOf(ctx context.Context, accountID string) ([]string, error) {
	var out []string
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		out = nil
		rows, err := tx.Query(ctx, "SELECT role FROM staff_roles WHERE account_id = ? ORDER BY role", accountID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r string
			if err := rows.Scan(&r); err != nil {
				return err
			}
			out = append(out, r)
		}
		return rows.Err()
	})
	return out, err
}

// Grant gives a staff account a built-in role inside tx; granting a role
// already held changes nothing.
func (s *Service) Grant(ctx context.Context, tx *db.Tx, accountID, role, by string) error {
	if _, ok := Roles[role]; !ok {
		return ErrUnknownRole
	}
	res, err := tx.Exec(ctx, "INSERT INTO staff_roles (account_id, role, granted_by, granted_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
		accountID, role, by, tx.Now())
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	return s.audit.Record(ctx, tx, audit.Event{Action: "access.grant", Target: "account:" + accountID,
		Details: map[string]any{"role": role, "by": by}})
}
