package e2e

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/frontdesk/frontdesk/internal/access"
)

// A staff member refused a page is told every role that carries the
// missing permission, the business's own roles included, by name (the
// machine names only in the hover text), in each language.
func TestForbiddenListsCustomRoles(t *testing.T) {
	fd := Start(t, fastHashing)
	admin := fd.staffSession(t, "root@acme.example", access.RoleAdministrator)
	agent := fd.staffSession(t, "mai@acme.example", access.RoleAgent)
	for _, r := range []url.Values{
		{"name": {"audit_helpers"}, "description": {"Helps the auditors"}, "permission": {access.AuditRead}},
		{"name": {"chat_only"}, "description": {"Chats"}, "permission": {access.ConversationsWrite}},
	} {
		if status := fd.postForm(t, "/console/roles", admin, r); status != http.StatusSeeOther {
			t.Fatalf("create role %s: %d", r.Get("name"), status)
		}
	}
	status, body := fd.consoleRequest(t, "GET", "/console/audit", agent, nil)
	if status != http.StatusForbidden {
		t.Fatalf("the agent opened the audit trail: %d", status)
	}
	page := string(body)
	for _, want := range []string{"Security officer", "Auditor", "Administrator", ">audit_helpers<"} {
		if !strings.Contains(page, want) {
			t.Errorf("the 403 does not name %q", want)
		}
	}
	if strings.Contains(page, "chat_only") {
		t.Error("the 403 names a role without the permission")
	}
	if strings.Contains(page, "<code>audit:read</code>") {
		t.Error("the 403 shows the permission's machine name")
	}
	ctx := fd.staffBrowser(t, agent)
	checkPage(t, ctx, fd.URL+"/console/audit", "forbidden-custom-roles")
	roles, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#roles-with strong')].map(s => s.textContent + '|' + s.title)`))
	builtIn := 0
	for _, r := range access.BuiltInRoles {
		if slices.Contains(access.Roles[r], access.AuditRead) {
			builtIn++
		}
	}
	if err != nil || len(roles) != builtIn+1 || roles[builtIn] != "audit_helpers|audit_helpers" {
		t.Errorf("roles on the 403 (zh): %q %v", roles, err)
	}
}
