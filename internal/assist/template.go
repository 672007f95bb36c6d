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
)

// Template is what an enterprise organisation allows its members'
// sessions. It can only narrow the platform's limits: a template that asks
// for more is refused when saved, and clamped when the platform's limits
// are lowered later.
type Template struct {
	ID          string        `json:"id"`
	OrgID       string        `json:"org_id"`
	Name        string        `json:"name"`
	MaxLevel    string        `json:"max_level"`
	MaxDuration time.Duration `json:"max_duration"`
	// Recording says whether sessions are recorded. It is the
	// organisation's choice and is shown on the consent screen; it gives
	// the agent no more power over the page.
	Recording bool `json:"recording"`
	// MaskSelectors are CSS selectors masked in addition to the built-in
	// ones (password fields, data-fd-mask, data-fd-block).
	MaskSelectors []string  `json:"mask_selectors"`
	Default       bool      `json:"default"` // for members without a template of their own
	UpdatedAt     time.Time `json:"updated_at"`
}

// Limits on masked selectors.
const (
	MaxSelectors   = 20
	MaxSelectorLen = 200
)

// CheckSelectors trims, de-duplicates and validates CSS selectors. They
// travel to the customer's script as JSON and are passed to
// querySelectorAll there, which reports a bad one; the server keeps to a
// plain subset so that no selector can break out of where it is embedded:
// letters, digits, space and - _ # . [ ] = " ' : > + ~ * ^ $ | ( ) ,
// with brackets, parentheses and quotes balanced.
func CheckSelectors(in []string) ([]string, error) {
	out := []string{}
	for _, sel := range in {
		sel = strings.TrimSpace(sel)
		if sel == "" || slices.Contains(out, sel) {
			continue
		}
		if len(sel) > MaxSelectorLen || !utf8.ValidString(sel) {
			return nil, invalid("mask_selectors", "a selector has at most 200 characters")
		}
		if !plainSelector(sel) {
			return nil, invalid("mask_selectors", "a selector may use letters, digits, spaces and - _ # . [ ] = \" ' : > + ~ * ^ $ | ( ) , with brackets and quotes closed")
		}
		out = append(out, sel)
	}
	if len(out) > MaxSelectors {
		return nil, invalid("mask_selectors", "at most 20 selectors")
	}
	return out, nil
}

func plainSelector(sel string) bool {
	var quote rune
	depth := map[rune]int{}
	for _, r := range sel {
		if quote != 0 {
			if r == quote {
				quote = 0
			} else if r == '\\' || r < ' ' || r == '<' || r == '{' || r == '}' || r == ';' {
				return false
			}
			continue
		}
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		case strings.ContainsRune(" -_#.=:>+~*^$|,", r):
		case r == '"' || r == '\'':
			quote = r
		case r == '[' || r == '(':
			depth[r]++
		case r == ']':
			if depth['[']--; depth['['] < 0 {
				return false
			}
		case r == ')':
			if depth['(']--; depth['('] < 0 {
				return false
			}
		default:
			return false
		}
	}
	return quote == 0 && depth['['] == 0 && depth['('] == 0
}

// checkTemplate validates t against the platform's limits.
func (s *Service) checkTemplate(t *Template) error {
	t.Name = strings.TrimSpace(t.Name)
	if t.Name == "" || utf8.RuneCountInString(t.Name) > 80 || !utf8.ValidString(t.Name) {
		return invalid("name", "a name of 1 to 80 characters")
	}
	if rank(t.MaxLevel) == 0 {
		return invalid("max_level", "view, guided or control")
	}
	if t.MaxDuration < time.Minute {
		return invalid("max_duration", "at least one minute")
	}
	if t.MaxDuration > s.o.MaxDuration {
		return ErrWiden
	}
	sels, err := CheckSelectors(t.MaskSelectors)
	if err != nil {
		return err
	}
	t.MaskSelectors = sels
	return nil
}

