package e2e

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/internal/access"
	"github.com/frontdesk/frontdesk/internal/db"
)

// The admin API (docs/admin-api.md) driven as a script would: service
// accounts made by staff, keys, and every /api/v1/admin route.

// adminKit is an instance with a "boss" who holds every built-in role
// (granted by a second administrator) and can therefore make a service
// account of any role.
type adminKit struct {
	*Instance
	boss, admin2   string // session tokens
	bossID, custID string
}

func newAdminKit(t *testing.T, extra map[string]string) *adminKit {
	vars := map[string]string{}
	for k, v := range fastHashing {
		vars[k] = v
	}
	for k, v := range extra {
		vars[k] = v
	}
	k := &adminKit{Instance: Start(t, vars)}
	k.boss = k.staffSession(t, "boss@acme.example", access.RoleAdministrator)
	k.admin2 = k.staffSession(t, "admin2@acme.example", access.RoleAdministrator)
	var staff struct {
		Staff []struct{ ID, Email string }
	}
	k.mustCall(t, 200, "GET", "/api/v1/admin/staff", k.admin2, nil).decode(t, &staff)
	for _, s := range staff.Staff {
		if s.Email == "boss@acme.example" {
			k.bossID = s.ID
		}
	}
	for _, role := range access.BuiltInRoles {
		k.mustCall(t, 200, "POST", "/api/v1/admin/staff/"+k.bossID+"/roles", k.admin2, map[string]string{"role": role})
	}
	k.registerAPI(t, "cust@example.com")
	var list struct{ Accounts []struct{ ID string } }
	k.mustCall(t, 200, "GET", "/api/v1/admin/accounts?q=cust@example.com", k.boss, nil).decode(t, &list)
	if len(list.Accounts) != 1 {
		t.Fatalf("search for the customer: %+v", list)
	}
	k.custID = list.Accounts[0].ID
	return k
}

func (k *adminKit) staffSession(t *testing.T, email, role string) string {
	t.Helper()
	k.createStaff(t, email, role)
	tok := k.signInAPI(t, email, apiPassword)
	k.enrolTOTPAPI(t, tok)
	return tok
}

func (k *adminKit) mustCall(t *testing.T, want int, method, path, token string, body any) apiResponse {
	t.Helper()
	r := k.call(t, method, path, token, body)
	if r.Status != want {
		t.Fatalf("%s %s: %d, want %d: %s", method, path, r.Status, want, r.Body)
	}
	return r
}

// serviceKey makes a service account with roles as the boss and returns
// its id and a new key's secret.
func (k *adminKit) serviceKey(t *testing.T, name string, roles []string, scopes ...string) (id, secret string) {
	t.Helper()
	var sa struct {
		ServiceAccount struct{ ID string } `json:"service_account"`
	}
	k.mustCall(t, 201, "POST", "/api/v1/admin/service-accounts", k.boss, map[string]any{"name": name, "roles": roles}).decode(t, &sa)
	var key struct{ Secret string }
	k.mustCall(t, 201, "POST", "/api/v1/admin/service-accounts/"+sa.ServiceAccount.ID+"/keys", k.boss,
		map[string]any{"name": "key of " + name, "scopes": scopes}).decode(t, &key)
	if !strings.HasPrefix(key.Secret, "fdk_") {
		t.Fatalf("key secret %q", key.Secret)
	}
	return sa.ServiceAccount.ID, key.Secret
}

// staffOnly lists the admin routes no API key may call, whatever its
// roles: service accounts and keys are managed by people.
func staffOnly(pattern string) bool {
	return strings.Contains(pattern, "/api/v1/admin/service-accounts")
}

