package kb_test

import (
	"context"
	"errors"
	"testing"

	"github.com/frontdesk/frontdesk/internal/kb"
)

func TestSlugify(t *testing.T) {
	for _, tc := range []struct{ title, want string }{
		{"Forgot your password?", "forgot-your-password"},
		{"Quên mật khẩu – đặt lại thế nào", "quen-mat-khau-dat-lai-the-nao"},
		{"忘记密码", ""},
		{"2FA: lost phone (iOS 17)", "2fa-lost-phone-ios-17"},
		{"  --  ", ""},
	} {
		if got := kb.Slugify(tc.title); got != tc.want {
			t.Errorf("kb.Slugify(%q) = %q, want %q", tc.title, got, tc.want)
		}
	}
	long := kb.Slugify("a very long title that goes on and on about passwords and second factors and phones and codes and more")
	if len(long) > 80 || long[len(long)-1] == '-' {
		t.Errorf("long slug %q", long)
	}
}

// A new article's slug comes from its title; renaming keeps the old slug
// as a former address (MovedTo), which no other article may take; going
// back to a former slug works.
func TestSlugRename(t *testing.T) {
	s := newKB(t)
	ctx := context.Background()
	a, err := s.Save(ctx, kb.Input{Locale: "vi", Title: "Quên mật khẩu", BodyMD: "Bấm *Quên mật khẩu*.", Status: kb.StatusPublished})
	if err != nil {
		t.Fatal(err)
	}
	if a.Slug != "quen-mat-khau" {
		t.Fatalf("slug from the title: %q", a.Slug)
	}
	zh, err := s.Save(ctx, kb.Input{Locale: "zh", Title: "忘记密码", BodyMD: "点击。"})
	if err != nil || zh.Slug != "article-"+zh.ID[:8] {
		t.Fatalf("a Chinese title: %v %+v", err, zh)
	}
	if _, err := s.Save(ctx, kb.Input{ID: a.ID, Slug: "reset-password", Locale: "vi", Title: a.Title, BodyMD: a.BodyMD}); err != nil {
		t.Fatal(err)
	}
	if to, err := s.MovedTo(ctx, "quen-mat-khau"); err != nil || to != "reset-password" {
		t.Fatalf("MovedTo = %q, %v", to, err)
	}
	if _, err := s.Published(ctx, "reset-password", "vi"); err != nil {
		t.Fatalf("the new address: %v", err)
	}
	// Another article may not take the old address, nor the current one.
	for _, slug := range []string{"quen-mat-khau", "reset-password", "guides", "Bad Slug"} {
		if _, err := s.Save(ctx, kb.Input{ID: zh.ID, Slug: slug, Locale: "zh", Title: zh.Title, BodyMD: zh.BodyMD}); !errors.Is(err, kb.ErrInvalid) {
			t.Errorf("slug %q taken: %v", slug, err)
		}
	}
	if got, _ := s.Get(ctx, zh.ID, "zh"); got.Slug != zh.Slug {
		t.Errorf("a refused slug changed the article: %q", got.Slug)
	}
	// Back to the first address: it is current again, and the second one
	// now redirects.
	if _, err := s.Save(ctx, kb.Input{ID: a.ID, Slug: "quen-mat-khau", Locale: "vi", Title: a.Title, BodyMD: a.BodyMD}); err != nil {
		t.Fatal(err)
	}
	former, _ := s.FormerSlugs(ctx, a.ID)
	if to, _ := s.MovedTo(ctx, "reset-password"); to != "quen-mat-khau" || len(former) != 1 || former[0] != "reset-password" {
		t.Errorf("after going back: moved to %q, former %v", to, former)
	}
}
