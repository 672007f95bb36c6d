package e2e

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/internal/db"
)

// The record of processing (GDPR 30) and the retention page (GDPR
// 5(1)(e)) in the console: the record as a page with the configuration in
// force and its Markdown and CSV downloads; the retention classes with
// their defaults and the periods FRONTDESK_RETENTION sets, a dry run and
// its report, a purge refused without its confirmation and while another
// run holds the lease (nothing started either time), then started and
// finished with its report and the staff member's name. Each page is
// checked in en/vi/zh at 1,280 and 390 px with axe-core.
func TestPrivacyRecordAndRetentionPages(t *testing.T) {
	env := map[string]string{"FRONTDESK_RETENTION": "sign_in_history=180,kb_misses=0"}
	for k, v := range fastHashing {
		env[k] = v
	}
	fd := Start(t, env)
	dpo := fd.staffToken(t, "dpo@acme.example", "privacy_officer")

	// The record of processing.
	status, page := fd.consoleRequest(t, "GET", "/console/privacy/record", dpo, nil)
	for _, want := range []string{"Record of processing activities", "Configuration in force", "Retention: Sign-in history (sign_in_history)",
		"180 days", "table accounts", "files recordings/*/*.fdrec", "Legal obligation"} {
		if status != http.StatusOK || !strings.Contains(string(page), want) {
			t.Errorf("the record page (%d) lacks %q", status, want)
		}
	}
	md, mdType := fd.download(t, "/console/privacy/record.md", dpo)
	if !strings.HasPrefix(mdType, "text/markdown") || !strings.HasPrefix(md, "# Record of processing activities") ||
		!strings.Contains(md, "| Organisation | Acme Bank |") || !strings.Contains(md, "| Retention: Sign-in history (sign_in_history) | 180 days |") {
		t.Errorf("record.md (%s):\n%s", mdType, md)
	}
	csv, csvType := fd.download(t, "/console/privacy/record.csv", dpo)
	if !strings.HasPrefix(csvType, "text/csv") || !strings.HasPrefix(csv, "owner,where,purpose,legal basis,categories,data subjects,retention,erasure\n") ||
		!strings.Contains(csv, "internal/identity,table accounts,") {
		t.Errorf("record.csv (%s):\n%s", csvType, csv)
	}

	// The retention classes, with the periods in force.
	_, page = fd.consoleRequest(t, "GET", "/console/privacy/retention", dpo, nil)
	for _, want := range []string{`id="policy-sign_in_history"`, "365 days", "180 days", "set in the configuration", `id="policy-audit_personal"`,
		"1825 days", "Kept until the customer is erased", "No purge is running.", "No runs yet."} {
		if !strings.Contains(string(page), want) {
			t.Errorf("the retention page lacks %q", want)
		}
	}

	// A dry run: its report, highlighted.
	res := fd.post(t, "/console/privacy/retention/dry-run", dpo, nil)
	runID := regexp.MustCompile(`run=([0-9a-f]{32})`).FindStringSubmatch(res.Header.Get("Location"))
	if res.StatusCode != http.StatusSeeOther || runID == nil {
		t.Fatalf("dry run: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	_, page = fd.consoleRequest(t, "GET", "/console/privacy/retention?done=dry_run&run="+runID[1], dpo, nil)
	for _, want := range []string{`id="run-` + runID[1] + `" class="current"`, "Dry run (nothing changed)", "Sign-in history", "dpo@acme.example"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("after the dry run the page lacks %q", want)
		}
	}

	purges := func() int {
		d := fd.openDB(t)
		defer d.Close()
		var n int
		if err := d.Read(context.Background(), func(tx *db.Tx) error {
			return tx.QueryRow(context.Background(), `SELECT COUNT(*) FROM privacy_retention_runs WHERE dry_run = ? AND started_by <> 'schedule'`, false).Scan(&n)
		}); err != nil {
			t.Fatal(err)
		}
		return n
	}
	// Bad input: no confirmation. Clear message, 400, nothing started.
	for _, form := range []url.Values{nil, {"confirm": {"no"}}} {
		status, body := fd.consoleRequest(t, "POST", "/console/privacy/retention/purge", dpo, form)
		if status != http.StatusBadRequest || !strings.Contains(string(body), `id="form-error"`) || !strings.Contains(string(body), "Tick the box") {
			t.Errorf("purge without confirmation %v: %d", form, status)
		}
	}
	if n := purges(); n != 0 {
		t.Errorf("a refused form started %d purges", n)
	}
	// Another node holds the lease: refused, saying who and where.
	d := fd.openDB(t)
	if err := d.Write(context.Background(), func(tx *db.Tx) error {
		if _, err := tx.Exec(context.Background(), `INSERT INTO privacy_retention_runs (id, started_at, dry_run, status, node, started_by, report)
			VALUES ('otherrun', ?, ?, 'running', 'node-b', 'cli', '[]')`, tx.Now(), false); err != nil {
			return err
		}
		_, err := tx.Exec(context.Background(), `INSERT INTO privacy_retention_lease (id, holder, until) VALUES (1, 'node-b/otherrun', ?)`,
			tx.Now().Add(10*time.Minute))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	status, body := fd.consoleRequest(t, "POST", "/console/privacy/retention/purge", dpo, url.Values{"confirm": {"yes"}})
	if status != http.StatusConflict || !strings.Contains(string(body), "A purge started by Command line at") || !strings.Contains(string(body), "on node-b is still running") {
		t.Errorf("purge while another run holds the lease: %d %s", status, body)
	}
	if n := purges(); n != 1 {
		t.Errorf("%d purge runs recorded (besides the daily schedule's), want only the other node's", n)
	}
	_, page = fd.consoleRequest(t, "GET", "/console/privacy/retention", dpo, nil)
	if !strings.Contains(string(page), "is running since") {
		t.Error("the page does not say a purge is running")
	}
	// The other node is gone (its lease lapsed): the purge starts and ends.
	if err := d.Write(context.Background(), func(tx *db.Tx) error {
		_, err := tx.Exec(context.Background(), `UPDATE privacy_retention_lease SET until = ? WHERE id = 1`, tx.Now().Add(-time.Second))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	d.Close()
	res = fd.post(t, "/console/privacy/retention/purge", dpo, url.Values{"confirm": {"yes"}})
	runID = regexp.MustCompile(`run=([0-9a-f]{32})`).FindStringSubmatch(res.Header.Get("Location"))
	if res.StatusCode != http.StatusSeeOther || runID == nil {
		t.Fatalf("purge: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	row := regexp.MustCompile(`(?s)<tr id="run-` + runID[1] + `".*?</tr>`)
	deadline := time.Now().Add(2 * time.Minute)
	for {
		_, page = fd.consoleRequest(t, "GET", "/console/privacy/retention", dpo, nil)
		r := row.Find(page)
		if r != nil && strings.Contains(string(r), "Done") {
			if !strings.Contains(string(r), "dpo@acme.example") || !strings.Contains(string(r), "Sign-in history") {
				t.Errorf("the finished purge's row: %s", r)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the purge did not finish; its row: %s", r)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if !strings.Contains(string(page), "failed") && !strings.Contains(string(page), "Failed") {
		t.Error("the other node's run, stopped before the end, is not shown as failed")
	}
	_, auditPage := fd.consoleRequest(t, "GET", "/console/audit?action=privacy.retention.run&target=retention_run:"+runID[1], dpo, nil)
	if !strings.Contains(string(auditPage), `data-action="privacy.retention.run"`) {
		t.Error("the purge is not in the audit trail")
	}

	ctx := fd.staffBrowser(t, dpo)
	checkPage(t, ctx, fd.URL+"/console/privacy/record", "privacy-record")
	checkPage(t, ctx, fd.URL+"/console/privacy/retention?run="+runID[1], "privacy-retention")
}

// download GETs a console file with the session cookie and returns its
// body and content type.
func (i *Instance) download(t *testing.T, path, token string) (string, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", i.URL+path, nil)
	req.AddCookie(&http.Cookie{Name: "__Host-fd_session", Value: token})
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, res.StatusCode, b)
	}
	return string(b), res.Header.Get("Content-Type")
}

// post sends a console form without following the redirect and returns
// the response (its body read and closed).
func (i *Instance) post(t *testing.T, path, token string, form url.Values) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("POST", i.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: "__Host-fd_session", Value: token})
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res
}

// openDB opens the instance's database beside the server.
func (i *Instance) openDB(t *testing.T) *db.DB {
	t.Helper()
	d, err := db.Open(context.Background(), db.Options{URL: i.DatabaseURL, DataDir: i.DataDir})
	if err != nil {
		t.Fatal(err)
	}
	return d
}
