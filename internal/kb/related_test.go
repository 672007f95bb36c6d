package kb_test

import (
	"strings"
	"testing"

	"github.com/frontdesk/frontdesk/internal/kb"
)

// Related articles: the same category first (by shared words, then
// newest), then others sharing words; published, in the article's
// locale, never the article itself, at most five.
func TestRelatedArticles(t *testing.T) {
	s := newKB(t)
	for _, id := range []string{"sign-in", "cards"} {
		if err := s.SaveCategory(ctx, kb.Category{ID: id, Names: map[string]string{"en": id, "vi": id, "zh": id}}); err != nil {
			t.Fatal(err)
		}
	}
	for _, in := range []kb.Input{
		{Slug: "locked", CategoryID: "sign-in", Title: "Your account is locked", BodyMD: "Wait or unlock it."},
		{Slug: "two-step", CategoryID: "sign-in", Title: "Two-step sign-in", BodyMD: "Codes."},
		{Slug: "unlock-account", CategoryID: "sign-in", Title: "Unlock a locked account", BodyMD: "Use the e-mail."},
		{Slug: "locked-card", CategoryID: "cards", Title: "A locked card", BodyMD: "Call us."},
		{Slug: "fees", CategoryID: "cards", Title: "Card fees", BodyMD: "Prices."},
		{Slug: "sign-in-draft", CategoryID: "sign-in", Title: "Account locked draft", BodyMD: "x", Status: kb.StatusDraft},
		{Slug: "passkeys", CategoryID: "sign-in", Title: "Passkeys", BodyMD: "New."},
		{Slug: "recovery", CategoryID: "sign-in", Title: "Recovery codes", BodyMD: "Keep them."},
		{Slug: "devices", CategoryID: "sign-in", Title: "Your devices", BodyMD: "List."},
	} {
		in.Locale = "en"
		save(t, s, in)
	}
	save(t, s, kb.Input{Slug: "locked-vi", CategoryID: "sign-in", Locale: "vi", Title: "Tài khoản bị khóa", BodyMD: "Chờ."})
	a, err := s.Published(ctx, "locked", "en")
	if err != nil {
		t.Fatal(err)
	}
	rel, err := s.Related(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rel {
		got = append(got, r.Slug)
		if r.Locale != "en" {
			t.Errorf("%s in %s", r.Slug, r.Locale)
		}
	}
	// unlock-account shares "locked" and "account" and is in the category;
	// then the category newest first (devices, recovery, passkeys); the
	// card article shares a word but the category's five come first.
	if want := "unlock-account,devices,recovery,passkeys,two-step"; strings.Join(got, ",") != want {
		t.Fatalf("related %v, want %s", got, want)
	}
	// Without a category: articles sharing words.
	b := save(t, s, kb.Input{Slug: "lost-card", Locale: "en", Title: "Lost or locked card", BodyMD: "Block it."})
	b, _ = s.Published(ctx, b.Slug, "en")
	rel, _ = s.Related(ctx, b)
	got = nil
	for _, r := range rel {
		got = append(got, r.Slug)
	}
	if len(got) == 0 || got[0] != "locked-card" || strings.Contains(strings.Join(got, ","), "lost-card") {
		t.Fatalf("related without a category: %v", got)
	}
}
