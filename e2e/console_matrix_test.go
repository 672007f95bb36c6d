package e2e

import (
	"bytes"
	"encoding/csv"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/frontdesk/frontdesk/internal/access"
	"github.com/frontdesk/frontdesk/internal/web"
)

// Every route that needs a staff permission, run with every built-in
// role: the outcome is 403 exactly when the role's permissions (the
// matrix in docs/roles.md) lack the route's permission (ASVS 8.2.1/8.3.1).
func TestRouteRoleMatrix(t *testing.T) {
	fd := Start(t, fastHashing)
	tokens := map[string]string{}
	for _, role := range access.BuiltInRoles {
		email := strings.ReplaceAll(role, "_", "-") + "@acme.example"
		fd.createStaff(t, email, role)
		tok := fd.signInAPI(t, email, apiPassword)
		fd.enrolTOTPAPI(t, tok)
		tokens[role] = tok
	}
	checked := 0
	for _, rt := range fd.Routes() {
		if !slices.Contains(access.Permissions, rt.Permission) {
			continue
		}
		method, path, _ := strings.Cut(rt.Pattern, " ")
		path = strings.NewReplacer("{id}", "0123456789abcdef0123456789abcdef", "{role}", "agent", "{purpose}", "analytics").Replace(path)
		for _, role := range access.BuiltInRoles {
			want := slices.Contains(access.Roles[role], rt.Permission)
			var status int
			if rt.Tree == web.API {
				var body any
				if method != "GET" && method != "DELETE" {
					body = map[string]string{}
				}
				status = fd.call(t, method, path, tokens[role], body).Status
			} else {
				status = fd.page(t, method, path, tokens[role])
			}
			if status >= 500 {
				t.Errorf("%s as %s: %d: bad input must get a client error", rt.Pattern, role, status)
			}
			if (status != http.StatusForbidden) != want {
				t.Errorf("%s as %s: %d, matrix says allowed=%v", rt.Pattern, role, status, want)
			}
			checked++
		}
	}
	if checked < 5*20 {
		t.Fatalf("only %d route × role checks", checked)
	}
}

// consoleRequest sends a console request with the session cookie, as a
// browser would (a form for POST), without following redirects, and
// returns the status and body.
func (i *Instance) consoleRequest(t *testing.T, method, path, token string, form url.Values) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, i.URL+path, strings.NewReader(form.Encode()))
	if method == "POST" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.AddCookie(&http.Cookie{Name: "__Host-fd_session", Value: token})
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, body
}

func (i *Instance) page(t *testing.T, method, path, token string) int {
	t.Helper()
	status, _ := i.consoleRequest(t, method, path, token, nil)
	return status
}

func (i *Instance) postForm(t *testing.T, path, token string, form url.Values) int {
	t.Helper()
	status, _ := i.consoleRequest(t, "POST", path, token, form)
	return status
}

