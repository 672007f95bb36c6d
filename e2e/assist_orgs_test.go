package e2e

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/frontdesk/frontdesk/internal/db"
)

var orgLink = regexp.MustCompile(`/console/orgs/([0-9a-f]{32})`)

// Customer organisations for remote assistance: staff with settings:manage
// create one, set its plan and members and write templates — a template
// that would widen the platform's limits is refused with 422 and nothing
// saved; the organisation's admin member manages templates and who uses
// which from the portal; another member sees only their own policy and
// cannot change anything; a customer outside sees nothing of it; a lower
// plan takes templates away; every change is audited.
//
// ASVS 8.2.1 (deny by default: settings:manage, admin member), 8.2.2
// (another organisation is not found), 3.5.x (cross-site posts refused),
// 16.3.x (changes audited).
func TestAssistOrganisations(t *testing.T) {
	fd := Start(t, fastHashing)
	fd.createStaff(t, "root@acme.example", "administrator")
	root := fd.signInAPI(t, "root@acme.example", apiPassword)
	fd.enrolTOTPAPI(t, root)
	fd.createStaff(t, "sup@acme.example", "supervisor")
	sup := fd.signInAPI(t, "sup@acme.example", apiPassword)
	fd.enrolTOTPAPI(t, sup)
	for _, e := range []string{"minh@example.com", "lan@example.com", "other@example.com"} {
		fd.registerAPI(t, e)
	}
	minh := fd.signInAPI(t, "minh@example.com", apiPassword)
	lan := fd.signInAPI(t, "lan@example.com", apiPassword)
	other := fd.signInAPI(t, "other@example.com", apiPassword)

	// Who may see the console's pages.
	for _, c := range []struct {
		who, token string
		want       int
	}{{"anonymous", "", http.StatusSeeOther}, {"a supervisor", sup, http.StatusForbidden}, {"a customer", minh, http.StatusForbidden}, {"the administrator", root, http.StatusOK}} {
		if s, _ := fd.consoleRequest(t, "GET", "/console/orgs", c.token, nil); s != c.want {
			t.Errorf("GET /console/orgs as %s: %d, want %d", c.who, s, c.want)
		}
	}
	if s, _ := fd.consoleRequest(t, "POST", "/console/orgs", sup, url.Values{"name": {"Sneaky"}, "plan": {"enterprise"}}); s != http.StatusForbidden {
		t.Fatalf("a supervisor creates an organisation: %d", s)
	}
	if s, _ := fd.consoleRequest(t, "POST", "/console/orgs", root, url.Values{"name": {" "}, "plan": {"enterprise"}}); s != http.StatusUnprocessableEntity {
		t.Fatalf("an organisation without a name: %d", s)
	}
	s, body := fd.consoleRequest(t, "POST", "/console/orgs", root, url.Values{"name": {"Acme Logistics"}, "plan": {"enterprise"}})
	_, list := fd.consoleRequest(t, "GET", "/console/orgs", root, nil)
	m := orgLink.FindStringSubmatch(string(list))
	if s != http.StatusSeeOther || m == nil || strings.Count(string(list), "data-org=") != 1 {
		t.Fatalf("create: %d %s", s, body)
	}
	org := "/console/orgs/" + m[1]
	for _, add := range []url.Values{{"email": {"minh@example.com"}, "admin": {"on"}}, {"email": {"lan@example.com"}}} {
		if s, body := fd.consoleRequest(t, "POST", org+"/members", root, add); s != http.StatusSeeOther {
			t.Fatalf("add %v: %d %s", add, s, body)
		}
	}
	if s, _ := fd.consoleRequest(t, "POST", org+"/members", root, url.Values{"email": {"nobody@example.com"}}); s != http.StatusUnprocessableEntity {
		t.Fatalf("an unknown member: %d", s)
	}

	// A template longer than the platform's 2 hours is refused, nothing saved.
	wide := url.Values{"name": {"Marathon"}, "max_level": {"control"}, "max_duration_min": {"600"}}
	if s, page := fd.consoleRequest(t, "POST", org+"/templates", root, wide); s != http.StatusUnprocessableEntity || !strings.Contains(string(page), `id="form-error"`) {
		t.Fatalf("a widening template: %d", s)
	}
	tellers := url.Values{"name": {"Tellers"}, "max_level": {"guided"}, "max_duration_min": {"30"}, "recording": {"on"}, "default": {"on"}, "mask_selectors": {"#iban\ninput[name=cvv]"}}
	if s, body := fd.consoleRequest(t, "POST", org+"/templates", root, tellers); s != http.StatusSeeOther {
		t.Fatalf("template: %d %s", s, body)
	}
	if s, _ := fd.consoleRequest(t, "POST", org+"/templates", root, url.Values{"name": {"Bad"}, "max_level": {"view"}, "max_duration_min": {"10"}, "mask_selectors": {"a{color:red}"}}); s != http.StatusUnprocessableEntity {
		t.Fatalf("a selector that breaks out: %d", s)
	}
	_, page := fd.consoleRequest(t, "GET", org, root, nil)
	if strings.Contains(string(page), "Marathon") || !strings.Contains(string(page), "Tellers") || strings.Contains(string(page), `value="Bad"`) {
		t.Fatal("the refused templates were saved, or the good one is missing")
	}

	// The admin member, in the portal: templates and assignments.
	if s, page := fd.consoleRequest(t, "GET", "/support/organisation", minh, nil); s != http.StatusOK || !strings.Contains(string(page), "Tellers") || !strings.Contains(string(page), "lan@example.com") {
		t.Fatalf("admin member's page: %d", s)
	}
	if s, body := fd.consoleRequest(t, "POST", "/support/organisation/templates", minh, url.Values{"name": {"Back office"}, "max_level": {"view"}, "max_duration_min": {"15"}}); s != http.StatusSeeOther {
		t.Fatalf("admin member's template: %d %s", s, body)
	}
	_, page = fd.consoleRequest(t, "GET", "/support/organisation", minh, nil)
	tid := regexp.MustCompile(`<option value="([0-9a-f]{32})">Back office</option>`).FindSubmatch(page)
	lanID := fd.accountID(t, lan)
	if tid == nil {
		t.Fatal("no Back office template to assign")
	}
	if s, body := fd.consoleRequest(t, "POST", "/support/organisation/members/"+lanID+"/template", minh, url.Values{"template_id": {string(tid[1])}}); s != http.StatusSeeOther {
		t.Fatalf("assign: %d %s", s, body)
	}

	// The other member sees their own policy — the assigned template's — and changes nothing.
	s, page = fd.consoleRequest(t, "GET", "/support/organisation", lan, nil)
	if s != http.StatusOK || !strings.Contains(string(page), `<span id="policy-duration">15</span>`) || strings.Contains(string(page), "Tellers") {
		t.Fatalf("member's page: %d", s)
	}
	if s, _ := fd.consoleRequest(t, "POST", "/support/organisation/templates", lan, url.Values{"name": {"Mine"}, "max_level": {"control"}, "max_duration_min": {"60"}}); s != http.StatusForbidden {
		t.Fatalf("a member who is not an admin writes a template: %d", s)
	}
	// Someone outside: nothing there.
	for _, c := range []struct{ method, path string }{{"GET", "/support/organisation"}, {"POST", "/support/organisation/templates"}, {"POST", "/support/organisation/members/" + lanID + "/template"}} {
		if s, _ := fd.consoleRequest(t, c.method, c.path, other, url.Values{"name": {"X"}, "max_level": {"view"}, "max_duration_min": {"5"}}); s != http.StatusNotFound {
			t.Errorf("%s %s by a customer outside: %d", c.method, c.path, s)
		}
	}
	// A cross-site post is refused.
	if s := fd.crossSitePost(t, org+"/plan", root, url.Values{"plan": {"basic"}}); s != http.StatusForbidden {
		t.Fatalf("cross-site plan change: %d", s)
	}

	// Down to professional: templates are gone from the admin's hands.
	if s, _ := fd.consoleRequest(t, "POST", org+"/plan", root, url.Values{"plan": {"professional"}}); s != http.StatusSeeOther {
		t.Fatalf("plan: %d", s)
	}
	if s, _ := fd.consoleRequest(t, "POST", "/support/organisation/templates", minh, url.Values{"name": {"Later"}, "max_level": {"view"}, "max_duration_min": {"5"}}); s != http.StatusUnprocessableEntity {
		t.Fatalf("a template on the professional plan: %d", s)
	}

	// Every change is in the audit trail.
	ctx := context.Background()
	d, err := db.Open(ctx, db.Options{URL: fd.DatabaseURL, DataDir: fd.DataDir})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for action, want := range map[string]int{"assist.org_create": 1, "assist.org_member": 2, "assist.template_create": 2, "assist.org_plan": 1} {
		var n int
		err := d.Read(ctx, func(tx *db.Tx) error {
			return tx.QueryRow(ctx, "SELECT COUNT(*) FROM audit_log WHERE action = ?", action).Scan(&n)
		})
		if err != nil || n != want {
			t.Errorf("audit %s: %d entries (%v), want %d", action, n, err, want)
		}
	}
}

// crossSitePost posts a form as another site's page would, with the
// session cookie, and returns the status.
func (i *Instance) crossSitePost(t *testing.T, path, token string, form url.Values) int {
	t.Helper()
	req, _ := http.NewRequest("POST", i.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.Header.Set("Origin", "https://evil.example")
	req.AddCookie(&http.Cookie{Name: "__Host-fd_session", Value: token})
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}
