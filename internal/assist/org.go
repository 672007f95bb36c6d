package assist

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/identity"
)

// Plans of a customer organisation. Remote assistance is offered from
// professional up; templates are an enterprise feature.
const (
	PlanBasic        = "basic"
	PlanProfessional = "professional"
	PlanEnterprise   = "enterprise"
)

// Plans lists the plans, smallest first.
var Plans = []string{PlanBasic, PlanProfessional, PlanEnterprise}

// Org is a customer organisation: a company with several customer accounts.
type Org struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Plan      string    `json:"plan"`
	CreatedAt time.Time `json:"created_at"`
}

// Member is a customer account's place in an organisation.
type Member struct {
	AccountID  string `json:"account_id"`
	OrgID      string `json:"org_id"`
	Admin      bool   `json:"admin"`
	TemplateID string `json:"template_id,omitempty"`
}

func checkPlan(plan string) error {
	if !slices.Contains(Plans, plan) {
		return invalid("plan", "basic, professional or enterprise")
	}
	return nil
}

// CreateOrg creates an organisation. Staff only: the web layer checks
// settings:manage.
func (s *Service) CreateOrg(ctx context.Context, name, plan string) (*Org, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 120 || !utf8.ValidString(name) {
		return nil, invalid("name", "a name of 1 to 120 characters")
	}
	if err := checkPlan(plan); err != nil {
		return nil, err
	}
	var out *Org
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		now := tx.Now()
		out = &Org{ID: newID(), Name: name, Plan: plan, CreatedAt: now}
		if _, err := tx.Exec(ctx, "INSERT INTO customer_orgs (id, name, plan, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
			out.ID, name, plan, now, now); err != nil {
			return err
		}
		return s.o.Audit.Record(ctx, tx, audit.Event{Action: "assist.org_create", Target: "org:" + out.ID, Details: map[string]any{"plan": plan}})
	})
	return out, err
}

// SetPlan changes an organisation's plan. Staff only.
func (s *Service) SetPlan(ctx context.Context, orgID, plan string) error {
	if err := checkPlan(plan); err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		var old string
		err := tx.QueryRow(ctx, "SELECT plan FROM customer_orgs WHERE id = ?"+tx.ForUpdate(), orgID).Scan(&old)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil || old == plan {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE customer_orgs SET plan = ?, updated_at = ? WHERE id = ?", plan, tx.Now(), orgID); err != nil {
			return err
		}
		return s.o.Audit.Record(ctx, tx, audit.Event{Action: "assist.org_plan", Target: "org:" + orgID, Details: map[string]any{"plan": []string{old, plan}}})
	})
}

// AddMember puts a customer account in an organisation (moving it from
// another one), as an admin or not. Staff only.
func (s *Service) AddMember(ctx context.Context, orgID, accountID string, admin bool) error {
	return s.db.Write(ctx, func(tx *db.Tx) error {
		if err := s.orgExists(ctx, tx, orgID); err != nil {
			return err
		}
		if s.o.Accounts != nil {
			a, err := s.o.Accounts.AccountIn(ctx, tx, accountID)
			if errors.Is(err, identity.ErrNotFound) || (err == nil && (a == nil || a.Kind != identity.KindCustomer)) {
				return invalid("account_id", "not a customer account")
			}
			if err != nil {
				return err
			}
		}
		_, err := tx.Exec(ctx, `INSERT INTO customer_org_members (account_id, org_id, admin, created_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (account_id) DO UPDATE SET org_id = excluded.org_id, admin = excluded.admin,
			template_id = CASE WHEN customer_org_members.org_id = excluded.org_id THEN customer_org_members.template_id END`,
			accountID, orgID, admin, tx.Now())
		if db.IsForeignKeyViolation(err) {
			return invalid("account_id", "not a customer account")
		}
		if err != nil {
			return err
		}
		return s.o.Audit.Record(ctx, tx, audit.Event{Action: "assist.org_member", Target: "account:" + accountID,
			Details: map[string]any{"org": orgID, "admin": admin}})
	})
}

// RemoveMember takes a customer account out of its organisation: the
// default plan applies to it again.
func (s *Service) RemoveMember(ctx context.Context, orgID, accountID string) error {
	return s.db.Write(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, "DELETE FROM customer_org_members WHERE org_id = ? AND account_id = ?", orgID, accountID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return s.o.Audit.Record(ctx, tx, audit.Event{Action: "assist.org_member_remove", Target: "account:" + accountID, Details: map[string]any{"org": orgID}})
	})
}

// OrgOf returns a customer's organisation and membership, or nil, nil for
// a customer outside any organisation.
func (s *Service) OrgOf(ctx context.Context, accountID string) (*Org, *Member, error) {
	var (
		o Org
		m = Member{AccountID: accountID}
		t sql.NullString
	)
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		return tx.QueryRow(ctx, `SELECT o.id, o.name, o.plan, o.created_at, m.admin, m.template_id FROM customer_org_members m
			JOIN customer_orgs o ON o.id = m.org_id WHERE m.account_id = ?`, accountID).Scan(&o.ID, &o.Name, &o.Plan, &o.CreatedAt, &m.Admin, &t)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	o.CreatedAt = o.CreatedAt.UTC()
	m.OrgID, m.TemplateID = o.ID, t.String
	return &o, &m, nil
}

func (s *Service) orgExists(ctx context.Context, tx *db.Tx, orgID string) error {
	var one int
	err := tx.QueryRow(ctx, "SELECT 1 FROM customer_orgs WHERE id = ?", orgID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

// canManage checks that by may manage orgID's templates: staff (the web
// layer checked settings:manage), or an admin member of an enterprise
// organisation. It returns the organisation's plan.
func (s *Service) canManage(ctx context.Context, tx *db.Tx, by Actor, orgID string) error {
	var plan string
	err := tx.QueryRow(ctx, "SELECT plan FROM customer_orgs WHERE id = ?", orgID).Scan(&plan)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	if err != nil {
		return err
	}
	if by.Staff {
		return nil
	}
	var admin bool
	err = tx.QueryRow(ctx, "SELECT admin FROM customer_org_members WHERE account_id = ? AND org_id = ?", by.AccountID, orgID).Scan(&admin)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return ErrNotFound // ASVS 8.2.2: another organisation's templates are not there for you
	case err != nil:
		return err
	case !admin:
		return ErrForbidden
	case plan != PlanEnterprise:
		return ErrPlan
	}
	return nil
}
