package kb

import (
	"context"

	"github.com/frontdesk/frontdesk/internal/db"
)

// Related articles, under an article on the help centre: published, in
// the same locale, never the article itself. Articles of the same
// category come first — an editor put them together — ranked among
// themselves by the terms they share with the article's title and
// summary, then by the newest; then other articles with those terms,
// best first. The shared terms are found by the search itself (any of
// the terms, ranked as search ranks), so related articles follow the
// same rules for accents, word forms and Chinese as search does.

// RelatedArticle is an article to read next.
type RelatedArticle struct {
	Slug   string `json:"slug"`
	Title  string `json:"title"`
	Locale string `json:"locale"`
}

// MaxRelated is how many related articles an article shows.
const MaxRelated = 5

// Related returns up to MaxRelated articles related to a (as Published
// returned it: a.Locale is the locale shown).
func (s *Service) Related(ctx context.Context, a *Article) ([]RelatedArticle, error) {
	res, err := s.Search(ctx, a.Title+" "+a.Summary, SearchOptions{Locale: a.Locale, Limit: 20, NoGap: true, Any: true})
	if err != nil {
		return nil, err
	}
	var sameCategory []RelatedArticle
	if a.CategoryID != "" {
		err = s.db.Read(ctx, func(tx *db.Tx) error {
			rows, err := tx.Query(ctx, `SELECT a.slug, t.title FROM kb_articles a JOIN kb_translations t ON t.article_id = a.id
				WHERE a.category_id = ? AND a.status = 'published' AND t.locale = ? AND a.id <> ? ORDER BY a.updated_at DESC, a.id LIMIT 50`, a.CategoryID, a.Locale, a.ID)
			sameCategory, err = db.Collect(rows, err, func(row db.Scanner) (RelatedArticle, error) {
				r := RelatedArticle{Locale: a.Locale}
				err := row.Scan(&r.Slug, &r.Title)
				return r, err
			})
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	inCategory := map[string]bool{}
	for _, r := range sameCategory {
		inCategory[r.Slug] = true
	}
	out := []RelatedArticle{}
	taken := map[string]bool{a.Slug: true}
	take := func(r RelatedArticle) {
		if !taken[r.Slug] && len(out) < MaxRelated {
			taken[r.Slug] = true
			out = append(out, r)
		}
	}
	for _, h := range res.Hits { // the category's, by shared terms
		if inCategory[h.Slug] {
			take(RelatedArticle{Slug: h.Slug, Title: h.Title, Locale: h.Locale})
		}
	}
	for _, r := range sameCategory { // the rest of the category, newest first
		take(r)
	}
	for _, h := range res.Hits { // others, by shared terms
		take(RelatedArticle{Slug: h.Slug, Title: h.Title, Locale: h.Locale})
	}
	return out, nil
}
