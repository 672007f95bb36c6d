package e2e

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The data protection officer's console: a request recorded from an
// e-mail, its identity check, extension, legal hold and answer; an
// incident with its 72-hour clock, the drafted authority notice and a
// notice to an affected customer mailed in their language. Bad input to
// every form is refused with a clear message and changes nothing. Each
// page is checked in en/vi/zh at 1,280 and 390 px with axe-core.
func TestPrivacyConsolePages(t *testing.T) {
	fd := Start(t, fastHashing)
	dpo := fd.staffToken(t, "dpo@acme.example", "privacy_officer")
	fd.registerAPI(t, "lan@example.com")
	ids := regexp.MustCompile(`/console/privacy/(?:requests|incidents)/([0-9a-f]{32})`)

	// Bad input: clear message, 400, nothing in the queue.
	for _, form := range []url.Values{
		{"email": {"nobody@example.com"}, "kind": {"access"}, "channel": {"email"}, "regime": {"gdpr"}, "identity": {"none"}},
		{"email": {"lan@example.com"}, "kind": {"everything"}, "channel": {"email"}, "regime": {"gdpr"}, "identity": {"none"}},
		{"email": {"lan@example.com"}, "kind": {"access"}, "channel": {"email"}, "regime": {"gdpr"}, "received": {"2999-01-01"}},
		{"email": {"lan@example.com"}, "kind": {"access"}, "channel": {"portal"}, "regime": {"gdpr"}},
		{"email": {"lan@example.com"}, "kind": {"access"}, "channel": {"email"}, "regime": {"lgpd"}},
	} {
		status, body := fd.consoleRequest(t, "POST", "/console/privacy/requests", dpo, form)
		if status != http.StatusBadRequest || !strings.Contains(string(body), `id="form-error"`) {
			t.Errorf("bad request form %v: %d", form, status)
		}
	}
	if _, list := fd.consoleRequest(t, "GET", "/console/privacy/requests", dpo, nil); ids.Match(list) {
		t.Fatal("a refused form put a request in the queue")
	}
	status, _ := fd.consoleRequest(t, "POST", "/console/privacy/requests", dpo, url.Values{"email": {"lan@example.com"}, "kind": {"erasure"},
		"channel": {"email"}, "regime": {"gdpr"}, "identity": {"none"}, "details": {"Please delete my account and everything about me."}})
	if status != http.StatusSeeOther {
		t.Fatalf("record a request: %d", status)
	}
	_, list := fd.consoleRequest(t, "GET", "/console/privacy/requests", dpo, nil)
	m := ids.FindSubmatch(list)
	if m == nil || !strings.Contains(string(list), "Minh Tran") {
		t.Fatalf("the queue does not show the request by the customer's name: %s", list)
	}
	req := "/console/privacy/requests/" + string(m[1])
	for _, step := range []struct {
		path string
		form url.Values
		want int
	}{
		{"/answer", url.Values{"decision": {"fulfilled"}, "answer": {"done"}}, http.StatusBadRequest}, // identity not checked
		{"/extend", url.Values{"reason": {""}}, http.StatusBadRequest},
		{"/hold", url.Values{"table": {"nonsense"}, "reason": {"Banking law"}, "until": {"2040-01-01"}}, http.StatusBadRequest},
		{"/hold", url.Values{"table": {"accounts"}, "reason": {"Banking law"}, "until": {"yesterday"}}, http.StatusBadRequest},
		{"/identity", url.Values{"identity": {"astrology"}}, http.StatusBadRequest},
		{"/identity", url.Values{"identity": {"account_email"}, "note": {"Came from the address on file"}}, http.StatusSeeOther},
		{"/extend", url.Values{"reason": {"Several systems hold the data."}}, http.StatusSeeOther},
		{"/extend", url.Values{"reason": {"Again"}}, http.StatusBadRequest},
		{"/hold", url.Values{"table": {"accounts"}, "reason": {"Banking law: 5 years"}, "until": {time.Now().AddDate(5, 0, 0).Format("2006-01-02")}}, http.StatusSeeOther},
	} {
		if status, body := fd.consoleRequest(t, "POST", req+step.path, dpo, step.form); status != step.want {
			t.Errorf("%s %v: %d, want %d: %s", step.path, step.form, status, step.want, body)
		}
	}
	_, page := fd.consoleRequest(t, "GET", req, dpo, nil)
	for _, want := range []string{"Several systems hold the data.", "Banking law: 5 years", "Written from the account&#39;s e-mail address",
		"Identity check recorded", "Deadline extended", "Legal hold placed"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("the request page lacks %q", want)
		}
	}
	ctx := fd.staffBrowser(t, dpo)
	checkPage(t, ctx, fd.URL+"/console/privacy/requests", "privacy-requests")
	checkPage(t, ctx, fd.URL+req, "privacy-request")

	// The incident register.
	aware := time.Now().UTC().Add(-2 * time.Hour).Format("2006-01-02T15:04")
	good := url.Values{"title": {"Support mailbox read by an outsider"}, "description": {"An agent's mailbox password was phished."},
		"aware": {aware}, "category": {"contact", "content"}, "people": {"1"}, "records": {"12"},
		"consequences": {"Phishing aimed at the customers concerned."}, "measures": {"Password reset; second factor enforced."}, "risk": {"high"}}
	for field, bad := range map[string]string{"title": "", "aware": "soon", "people": "-4", "risk": "meh", "category": "horoscope"} {
		form := url.Values{}
		for k, v := range good {
			form[k] = v
		}
		form.Set(field, bad)
		if status, body := fd.consoleRequest(t, "POST", "/console/privacy/incidents", dpo, form); status != http.StatusBadRequest ||
			!strings.Contains(string(body), `id="form-error"`) {
			t.Errorf("bad incident (%s=%q): %d", field, bad, status)
		}
	}
	if _, list := fd.consoleRequest(t, "GET", "/console/privacy/incidents", dpo, nil); ids.Match(list) {
		t.Fatal("a refused form recorded an incident")
	}
	if status, _ := fd.consoleRequest(t, "POST", "/console/privacy/incidents", dpo, good); status != http.StatusSeeOther {
		t.Fatalf("record an incident: %d", status)
	}
	_, list = fd.consoleRequest(t, "GET", "/console/privacy/incidents", dpo, nil)
	m = ids.FindSubmatch(list)
	if m == nil || !strings.Contains(string(list), "hours left") {
		t.Fatalf("the register does not show the incident with its clock: %s", list)
	}
	inc := "/console/privacy/incidents/" + string(m[1])
	if status, _ := fd.consoleRequest(t, "POST", inc+"/notices", dpo, url.Values{"recipients": {"lan@example.com\nstranger@example.com"}}); status != http.StatusBadRequest {
		t.Errorf("notices to a list with a stranger: %d", status)
	}
	if status, _ := fd.consoleRequest(t, "POST", inc+"/notices", dpo, url.Values{"recipients": {"lan@example.com"}}); status != http.StatusSeeOther {
		t.Fatalf("queue the notices: %d", status)
	}
	// The periodic job (every 10 s, under its lease) mails it.
	n := len(fd.Mails(t, "lan@example.com"))
	deadline := time.Now().Add(2 * time.Minute)
	for len(fd.Mails(t, "lan@example.com")) == n && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
	}
	ms := fd.Mails(t, "lan@example.com")
	if len(ms) == n || !strings.Contains(ms[len(ms)-1].Subject, "security incident") {
		t.Fatalf("no incident notice reached the customer: %+v", ms)
	}
	_, md := fd.consoleRequest(t, "GET", inc+"/authority.md", dpo, nil)
	if !strings.Contains(string(md), "Support mailbox read by an outsider") || !strings.Contains(string(md), "data subjects concerned: 1") {
		t.Errorf("authority notice draft: %s", md)
	}
	if status, _ := fd.consoleRequest(t, "POST", inc+"/authority", dpo, url.Values{"reference": {"DPA-2026-7"}}); status != http.StatusSeeOther {
		t.Errorf("record the authority notice: %d", status)
	}
	checkPage(t, ctx, fd.URL+"/console/privacy/incidents", "privacy-incidents")
	checkPage(t, ctx, fd.URL+inc, "privacy-incident")

	// Answering the erasure request erases the customer; the hold keeps the account row.
	if status, _ := fd.consoleRequest(t, "POST", req+"/answer", dpo, url.Values{"decision": {"fulfilled"}, "answer": {"Your data is erased."}}); status != http.StatusSeeOther {
		t.Fatalf("answer: %d", status)
	}
	_, page = fd.consoleRequest(t, "GET", req, dpo, nil)
	if !strings.Contains(string(page), "Erased customer") || !strings.Contains(string(page), "Fulfilled") {
		t.Errorf("after the erasure the request page shows: %s", page)
	}
}
