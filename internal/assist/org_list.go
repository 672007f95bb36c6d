package assist

import (
	"context"
	"database/sql"
	"errors"

	"github.com/frontdesk/frontdesk/internal/db"
)

// OrgSummary is an organisation with its number of members, for lists.
type OrgSummary struct {
	Org
	Members int `json:"members"`
}

// Orgs lists the organisations by name (at most 1,000). Staff only: the
// web layer checks settings:manage.
func (s *Service) Orgs(ctx context.Context) ([]OrgSummary, error) {
	var out []OrgSummary
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, `SELECT o.id, o.name, o.plan, o.created_at, (SELECT COUNT(*) FROM customer_org_members m WHERE m.org_id = o.id)
			FROM customer_orgs o ORDER BY o.name, o.id LIMIT 1000`)
		out, err = db.Collect(rows, err, func(row db.Scanner) (o OrgSummary, err error) {
			err = row.Scan(&o.ID, &o.Name, &o.Plan, &o.CreatedAt, &o.Members)
			o.CreatedAt = o.CreatedAt.UTC()
			return o, err
		})
		return err
	})
	return out, err
}

// OrgByID returns an organisation for staff (settings:manage), or for one
// of its members; anyone else gets ErrNotFound.
func (s *Service) OrgByID(ctx context.Context, by Actor, id string) (*Org, error) {
	var o Org
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		if !by.Staff {
			var one int
			err := tx.QueryRow(ctx, "SELECT 1 FROM customer_org_members WHERE org_id = ? AND account_id = ?", id, by.AccountID).Scan(&one)
			if errors.Is(err, sql.ErrNoRows) {
				return ErrNotFound // ASVS 8.2.2
			}
			if err != nil {
				return err
			}
		}
		return tx.QueryRow(ctx, "SELECT id, name, plan, created_at FROM customer_orgs WHERE id = ?", id).Scan(&o.ID, &o.Name, &o.Plan, &o.CreatedAt)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	o.CreatedAt = o.CreatedAt.UTC()
	return &o, nil
}

// Members lists an organisation's members, for staff or for the
// organisation's admin members (ErrForbidden for other members,
// ErrNotFound for anyone else).
func (s *Service) Members(ctx context.Context, by Actor, orgID string) ([]Member, error) {
	var out []Member
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		if !by.Staff {
			var admin bool
			err := tx.QueryRow(ctx, "SELECT admin FROM customer_org_members WHERE org_id = ? AND account_id = ?", orgID, by.AccountID).Scan(&admin)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				return ErrNotFound
			case err != nil:
				return err
			case !admin:
				return ErrForbidden
			}
		} else if err := s.orgExists(ctx, tx, orgID); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, "SELECT account_id, admin, template_id FROM customer_org_members WHERE org_id = ? ORDER BY created_at, account_id LIMIT 5000", orgID)
		out, err = db.Collect(rows, err, func(row db.Scanner) (Member, error) {
			m := Member{OrgID: orgID}
			var t sql.NullString
			err := row.Scan(&m.AccountID, &m.Admin, &t)
			m.TemplateID = t.String
			return m, err
		})
		return err
	})
	return out, err
}
