package kb

import (
	"context"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/internal/db"
)

// What the console's editors list: articles with their status, languages
// and votes, and the categories.

// ArticleRow is an article in the editors' list.
type ArticleRow struct {
	ID         string
	Slug       string
	CategoryID string
	Status     string
	Title      string // in the editor's locale, else English, else any
	Locales    []string
	HelpfulYes int
	HelpfulNo  int
	UpdatedAt  time.Time
}

// ArticlePage is one page of the editors' list.
type ArticlePage struct {
	Rows []ArticleRow
	More bool // a next page exists
}

// ListArticles lists articles of a status ("" for all), most recently
// changed first, limit at a time from offset.
func (s *Service) ListArticles(ctx context.Context, locale, status string, offset, limit int) (*ArticlePage, error) {
	out := &ArticlePage{}
	q := `SELECT a.id, a.slug, COALESCE(a.category_id, ''), a.status, a.helpful_yes, a.helpful_no, a.updated_at,
		COALESCE((SELECT title FROM kb_translations WHERE article_id = a.id AND locale = ?),
			(SELECT title FROM kb_translations WHERE article_id = a.id AND locale = 'en'),
			(SELECT MIN(title) FROM kb_translations WHERE article_id = a.id), '')
		FROM kb_articles a`
	args := []any{locale}
	if status != "" {
		q += " WHERE a.status = ?"
		args = append(args, status)
	}
	q += " ORDER BY a.updated_at DESC, a.id LIMIT ? OFFSET ?"
	args = append(args, limit+1, offset)
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, q, args...)
		out.Rows, err = db.Collect(rows, err, func(row db.Scanner) (r ArticleRow, err error) {
			err = row.Scan(&r.ID, &r.Slug, &r.CategoryID, &r.Status, &r.HelpfulYes, &r.HelpfulNo, &r.UpdatedAt, &r.Title)
			r.UpdatedAt = r.UpdatedAt.UTC()
			return r, err
		})
		if err != nil {
			return err
		}
		if out.More = len(out.Rows) > limit; out.More {
			out.Rows = out.Rows[:limit]
		}
		if len(out.Rows) == 0 {
			return nil
		}
		ids := make([]any, len(out.Rows))
		byID := make(map[string]int, len(out.Rows))
		for i, r := range out.Rows {
			ids[i], byID[r.ID] = r.ID, i
		}
		rows, err = tx.Query(ctx, "SELECT article_id, locale FROM kb_translations WHERE article_id IN (?"+strings.Repeat(", ?", len(ids)-1)+") ORDER BY locale", ids...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id, l string
			if err := rows.Scan(&id, &l); err != nil {
				return err
			}
			if i, ok := byID[id]; ok {
				out.Rows[i].Locales = append(out.Rows[i].Locales, l)
			}
		}
		return rows.Err()
	})
	return out, err
}

// Name is the category's name in locale, or in English.
func (c Category) Name(locale string) string { return Texts(c.Names).In(locale) }

// Categories lists the categories in their order.
func (s *Service) Categories(ctx context.Context) ([]Category, error) {
	out := []Category{}
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, "SELECT id, name_en, name_vi, name_zh FROM kb_categories ORDER BY position, id")
		out, err = db.Collect(rows, err, func(row db.Scanner) (Category, error) {
			var id, en, vi, zh string
			err := row.Scan(&id, &en, &vi, &zh)
			return Category{ID: id, Names: map[string]string{"en": en, "vi": vi, "zh": zh}}, err
		})
		return err
	})
	return out, err
}
