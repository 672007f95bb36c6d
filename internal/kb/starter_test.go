package kb_test

import (
	"testing"

	"github.com/frontdesk/frontdesk/internal/audit/audittest"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/db/dbtest"
	"github.com/frontdesk/frontdesk/internal/kb"
)

// The starter content: every article in the three languages, in a
// category; added once, published, findable; an article an editor
// archived or deleted is not added again; an article of the business at a
// starter address is left as it is.
func TestStarterContent(t *testing.T) {
	all, err := kb.StarterArticles()
	if err != nil {
		t.Fatal(err)
	}
	bySlug := map[string]map[string]bool{}
	for _, e := range all {
		if bySlug[e.Slug] == nil {
			bySlug[e.Slug] = map[string]bool{}
		}
		bySlug[e.Slug][e.Locale] = true
		if e.Category == "" || e.Summary == "" || e.Status != kb.StatusPublished {
			t.Errorf("%s.%s: category %q, summary %q, status %q", e.Slug, e.Locale, e.Category, e.Summary, e.Status)
		}
	}
	for _, slug := range []string{"forgot-password", "locked-account", "lost-2fa-phone", "code-not-received", "old-browser", "server-errors", "phishing", "strong-passwords"} {
		for _, l := range kb.Locales {
			if !bySlug[slug][l] {
				t.Errorf("starter article %s has no %s translation", slug, l)
			}
		}
	}

	d := dbtest.Open(t)
	s := kb.New(d, audittest.New(t, d, 1000).Log, nil)
	// The business already wrote its own article at one of the addresses.
	own := save(t, s, kb.Input{Slug: "phishing", Locale: "en", Title: "Our own phishing page", BodyMD: "Ours."})

	added, err := s.SeedStarter(ctx)
	if err != nil || !added {
		t.Fatalf("first start: added %v, %v", added, err)
	}
	if a, err := s.Published(ctx, "phishing", "vi"); err != nil || a.ID != own.ID || a.Title != "Our own phishing page" || !a.Fallback {
		t.Fatalf("the business's own article was changed: %+v %v", a, err)
	}
	for _, l := range kb.Locales {
		a, err := s.Published(ctx, "locked-account", l)
		if err != nil || a.Locale != l || a.Fallback || a.CategoryID != "signing-in" {
			t.Fatalf("locked-account in %s: %+v %v", l, a, err)
		}
	}
	cats, err := s.HelpCategories(ctx)
	if err != nil || len(cats) != 2 || cats[0].ID != "signing-in" || cats[0].Articles != 6 || cats[1].Articles != 1 {
		t.Fatalf("categories %+v %v", cats, err)
	}
	list, err := s.CategoryArticles(ctx, "staying-safe", "zh")
	if err != nil || len(list) != 1 || list[0].Title != "设置安全的密码" || list[0].Locale != "zh" {
		t.Fatalf("staying-safe in zh: %+v %v", list, err)
	}
	res, err := s.Search(ctx, "mat khau", kb.SearchOptions{Locale: "vi", Limit: 5}) // Vietnamese typed without accents
	if err != nil || len(res.Hits) == 0 {
		t.Fatalf("search: %+v %v", res, err)
	}

	// Popular: the most helpful first.
	fp, _ := s.Published(ctx, "forgot-password", "en")
	if err := s.Vote(ctx, fp.ID, true); err != nil {
		t.Fatal(err)
	}
	pop, err := s.Popular(ctx, "vi", 3)
	if err != nil || len(pop) != 3 || pop[0].Slug != "forgot-password" || pop[0].Title != "Tôi quên mật khẩu" {
		t.Fatalf("popular %+v %v", pop, err)
	}

	// An editor archives one and deletes another: neither comes back.
	la, _ := s.Published(ctx, "locked-account", "en")
	save(t, s, kb.Input{ID: la.ID, Locale: "en", Title: la.Title, BodyMD: la.BodyMD, Status: kb.StatusArchived})
	if err := d.Write(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, "DELETE FROM kb_articles WHERE slug = 'old-browser'")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	added, err = s.SeedStarter(ctx)
	if err != nil || added {
		t.Fatalf("second start: added %v, %v", added, err)
	}
	if id, _ := s.IDBySlug(ctx, "old-browser"); id != "" {
		t.Fatal("a deleted starter article came back")
	}
	if _, err := s.Published(ctx, "locked-account", "en"); err == nil {
		t.Fatal("an archived starter article is published again")
	}
}