// Bulk actions on a selection: each needs its own permission, and each
// account changed is an audit entry.
func TestConsoleBulkActions(t *testing.T) {
	fd := Start(t, fastHashing)
	fd.createStaff(t, "sup@acme.example", "supervisor")
	fd.createStaff(t, "agent@acme.example", "agent")
	sup := fd.signInAPI(t, "sup@acme.example", apiPassword)
	fd.enrolTOTPAPI(t, sup)
	agent := fd.signInAPI(t, "agent@acme.example", apiPassword)
	fd.enrolTOTPAPI(t, agent)
	var ids []string
	var customerTokens []string
	for _, email := range []string{"a@example.com", "b@example.com"} {
		fd.registerAPI(t, email)
		customerTokens = append(customerTokens, fd.signInAPI(t, email, apiPassword))
		var s struct{ Account struct{ ID string } }
		fd.call(t, "GET", "/api/v1/session", customerTokens[len(customerTokens)-1], nil).decode(t, &s)
		ids = append(ids, s.Account.ID)
	}
	form := url.Values{"action": {"disable"}, "id": ids}
	if status := fd.postForm(t, "/console/customers/bulk", agent, form); status != http.StatusForbidden {
		t.Fatalf("agent disabled customers: %d", status)
	}
	form.Set("action", "end-sessions")
	if status := fd.postForm(t, "/console/customers/bulk", sup, form); status != http.StatusSeeOther {
		t.Fatalf("supervisor bulk end-sessions: %d", status)
	}
	for _, tok := range customerTokens {
		if r := fd.call(t, "GET", "/api/v1/session", tok, nil); r.Status != 401 {
			t.Fatalf("customer session survived: %d", r.Status)
		}
	}
	// On a whole search instead of a selection: both are "Minh Tran".
	for i, email := range []string{"a@example.com", "b@example.com"} {
		customerTokens[i] = fd.signInAPI(t, email, apiPassword)
	}
	form = url.Values{"action": {"end-sessions"}, "scope": {"search"}, "q": {"tran minh"}}
	if status := fd.postForm(t, "/console/customers/bulk", sup, form); status != http.StatusSeeOther {
		t.Fatalf("supervisor bulk end-sessions on a search: %d", status)
	}
	for _, tok := range customerTokens {
		if r := fd.call(t, "GET", "/api/v1/session", tok, nil); r.Status != 401 {
			t.Fatalf("customer session survived a bulk action on a search: %d", r.Status)
		}
	}
	// The staff member running it is not a customer and is left alone.
	if r := fd.call(t, "GET", "/api/v1/session", sup, nil); r.Status != 200 {
		t.Fatalf("supervisor's own session: %d", r.Status)
	}
}

// The access review report is CSV whose cells a spreadsheet never runs
// as formulas.
func TestAccessReviewReportCSV(t *testing.T) {
	fd := Start(t, fastHashing)
	fd.createStaff(t, "officer@acme.example", "security_officer")
	fd.createStaff(t, "agent@acme.example", "agent")
	officer := fd.signInAPI(t, "officer@acme.example", apiPassword)
	fd.enrolTOTPAPI(t, officer)
	if status := fd.postForm(t, "/console/reviews", officer, url.Values{}); status != http.StatusSeeOther {
		t.Fatalf("start review: %d", status)
	}
	reviewID, page := fd.latestReview(t, officer)
	m := regexp.MustCompile(`agent@acme\.example</td><td>agent</td><td>\s*<form[^>]*><input type="hidden" name="account" value="([0-9a-f]+)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no decision form for the agent's grant: %s", page)
	}
	agentID := m[1]
	form := url.Values{"account": {agentID}, "role": {"agent"}, "decision": {"certify"}, "reason": {`=HYPERLINK("http://evil.example","x")`}}
	if status := fd.postForm(t, "/console/reviews/"+reviewID+"/decide", officer, form); status != http.StatusSeeOther {
		t.Fatalf("decide: %d", status)
	}
	_, report := fd.consoleRequest(t, "GET", "/console/reviews/"+reviewID+"/report.csv", officer, nil)
	rows, err := csv.NewReader(bytes.NewReader(report)).ReadAll()
	if err != nil || len(rows) < 3 {
		t.Fatalf("report: %v %v", rows, err)
	}
	found := false
	for _, r := range rows[1:] {
		for _, cell := range r {
			if strings.HasPrefix(cell, "=") || strings.HasPrefix(cell, "+") || strings.HasPrefix(cell, "@") {
				t.Fatalf("formula cell %q", cell)
			}
			if cell == `'=HYPERLINK("http://evil.example","x")` {
				found = true
			}
		}
	}
	if !found {
		t.Fatalf("escaped reason missing: %v", rows)
	}
}

// latestReview opens the newest campaign and returns its id and page.
func (i *Instance) latestReview(t *testing.T, token string) (string, string) {
	t.Helper()
	_, list := i.consoleRequest(t, "GET", "/console/reviews", token, nil)
	m := regexp.MustCompile(`/console/reviews/([0-9a-f]{32})`).FindSubmatch(list)
	if m == nil {
		t.Fatalf("no review listed: %s", list)
	}
	_, page := i.consoleRequest(t, "GET", "/console/reviews/"+string(m[1]), token, nil)
	return string(m[1]), string(page)
}
