package assist

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"time"

	"github.com/frontdesk/frontdesk/internal/db"
)

// Policy is what a customer's sessions may be: the platform's limits
// narrowed by their organisation's template.
type Policy struct {
	Plan string `json:"plan"`
	// Allowed is false on the basic plan: no remote assistance, no
	// recording of steps.
	Allowed     bool          `json:"allowed"`
	OrgID       string        `json:"org_id,omitempty"`
	TemplateID  string        `json:"template_id,omitempty"`
	MaxLevel    string        `json:"max_level"`
	MaxDuration time.Duration `json:"max_duration"`
	IdleTimeout time.Duration `json:"idle_timeout"`
	Recording   bool          `json:"recording"`
	// MaskSelectors are masked in addition to the built-in ones.
	MaskSelectors []string `json:"mask_selectors"`
}

// Platform returns the platform's own limits, before any template.
func (s *Service) Platform() Policy {
	return Policy{Plan: s.o.DefaultPlan, Allowed: s.o.DefaultPlan != PlanBasic, MaxLevel: LevelControl,
		MaxDuration: s.o.MaxDuration, IdleTimeout: s.o.IdleTimeout, Recording: s.o.Recording, MaskSelectors: []string{}}
}

// Effective returns the policy of a customer account's sessions. A customer
// outside any organisation gets the platform's default plan (professional
// unless configured) and the platform's limits.
func (s *Service) Effective(ctx context.Context, customerID string) (*Policy, error) {
	var out *Policy
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		var err error
		out, err = s.effective(ctx, tx, customerID)
		return err
	})
	return out, err
}

func (s *Service) effective(ctx context.Context, tx *db.Tx, customerID string) (*Policy, error) {
	p := s.Platform()
	var (
		orgID, plan string
		tmplID      sql.NullString
	)
	err := tx.QueryRow(ctx, `SELECT m.org_id, o.plan, COALESCE(m.template_id,
			(SELECT t.id FROM assist_templates t WHERE t.org_id = m.org_id AND t.is_default ORDER BY t.id LIMIT 1))
		FROM customer_org_members m JOIN customer_orgs o ON o.id = m.org_id WHERE m.account_id = ?`, customerID).Scan(&orgID, &plan, &tmplID)
	if errors.Is(err, sql.ErrNoRows) {
		return &p, nil
	}
	if err != nil {
		return nil, err
	}
	p.OrgID, p.Plan, p.Allowed = orgID, plan, plan != PlanBasic
	if !tmplID.Valid {
		return &p, nil
	}
	t, err := scanTemplate(tx.QueryRow(ctx, "SELECT "+templateColumns+" FROM assist_templates WHERE id = ?", tmplID.String))
	if err != nil {
		return nil, err
	}
	p = intersect(p, &t)
	return &p, nil
}

// intersect narrows the platform's policy by a template: the lower level,
// the shorter duration, the union of masked selectors. Recording is the
// template's choice (see Template.Recording).
func intersect(p Policy, t *Template) Policy {
	p.TemplateID = t.ID
	p.MaxLevel = lower(p.MaxLevel, t.MaxLevel)
	p.MaxDuration = min(p.MaxDuration, t.MaxDuration)
	p.Recording = t.Recording
	sels := append([]string{}, p.MaskSelectors...)
	for _, sel := range t.MaskSelectors {
		if !slices.Contains(sels, sel) {
			sels = append(sels, sel)
		}
	}
	p.MaskSelectors = sels
	return p
}
