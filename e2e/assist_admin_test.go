package e2e

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/frontdesk/frontdesk/internal/db"
)

// The administration of remote assistance beyond TestAssistOrganisations:
// every new route's permission (anonymous, an agent without
// settings:manage, the administrator), marking and unmarking an
// organisation's admins, a plan change and templates audited with who
// made them, a widening template and a bad selector refused with 422 and
// nothing saved, a member made admin managing templates from the portal
// and refused once unmarked, another organisation's admin and a customer
// outside any organisation finding nothing, and cross-site posts refused.
//
// ASVS 8.2.1 (deny by default), 8.2.2 (another organisation is not
// found), 3.5.x (cross-site posts refused), 16.3.x (changes audited).
func TestAssistOrgAdmins(t *testing.T) {
	fd := Start(t, fastHashing)
	root := fd.staffSession(t, "root@acme.example", "administrator")
	agent := fd.staffSession(t, "agent@acme.example", "agent")
	for _, e := range []string{"boss@acme.example", "clerk@acme.example", "baker@beta.example", "solo@example.com"} {
		fd.registerAPI(t, e)
	}
	boss := fd.signInAPI(t, "boss@acme.example", apiPassword)
	clerk := fd.signInAPI(t, "clerk@acme.example", apiPassword)
	baker := fd.signInAPI(t, "baker@beta.example", apiPassword)
	solo := fd.signInAPI(t, "solo@example.com", apiPassword)
	clerkID := fd.accountID(t, clerk)

	acme := fd.newOrg(t, root, "Acme Logistics", "professional", url.Values{"email": {"boss@acme.example"}, "admin": {"on"}}, url.Values{"email": {"clerk@acme.example"}})
	fd.newOrg(t, root, "Beta Bakery", "enterprise", url.Values{"email": {"baker@beta.example"}, "admin": {"on"}})

	// The new route, and the pages, by who asks.
	admin := acme + "/members/" + clerkID + "/admin"
	for _, c := range []struct {
		method, path, who, token string
		want                     int
	}{
		{"GET", "/console/orgs", "anonymous", "", http.StatusSeeOther},
		{"GET", acme, "anonymous", "", http.StatusSeeOther},
		{"POST", admin, "anonymous", "", http.StatusUnauthorized},
		{"GET", "/console/orgs", "an agent", agent, http.StatusForbidden},
		{"GET", acme, "an agent", agent, http.StatusForbidden},
		{"POST", admin, "an agent", agent, http.StatusForbidden},
		{"POST", acme + "/plan", "an agent", agent, http.StatusForbidden},
		{"POST", admin, "a customer", boss, http.StatusForbidden},
		{"GET", acme, "another organisation's admin", baker, http.StatusForbidden},
		{"POST", acme + "/members/" + fd.accountID(t, baker) + "/admin", "the administrator, for another organisation's member", root, http.StatusNotFound},
		{"POST", "/console/orgs/0123456789abcdef0123456789abcdef/members/" + clerkID + "/admin", "the administrator, for no organisation", root, http.StatusNotFound},
	} {
		if s, _ := fd.consoleRequest(t, c.method, c.path, c.token, url.Values{"admin": {"on"}}); s != c.want {
			t.Errorf("%s %s as %s: %d, want %d", c.method, c.path, c.who, s, c.want)
		}
	}
	// A cross-site post changes nothing.
	if s := fd.crossSitePost(t, admin, root, url.Values{"admin": {"on"}}); s != http.StatusForbidden {
		t.Fatalf("cross-site admin change: %d", s)
	}

	// Up to enterprise, and the clerk made an admin.
	if s, _ := fd.consoleRequest(t, "POST", acme+"/plan", root, url.Values{"plan": {"enterprise"}}); s != http.StatusSeeOther {
		t.Fatalf("plan: %d", s)
	}
	if s, _ := fd.consoleRequest(t, "POST", admin, root, url.Values{"admin": {"on"}}); s != http.StatusSeeOther {
		t.Fatalf("mark admin: %d", s)
	}
	_, page := fd.consoleRequest(t, "GET", acme+"?done=admin", root, nil)
	if !strings.Contains(string(page), `id="notice"`) || !regexp.MustCompile(`name="admin" value="off"><button type="submit" class="button secondary" id="admin-`+clerkID).Match(page) {
		t.Fatal("the clerk is not shown as an admin")
	}

	// The clerk manages templates from the portal, within the platform's limits.
	tmpl := url.Values{"name": {"Counter"}, "max_level": {"guided"}, "max_duration_min": {"20"}, "recording": {"on"}, "mask_selectors": {"#iban"}}
	if s, body := fd.consoleRequest(t, "POST", "/support/organisation/templates", clerk, tmpl); s != http.StatusSeeOther {
		t.Fatalf("the clerk's template: %d %s", s, body)
	}
	for _, bad := range []url.Values{
		{"name": {"Forever"}, "max_level": {"control"}, "max_duration_min": {"121"}},
		{"name": {"Sneaky"}, "max_level": {"view"}, "max_duration_min": {"10"}, "mask_selectors": {"</script><script>alert(1)</script>"}},
		{"name": {"Loud"}, "max_level": {"root"}, "max_duration_min": {"10"}},
	} {
		s, page := fd.consoleRequest(t, "POST", "/support/organisation/templates", clerk, bad)
		if s != http.StatusUnprocessableEntity || !strings.Contains(string(page), `id="form-error"`) {
			t.Errorf("template %v: %d, want 422 with the error on the page", bad["name"], s)
		}
	}
	_, page = fd.consoleRequest(t, "GET", "/support/organisation", clerk, nil)
	tid := regexp.MustCompile(`<input type="hidden" name="template_id" value="([0-9a-f]{32})">`).FindSubmatch(page)
	if tid == nil || strings.Contains(string(page), "Forever") || strings.Contains(string(page), "Sneaky") || strings.Contains(string(page), "Loud") {
		t.Fatal("a refused template was saved, or the good one is missing")
	}
	if n := fd.countRows(t, "SELECT COUNT(*) FROM assist_templates"); n != 1 {
		t.Fatalf("%d templates stored, want 1", n)
	}
	if s, _ := fd.consoleRequest(t, "POST", "/support/organisation/members/"+fd.accountID(t, boss)+"/template", clerk, url.Values{"template_id": {string(tid[1])}}); s != http.StatusSeeOther {
		t.Fatalf("assign: %d", s)
	}
	if s, page := fd.consoleRequest(t, "GET", "/support/organisation", boss, nil); s != http.StatusOK || !strings.Contains(string(page), `<span id="policy-duration">20</span>`) {
		t.Fatalf("the boss's policy: %d", s)
	}

	// Another organisation's admin, on its own portal page, reaches nothing of Acme's.
	for _, c := range []struct {
		path string
		form url.Values
	}{
		{"/support/organisation/templates", url.Values{"template_id": {string(tid[1])}, "name": {"Mine now"}, "max_level": {"view"}, "max_duration_min": {"5"}}},
		{"/support/organisation/templates/" + string(tid[1]) + "/delete", nil},
		{"/support/organisation/members/" + clerkID + "/template", url.Values{"template_id": {""}}},
	} {
		if s, _ := fd.consoleRequest(t, "POST", c.path, baker, c.form); s != http.StatusNotFound {
			t.Errorf("POST %s by another organisation's admin: %d, want 404", c.path, s)
		}
	}
	if _, page := fd.consoleRequest(t, "GET", "/support/organisation", baker, nil); strings.Contains(string(page), "Counter") || strings.Contains(string(page), "clerk@acme.example") {
		t.Fatal("another organisation's admin sees Acme's template or members")
	}
	// A customer outside any organisation: a plain page that says so, as a 404.
	if s, page := fd.consoleRequest(t, "GET", "/support/organisation", solo, nil); s != http.StatusNotFound || !strings.Contains(string(page), `id="org-outside"`) {
		t.Fatalf("outside: %d", s)
	}
	if s, _ := fd.consoleRequest(t, "POST", "/support/organisation/templates", solo, tmpl); s != http.StatusNotFound {
		t.Fatalf("outside, writing a template: %d", s)
	}
	// The contact page links the member's organisation, and only theirs.
	if _, page := fd.consoleRequest(t, "GET", "/contact", clerk, nil); !strings.Contains(string(page), `id="org-page-link"`) || !strings.Contains(string(page), "Acme Logistics") {
		t.Fatal("no link to the organisation on the member's contact page")
	}
	if _, page := fd.consoleRequest(t, "GET", "/contact", solo, nil); strings.Contains(string(page), `id="org-page-link"`) {
		t.Fatal("a link to an organisation for a customer outside any")
	}
	// A cross-site template post is refused.
	if s := fd.crossSitePost(t, "/support/organisation/templates", clerk, url.Values{"name": {"Cross"}, "max_level": {"view"}, "max_duration_min": {"5"}}); s != http.StatusForbidden {
		t.Fatalf("cross-site template: %d", s)
	}

	// Unmarked, the clerk sees the organisation read-only and changes nothing.
	if s, _ := fd.consoleRequest(t, "POST", admin, root, url.Values{"admin": {"off"}}); s != http.StatusSeeOther {
		t.Fatalf("unmark admin: %d", s)
	}
	if s, page := fd.consoleRequest(t, "GET", "/support/organisation", clerk, nil); s != http.StatusOK || !strings.Contains(string(page), `id="org-read-only"`) || strings.Contains(string(page), "boss@acme.example") {
		t.Fatalf("the unmarked clerk's page: %d", s)
	}
	for _, path := range []string{"/support/organisation/templates", "/support/organisation/templates/" + string(tid[1]) + "/delete", "/support/organisation/members/" + clerkID + "/template"} {
		if s, _ := fd.consoleRequest(t, "POST", path, clerk, tmpl); s != http.StatusForbidden {
			t.Errorf("POST %s by a member who is not an admin: %d, want 403", path, s)
		}
	}
	if n := fd.countRows(t, "SELECT COUNT(*) FROM assist_templates"); n != 1 {
		t.Fatalf("%d templates stored, want 1", n)
	}

	// Audited, with who did it.
	for _, c := range []struct {
		query string
		want  int
	}{
		{"SELECT COUNT(*) FROM audit_log WHERE action = 'assist.org_admin' AND actor_kind = 'staff'", 2},
		{"SELECT COUNT(*) FROM audit_log WHERE action = 'assist.org_plan' AND actor_kind = 'staff'", 1},
		{"SELECT COUNT(*) FROM audit_log WHERE action = 'assist.template_create' AND actor_kind = 'customer' AND actor_id = '" + clerkID + "'", 1},
		{"SELECT COUNT(*) FROM audit_log WHERE action = 'assist.template_assign' AND actor_kind = 'customer'", 1},
	} {
		if n := fd.countRows(t, c.query); n != c.want {
			t.Errorf("%s: %d, want %d", c.query, n, c.want)
		}
	}
}