// Every admin route, called with a key of each built-in role: 403 exactly
// when the role lacks the route's permission (or the route is for staff
// only), never a server error; and every call is an audit entry naming the
// service account (ASVS 8.2.1, 8.3.1, 16.2.1).
func TestAdminAPIKeyRoleMatrix(t *testing.T) {
	k := newAdminKit(t, nil)
	keys, ids := map[string]string{}, map[string]string{}
	for _, role := range access.BuiltInRoles {
		ids[role], keys[role] = k.serviceKey(t, role+" bot", []string{role})
	}
	checked := 0
	for _, rt := range k.Routes() {
		method, path, _ := strings.Cut(rt.Pattern, " ")
		if !strings.HasPrefix(path, "/api/v1/admin/") {
			continue
		}
		id := "0123456789abcdef0123456789abcdef"
		if strings.HasPrefix(path, "/api/v1/admin/accounts/") {
			id = k.custID
		}
		path = strings.NewReplacer("{id}", id, "{role}", "agent", "{key}", "0123456789abcdef").Replace(path)
		for _, role := range access.BuiltInRoles {
			want := slices.Contains(access.Roles[role], rt.Permission) && !staffOnly(rt.Pattern)
			var body any
			if method != "GET" && method != "DELETE" {
				body = map[string]string{}
			}
			r := k.call(t, method, path, keys[role], body)
			if r.Status >= 500 {
				t.Errorf("%s with a %s key: %d %s", rt.Pattern, role, r.Status, r.Body)
			}
			if (r.Status != http.StatusForbidden) != want {
				t.Errorf("%s with a %s key: %d %s, matrix says allowed=%v", rt.Pattern, role, r.Status, r.Body, want)
			}
			checked++
		}
	}
	if checked < 5*25 {
		t.Fatalf("only %d route × role checks", checked)
	}
	// The auditor's key read the trail; every entry made by a key names
	// its service account, refusals included.
	var page struct {
		Entries []struct {
			Actor   struct{ ID, Kind string }
			Action  string
			Outcome string
		}
	}
	k.mustCall(t, 200, "GET", "/api/v1/admin/audit?actor_kind=service&limit=1000", k.boss, nil).decode(t, &page)
	seen := map[string]bool{}
	for _, e := range page.Entries {
		if e.Actor.Kind != "service" || !slices.Contains(mapValues(ids), e.Actor.ID) {
			t.Fatalf("entry %+v does not name a service account", e)
		}
		seen[e.Action+"/"+e.Outcome] = true
	}
	for _, want := range []string{"admin_api.call/denied", "admin_api.call/failure", "admin_api.read/success", "account.disable/success", "account.force_reset/success"} {
		if !seen[want] {
			t.Errorf("no %s entry by a key among %v", want, seen)
		}
	}
}

