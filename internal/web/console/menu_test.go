package console

import (
	"slices"
	"testing"

	"github.com/frontdesk/frontdesk/internal/access"
	"github.com/frontdesk/frontdesk/internal/web"
)

// Every sidebar entry names a known area, a real permission, and a label
// that each language has; ids are unique.
func TestMenuEntries(t *testing.T) {
	p, err := web.LoadPages()
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, e := range Menu {
		if !slices.Contains(Areas, e.Area) {
			t.Errorf("%s: unknown area %q", e.Path, e.Area)
		}
		if !slices.Contains(access.Permissions, e.Perm) {
			t.Errorf("%s: unknown permission %q", e.Path, e.Perm)
		}
		for _, lang := range []string{"en", "vi", "zh"} {
			if p.Translator(lang)(e.Label) == e.Label {
				t.Errorf("%s: no %s label %q", e.Path, lang, e.Label)
			}
		}
		if ids[e.ID] {
			t.Errorf("id %q twice", e.ID)
		}
		ids[e.ID] = true
	}
	for _, a := range Areas {
		if p.Translator("en")("console.area."+a) == "console.area."+a {
			t.Errorf("area %q has no name", a)
		}
	}
}

// The current entry is the one whose path or prefix matches the page
// longest: a conversation is in the inbox, a category page is not the
// articles list, and home is current only on /console itself.
func TestCurrentEntry(t *testing.T) {
	for path, want := range map[string]string{
		"/console":                  "/console",
		"/console/inbox":            "/console/inbox",
		"/console/conversations/ab": "/console/inbox",
		"/console/kb":               "/console/kb",
		"/console/kb/articles/x":    "/console/kb",
		"/console/kb/categories":    "/console/kb/categories",
		"/console/audit/42":         "/console/audit",
		"/console/nowhere":          "",
	} {
		got := ""
		if i := current(Menu, path); i >= 0 {
			got = Menu[i].Path
		}
		if got != want {
			t.Errorf("%s: current is %q, want %q", path, got, want)
		}
	}
}