// An agent's identity card edited from the console: the page and the save
// need desk:manage, like the desk's agents; an uploaded PNG becomes the
// card's photo and is shown; a file that is not a small PNG or JPEG, or a
// bad staff number, is refused with 422 and nothing changes; the card is
// only for staff accounts; every save is audited.
//
// ASVS 8.2.1, 3.5.x, 5.2.x (uploaded files checked by content and size),
// 16.3.x.
func TestAgentCardPage(t *testing.T) {
	fd := Start(t, fastHashing)
	sup := fd.staffSession(t, "sup@acme.example", "supervisor")
	agent := fd.staffSession(t, "agent@acme.example", "agent")
	fd.registerAPI(t, "minh@example.com")
	cust := fd.signInAPI(t, "minh@example.com", apiPassword)
	agentID := fd.accountID(t, agent)
	if s := fd.postForm(t, "/console/desk/agents", sup, url.Values{"account": {agentID}, "display_name": {"Binh"}, "language": {"en"}}); s != http.StatusSeeOther {
		t.Fatalf("agent: %d", s)
	}
	card := "/console/desk/agents/" + agentID + "/card"
	for _, c := range []struct {
		method, path, who, token string
		want                     int
	}{
		{"GET", card, "anonymous", "", http.StatusSeeOther},
		{"POST", card, "anonymous", "", http.StatusUnauthorized},
		{"GET", card, "the agent", agent, http.StatusForbidden},
		{"POST", card, "the agent", agent, http.StatusForbidden},
		{"GET", card, "a customer", cust, http.StatusForbidden},
		{"GET", "/console/desk/agents/" + fd.accountID(t, cust) + "/card", "a desk manager, for a customer", sup, http.StatusNotFound},
		{"POST", "/console/desk/agents/" + fd.accountID(t, cust) + "/card", "a desk manager, for a customer", sup, http.StatusNotFound},
		{"GET", "/console/desk/agents/nope/card", "a desk manager", sup, http.StatusNotFound},
	} {
		if s, _ := fd.consoleRequest(t, c.method, c.path, c.token, url.Values{"staff_number": {"X-1"}, "department": {"Sales"}}); s != c.want {
			t.Errorf("%s %s as %s: %d, want %d", c.method, c.path, c.who, s, c.want)
		}
	}
	if s, page := fd.consoleRequest(t, "GET", card, sup, nil); s != http.StatusOK || !strings.Contains(string(page), `id="card-none"`) {
		t.Fatalf("card page before any card: %d", s)
	}
	if _, page := fd.consoleRequest(t, "GET", "/console/desk", sup, nil); !strings.Contains(string(page), `href="`+card+`"`) {
		t.Fatal("the desk's agents do not link their cards")
	}

	// A card with an uploaded photo.
	var pic bytes.Buffer
	png.Encode(&pic, image.NewGray(image.Rect(0, 0, 8, 8)))
	s, _ := fd.postCard(t, card, sup, map[string]string{"staff_number": "S-2001", "department": "Card services"}, "me.png", pic.Bytes())
	if s != http.StatusSeeOther {
		t.Fatalf("save with a photo: %d", s)
	}
	_, page := fd.consoleRequest(t, "GET", card, sup, nil)
	if !strings.Contains(string(page), `<img src="data:image/png;base64,`) || !strings.Contains(string(page), `id="assist-card-number">S-2001<`) || !strings.Contains(string(page), "Binh") {
		t.Fatalf("the card is not shown with its photo: %s", page)
	}

	// Refused, nothing changed: not a picture, a picture too large, a bad staff number, a cross-site post.
	wide := image.NewGray(image.Rect(0, 0, 1500, 2))
	var big bytes.Buffer
	png.Encode(&big, wide)
	for _, c := range []struct {
		what   string
		fields map[string]string
		name   string
		file   []byte
	}{
		{"a script named .png", map[string]string{"staff_number": "S-3000", "department": "Other"}, "x.png", []byte("<script>alert(1)</script>")},
		{"a picture of 1500 pixels", map[string]string{"staff_number": "S-3000", "department": "Other"}, "wide.png", big.Bytes()},
		{"a bad staff number", map[string]string{"staff_number": "<b>", "department": "Other"}, "", nil},
		{"no department", map[string]string{"staff_number": "S-3000", "department": " "}, "", nil},
	} {
		s, body := fd.postCard(t, card, sup, c.fields, c.name, c.file)
		if s != http.StatusUnprocessableEntity || !strings.Contains(body, `class="field-error"`) {
			t.Errorf("%s: %d, want 422 with the field's error", c.what, s)
		}
	}
	if s := fd.crossSitePost(t, card, sup, url.Values{"staff_number": {"S-3000"}, "department": {"Other"}, "remove_photo": {"on"}}); s != http.StatusForbidden {
		t.Fatalf("cross-site card: %d", s)
	}
	_, page = fd.consoleRequest(t, "GET", card, sup, nil)
	if !strings.Contains(string(page), `id="assist-card-number">S-2001<`) || strings.Contains(string(page), "S-3000") || !strings.Contains(string(page), `<img src="data:image/png;base64,`) {
		t.Fatal("a refused card changed the card")
	}
	// A body over the limit is refused before it is read.
	if s, _ := fd.postCard(t, card, sup, map[string]string{"staff_number": "S-3000", "department": "Other"}, "huge.png", bytes.Repeat([]byte{0}, 200<<10)); s != http.StatusRequestEntityTooLarge {
		t.Fatalf("a huge upload: %d", s)
	}

	// A plain form (no file) keeps the photo; "remove" clears it.
	if s := fd.postForm(t, card, sup, url.Values{"staff_number": {"S-2002"}, "department": {"Card services"}}); s != http.StatusSeeOther {
		t.Fatalf("save without a file: %d", s)
	}
	if _, page = fd.consoleRequest(t, "GET", card, sup, nil); !strings.Contains(string(page), `<img src="data:image/png;base64,`) {
		t.Fatal("the photo was lost")
	}
	if s := fd.postForm(t, card, sup, url.Values{"staff_number": {"S-2002"}, "department": {"Card services"}, "remove_photo": {"on"}}); s != http.StatusSeeOther {
		t.Fatalf("remove the photo: %d", s)
	}
	if _, page = fd.consoleRequest(t, "GET", card, sup, nil); strings.Contains(string(page), `<img src="data:`) || !strings.Contains(string(page), "S-2002") {
		t.Fatal("the photo is still there")
	}
	if n := fd.countRows(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'assist.profile_save' AND target = 'account:"+agentID+"'"); n != 3 {
		t.Fatalf("%d card saves audited, want 3", n)
	}
}