func mapValues(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// A key is refused once revoked, expired or its account disabled, never
// reaches anything outside the admin API, cannot manage service accounts,
// and is limited in rate (429 with Retry-After). Staff cannot make a
// service account beyond their own permissions, and the refusal changes
// nothing. ASVS 2.4.1, 7.4.1, 8.2.1, 16.2.5
func TestAdminAPIKeyLifecycle(t *testing.T) {
	k := newAdminKit(t, map[string]string{"FRONTDESK_API_KEY_RATE": "5"})
	// The second administrator lacks the agent's customers:unlock.
	r := k.call(t, "POST", "/api/v1/admin/service-accounts", k.admin2, map[string]any{"name": "unlocker", "roles": []string{access.RoleAgent}})
	if r.Status != 403 || r.errorCode(t) != "beyond_your_permissions" {
		t.Fatalf("service account beyond the creator: %d %s", r.Status, r.Body)
	}
	var list struct {
		ServiceAccounts []struct {
			ID   string
			Keys []map[string]any
		} `json:"service_accounts"`
	}
	k.mustCall(t, 200, "GET", "/api/v1/admin/service-accounts", k.admin2, nil).decode(t, &list)
	if len(list.ServiceAccounts) != 0 {
		t.Fatalf("a refused service account exists: %+v", list)
	}

	id, secret := k.serviceKey(t, "reader", []string{access.RoleAuditor})
	// The secret is shown once: the account lists the key without it.
	got := k.mustCall(t, 200, "GET", "/api/v1/admin/service-accounts/"+id, k.boss, nil)
	if strings.Contains(string(got.Body), secret[20:]) || strings.Contains(string(got.Body), "secret") {
		t.Fatalf("the key's secret is shown again: %s", got.Body)
	}
	for _, tc := range []struct{ method, path string }{
		{"GET", "/api/v1/session"},
		{"GET", "/api/v1/sessions"},
		{"GET", "/api/v1/recovery-requests"},
		{"GET", "/api/v1/admin/service-accounts"},
		{"POST", "/api/v1/admin/service-accounts/" + id + "/keys"},
	} {
		var body any
		if tc.method == "POST" {
			body = map[string]string{"name": "more"}
		}
		if r := k.call(t, tc.method, tc.path, secret, body); r.Status != 403 {
			t.Errorf("%s %s with a key: %d %s", tc.method, tc.path, r.Status, r.Body)
		}
	}
	// Rate: 5 calls a minute; the calls above were 5.
	r = k.call(t, "GET", "/api/v1/admin/audit?limit=1", secret, nil)
	if r.Status != 429 || r.errorCode(t) != "rate_limited" {
		t.Fatalf("6th call in a minute: %d %s", r.Status, r.Body)
	}
	if s, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || s < 1 || s > 60 {
		t.Fatalf("Retry-After %q", r.Header.Get("Retry-After"))
	}

	// Unknown, mangled, revoked, expired keys and disabled accounts: 401.
	_, other := k.serviceKey(t, "other", []string{access.RoleAuditor})
	for _, bad := range []string{"fdk_0123456789abcdef_" + strings.Repeat("A", 43), other + "x", "fdk_"} {
		if r := k.call(t, "GET", "/api/v1/admin/audit", bad, nil); r.Status != 401 || r.errorCode(t) != "invalid_api_key" {
			t.Errorf("key %q: %d %s", bad, r.Status, r.Body)
		}
	}
	k.mustCall(t, 200, "GET", "/api/v1/admin/audit?limit=1", other, nil)
	k.mustCall(t, 200, "POST", "/api/v1/admin/service-accounts/"+id+"/disable", k.boss, nil)
	otherID := ""
	k.mustCall(t, 200, "GET", "/api/v1/admin/service-accounts", k.admin2, nil).decode(t, &list)
	for _, sa := range list.ServiceAccounts {
		if sa.ID != id {
			otherID = sa.ID
		}
	}
	var acct struct {
		ServiceAccount struct{ Keys []struct{ ID, State string } } `json:"service_account"`
	}
	k.mustCall(t, 200, "GET", "/api/v1/admin/service-accounts/"+otherID, k.boss, nil).decode(t, &acct)
	keyID := acct.ServiceAccount.Keys[0].ID
	k.mustCall(t, 204, "DELETE", "/api/v1/admin/service-accounts/"+otherID+"/keys/"+keyID, k.boss, nil)
	if r := k.call(t, "GET", "/api/v1/admin/audit", other, nil); r.Status != 401 {
		t.Fatalf("revoked key: %d %s", r.Status, r.Body)
	}
	k.mustCall(t, 200, "POST", "/api/v1/admin/service-accounts/"+id+"/enable", k.boss, nil)
	// Expiry: the key's time is up (set in the database, as a clock would).
	_, third := k.serviceKey(t, "third", []string{access.RoleAuditor})
	k.mustCall(t, 200, "GET", "/api/v1/admin/audit?limit=1", third, nil)
	k.exec(t, "UPDATE api_keys SET expires_at = ? WHERE id = ?", time.Now().Add(-time.Second), strings.Split(third, "_")[1])
	if r := k.call(t, "GET", "/api/v1/admin/audit", third, nil); r.Status != 401 {
		t.Fatalf("expired key: %d %s", r.Status, r.Body)
	}
	k.mustCall(t, 200, "GET", "/api/v1/admin/service-accounts/"+otherID, k.boss, nil).decode(t, &acct)
	if acct.ServiceAccount.Keys[0].State != "revoked" {
		t.Fatalf("revoked key state: %+v", acct)
	}
	// No key appears in the server's log, whatever was done with it (ASVS 16.2.5, 14.2.1).
	for _, key := range []string{secret, other, third} {
		if strings.Contains(k.Logs(), key) || strings.Contains(k.Logs(), key[21:]) {
			t.Fatal("an API key is in the server log")
		}
	}
}

func (k *adminKit) exec(t *testing.T, q string, args ...any) {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, db.Options{URL: k.DatabaseURL, DataDir: k.DataDir})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.Write(ctx, func(tx *db.Tx) error { _, err := tx.Exec(ctx, q, args...); return err }); err != nil {
		t.Fatal(err)
	}
}

