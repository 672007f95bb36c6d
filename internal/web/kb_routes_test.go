package web

import (
	"slices"
	"strings"
	"testing"

	"github.com/frontdesk/frontdesk/internal/access"
)

// ASVS 8.2.1: every console page of the knowledge base names kb:edit
// (deny by default for everyone else), the help centre's pages are
// public, and the file upload route has the upload body limit.
func TestKBRoutesNamePermissions(t *testing.T) {
	s, _ := newTestServer(t, Options{})
	n, limited := 0, false
	for _, rt := range s.Routes() {
		if rt.Pattern == kbUploadRoute {
			limited = rt.MaxBody >= FileUploadLimit
		}
		_, path, _ := strings.Cut(rt.Pattern, " ")
		switch {
		case strings.HasPrefix(path, "/console/kb"):
			n++
			if rt.Permission != access.KBEdit || rt.Tree != Browser {
				t.Errorf("%s: %q in tree %d, want kb:edit in the browser tree", rt.Pattern, rt.Permission, rt.Tree)
			}
		case strings.HasPrefix(path, "/help"):
			if rt.Permission != Public {
				t.Errorf("%s is not public", rt.Pattern)
			}
		}
	}
	if n < 10 || !limited {
		t.Fatalf("%d console routes; upload route limited: %v", n, limited)
	}
	if !slices.Contains(access.Roles[access.RoleSupervisor], access.KBEdit) || !slices.Contains(access.Roles[access.RoleAdministrator], access.KBEdit) || slices.Contains(access.Roles[access.RoleAgent], access.KBEdit) {
		t.Fatal("kb:edit belongs to supervisors and administrators, not agents")
	}
}

// A guide's links: each answer extends the path, Back shortens it.
func TestGuidePageLinks(t *testing.T) {
	g := GuidePage{Guide: Guide{Path: []int{1, 0}}, Base: "/help/guides/x"}
	if g.Answer(2) != "/help/guides/x?path=1.0.2" || g.Back() != "/help/guides/x?path=1" {
		t.Fatalf("answer %q back %q", g.Answer(2), g.Back())
	}
	g.Path = []int{3}
	if g.Back() != "/help/guides/x" {
		t.Fatalf("back to the start: %q", g.Back())
	}
	g.Path = nil
	if g.Back() != "" || g.Answer(0) != "/help/guides/x?path=0" {
		t.Fatalf("at the start: %q %q", g.Back(), g.Answer(0))
	}
}
