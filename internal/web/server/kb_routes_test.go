package server

import (
	"slices"
	"strings"
	"testing"

	"github.com/frontdesk/frontdesk/internal/access"
	"github.com/frontdesk/frontdesk/internal/assist"
	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/frontdesk/frontdesk/internal/kb"
	"github.com/frontdesk/frontdesk/internal/mfa"
	"github.com/frontdesk/frontdesk/internal/support"
	"github.com/frontdesk/frontdesk/internal/web"
)

// ASVS 8.2.1: every console page of the knowledge base names kb:edit
// (deny by default for everyone else), the help centre's pages are
// public, and the file upload route has the upload body limit.
func TestKBRoutesNamePermissions(t *testing.T) {
	s, _ := newTestServer(t, everyService())
	n, limited := 0, false
	for _, rt := range s.Routes() {
		if rt.Pattern == "POST /console/kb/articles/{id}/files" {
			limited = rt.MaxBody >= web.FileUploadLimit
		}
		_, path, _ := strings.Cut(rt.Pattern, " ")
		switch {
		case strings.HasPrefix(path, "/console/kb"):
			n++
			if rt.Permission != access.KBEdit || rt.Tree != web.Browser {
				t.Errorf("%s: %q in tree %d, want kb:edit in the browser tree", rt.Pattern, rt.Permission, rt.Tree)
			}
		case strings.HasPrefix(path, "/help"):
			if rt.Permission != web.Public {
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

// everyService gives the server every service, so that every area mounts
// all its routes; the handlers are not called.
func everyService() Options {
	return Options{Identity: &identity.Service{}, MFA: &mfa.Service{}, Access: &access.Service{}, Support: &support.Service{},
		KB: &kb.Service{}, Assist: &assist.Service{}}
}