// Accounts, jobs, roles, grants and the audit trail through a key, with
// bad input refused everywhere with a clear error that changes nothing.
func TestAdminAPIAccountsAndJobs(t *testing.T) {
	k := newAdminKit(t, nil)
	_, ops := k.serviceKey(t, "ops", []string{access.RoleSupervisor, access.RoleAdministrator})
	count := func() int {
		var page struct{ Accounts []any }
		k.mustCall(t, 200, "GET", "/api/v1/admin/accounts?limit=100", ops, nil).decode(t, &page)
		return len(page.Accounts)
	}
	before := count()
	for _, tc := range []struct {
		body        any
		status      int
		code, field string
	}{
		{map[string]any{"email": "not-an-email"}, 400, "", "email"},
		{map[string]any{}, 400, "invalid_email", "email"},
		{map[string]any{"email": "p@example.com", "phone": "123"}, 400, "", "phone"},
		{map[string]any{"email": "p@example.com", "locale": "fr"}, 400, "", "locale"},
		{map[string]any{"email": "p@example.com", "role": "no_such_role"}, 400, "invalid_role", "role"},
		{map[string]any{"email": "p@example.com", "password_hash": "hunter2"}, 400, "", "password_hash"},
		{map[string]any{"email": "p@example.com", "admin": true}, 400, "invalid_json", ""},
		{map[string]any{"email": 7}, 400, "invalid_json", ""},
		{map[string]any{"email": "cust@example.com"}, 409, "account_exists", "email"},
	} {
		r := k.call(t, "POST", "/api/v1/admin/accounts", ops, tc.body)
		var e struct {
			Error struct{ Code, Field, Message string }
		}
		r.decode(t, &e)
		if r.Status != tc.status || (tc.code != "" && e.Error.Code != tc.code) || e.Error.Field != tc.field || e.Error.Message == "" {
			t.Errorf("create %v: %d %s", tc.body, r.Status, r.Body)
		}
	}
	if n := count(); n != before {
		t.Fatalf("refused creations changed the accounts: %d → %d", before, n)
	}
	var created struct {
		Account struct {
			ID, Email, Name, Status, Locale string
			Masked                          bool
		}
		Invited bool
	}
	k.mustCall(t, 201, "POST", "/api/v1/admin/accounts", ops, map[string]any{"email": "nguyen@example.com", "name": "Nguyễn Văn An",
		"phone": "+84912345678", "locale": "vi-VN"}).decode(t, &created)
	a := created.Account
	if a.Email != "n•••@example.com" || !a.Masked || a.Status != "active" || a.Locale != "vi" || !created.Invited {
		t.Fatalf("created: %+v", created)
	}
	// Paging: one account a page, following next_cursor, sees every account once.
	var ids []string
	cursor := ""
	for range 20 {
		var page struct {
			Accounts   []struct{ ID string }
			NextCursor *string `json:"next_cursor"`
		}
		k.mustCall(t, 200, "GET", "/api/v1/admin/accounts?limit=1&cursor="+cursor, ops, nil).decode(t, &page)
		for _, p := range page.Accounts {
			ids = append(ids, p.ID)
		}
		if page.NextCursor == nil {
			break
		}
		cursor = *page.NextCursor
	}
	if len(ids) != before+1 || !slices.IsSorted(ids) || !slices.Contains(ids, a.ID) {
		t.Fatalf("paged %d accounts, want %d: %v", len(ids), before+1, ids)
	}
	for _, q := range []string{"limit=0", "limit=101", "limit=x", "kind=robot", "cursor=zz", "sort=name", "q=" + strings.Repeat("a", 300)} {
		if r := k.call(t, "GET", "/api/v1/admin/accounts?"+q, ops, nil); r.Status != 400 || r.errorCode(t) != "invalid_parameter" {
			t.Errorf("list ?%s: %d %s", q, r.Status, r.Body)
		}
	}
	var found struct{ Accounts []struct{ ID string } }
	k.mustCall(t, 200, "GET", "/api/v1/admin/accounts?q=nguyen%20an&kind=customer", ops, nil).decode(t, &found)
	if len(found.Accounts) != 1 || found.Accounts[0].ID != a.ID {
		t.Fatalf("search by name: %+v", found)
	}

	// Masked until revealed with a reason; then shown for a while.
	path := "/api/v1/admin/accounts/" + a.ID
	if r := k.call(t, "POST", path+"/reveal", ops, map[string]string{"reason": ""}); r.Status != 400 || r.errorCode(t) != "reason_required" {
		t.Fatalf("reveal without a reason: %d %s", r.Status, r.Body)
	}
	var shown struct {
		Account struct {
			Email, Name, Phone, Status string
			Masked                     bool
			MustReset                  bool `json:"must_reset"`
		}
	}
	k.mustCall(t, 200, "GET", path, ops, nil).decode(t, &shown)
	if !shown.Account.Masked || strings.Contains(shown.Account.Phone, "345") {
		t.Fatalf("unrevealed: %+v", shown)
	}
	k.mustCall(t, 200, "POST", path+"/reveal", ops, map[string]string{"reason": "ticket 42: wrong phone"})
	k.mustCall(t, 200, "GET", path, ops, nil).decode(t, &shown)
	if shown.Account.Masked || shown.Account.Email != "nguyen@example.com" || shown.Account.Phone != "+84912345678" {
		t.Fatalf("revealed: %+v", shown)
	}
	for _, bad := range []map[string]any{{"phone": "12"}, {"locale": "xx"}, {"name": strings.Repeat("n", 201)}, {}, {"email": "new@example.com"}} {
		if r := k.call(t, "PATCH", path, ops, bad); r.Status != 400 {
			t.Errorf("update %v: %d %s", bad, r.Status, r.Body)
		}
	}
	k.mustCall(t, 200, "GET", path, ops, nil).decode(t, &shown)
	if shown.Account.Phone != "+84912345678" {
		t.Fatalf("a refused update changed the phone: %+v", shown)
	}
	k.mustCall(t, 200, "PATCH", path, ops, map[string]any{"phone": "+84 912 000 111", "name": "Nguyễn Văn Bình"}).decode(t, &shown)
	if shown.Account.Phone != "+84912000111" || shown.Account.Name != "Nguyễn Văn Bình" {
		t.Fatalf("updated: %+v", shown)
	}
	k.mustCall(t, 200, "POST", path+"/disable", ops, nil).decode(t, &shown)
	if shown.Account.Status != "disabled" {
		t.Fatalf("disabled: %+v", shown)
	}
	k.mustCall(t, 200, "POST", path+"/enable", ops, nil)
	k.mustCall(t, 200, "POST", path+"/unlock", ops, nil)
	k.mustCall(t, 200, "POST", path+"/end-sessions", ops, nil)
	k.mustCall(t, 200, "POST", path+"/force-reset", ops, nil).decode(t, &shown)
	if !shown.Account.MustReset {
		t.Fatalf("force reset: %+v", shown)
	}
	for _, p := range []string{"/api/v1/admin/accounts/nope", "/api/v1/admin/accounts/0123456789abcdef0123456789abcdef"} {
		if r := k.call(t, "GET", p, ops, nil); r.Status != 404 {
			t.Errorf("GET %s: %d", p, r.Status)
		}
	}
	if r := k.call(t, "POST", "/api/v1/admin/accounts/"+k.bossID+"/disable", ops, nil); r.Status != 409 {
		t.Errorf("disable a staff account through the accounts route: %d %s", r.Status, r.Body)
	}

	// Bulk import as a job: progress and a report of every invalid row.
	csv := "email,name,locale\nbulk1@example.com,Bulk One,en\nbad-address,Bad,en\nbulk2@example.com,Bulk Two,zh\n"
	job := k.runJob(t, ops, "/api/v1/admin/jobs/imports", map[string]any{"format": "csv", "content": csv, "dry_run": true})
	if job.Progress.Created != 2 || job.Progress.Invalid != 1 || count() != before+1 {
		t.Fatalf("dry run: %+v", job)
	}
	job = k.runJob(t, ops, "/api/v1/admin/jobs/imports", map[string]any{"format": "csv", "content": csv})
	if job.Status != "done" || job.Progress.Created != 2 || job.Progress.Invalid != 1 || len(job.Progress.Errors) != 1 ||
		job.Progress.Errors[0].Line != 3 || job.Progress.Errors[0].Field != "email" || count() != before+3 {
		t.Fatalf("import: %+v", job)
	}
	for _, bad := range []map[string]any{{"format": "xml", "content": csv}, {"format": "csv"}, {"format": "csv", "content": "mail,name\nx@example.com,X\n"}, {"content": csv}} {
		if r := k.call(t, "POST", "/api/v1/admin/jobs/imports", ops, bad); r.Status != 400 {
			t.Errorf("import %v: %d %s", bad, r.Status, r.Body)
		}
	}
	job = k.runJob(t, ops, "/api/v1/admin/jobs/exports", map[string]any{"format": "jsonl"})
	if job.Status != "done" || job.FileURL == "" {
		t.Fatalf("export: %+v", job)
	}
	file := k.mustCall(t, 200, "GET", job.FileURL, ops, nil)
	if !strings.Contains(string(file.Body), `"bulk2@example.com"`) || !strings.HasPrefix(file.Header.Get("Content-Type"), "application/x-ndjson") {
		t.Fatalf("export file: %s", file.Body)
	}
	// Another caller does not see this caller's jobs.
	if r := k.call(t, "GET", job.FileURL, k.boss, nil); r.Status != 404 {
		t.Fatalf("someone else's job: %d", r.Status)
	}

	// Roles and grants: never the key's creator.
	k.mustCall(t, 201, "POST", "/api/v1/admin/roles", ops, map[string]any{"name": "reporter", "description": "reads the trail",
		"permissions": []string{access.AuditRead}})
	if r := k.call(t, "POST", "/api/v1/admin/roles", ops, map[string]any{"name": "Bad Name!", "permissions": []string{"x"}}); r.Status != 400 {
		t.Fatalf("bad role: %d %s", r.Status, r.Body)
	}
	var staff struct{ Staff []struct{ ID, Email string } }
	k.mustCall(t, 200, "GET", "/api/v1/admin/staff", ops, nil).decode(t, &staff)
	admin2 := ""
	for _, s := range staff.Staff {
		if s.Email == "admin2@acme.example" {
			admin2 = s.ID
		}
	}
	k.mustCall(t, 200, "POST", "/api/v1/admin/staff/"+admin2+"/roles", ops, map[string]string{"role": "reporter"})
	if r := k.call(t, "POST", "/api/v1/admin/staff/"+k.bossID+"/roles", ops, map[string]string{"role": "reporter"}); r.Status != 403 || r.errorCode(t) != "self_grant" {
		t.Fatalf("a key granting its creator a role: %d %s", r.Status, r.Body)
	}
	if r := k.call(t, "POST", "/api/v1/admin/staff/"+admin2+"/roles", ops, map[string]string{"role": "wizard"}); r.Status != 400 {
		t.Fatalf("unknown role: %d %s", r.Status, r.Body)
	}
	var roles struct{ Roles []string }
	k.mustCall(t, 200, "DELETE", "/api/v1/admin/staff/"+admin2+"/roles/reporter", ops, nil).decode(t, &roles)
	if slices.Contains(roles.Roles, "reporter") {
		t.Fatalf("after revoke: %v", roles)
	}

	// The audit trail, filtered and paged.
	var page struct {
		Entries []struct {
			Seq   int64
			Actor struct{ ID, Kind string }
		}
		NextCursor *string `json:"next_cursor"`
	}
	k.mustCall(t, 200, "GET", "/api/v1/admin/audit?action=account.&limit=2", ops, nil).decode(t, &page)
	if len(page.Entries) != 2 || page.NextCursor == nil || page.Entries[0].Actor.Kind != "service" {
		t.Fatalf("audit page: %+v", page)
	}
	first := page.Entries[1].Seq
	k.mustCall(t, 200, "GET", "/api/v1/admin/audit?action=account.&limit=2&cursor="+*page.NextCursor, ops, nil).decode(t, &page)
	if len(page.Entries) == 0 || page.Entries[0].Seq >= first {
		t.Fatalf("second audit page: %+v", page)
	}
	// A NUL (which PostgreSQL's text refuses: a 500 before) or bytes that
	// are not UTF-8 in a text filter, or one too long, are a 400 as well.
	for _, q := range []string{"since=yesterday", "limit=0", "cursor=-1", "outcome=maybe", "actor_kind=robot", "color=red",
		"actor=%00", "action=account.%00", "target=%FF", "subject=" + strings.Repeat("x", 201)} {
		if r := k.call(t, "GET", "/api/v1/admin/audit?"+q, ops, nil); r.Status != 400 {
			t.Errorf("audit ?%s: %d %s", q, r.Status, r.Body)
		}
	}
}

