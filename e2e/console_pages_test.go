package e2e

import (
	"context"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/frontdesk/frontdesk/internal/access"
	"github.com/frontdesk/frontdesk/internal/web"
	"github.com/frontdesk/frontdesk/internal/web/console"
)

// staffBrowser is a browser tab signed in with a staff session token.
func (i *Instance) staffBrowser(t *testing.T, token string) context.Context {
	t.Helper()
	ctx := Browser(t)
	secure, httpOnly := true, true
	if _, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: "__Host-fd_session", Value: token,
		URL: i.URL, Path: "/", Secure: &secure, HTTPOnly: &httpOnly, SameSite: network.CookieSameSiteLax}); err != nil {
		t.Fatal(err)
	}
	return ctx
}

// firstMatch returns the first submatch of re in the page at path.
func (i *Instance) firstMatch(t *testing.T, token, path string, re *regexp.Regexp) string {
	t.Helper()
	status, body := i.consoleRequest(t, "GET", path, token, nil)
	m := re.FindSubmatch(body)
	if status != http.StatusOK || m == nil {
		t.Fatalf("GET %s: %d, no %s", path, status, re)
	}
	return string(m[1])
}

// Every console page, for each built-in role, as a person sees it (STYLE.md
// habit 15): the pages of the role's sidebar and the detail pages behind
// them, in en, vi and zh at 1,280 and 390 px, with no overflow, no raw
// translation key, no axe-core violation, and screenshots left in
// $FRONTDESK_SCREENSHOTS (docs/console.md). The sidebar shows exactly
// the entries the role's permissions allow, marks the page shown, and a
// page the role lacks answers a 403 that names the permission and the
// roles that carry it.
func TestConsolePagesAsSeen(t *testing.T) {
	fd := Start(t, fastHashing)
	tokens := map[string]string{}
	for _, role := range access.BuiltInRoles {
		email := strings.ReplaceAll(role, "_", "-") + "@acme.example"
		fd.createStaff(t, email, role)
		tokens[role] = fd.signInAPI(t, email, apiPassword)
		fd.enrolTOTPAPI(t, tokens[role])
	}
	// Something to look at: a customer, an access review, audit entries.
	fd.registerAPI(t, "lan@example.com")
	sec := tokens[access.RoleSecurityOfficer]
	if status := fd.postForm(t, "/console/reviews", sec, nil); status != http.StatusSeeOther {
		t.Fatalf("start a review: %d", status)
	}
	customer := fd.firstMatch(t, sec, "/console/customers?q=lan@example.com", regexp.MustCompile(`href="(/console/customers/[0-9a-f]+)"`))
	review := fd.firstMatch(t, sec, "/console/reviews", regexp.MustCompile(`href="(/console/reviews/[0-9a-f]+)"`))
	entry := fd.firstMatch(t, sec, "/console/audit", regexp.MustCompile(`href="(/console/audit/[0-9]+)"`))
	app := fd.addOIDCClient(t, "--name", "Acme Banking", "--redirect-uri", "https://app.acme.example/cb")
	details := []struct{ path, perm string }{
		{"/console/oidc-clients/" + app.ID, access.SettingsManage},
		{customer, access.CustomersRead},
		{review, access.AccessReview},
		{entry, access.AuditRead},
	}

	// A page is checked in full (three languages, both widths, axe-core,
	// screenshots) by the first role that sees it; each later role takes a
	// quick look in one language at 390 px for what differs between roles
	// (sidebar, actions), so the suite's time grows with pages, not with
	// pages × roles.
	checked := map[string]bool{}
	check := func(t *testing.T, ctx context.Context, role int, path, name string) {
		t.Helper()
		if key := strings.TrimPrefix(name, access.BuiltInRoles[role]); !checked[key] {
			checked[key] = true
			checkPage(t, ctx, fd.URL+path, name)
			return
		}
		glancePage(t, ctx, fd.URL+path, name, checkLangs[role%len(checkLangs)])
	}
	for ri, role := range access.BuiltInRoles {
		t.Run(role, func(t *testing.T) {
			perms := access.Roles[role]
			ctx := fd.staffBrowser(t, tokens[role])
			var want []string
			for _, e := range console.Menu {
				if slices.Contains(perms, e.Perm) && fd.serves("GET "+e.Path) {
					want = append(want, e.Path)
				}
			}
			if err := chromedp.Do(ctx, chromedp.Navigate(fd.URL+"/console?lang=en"), chromedp.WaitVisible(css("#sidebar"))); err != nil {
				t.Fatal(err)
			}
			shown, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#sidebar a')].map(a => a.getAttribute('href'))`))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(shown, want) {
				t.Errorf("sidebar of %s: %v, want %v", role, shown, want)
			}
			for _, p := range want {
				check(t, ctx, ri, p, role+p)
				cur, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.querySelector('#sidebar a[aria-current=page]') || {}).pathname || ''`))
				if cur != p {
					t.Errorf("%s as %s: the sidebar marks %q as current", p, role, cur)
				}
			}
			for _, d := range details {
				if slices.Contains(perms, d.perm) {
					check(t, ctx, ri, d.path, role+"-detail"+d.path[:strings.LastIndexByte(d.path, '/')])
				}
			}
			// A page the role may not open: the 403 says what is missing.
			for _, e := range console.Menu {
				if slices.Contains(perms, e.Perm) || !fd.serves("GET "+e.Path) {
					continue
				}
				if status := fd.page(t, "GET", e.Path, tokens[role]); status != http.StatusForbidden {
					t.Fatalf("%s as %s: %d, want 403", e.Path, role, status)
				}
				check(t, ctx, ri, e.Path, role+"-forbidden")
				got, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#missing-permission strong').title`))
				if !strings.Contains(got, e.Perm) {
					t.Errorf("403 of %s for %s names %q, not %s", e.Path, role, got, e.Perm)
				}
				break
			}
		})
	}
}

// serves reports whether the instance has a route with this pattern.
func (i *Instance) serves(pattern string) bool {
	return slices.ContainsFunc(i.Routes(), func(rt web.Route) bool { return rt.Pattern == pattern })
}
