package e2e

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/frontdesk/frontdesk/internal/risk"
	"github.com/frontdesk/frontdesk/internal/risk/geotest"
)

// staffToken creates a staff member with role, signs in and enrols an
// authenticator app: a token for the console.
func (i *Instance) staffToken(t *testing.T, email, role string) string {
	t.Helper()
	i.createStaff(t, email, role)
	tok := i.signInAPI(t, email, apiPassword)
	i.enrolTOTPAPI(t, tok)
	return tok
}

// rulesForm is the rules editor's form with the built-in rules, changed by
// edit.
func rulesForm(op string, revealLimit string, edit map[string]string) url.Values {
	f := url.Values{"op": {op}, "max_speed_kmh": {"1000"}, "limit_reveal": {revealLimit}, "work_start": {"0"}, "work_end": {"0"}, "time_zone": {"UTC"}}
	for _, r := range risk.DefaultPolicy("default").Rules {
		f.Set("then_"+r.ID, string(r.Then))
		if v, ok := edit[r.ID]; ok {
			f.Set("then_"+r.ID, v)
		}
	}
	return f
}

// Staff monitoring end to end: a security officer dry-runs and saves the
// rules (a reveal cap of 3); a supervisor's burst of reveals raises an
// alert, mailed to the security contacts and counted for Prometheus; past
// the cap a reveal is refused until the officer approves more; the officer
// notes and resolves the alert. Every step is audited.
func TestSecurityAlertFlow(t *testing.T) {
	fd, _ := riskInstance(t, map[string]string{"FRONTDESK_SECURITY_CONTACTS": "soc@acme.example"})
	customer := "mai@example.com"
	fd.registerAPI(t, customer)
	// One sign-in from Hà Nội, one through a VPN exit: a new country,
	// allowed with a notice (stored as "notify" for the dry run).
	for _, ip := range []string{geotest.IP(geotest.Hanoi, 2), geotest.IP(geotest.VPNExit, 2)} {
		if r, _ := fd.signInFrom(t, ip, customer, apiPassword); r.Status != 201 {
			t.Fatalf("customer sign-in from %s: %d %s", ip, r.Status, r.Body)
		}
	}
	sec := fd.staffToken(t, "sec@acme.example", "security_officer")
	sup := fd.staffToken(t, "sup@acme.example", "supervisor")

	// The dry run shows what blocking new countries would have done, and
	// changes nothing.
	status, body := fd.consoleRequest(t, "POST", "/console/security/rules", sec, rulesForm("dry_run", "20", map[string]string{"country": "block"}))
	if status != 200 || !strings.Contains(string(body), `id="dry-run-result"`) || !regexp.MustCompile(`Allow and notify → Block: <strong>1</strong>`).Match(body) {
		t.Fatalf("dry run: %d %s", status, body)
	}
	if status, _ := fd.consoleRequest(t, "POST", "/console/security/rules", sec, rulesForm("save", "abc", nil)); status != 400 {
		t.Fatalf("a bad limit saved: %d", status)
	}
	if status, _ := fd.consoleRequest(t, "POST", "/console/security/rules", sec, rulesForm("save", "3", nil)); status != 303 {
		t.Fatalf("save rules: %d", status)
	}
	if status, _ := fd.consoleRequest(t, "POST", "/console/security/rules", sup, rulesForm("save", "1000", nil)); status != 403 {
		t.Fatalf("a supervisor edited the rules: %d", status)
	}

	var custID string
	{
		tok := fd.signInAPI(t, customer, apiPassword)
		r := fd.call(t, "GET", "/api/v1/session", tok, nil)
		var s struct{ Account struct{ ID string } }
		r.decode(t, &s)
		custID = s.Account.ID
	}
	reveal := func() (int, []byte) {
		return fd.consoleRequest(t, "POST", "/console/customers/"+custID+"/reveal", sup, url.Values{"reason": {"Customer called about a card"}})
	}
	for i := range 3 {
		if status, body := reveal(); status != 303 {
			t.Fatalf("reveal %d: %d %s", i+1, status, body)
		}
	}
	// Past the cap: refused, with what to do.
	if status, body := reveal(); status != 403 || !strings.Contains(string(body), "Ask a security officer") {
		t.Fatalf("reveal past the cap: %d", status)
	}

	_, list := fd.consoleRequest(t, "GET", "/console/security/alerts", sec, nil)
	m := regexp.MustCompile(`href="/console/security/alerts/([0-9a-f]{32})"`).FindSubmatch(list)
	if m == nil || !strings.Contains(string(list), "sup@acme.example") || !strings.Contains(string(list), "Hourly limit reached") {
		t.Fatalf("alert queue: %s", list)
	}
	alert := "/console/security/alerts/" + string(m[1])
	if status, _ := fd.consoleRequest(t, "GET", "/console/security/alerts", sup, nil); status != 403 {
		t.Fatalf("a supervisor opened the alert queue: %d", status)
	}
	// The supervisor cannot approve their own reveals (they lack the
	// permission); the officer can.
	if status, _ := fd.consoleRequest(t, "POST", alert+"/approve", sup, nil); status != 403 {
		t.Fatalf("self-approval: %d", status)
	}
	for _, step := range []struct {
		path string
		form url.Values
	}{{"/assign", nil}, {"/approve", nil}, {"/note", url.Values{"note": {"Called the supervisor: a fraud case with many callers."}}}} {
		if status, body := fd.consoleRequest(t, "POST", alert+step.path, sec, step.form); status != 303 {
			t.Fatalf("%s: %d %s", step.path, status, body)
		}
	}
	if status, body := reveal(); status != 303 {
		t.Fatalf("reveal after the second approval: %d %s", status, body)
	}
	if status, _ := fd.consoleRequest(t, "POST", alert+"/resolve", sec, url.Values{"resolution": {"nonsense"}}); status != 400 {
		t.Fatalf("bad resolution: %d", status)
	}
	if status, _ := fd.consoleRequest(t, "POST", alert+"/resolve", sec, url.Values{"resolution": {"legitimate"}}); status != 303 {
		t.Fatalf("resolve: %d", status)
	}
	_, detail := fd.consoleRequest(t, "GET", alert, sec, nil)
	for _, want := range []string{"Resolved", "Legitimate work", "a fraud case", "sec@acme.example"} {
		if !strings.Contains(string(detail), want) {
			t.Fatalf("alert page lacks %q: %s", want, detail)
		}
	}
	if status, _ := fd.consoleRequest(t, "POST", alert+"/note", sec, url.Values{"note": {"late"}}); status != 400 {
		t.Fatalf("note on a resolved alert: %d", status)
	}

	// Mailed to the security contacts, counted for Prometheus, audited.
	if mail := fd.WaitSubject(t, "soc@acme.example", "Security alert"); !strings.Contains(mail.Text, "limit") {
		t.Fatalf("alert e-mail: %q", mail.Text)
	}
	resp, err := http.Get(fd.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(metrics), `frontdesk_security_alerts_total{rule="limit",severity="high"} 1`) ||
		!strings.Contains(string(metrics), `frontdesk_risk_decisions_total{decision="notify"}`) {
		t.Fatalf("metrics lack the risk counters")
	}
	_, trail := fd.consoleRequest(t, "GET", "/console/audit?action=security.", sec, nil)
	for _, action := range []string{"security.rules.save", "security.alert.raise", "security.alert.assign", "security.reveal.approve", "security.alert.note", "security.alert.resolve"} {
		if !strings.Contains(string(trail), action) {
			t.Errorf("audit trail lacks %s", action)
		}
	}
}