type jobReport struct {
	ID       string
	Status   string
	FileURL  string `json:"file_url"`
	Progress struct {
		Created, Invalid int
		Errors           []struct {
			Line  int
			Field string
		}
	}
}

// runJob starts a job and polls it until it ends.
func (k *adminKit) runJob(t *testing.T, token, path string, body any) jobReport {
	t.Helper()
	var out struct{ Job jobReport }
	k.mustCall(t, 202, "POST", path, token, body).decode(t, &out)
	return k.waitJob(t, token, out.Job.ID)
}

// waitJob polls a job until it ends.
func (k *adminKit) waitJob(t *testing.T, token, id string) jobReport {
	t.Helper()
	var out struct{ Job jobReport }
	out.Job.Status = "running"
	deadline := time.Now().Add(2 * time.Minute)
	for out.Job.Status == "running" && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
		k.mustCall(t, 200, "GET", "/api/v1/admin/jobs/"+id, token, nil).decode(t, &out)
	}
	if out.Job.Status == "running" {
		t.Fatalf("job %s still running after 2 minutes", id)
	}
	return out.Job
}

// Service accounts and keys through the API: bad input is refused with
// the field at fault and creates nothing; a key follows its creator's
// permissions as they change (ASVS 8.2.1).
func TestAdminAPIServiceAccountInputAndCreator(t *testing.T) {
	k := newAdminKit(t, nil)
	for _, tc := range []struct {
		body        any
		status      int
		code, field string
	}{
		{map[string]any{"name": "x", "roles": []string{"auditor"}}, 400, "invalid_name", "name"},
		{map[string]any{"name": "ok bot", "roles": []string{}}, 400, "invalid_roles", "roles"},
		{map[string]any{"name": "ok bot", "roles": []string{"wizard"}}, 400, "invalid_roles", "roles"},
		{map[string]any{"name": "ok bot", "roles": "auditor"}, 400, "invalid_json", ""},
		{map[string]any{"name": "ok bot", "roles": []string{"auditor"}, "owner": "me"}, 400, "invalid_json", ""},
		{map[string]any{"name": "ok bot", "description": strings.Repeat("d", 201), "roles": []string{"auditor"}}, 400, "invalid_description", "description"},
	} {
		r := k.call(t, "POST", "/api/v1/admin/service-accounts", k.boss, tc.body)
		var e struct {
			Error struct{ Code, Field, Message string }
		}
		r.decode(t, &e)
		if r.Status != tc.status || e.Error.Code != tc.code || e.Error.Field != tc.field || e.Error.Message == "" {
			t.Errorf("create %v: %d %s", tc.body, r.Status, r.Body)
		}
	}
	var list struct {
		ServiceAccounts []struct{ ID string } `json:"service_accounts"`
	}
	k.mustCall(t, 200, "GET", "/api/v1/admin/service-accounts", k.boss, nil).decode(t, &list)
	if len(list.ServiceAccounts) != 0 {
		t.Fatalf("refused requests made %d service accounts", len(list.ServiceAccounts))
	}
	id, secret := k.serviceKey(t, "desk bot", []string{access.RoleSupervisor})
	if r := k.call(t, "POST", "/api/v1/admin/service-accounts/"+id+"/keys", k.boss, map[string]any{"name": "k", "scopes": []string{access.StaffManage}}); r.Status != 400 || r.errorCode(t) != "invalid_scopes" {
		t.Fatalf("scope beyond the account: %d %s", r.Status, r.Body)
	}
	for _, body := range []map[string]any{{"name": ""}, {"name": "k", "expires_in_days": 400}, {"name": "k", "expires_in_days": -3}} {
		if r := k.call(t, "POST", "/api/v1/admin/service-accounts/"+id+"/keys", k.boss, body); r.Status != 400 {
			t.Errorf("key %v: %d %s", body, r.Status, r.Body)
		}
	}
	if r := k.call(t, "POST", "/api/v1/admin/service-accounts/0123456789abcdef0123456789abcdef/keys", k.boss, map[string]any{"name": "k"}); r.Status != 404 {
		t.Fatalf("key for an unknown account: %d", r.Status)
	}
	var one struct {
		ServiceAccount struct{ Keys []any } `json:"service_account"`
	}
	k.mustCall(t, 200, "GET", "/api/v1/admin/service-accounts/"+id, k.boss, nil).decode(t, &one)
	if len(one.ServiceAccount.Keys) != 1 {
		t.Fatalf("refused keys were made: %d keys", len(one.ServiceAccount.Keys))
	}
	// The key reveals as a supervisor may; once the boss loses the
	// supervisor role, so does the key.
	reveal := "/api/v1/admin/accounts/" + k.custID + "/reveal"
	k.mustCall(t, 200, "POST", reveal, secret, map[string]string{"reason": "ticket 7"})
	k.mustCall(t, 200, "DELETE", "/api/v1/admin/staff/"+k.bossID+"/roles/"+access.RoleSupervisor, k.admin2, nil)
	k.mustCall(t, 200, "DELETE", "/api/v1/admin/staff/"+k.bossID+"/roles/"+access.RoleSecurityOfficer, k.admin2, nil)
	if r := k.call(t, "POST", reveal, secret, map[string]string{"reason": "ticket 8"}); r.Status != 403 {
		t.Fatalf("after the creator lost the role, the key still reveals: %d %s", r.Status, r.Body)
	}
	// What the creator still holds (customers:read, via administrator) still works.
	k.mustCall(t, 200, "GET", "/api/v1/admin/accounts/"+k.custID, secret, nil)
}
