package e2e

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/frontdesk/frontdesk/internal/access"
)

// The audit trail filtered by a staff member's name (audit:read): an
// auditor types part of a name or e-mail address, in any case and without
// accents, or picks someone from the list the field offers, and sees that
// person's entries, named; words that fit several people show all of
// theirs, and say whose; words that fit no one list nothing and say so,
// and the export refuses rather than exporting everyone's entries; a
// value too long, or with a NUL in it (which PostgreSQL's text cannot
// hold), is a 400 that changes nothing. A link with an id shows the
// person by name. The pages are seen in en, vi and zh at 1,280 and 390 px.
// ASVS 2.2.1 (length and content checked on the server); PCI DSS 10.4.1
// (audit logs reviewed, here by person).
func TestAuditByStaffName(t *testing.T) {
	fd := Start(t, fastHashing)
	tokens := map[string]string{}
	for _, p := range []struct{ email, role string }{
		{"boss@acme.example", access.RoleAdministrator},
		{"lan.nguyen@acme.example", access.RoleSupervisor},
		{"minh@acme.example", access.RoleAgent},
	} {
		fd.createStaff(t, p.email, p.role)
		tokens[p.email] = fd.signInAPI(t, p.email, apiPassword) // each signs in and enrols: entries of their own
		fd.enrolTOTPAPI(t, tokens[p.email])
	}
	boss := tokens["boss@acme.example"]
	lanID := fd.accountID(t, tokens["lan.nguyen@acme.example"])

	ctx := fd.staffBrowser(t, boss)
	actors := func() []string {
		t.Helper()
		got, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#audit tbody tr[data-seq] td:nth-child(3)')].map(td => td.innerText.trim())`))
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	// filter submits the form and waits for the page that answers it. The
	// current page may already show whose entries it lists (the previous
	// filter's), so that line and the field's error are removed first:
	// waiting for them must find the new page's, not read a page that is
	// still being replaced.
	filter := func(waitFor string) chromedp.Action[chromedp.Void] {
		return chromedp.Steps(
			chromedp.Evaluate[chromedp.Void](`document.getElementById('audit-who')?.remove(); document.getElementById('f-actor-error')?.remove()`),
			chromedp.Click(css("#filter")), chromedp.WaitVisible(css(waitFor)))
	}
	// Typed: part of the address, in capitals.
	err := chromedp.Do(ctx, chromedp.Navigate(fd.URL+"/console/audit?lang=en"), chromedp.WaitVisible(css("#f-actor")),
		chromedp.SendKeys(css("#f-actor"), "NGUYEN"), filter("#audit-who"))
	if err != nil {
		t.Fatal(err)
	}
	if who, _ := chromedp.Run(ctx, chromedp.Text(css("#audit-who"))); !strings.Contains(who, "lan.nguyen@acme.example") || strings.Contains(who, "minh@") {
		t.Errorf("whose entries: %q", who)
	}
	if got := actors(); len(got) == 0 || slices.ContainsFunc(got, func(a string) bool { return !strings.Contains(a, "lan.nguyen@acme.example") }) {
		t.Errorf("the rows of NGUYEN: %q", got)
	}
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#staff-names option').length`)); n != 3 {
		t.Errorf("the field offers %d staff members, want 3", n)
	}
	// Picked: a whole address selects that one person.
	err = chromedp.Do(ctx, chromedp.SetValue(css("#f-actor"), "minh@acme.example"), filter("#audit-who"))
	if err != nil {
		t.Fatal(err)
	}
	if got := actors(); len(got) == 0 || slices.ContainsFunc(got, func(a string) bool { return !strings.Contains(a, "minh@acme.example") }) {
		t.Errorf("the rows of minh@: %q", got)
	}
	// Words that fit everyone: all three, named.
	err = chromedp.Do(ctx, chromedp.SetValue(css("#f-actor"), "acme.example"), filter("#audit-who"))
	if err != nil {
		t.Fatal(err)
	}
	if who, _ := chromedp.Run(ctx, chromedp.Text(css("#audit-who"))); strings.Count(who, "@acme.example") != 3 {
		t.Errorf("whose entries for acme.example: %q", who)
	}
	// No one: nothing listed, the field says why, no export offered.
	err = chromedp.Do(ctx, chromedp.SetValue(css("#f-actor"), "nobody-here"), filter("#f-actor-error"))
	if err != nil {
		t.Fatal(err)
	}
	if msg, _ := chromedp.Run(ctx, chromedp.Text(css("#f-actor-error"))); !strings.Contains(msg, "No staff member") {
		t.Errorf("the message: %q", msg)
	}
	if got := actors(); len(got) != 0 {
		t.Errorf("rows for no one: %q", got)
	}
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#export-csv, #export-ndjson').length + (document.querySelector('#f-actor').getAttribute('aria-invalid') === 'true' ? 0 : 10)`)); n != 0 {
		t.Errorf("a filter for no one offers exports or is not marked invalid (%d)", n)
	}

	// Over HTTP: statuses, the export, an id from a link.
	for _, c := range []struct {
		path   string
		status int
	}{
		{"/console/audit?actor=nobody-here", http.StatusOK},
		{"/console/audit?actor=" + strings.Repeat("a", 201), http.StatusBadRequest},
		{"/console/audit?actor=lan%00", http.StatusBadRequest},
		{"/console/audit/export.csv?actor=nobody-here", http.StatusBadRequest},
		{"/console/audit/export.ndjson?actor=%00", http.StatusBadRequest},
		{"/console/audit?action=account.%00", http.StatusBadRequest},
		{"/console/audit?target=%FF", http.StatusBadRequest},
		{"/console/audit/export.csv?subject=" + strings.Repeat("x", 201), http.StatusBadRequest},
	} {
		status, body := fd.consoleRequest(t, "GET", c.path, boss, nil)
		if status != c.status {
			t.Errorf("GET %s: %d, want %d", c.path, status, c.status)
		}
		if strings.Contains(string(body), "action,target") || strings.Contains(string(body), `"seq"`) || strings.Contains(string(body), "data-seq=") {
			t.Errorf("GET %s lists or exports entries", c.path)
		}
	}
	status, body := fd.consoleRequest(t, "GET", "/console/audit/export.csv?actor=Nguyen", boss, nil)
	rows, err := csv.NewReader(strings.NewReader(string(body))).ReadAll()
	if status != http.StatusOK || err != nil || len(rows) < 2 {
		t.Fatalf("export for Nguyen: %d, %v, %d rows", status, err, len(rows))
	}
	for _, row := range rows[1:] {
		if row[2] != lanID {
			t.Errorf("exported for Nguyen: an entry by %q", row[2])
		}
	}
	status, body = fd.consoleRequest(t, "GET", "/console/audit?actor="+lanID, boss, nil)
	if status != http.StatusOK || !strings.Contains(string(body), `value="lan.nguyen@acme.example"`) {
		t.Errorf("a link with an id: %d, the field does not show the name", status)
	}

	checkPage(t, ctx, fd.URL+"/console/audit?actor="+url.QueryEscape("nguyen"), "audit-who")
	checkPage(t, ctx, fd.URL+"/console/audit?actor=nobody-here", "audit-who-none")
}
