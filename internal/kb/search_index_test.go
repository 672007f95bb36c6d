package kb

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/db/dbtest"
)

// Migration 0016 indexes the translations a database already has.
func TestSearchIndexMigration(t *testing.T) {
	ctx := context.Background()
	d := dbtest.OpenWith(t, dbtest.Options{NoMigrate: true})
	ms, err := db.Migrations(d.Dialect())
	if err != nil {
		t.Fatal(err)
	}
	// The schema before 0016, with articles stored as 0013 indexed them.
	err = d.Write(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, `CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMP NOT NULL)`); err != nil {
			return err
		}
		for _, m := range ms {
			if m.Version >= 16 {
				break
			}
			if _, err := tx.Exec(ctx, m.SQL); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`, m.Version, m.Name, tx.Now()); err != nil {
				return err
			}
		}
		for i, a := range []struct{ slug, locale, title, body string }{
			{"long", "en", "Reset your password", "Choose reset. " + strings.Repeat("Then follow each step of the page with care. ", 20)},
			{"in-text", "en", "Other topics", "How to reset a password."},
			{"short", "en", "Reset your password", "Choose reset."},
			{"zh", "zh", "忘记密码怎么办", "点击忘记密码。"},
		} {
			id := newID()
			if _, err := tx.Exec(ctx, `INSERT INTO kb_articles (id, slug, status, author_id, created_at, updated_at) VALUES (?, ?, 'published', 'old', ?, ?)`,
				id, a.slug, tx.Now(), tx.Now()); err != nil {
				return err
			}
			title, body := indexTerms(a.title), indexTerms(a.body)
			var rid int64
			if err := tx.QueryRow(ctx, `INSERT INTO kb_translations (article_id, locale, title, body_md, body_html, search_title, search_body, updated_by, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, 'old', ?) RETURNING rid`, id, a.locale, a.title, a.body, "<p>"+a.body+"</p>", title, body, tx.Now().Add(time.Duration(i))).Scan(&rid); err != nil {
				return err
			}
			if tx.Dialect() == db.SQLite {
				if _, err := tx.Exec(ctx, "INSERT INTO kb_fts (rowid, title, body) VALUES (?, ?, ?)", rid, title, body); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Migrate(ctx, nil); err != nil {
		t.Fatal(err)
	}
	s := New(d, nil, nil)
	for _, tc := range []struct{ q, locale, want string }{
		{"passwords", "en", "short,long,in-text"},
		{"密码", "zh", "zh"},
		{"密", "zh", "zh"},
	} {
		r, err := s.Search(ctx, tc.q, SearchOptions{Locale: tc.locale, NoGap: true})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, h := range r.Hits {
			got = append(got, h.Slug)
		}
		if strings.Join(got, ",") != tc.want {
			t.Errorf("after the migration, %q finds %v, want %s", tc.q, got, tc.want)
		}
	}
}