// newOrg creates an organisation in the console with members and returns
// its page's path.
func (i *Instance) newOrg(t *testing.T, token, name, plan string, members ...url.Values) string {
	t.Helper()
	if s, body := i.consoleRequest(t, "POST", "/console/orgs", token, url.Values{"name": {name}, "plan": {plan}}); s != http.StatusSeeOther {
		t.Fatalf("create %s: %d %s", name, s, body)
	}
	_, list := i.consoleRequest(t, "GET", "/console/orgs", token, nil)
	m := regexp.MustCompile(`<a href="(/console/orgs/[0-9a-f]{32})">` + regexp.QuoteMeta(name) + `</a>`).FindSubmatch(list)
	if m == nil {
		t.Fatalf("%s is not in the list", name)
	}
	for _, add := range members {
		if s, body := i.consoleRequest(t, "POST", string(m[1])+"/members", token, add); s != http.StatusSeeOther {
			t.Fatalf("add %v: %d %s", add, s, body)
		}
	}
	return string(m[1])
}

// postCard posts the identity card form as a browser does (multipart, the
// photo as photo_file when name is set) and returns the status and body.
func (i *Instance) postCard(t *testing.T, path, token string, fields map[string]string, name string, file []byte) (int, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("photo_file", name) // an empty name is "no file chosen"
	fw.Write(file)
	mw.Close()
	req, _ := http.NewRequest("POST", i.URL+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.AddCookie(&http.Cookie{Name: "__Host-fd_session", Value: token})
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out bytes.Buffer
	out.ReadFrom(res.Body)
	return res.StatusCode, out.String()
}

// countRows runs a COUNT query on the instance's database.
func (i *Instance) countRows(t *testing.T, query string) int {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, db.Options{URL: i.DatabaseURL, DataDir: i.DataDir})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var n int
	if err := d.Read(ctx, func(tx *db.Tx) error { return tx.QueryRow(ctx, query).Scan(&n) }); err != nil {
		t.Fatal(err)
	}
	return n
}
