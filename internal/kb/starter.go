package kb

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
)

// Starter content: the help centre is not empty on a fresh install. Eight
// articles about the sign-in problems customers meet most (forgotten
// password, paused sign-in, lost second-factor phone, codes that do not
// arrive, old browsers, server errors, phishing, strong passwords), in
// English, Vietnamese and Chinese, in two categories. They are ordinary
// published articles: editors change or archive them like any other.
//
// They are added once. The kb_starter row records that they were, so an
// article an editor removed is never added again; the configuration can
// turn the starter off (FRONTDESK_KB_STARTER=off) before the first start.

//go:embed starter/*.md
var starterFiles embed.FS

// StarterAuthor is the author id of the starter articles' first revision.
const StarterAuthor = "starter"

// starterCategories are the starter articles' categories.
var starterCategories = []Category{
	{ID: "signing-in", Names: map[string]string{"en": "Signing in", "vi": "Đăng nhập", "zh": "登录"}},
	{ID: "staying-safe", Names: map[string]string{"en": "Staying safe", "vi": "An toàn tài khoản", "zh": "账户安全"}},
}

// StarterArticles returns the starter translations, by slug then locale.
func StarterArticles() ([]Exported, error) {
	names, err := fs.Glob(starterFiles, "starter/*.md")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	out := make([]Exported, 0, len(names))
	for _, n := range names {
		b, err := starterFiles.ReadFile(n)
		if err != nil {
			return nil, err
		}
		e, err := ParseFile(string(b))
		if err != nil {
			return nil, fmt.Errorf("kb: starter %s: %w", n, err)
		}
		out = append(out, e)
	}
	return out, nil
}

// SeedStarter adds the starter content unless it was added before; it
// reports whether it did. The claim (the kb_starter row, audited) comes
// first, so two servers starting together add it once; if adding then
// fails the claim is withdrawn and the next start tries again. A slug or
// category that exists already is left as the business has it.
func (s *Service) SeedStarter(ctx context.Context) (bool, error) {
	articles, err := StarterArticles()
	if err != nil {
		return false, err
	}
	claimed := false
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, "INSERT INTO kb_starter (id, seeded_at) VALUES (1, ?) ON CONFLICT (id) DO NOTHING", tx.Now())
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		claimed = true
		return s.audit.Record(ctx, tx, audit.Event{Action: "kb.starter", Target: "kb", Details: map[string]any{"articles": len(articles)}})
	})
	if err != nil || !claimed {
		return false, err
	}
	if err := s.addStarter(ctx, articles); err != nil {
		if werr := s.db.Write(ctx, func(tx *db.Tx) error {
			_, err := tx.Exec(ctx, "DELETE FROM kb_starter WHERE id = 1")
			return err
		}); werr != nil {
			s.log.ErrorContext(ctx, "kb: withdrawing the starter claim", "err", werr)
		}
		return false, err
	}
	return true, nil
}

func (s *Service) addStarter(ctx context.Context, articles []Exported) error {
	for _, c := range starterCategories {
		ok, err := s.CategoryExists(ctx, c.ID)
		if err != nil {
			return err
		}
		if !ok {
			if err := s.SaveCategory(ctx, c); err != nil {
				return err
			}
		}
	}
	ids := map[string]string{}
	for _, e := range articles {
		id, seen := ids[e.Slug]
		if !seen {
			existing, err := s.IDBySlug(ctx, e.Slug)
			if err != nil {
				return err
			}
			if existing != "" {
				ids[e.Slug] = "" // the business's own article: left alone
				continue
			}
		} else if id == "" {
			continue
		}
		a, err := s.Save(ctx, Input{ID: id, Slug: e.Slug, CategoryID: e.Category, Status: e.Status, Locale: e.Locale,
			Title: e.Title, Summary: e.Summary, BodyMD: e.BodyMD, AuthorID: StarterAuthor})
		if err != nil {
			return fmt.Errorf("kb: starter %s.%s: %w", e.Slug, e.Locale, err)
		}
		ids[e.Slug] = a.ID
	}
	return nil
}
