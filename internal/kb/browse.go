package kb

import (
	"context"

	"github.com/frontdesk/frontdesk/internal/db"
)

// Browsing the help centre: its categories with the number of published
// articles in each, the articles of a category, and the most helpful
// articles. Titles are in the reader's locale, or in DefaultLocale where
// an article has no translation in it.

// Listed is a published article as a list shows it.
type Listed struct {
	Slug    string
	Title   string
	Summary string
	Locale  string // the translation shown
}

// HelpCategory is a category and how many published articles it holds.
type HelpCategory struct {
	Category
	Articles int
}

// listedColumns reads an article's title and summary in the locale given
// as the first argument, falling back to DefaultLocale.
const listedColumns = `a.slug, COALESCE(t.title, d.title), COALESCE(t.summary, d.summary), COALESCE(t.locale, d.locale)
	FROM kb_articles a
	LEFT JOIN kb_translations t ON t.article_id = a.id AND t.locale = ?
	LEFT JOIN kb_translations d ON d.article_id = a.id AND d.locale = '` + DefaultLocale + `'
	WHERE a.status = 'published' AND (t.rid IS NOT NULL OR d.rid IS NOT NULL)`

func (s *Service) listed(ctx context.Context, rest string, args ...any) ([]Listed, error) {
	out := []Listed{}
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, "SELECT "+listedColumns+rest, args...)
		out, err = db.Collect(rows, err, func(row db.Scanner) (l Listed, err error) {
			err = row.Scan(&l.Slug, &l.Title, &l.Summary, &l.Locale)
			return l, err
		})
		return err
	})
	return out, err
}

// HelpCategories lists the categories that hold published articles, in
// their order, with the number of those articles.
func (s *Service) HelpCategories(ctx context.Context) ([]HelpCategory, error) {
	cats, err := s.Categories(ctx)
	if err != nil {
		return nil, err
	}
	counts := map[string]int{}
	err = s.db.Read(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, "SELECT category_id, COUNT(*) FROM kb_articles WHERE status = 'published' AND category_id IS NOT NULL GROUP BY category_id")
		_, err = db.Collect(rows, err, func(row db.Scanner) (struct{}, error) {
			var id string
			var n int
			err := row.Scan(&id, &n)
			counts[id] = n
			return struct{}{}, err
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	out := []HelpCategory{}
	for _, c := range cats {
		if n := counts[c.ID]; n > 0 {
			out = append(out, HelpCategory{Category: c, Articles: n})
		}
	}
	return out, nil
}

// CategoryArticles lists the published articles of a category by title.
func (s *Service) CategoryArticles(ctx context.Context, categoryID, locale string) ([]Listed, error) {
	return s.listed(ctx, " AND a.category_id = ? ORDER BY COALESCE(t.title, d.title), a.slug", locale, categoryID)
}

// Popular lists up to n published articles, the most helpful first (votes
// "yes" less votes "no"), then the most recently updated.
func (s *Service) Popular(ctx context.Context, locale string, n int) ([]Listed, error) {
	return s.listed(ctx, " ORDER BY a.helpful_yes - a.helpful_no DESC, a.updated_at DESC, a.slug LIMIT ?", locale, n)
}
