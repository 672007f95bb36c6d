package support

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/frontdesk/frontdesk/internal/db"
)

// Canned replies are answers agents reuse, per language, with variables
// filled in when inserted: {{customer_name}} and {{agent_name}}. They hold
// no personal data (they are written for everyone), so they are stored in
// clear.

// Canned is one canned reply.
type Canned struct {
	ID        string    `json:"id"`
	Title     string    `json:"title"`
	Body      string    `json:"body"`
	Language  string    `json:"language"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// Variables a canned reply may use.
var cannedVariables = []string{"customer_name", "agent_name"}

// SaveCanned creates a canned reply (ID empty) or replaces one.
func (s *Service) SaveCanned(ctx context.Context, c Canned) (*Canned, error) {
	c.Title, c.Body = strings.TrimSpace(c.Title), strings.TrimSpace(c.Body)
	if c.Title == "" || utf8.RuneCountInString(c.Title) > 100 {
		return nil, invalid("title", "a title of 1 to 100 characters")
	}
	if c.Body == "" || utf8.RuneCountInString(c.Body) > 5000 {
		return nil, invalid("body", "a text of 1 to 5,000 characters")
	}
	if v, ok := unknownVariable(c.Body); ok {
		return nil, invalid("body", "unknown variable {{"+v+"}}: use {{customer_name}} or {{agent_name}}")
	}
	c.Language = normalizeLocale(c.Language)
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		if c.ID == "" {
			c.ID, c.CreatedAt = newID(), tx.Now()
			_, err := tx.Exec(ctx, "INSERT INTO canned_replies (id, title, body, language, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)",
				c.ID, c.Title, c.Body, c.Language, c.CreatedBy, c.CreatedAt)
			return err
		}
		res, err := tx.Exec(ctx, "UPDATE canned_replies SET title = ?, body = ?, language = ? WHERE id = ?", c.Title, c.Body, c.Language, c.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// DeleteCanned removes a canned reply.
func (s *Service) DeleteCanned(ctx context.Context, id string) error {
	return s.db.Write(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, "DELETE FROM canned_replies WHERE id = ?", id)
		return err
	})
}

// CannedReplies lists the canned replies, of one language when lang is set.
func (s *Service) CannedReplies(ctx context.Context, lang string) ([]Canned, error) {
	out := []Canned{}
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		q, args := "SELECT id, title, body, language, created_by, created_at FROM canned_replies", []any{}
		if lang != "" {
			q, args = q+" WHERE language = ?", append(args, normalizeLocale(lang))
		}
		rows, err := tx.Query(ctx, q+" ORDER BY title, id", args...)
		out, err = db.Collect(rows, err, func(row db.Scanner) (c Canned, err error) {
			err = row.Scan(&c.ID, &c.Title, &c.Body, &c.Language, &c.CreatedBy, &c.CreatedAt)
			c.CreatedAt = c.CreatedAt.UTC()
			return c, err
		})
		return err
	})
	return out, err
}

// CannedReply returns one canned reply.
func (s *Service) CannedReply(ctx context.Context, id string) (*Canned, error) {
	var c Canned
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		return tx.QueryRow(ctx, "SELECT id, title, body, language, created_by, created_at FROM canned_replies WHERE id = ?", id).
			Scan(&c.ID, &c.Title, &c.Body, &c.Language, &c.CreatedBy, &c.CreatedAt)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	return &c, err
}

// Fill replaces a canned reply's variables. A missing customer name
// becomes a neutral greeting word rather than an empty gap.
func Fill(body, customerName, agentName string) string {
	if strings.TrimSpace(customerName) == "" {
		customerName = "there"
	}
	return strings.NewReplacer("{{customer_name}}", customerName, "{{agent_name}}", agentName).Replace(body)
}

// unknownVariable reports the first {{name}} that is not a known variable.
func unknownVariable(body string) (string, bool) {
	for rest := body; ; {
		i := strings.Index(rest, "{{")
		if i < 0 {
			return "", false
		}
		j := strings.Index(rest[i:], "}}")
		if j < 0 {
			return "", false
		}
		name := strings.TrimSpace(rest[i+2 : i+j])
		known := false
		for _, v := range cannedVariables {
			known = known || v == name
		}
		if !known {
			return name, true
		}
		rest = rest[i+j+2:]
	}
}

// Category is a problem category, named in each language.
type Category struct {
	ID       string            `json:"id"`
	Names    map[string]string `json:"names"`
	Archived bool              `json:"archived"`
}

// Name returns the category's name in lang, English when missing.
func (c Category) Name(lang string) string {
	if n := c.Names[normalizeLocale(lang)]; n != "" {
		return n
	}
	return c.Names["en"]
}

// Categories lists the categories in their order.
func (s *Service) Categories(ctx context.Context) ([]Category, error) {
	out := []Category{}
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, "SELECT id, name_en, name_vi, name_zh, archived FROM support_categories ORDER BY position, id")
		out, err = db.Collect(rows, err, func(row db.Scanner) (c Category, err error) {
			var en, vi, zh string
			err = row.Scan(&c.ID, &en, &vi, &zh, &c.Archived)
			c.Names = map[string]string{"en": en, "vi": vi, "zh": zh}
			return c, err
		})
		return err
	})
	return out, err
}

// SaveCategory creates or renames a category, or archives it (archived
// categories stay on old conversations and are offered no more).
func (s *Service) SaveCategory(ctx context.Context, c Category) error {
	if c.ID == "" || len(c.ID) > 40 || strings.ContainsFunc(c.ID, func(r rune) bool { return !(r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9') }) {
		return invalid("id", "an id of 1 to 40 lower-case letters, digits or _")
	}
	for _, l := range []string{"en", "vi", "zh"} {
		if n := strings.TrimSpace(c.Names[l]); n == "" || utf8.RuneCountInString(n) > 60 {
			return invalid("name_"+l, "a name of 1 to 60 characters in each language")
		}
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO support_categories (id, name_en, name_vi, name_zh, position, archived)
			VALUES (?, ?, ?, ?, (SELECT COALESCE(MAX(position), 0) + 1 FROM support_categories), ?)
			ON CONFLICT (id) DO UPDATE SET name_en = excluded.name_en, name_vi = excluded.name_vi, name_zh = excluded.name_zh, archived = excluded.archived`,
			c.ID, strings.TrimSpace(c.Names["en"]), strings.TrimSpace(c.Names["vi"]), strings.TrimSpace(c.Names["zh"]), c.Archived)
		if err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, auditEvent("support.category_save", "category:"+c.ID, map[string]any{"archived": c.Archived}))
	})
}
