package kb

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"

	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/textfold"
)

// Slugs, the article's address (/help/{slug}): made from the title when
// an editor gives none, changeable, and never lost: a renamed article's
// former slugs stay in kb_slug_history, and the help centre answers them
// with a permanent redirect (MovedTo).

// maxSlug is the longest slug, in bytes (slugs are ASCII).
const maxSlug = 100

// Slugify makes a slug of a title: lower case, Vietnamese letters without
// their marks (đ is d), every other run of characters one "-", at most 80
// characters cut at a "-". A title with no Latin letter or digit (a
// Chinese one) gives "".
func Slugify(title string) string {
	var b strings.Builder
	dash := false
	for _, r := range textfold.Fold(title) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
			continue
		}
		dash = true
	}
	s := b.String()
	if len(s) > 80 {
		s = s[:80]
		if i := strings.LastIndexByte(s, '-'); i > 40 {
			s = s[:i]
		}
		s = strings.Trim(s, "-")
	}
	return s
}

// checkSlug refuses a slug that is malformed, reserved, or in use by
// another article, now or as a former address.
func checkSlug(ctx context.Context, tx *db.Tx, slug, articleID string) error {
	if !slugRE.MatchString(slug) || len(slug) > maxSlug {
		return invalid("slug", "lower-case letters and digits joined by -, at most 100")
	}
	if slices.Contains(reservedSlugs, slug) {
		return invalid("slug", "this address is taken by the help centre itself")
	}
	var owner string
	err := tx.QueryRow(ctx, "SELECT id FROM kb_articles WHERE slug = ? UNION ALL SELECT article_id FROM kb_slug_history WHERE slug = ?", slug, slug).Scan(&owner)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return err
	case owner != articleID:
		return invalid("slug", "another article has or had this address")
	}
	return nil
}

// renameSlug moves article id from slug old to slug to, keeping old as a
// former address (and dropping to from them when the article goes back).
func renameSlug(ctx context.Context, tx *db.Tx, id, old, to string) error {
	if err := checkSlug(ctx, tx, to, id); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, "DELETE FROM kb_slug_history WHERE slug = ?", to); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, "INSERT INTO kb_slug_history (slug, article_id, created_at) VALUES (?, ?, ?)", old, id, tx.Now()); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, "UPDATE kb_articles SET slug = ? WHERE id = ?", to, id)
	return err
}

// MovedTo returns the current slug of the article that had slug, or ""
// when no article had it.
func (s *Service) MovedTo(ctx context.Context, slug string) (string, error) {
	var to string
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		return tx.QueryRow(ctx, "SELECT a.slug FROM kb_slug_history h JOIN kb_articles a ON a.id = h.article_id WHERE h.slug = ?", slug).Scan(&to)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return to, err
}

// FormerSlugs lists an article's former slugs, newest first.
func (s *Service) FormerSlugs(ctx context.Context, id string) ([]string, error) {
	var out []string
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, "SELECT slug FROM kb_slug_history WHERE article_id = ? ORDER BY created_at DESC, slug", id)
		out, err = db.Collect(rows, err, func(row db.Scanner) (string, error) {
			var s string
			return s, row.Scan(&s)
		})
		return err
	})
	return out, err
}