// SaveTemplate creates (empty ID) or updates a template of t.OrgID. by is
// staff, or an admin member of an enterprise organisation. Marking it
// Default unmarks the organisation's other templates.
func (s *Service) SaveTemplate(ctx context.Context, by Actor, t Template) (*Template, error) {
	if err := s.checkTemplate(&t); err != nil {
		return nil, err
	}
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		if err := s.canManage(ctx, tx, by, t.OrgID); err != nil {
			return err
		}
		now := tx.Now()
		t.UpdatedAt = now
		if t.Default {
			if _, err := tx.Exec(ctx, "UPDATE assist_templates SET is_default = FALSE WHERE org_id = ? AND id <> ?", t.OrgID, t.ID); err != nil {
				return err
			}
		}
		sels := strings.Join(t.MaskSelectors, "\n")
		action := "assist.template_update"
		if t.ID == "" {
			t.ID, action = newID(), "assist.template_create"
			_, err := tx.Exec(ctx, `INSERT INTO assist_templates (id, org_id, name, max_level, max_duration_s, recording, masked_selectors, is_default, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, t.ID, t.OrgID, t.Name, t.MaxLevel, int64(t.MaxDuration/time.Second), t.Recording, sels, t.Default, now, now)
			if db.IsUniqueViolation(err) {
				return invalid("name", "the organisation has a template of that name")
			}
			if err != nil {
				return err
			}
		} else {
			res, err := tx.Exec(ctx, `UPDATE assist_templates SET name = ?, max_level = ?, max_duration_s = ?, recording = ?, masked_selectors = ?, is_default = ?, updated_at = ?
				WHERE id = ? AND org_id = ?`, t.Name, t.MaxLevel, int64(t.MaxDuration/time.Second), t.Recording, sels, t.Default, now, t.ID, t.OrgID)
			if db.IsUniqueViolation(err) {
				return invalid("name", "the organisation has a template of that name")
			}
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return ErrNotFound
			}
		}
		return s.o.Audit.Record(ctx, tx, audit.Event{Action: action, Target: "assist_template:" + t.ID, Actor: templateActor(ctx, by),
			Details: map[string]any{"org": t.OrgID, "max_level": t.MaxLevel, "max_duration_s": int64(t.MaxDuration / time.Second),
				"recording": t.Recording, "mask_selectors": len(t.MaskSelectors), "default": t.Default}})
	})
	if err != nil {
		return nil, err
	}
	return &t, nil
}

func templateActor(ctx context.Context, by Actor) *audit.Actor {
	if by.Staff {
		return actorFor(ctx, by.AccountID, audit.ActorStaff)
	}
	return actorFor(ctx, by.AccountID, audit.ActorCustomer)
}

// DeleteTemplate removes a template; its members fall back to the
// organisation's default template, or to the platform's limits.
func (s *Service) DeleteTemplate(ctx context.Context, by Actor, orgID, id string) error {
	return s.db.Write(ctx, func(tx *db.Tx) error {
		if err := s.canManage(ctx, tx, by, orgID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE customer_org_members SET template_id = NULL WHERE template_id = ?", id); err != nil {
			return err
		}
		res, err := tx.Exec(ctx, "DELETE FROM assist_templates WHERE id = ? AND org_id = ?", id, orgID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return s.o.Audit.Record(ctx, tx, audit.Event{Action: "assist.template_delete", Target: "assist_template:" + id, Actor: templateActor(ctx, by),
			Details: map[string]any{"org": orgID}})
	})
}

// AssignTemplate gives a member a template of their organisation ("" for
// the organisation's default).
func (s *Service) AssignTemplate(ctx context.Context, by Actor, orgID, accountID, templateID string) error {
	return s.db.Write(ctx, func(tx *db.Tx) error {
		if err := s.canManage(ctx, tx, by, orgID); err != nil {
			return err
		}
		var tmpl any
		if templateID != "" {
			var one int
			err := tx.QueryRow(ctx, "SELECT 1 FROM assist_templates WHERE id = ? AND org_id = ?", templateID, orgID).Scan(&one)
			if errors.Is(err, sql.ErrNoRows) {
				return invalid("template_id", "not a template of this organisation")
			}
			if err != nil {
				return err
			}
			tmpl = templateID
		}
		res, err := tx.Exec(ctx, "UPDATE customer_org_members SET template_id = ? WHERE account_id = ? AND org_id = ?", tmpl, accountID, orgID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound // ASVS 8.2.2: another organisation's member is not there for you
		}
		return s.o.Audit.Record(ctx, tx, audit.Event{Action: "assist.template_assign", Target: "account:" + accountID, Actor: templateActor(ctx, by),
			Details: map[string]any{"org": orgID, "template": templateID}})
	})
}

// Templates lists an organisation's templates.
func (s *Service) Templates(ctx context.Context, by Actor, orgID string) ([]Template, error) {
	var out []Template
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		if err := s.canManage(ctx, tx, by, orgID); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, "SELECT "+templateColumns+" FROM assist_templates WHERE org_id = ? ORDER BY name", orgID)
		out, err = db.Collect(rows, err, scanTemplate)
		return err
	})
	return out, err
}

const templateColumns = "id, org_id, name, max_level, max_duration_s, recording, masked_selectors, is_default, updated_at"

func scanTemplate(row db.Scanner) (Template, error) {
	var (
		t    Template
		secs int64
		sels string
	)
	if err := row.Scan(&t.ID, &t.OrgID, &t.Name, &t.MaxLevel, &secs, &t.Recording, &sels, &t.Default, &t.UpdatedAt); err != nil {
		return Template{}, err
	}
	t.MaxDuration, t.MaskSelectors, t.UpdatedAt = time.Duration(secs)*time.Second, splitLines(sels), t.UpdatedAt.UTC()
	return t, nil
}

func splitLines(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, "\n")
}
