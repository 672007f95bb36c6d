package web

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/frontdesk/frontdesk/internal/access"
	"github.com/frontdesk/frontdesk/internal/identity"
)

// The roles that carry a permission are read from the role table, for
// every permission: each has at least one built-in role, and exactly the
// roles whose list holds it.
func TestRolesWith(t *testing.T) {
	for _, perm := range access.Permissions {
		got := RolesWith(perm)
		if len(got) == 0 {
			t.Errorf("%s: no role carries it", perm)
		}
		for _, r := range access.BuiltInRoles {
			if slices.Contains(got, r) != slices.Contains(access.Roles[r], perm) {
				t.Errorf("%s: RolesWith says %v, the table says %s has %v", perm, got, r, access.Roles[r])
			}
		}
	}
	if got := RolesWith("no:such"); got != nil {
		t.Errorf("an unknown permission is carried by %v", got)
	}
}

// A staff member refused a page is told, in their language, which
// permission it needs (by name, the id beside it) and which roles carry
// it, and is sent back to the console rather than to customer support. A
// customer refused the same page sees the plain 403: staff permissions
// are no business of theirs.
func TestForbiddenNamesPermission(t *testing.T) {
	p, err := LoadPages()
	if err != nil {
		t.Fatal(err)
	}
	render := func(kind, lang string) string {
		r := httptest.NewRequest("GET", "/console/audit", nil)
		ctx := WithInfo(r.Context(), &RequestInfo{ID: "req1", Lang: lang})
		ctx = WithPrincipal(ctx, &identity.Principal{AccountID: "a1", Kind: kind, Session: identity.Session{AAL: 2}})
		w := httptest.NewRecorder()
		p.RenderError(w, r.WithContext(ctx), ForbiddenFor(access.AuditRead), "Acme")
		if w.Code != http.StatusForbidden {
			t.Fatalf("status %d", w.Code)
		}
		return w.Body.String()
	}
	for _, c := range []struct{ lang, perm, role string }{
		{"en", "Read the audit trail", "Security officer"},
		{"vi", "Đọc nhật ký kiểm toán", "Kiểm toán viên"},
		{"zh", "阅读审计日志", "管理员"},
	} {
		page := render(identity.KindStaff, c.lang)
		for _, want := range []string{c.perm, "audit:read", c.role, `href="/console"`} {
			if !strings.Contains(page, want) {
				t.Errorf("%s: the staff 403 lacks %q", c.lang, want)
			}
		}
		if strings.Contains(page, "/contact?ref=") {
			t.Errorf("%s: the staff 403 sends staff to customer support", c.lang)
		}
	}
	page := render(identity.KindCustomer, "en")
	if strings.Contains(page, "audit:read") || strings.Contains(page, "Security officer") {
		t.Error("a customer's 403 names staff permissions")
	}
}
