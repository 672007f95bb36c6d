// Package access decides what staff may do: fine-grained permissions,
// grouped into built-in roles, granted per staff account. Customers hold
// no permissions; everything of their own is reached through the
// signed-in checks of the web layer. Deny by default: an unknown role or
// permission grants nothing.
package access

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"regexp"
	"slices"
	"strings"

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
	DeskManage             = "desk:manage"
	AssistStart            = "assist:start"
	AssistReplay           = "assist:replay"
	AuditRead              = "audit:read"
	AccessReview           = "access:review"
	StaffManage            = "staff:manage"
	SettingsManage         = "settings:manage"
	// KBEdit writes the help centre: articles, categories, files and
	// guided troubleshooting flows.
	KBEdit = "kb:edit"
	// SecurityMonitor works the staff-monitoring alert queue, approves
	// reveals past the hourly cap and edits the sign-in risk rules.
	SecurityMonitor = "security:monitor"
	// PrivacyManage runs data-protection work: the queue of data-subject
	// requests (access, export, correction, erasure, objection) with their
	// deadlines and legal holds, and the incident register with its
	// notices to the authority and to affected customers.
	PrivacyManage = "privacy:manage"
	// ConsentsRead reads the consent ledger through the admin API: where
	// every customer stands on a purpose, with their e-mail address, for
	// the business's own tools (a mailing tool asking who agreed to
	// marketing e-mail). It reveals the addresses of the customers it
	// lists, so it is a permission of its own, for a service account.
	ConsentsRead = "consents:read"
)

// Permissions lists every permission.
var Permissions = []string{CustomersRead, CustomersRevealPII, CustomersUnlock, CustomersResetPassword, CustomersDisable,
	RecoveryApprove, ConversationsRead, ConversationsWrite, DeskManage, AssistStart, AssistReplay, AuditRead, AccessReview, StaffManage, SettingsManage, KBEdit, SecurityMonitor, PrivacyManage, ConsentsRead}

// Built-in roles.
const (
	RoleAgent           = "agent"
	RoleSupervisor      = "supervisor"
	RoleSecurityOfficer = "security_officer"
	RoleAuditor         = "auditor"
	// RolePrivacyOfficer is the data protection officer.
	RolePrivacyOfficer = "privacy_officer"
	RoleAdministrator  = "administrator"
)

// Roles maps each built-in role to its permissions.
var Roles = map[string][]string{
	RoleAgent:           {CustomersRead, CustomersUnlock, CustomersResetPassword, ConversationsRead, ConversationsWrite, AssistStart},
	RoleSupervisor:      {CustomersRead, CustomersRevealPII, CustomersUnlock, CustomersResetPassword, CustomersDisable, ConversationsRead, ConversationsWrite, DeskManage, AssistStart, AssistReplay, KBEdit},
	RoleSecurityOfficer: {CustomersRead, CustomersRevealPII, CustomersUnlock, CustomersDisable, RecoveryApprove, AuditRead, AccessReview, SecurityMonitor},
	RoleAuditor:         {AuditRead, AccessReview, CustomersRead},
	RolePrivacyOfficer:  {CustomersRead, AuditRead, PrivacyManage},
	RoleAdministrator:   {StaffManage, SettingsManage, DeskManage, AuditRead, CustomersRead, KBEdit, SecurityMonitor, PrivacyManage, ConsentsRead},
}

// Errors of the access service.
var (
	ErrUnknownRole = errors.New("access: unknown role")
	// ErrSelfGrant refuses changing one's own roles (separation of duties).
	ErrSelfGrant = errors.New("access: you cannot change your own roles")
	// ErrNotStaff refuses roles for customer accounts.
	ErrNotStaff = errors.New("access: roles are for staff accounts only")
	// ErrInvalidRole is a custom role with a bad name or permission.
	ErrInvalidRole = errors.New("access: a role needs a name of 2 to 40 letters, digits or _ and known permissions")
)

// Service reads and grants roles.
type Service struct {
	db    *db.DB
	audit *audit.Log
	guard RevealGuard // nil: reveals are not capped
}

// RevealGuard may refuse a reveal inside its transaction: staff
// monitoring's hourly cap, past which a second approver is needed.
type RevealGuard interface {
	BeforeReveal(ctx context.Context, tx *db.Tx, staffID string) error
}

