package console

import (
	"net/http"
	"slices"
	"strings"

	"github.com/frontdesk/frontdesk/internal/access"
	"github.com/frontdesk/frontdesk/internal/web"
)

// The console's sidebar is this table: one line per page, grouped by
// area. A staff member sees an entry only when they hold its permission
// and its page is mounted (a service the page needs may be off), and an
// area only when one of its entries is shown. To add a page to the
// sidebar, add one line to Menu (docs/architecture.md, "Console shell").

// Areas of the sidebar, in the order it shows them.
const (
	AreaHome      = "home"
	AreaDesk      = "desk"
	AreaHelp      = "help"
	AreaCustomers = "customers"
	AreaStaff     = "staff"
	AreaSecurity  = "security"
	AreaPrivacy   = "privacy"
	AreaSettings  = "settings"
)

// Areas lists the areas in sidebar order; each has a translation key
// console.area.<name>.
var Areas = []string{AreaHome, AreaDesk, AreaHelp, AreaCustomers, AreaStaff, AreaSecurity, AreaPrivacy, AreaSettings}

// MenuEntry is one page of the sidebar.
type MenuEntry struct {
	Area  string // one of Areas
	Path  string // the page; a "GET <Path>" console route must exist
	Label string // translation key of its name
	Perm  string // the permission the page's route needs
	ID    string // element id of the link
	// Under are more path prefixes that mark this entry as current (a
	// conversation is "in" the inbox).
	Under []string
}

// Menu is the sidebar, in order within each area.
var Menu = []MenuEntry{
	{Area: AreaHome, Path: "/console", Label: "console.home", Perm: access.CustomersRead, ID: "nav-home"},
	{Area: AreaDesk, Path: "/console/inbox", Label: "desk.inbox", Perm: access.ConversationsRead, ID: "nav-inbox", Under: []string{"/console/conversations/", "/console/assist/"}},
	{Area: AreaDesk, Path: "/console/analytics", Label: "desk.analytics", Perm: access.DeskManage, ID: "nav-analytics"},
	{Area: AreaDesk, Path: "/console/complaints", Label: "desk.complaints", Perm: access.DeskManage, ID: "nav-complaints"},
	{Area: AreaDesk, Path: "/console/desk", Label: "desk.settings", Perm: access.DeskManage, ID: "nav-desk"},
	{Area: AreaHelp, Path: "/console/kb", Label: "kb.articles", Perm: access.KBEdit, ID: "nav-kb", Under: []string{"/console/kb/articles/"}},
	{Area: AreaHelp, Path: "/console/kb/categories", Label: "kb.categories", Perm: access.KBEdit, ID: "nav-kb-categories"},
	{Area: AreaHelp, Path: "/console/kb/flows", Label: "help.guides", Perm: access.KBEdit, ID: "nav-kb-flows"},
	{Area: AreaCustomers, Path: "/console/customers", Label: "console.customers", Perm: access.CustomersRead, ID: "nav-customers"},
	{Area: AreaCustomers, Path: "/console/recovery", Label: "console.recovery", Perm: access.RecoveryApprove, ID: "nav-recovery"},
	{Area: AreaCustomers, Path: "/console/orgs", Label: "console.orgs", Perm: access.SettingsManage, ID: "nav-orgs"},
	{Area: AreaStaff, Path: "/console/staff", Label: "console.staff", Perm: access.StaffManage, ID: "nav-staff"},
	{Area: AreaStaff, Path: "/console/accounts/import", Label: "console.import", Perm: access.StaffManage, ID: "nav-import"},
	{Area: AreaStaff, Path: "/console/service-accounts", Label: "sa.nav", Perm: access.StaffManage, ID: "nav-service-accounts"},
	{Area: AreaStaff, Path: "/console/reviews", Label: "console.reviews", Perm: access.AccessReview, ID: "nav-reviews"},
	{Area: AreaSecurity, Path: "/console/security/alerts", Label: "console.security.alerts", Perm: access.SecurityMonitor, ID: "nav-security"},
	{Area: AreaSecurity, Path: "/console/security/rules", Label: "console.security.rules", Perm: access.SecurityMonitor, ID: "nav-security-rules"},
	{Area: AreaSecurity, Path: "/console/audit", Label: "console.audit", Perm: access.AuditRead, ID: "nav-audit"},
	{Area: AreaPrivacy, Path: "/console/privacy/requests", Label: "dsar.nav", Perm: access.PrivacyManage, ID: "nav-privacy-requests", Under: []string{"/console/privacy/requests/"}},
	{Area: AreaPrivacy, Path: "/console/privacy/incidents", Label: "incident.nav", Perm: access.PrivacyManage, ID: "nav-privacy-incidents", Under: []string{"/console/privacy/incidents/"}},
	{Area: AreaPrivacy, Path: "/console/privacy/notices", Label: "notice.nav", Perm: access.PrivacyManage, ID: "nav-privacy-notices", Under: []string{"/console/privacy/notices/"}},
	{Area: AreaPrivacy, Path: "/console/privacy/retention", Label: "retention.nav", Perm: access.PrivacyManage, ID: "nav-privacy-retention"},
	{Area: AreaPrivacy, Path: "/console/privacy/record", Label: "record.nav", Perm: access.PrivacyManage, ID: "nav-privacy-record"},
	{Area: AreaSettings, Path: "/console/branding", Label: "console.branding", Perm: access.SettingsManage, ID: "nav-branding"},
	{Area: AreaSettings, Path: "/console/oidc-clients", Label: "oidc.nav", Perm: access.SettingsManage, ID: "nav-oidc-clients"},
	{Area: AreaSettings, Path: "/console/backups", Label: "console.backups", Perm: access.SettingsManage, ID: "nav-backups"},
}

// mounted reports whether the console serves "GET path".
func (s *Handler) mounted(path string) bool {
	s.pagesOnce.Do(func() {
		s.pages = map[string]bool{}
		for _, rt := range s.Routes() {
			if m, p, ok := strings.Cut(rt.Pattern, " "); ok && m == http.MethodGet {
				s.pages[p] = true
			}
		}
	})
	return s.pages[path]
}

// sidebar is the menu as perms may see it, with the entry of path marked.
func (s *Handler) sidebar(perms []string, path string) []web.NavGroup {
	var shown []MenuEntry
	for _, e := range Menu {
		if (e.Perm == "" || slices.Contains(perms, e.Perm)) && s.mounted(e.Path) {
			shown = append(shown, e)
		}
	}
	cur := current(shown, path)
	var out []web.NavGroup
	for _, area := range Areas {
		g := web.NavGroup{Label: "console.area." + area}
		for i, e := range shown {
			if e.Area == area {
				g.Links = append(g.Links, web.NavLink{Href: e.Path, Label: e.Label, ID: e.ID, Current: i == cur})
			}
		}
		if len(g.Links) > 0 {
			out = append(out, g)
		}
	}
	return out
}

// current is the index of the entry path belongs to: the longest path or
// prefix that matches it, or -1.
func current(es []MenuEntry, path string) int {
	best, bestLen := -1, 0
	for i, e := range es {
		for _, p := range append([]string{e.Path}, e.Under...) {
			match := path == p || strings.HasPrefix(path, strings.TrimSuffix(p, "/")+"/") && p != "/console"
			if match && len(p) > bestLen {
				best, bestLen = i, len(p)
			}
		}
	}
	return best
}