// SetRevealGuard connects the guard. Call it once, before serving.
func (s *Service) SetRevealGuard(g RevealGuard) { s.guard = g }

// New returns the service.
func New(d *db.DB, a *audit.Log) *Service { return &Service{db: d, audit: a} }

// Allowed reports whether the principal holds perm. Only staff sessions
// that passed a second factor hold any (ASVS 6.3.3).
func (s *Service) Allowed(ctx context.Context, p *identity.Principal, perm string) (bool, error) {
	if p == nil || p.Kind != identity.KindStaff || p.Session.AAL < 2 || p.Session.MustEnrol {
		return false, nil
	}
	perms, err := s.PermissionsOf(ctx, p.AccountID)
	if err != nil {
		return false, err
	}
	return slices.Contains(perms, perm), nil
}

// PermissionsOf lists what a staff account may do, through all its roles.
func (s *Service) PermissionsOf(ctx context.Context, accountID string) ([]string, error) {
	var out []string
	err := s.db.Read(ctx, func(tx *db.Tx) (err error) {
		out, err = s.PermissionsIn(ctx, tx, accountID)
		return err
	})
	return out, err
}

// PermissionsIn is PermissionsOf inside the caller's transaction.
func (s *Service) PermissionsIn(ctx context.Context, tx *db.Tx, accountID string) ([]string, error) {
	var out []string
	rows, err := tx.Query(ctx, `SELECT r.role, p.permission FROM staff_roles r
		LEFT JOIN custom_role_permissions p ON p.role = r.role WHERE r.account_id = ?`, accountID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	seen := map[string]bool{}
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	for rows.Next() {
		var role string
		var perm sql.NullString
		if err := rows.Scan(&role, &perm); err != nil {
			return nil, err
		}
		for _, p := range Roles[role] {
			add(p)
		}
		if perm.Valid && slices.Contains(Permissions, perm.String) {
			add(perm.String)
		}
	}
	slices.Sort(out)
	return out, rows.Err()
}

// RolesOf lists a staff account's roles.
func (s *Service) RolesOf(ctx context.Context, accountID string) ([]string, error) {
	var out []string
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, "SELECT role FROM staff_roles WHERE account_id = ? ORDER BY role", accountID)
		out, err = db.Collect(rows, err, db.Value[string])
		return err
	})
	return out, err
}

// roleExists reports whether role is built in or defined by the business.
func (s *Service) roleExists(ctx context.Context, tx *db.Tx, role string) (bool, error) {
	if _, ok := Roles[role]; ok {
		return true, nil
	}
	var n int
	err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM custom_roles WHERE name = ?", role).Scan(&n)
	return n > 0, err
}

// Grant gives a staff account a role inside tx; granting a role already
// held changes nothing. by is the granting staff member's account id, or
// "cli" / "import" for operator tools. Nobody grants themselves a role.
func (s *Service) Grant(ctx context.Context, tx *db.Tx, accountID, role, by string) error {
	if by == accountID {
		return ErrSelfGrant
	}
	ok, err := s.roleExists(ctx, tx, role)
	if err != nil {
		return err
	}
	if !ok {
		return ErrUnknownRole
	}
	var kind string
	err = tx.QueryRow(ctx, "SELECT kind FROM accounts WHERE id = ?", accountID).Scan(&kind)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if kind != identity.KindStaff {
		return ErrNotStaff
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

// GrantRole is Grant in a transaction of its own.
func (s *Service) GrantRole(ctx context.Context, accountID, role, by string) error {
	return s.db.Write(ctx, func(tx *db.Tx) error { return s.Grant(ctx, tx, accountID, role, by) })
}

// Revoke takes a role away; nobody revokes their own.
func (s *Service) Revoke(ctx context.Context, tx *db.Tx, accountID, role, by, reason string) error {
	if by == accountID {
		return ErrSelfGrant
	}
	res, err := tx.Exec(ctx, "DELETE FROM staff_roles WHERE account_id = ? AND role = ?", accountID, role)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	return s.audit.Record(ctx, tx, audit.Event{Action: "access.revoke", Target: "account:" + accountID,
		Details: map[string]any{"role": role, "by": by, "reason": reason}})
}

// RevokeRole is Revoke in a transaction of its own.
func (s *Service) RevokeRole(ctx context.Context, accountID, role, by, reason string) error {
	return s.db.Write(ctx, func(tx *db.Tx) error { return s.Revoke(ctx, tx, accountID, role, by, reason) })
}

var roleName = regexp.MustCompile(`^[a-z][a-z0-9_]{1,39}$`)

// CreateRole defines a custom role with some of the permissions.
func (s *Service) CreateRole(ctx context.Context, name, description string, perms []string, by string) error {
	if !roleName.MatchString(name) || len(perms) == 0 || len(description) > 200 {
		return ErrInvalidRole
	}
	if _, builtin := Roles[name]; builtin {
		return ErrInvalidRole
	}
	for _, p := range perms {
		if !slices.Contains(Permissions, p) {
			return ErrInvalidRole
		}
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, "INSERT INTO custom_roles (name, description, created_by, created_at) VALUES (?, ?, ?, ?)", name, description, by, tx.Now()); err != nil {
			return ErrInvalidRole
		}
		for _, p := range perms {
			if _, err := tx.Exec(ctx, "INSERT INTO custom_role_permissions (role, permission) VALUES (?, ?) ON CONFLICT DO NOTHING", name, p); err != nil {
				return err
			}
		}
		return s.audit.Record(ctx, tx, audit.Event{Action: "access.role.create", Target: "role:" + name,
			Details: map[string]any{"permissions": strings.Join(perms, ","), "by": by}})
	})
}

// RoleInfo is a role and what it allows.
type RoleInfo struct {
	Name        string   `json:"name"`
	BuiltIn     bool     `json:"built_in"`
	Permissions []string `json:"permissions"`
}

// AllRoles lists the built-in roles then the custom ones.
func (s *Service) AllRoles(ctx context.Context) ([]RoleInfo, error) {
	var out []RoleInfo
	for _, name := range BuiltInRoles {
		out = append(out, RoleInfo{Name: name, BuiltIn: true, Permissions: Roles[name]})
	}
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, "SELECT r.name, p.permission FROM custom_roles r JOIN custom_role_permissions p ON p.role = r.name ORDER BY r.name, p.permission")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var name, perm string
			if err := rows.Scan(&name, &perm); err != nil {
				return err
			}
			if n := len(out); n > 0 && out[n-1].Name == name && !out[n-1].BuiltIn {
				out[n-1].Permissions = append(out[n-1].Permissions, perm)
			} else {
				out = append(out, RoleInfo{Name: name, Permissions: []string{perm}})
			}
		}
		return rows.Err()
	})
	return out, err
}

// BuiltInRoles lists the built-in roles in the order documents show them.
var BuiltInRoles = []string{RoleAgent, RoleSupervisor, RoleSecurityOfficer, RoleAuditor, RolePrivacyOfficer, RoleAdministrator}

func newID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// Holders counts the active staff accounts that hold perm through a
// built-in or custom role.
func (s *Service) Holders(ctx context.Context, perm string) (int, error) {
	var n int
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		q, args := holdersQuery("COUNT(DISTINCT r.account_id)", perm)
		return tx.QueryRow(ctx, q, args...).Scan(&n)
	})
	return n, err
}

// HolderIDs lists the active staff accounts that hold perm, in the
// caller's transaction (who to remind of a deadline).
func (s *Service) HolderIDs(ctx context.Context, tx *db.Tx, perm string) ([]string, error) {
	q, args := holdersQuery("DISTINCT r.account_id", perm)
	rows, err := tx.Query(ctx, q+" ORDER BY r.account_id", args...)
	return db.Collect(rows, err, db.Value[string])
}

func holdersQuery(sel, perm string) (string, []any) {
	var builtIn []any
	for _, r := range BuiltInRoles {
		if slices.Contains(Roles[r], perm) {
			builtIn = append(builtIn, r)
		}
	}
	q := `SELECT ` + sel + ` FROM staff_roles r JOIN accounts a ON a.id = r.account_id
		WHERE a.status = 'active' AND (r.role IN (SELECT role FROM custom_role_permissions WHERE permission = ?)`
	args := []any{perm}
	if len(builtIn) > 0 {
		q += " OR r.role IN (?" + strings.Repeat(", ?", len(builtIn)-1) + ")"
		args = append(args, builtIn...)
	}
	return q + ")", args
}
