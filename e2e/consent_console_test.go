package e2e

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// A customer tells an agent on the phone to stop the offers by e-mail:
// the agent (conversations:write) records it on the customer's 360° page
// with a note. The ledger gets the withdrawal with channel support,
// recorded_by the agent, the current notice version, audited in the same
// transaction with the note sealed; the customer's privacy page and API
// show it, and the consent no longer counts. The same choice again adds
// nothing. Bad input (no purpose, the privacy notice, an unknown purpose
// or choice, no note, a note too long, a notice changed since the page
// was opened, a staff account or an unknown account, a cross-site post)
// gets a clear error next to the field and records nothing; staff without
// conversations:write get 403. The page with the form, the refused form
// and the customer's page are checked in en, vi and zh at 1,280 and
// 390 px with axe-core. GDPR 7(1) (the business can show how and when
// the customer chose), 7(3) (withdrawing by phone is as easy as agreeing).
// ASVS 2.2.1 (server-side validation), 3.5.1 (cross-site), 8.2.1 (403).
func TestConsoleRecordsConsentByPhone(t *testing.T) {
	fd := Start(t, fastHashing)
	agent := fd.staffToken(t, "agent@acme.example", "agent")
	dpo := fd.staffToken(t, "dpo@acme.example", "privacy_officer")
	auditor := fd.staffToken(t, "auditor@acme.example", "auditor")
	agentID := fd.accountID(t, agent)
	fd.registerAPI(t, "lan@example.com")
	cust := fd.signInAPI(t, "lan@example.com", apiPassword)
	custID := fd.accountID(t, cust)
	res := fd.call(t, "POST", "/api/v1/account/consents", cust, map[string]any{"purpose": "marketing_email", "choice": "given", "version": 1})
	if res.Status != http.StatusCreated {
		t.Fatalf("give consent: %d %s", res.Status, res.Body)
	}
	page := "/console/customers/" + custID
	action := page + "/consents"
	records := func() int {
		t.Helper()
		var n int
		fd.queryRow(t, "SELECT COUNT(*) FROM consent_records WHERE account_id = '"+custID+"'", &n)
		return n
	}

	status, body := fd.consoleRequest(t, "GET", page, agent, nil)
	if status != http.StatusOK || !strings.Contains(string(body), `id="consent-form"`) || !strings.Contains(string(body), `<tr data-purpose="marketing_email">`) {
		t.Fatalf("the 360° page (%d) has no consents or no form", status)
	}
	if _, body := fd.consoleRequest(t, "GET", page, dpo, nil); strings.Contains(string(body), `id="consent-form"`) ||
		!strings.Contains(string(body), `id="customer-consents"`) {
		t.Error("the privacy officer sees the form, or not the standings")
	}

	form := func(spoil func(url.Values)) url.Values {
		f := url.Values{"purpose": {"marketing_email"}, "choice": {"withdrawn"}, "v_marketing_email": {"1"}, "v_analytics": {"1"},
			"v_assist_recording": {"1"}, "note": {"Phone call at 10:40 from the registered number; asked to stop the offers."}}
		if spoil != nil {
			spoil(f)
		}
		return f
	}
	for name, c := range map[string]struct {
		spoil func(url.Values)
		want  int
		field string
	}{
		"no purpose":         {func(f url.Values) { f.Del("purpose") }, http.StatusBadRequest, "purpose"},
		"the privacy notice": {func(f url.Values) { f.Set("purpose", "privacy_policy"); f.Set("choice", "acknowledged") }, http.StatusBadRequest, "purpose"},
		"unknown purpose":    {func(f url.Values) { f.Set("purpose", "profiling") }, http.StatusBadRequest, "purpose"},
		"no choice":          {func(f url.Values) { f.Del("choice") }, http.StatusBadRequest, "choice"},
		"unknown choice":     {func(f url.Values) { f.Set("choice", "maybe") }, http.StatusBadRequest, "choice"},
		"blank note":         {func(f url.Values) { f.Set("note", "  \n ") }, http.StatusBadRequest, "note"},
		"note too long":      {func(f url.Values) { f.Set("note", strings.Repeat("ư", 501)) }, http.StatusBadRequest, "note"},
		"no version":         {func(f url.Values) { f.Del("v_marketing_email") }, http.StatusConflict, ""},
		"a changed notice":   {func(f url.Values) { f.Set("v_marketing_email", "7") }, http.StatusConflict, ""},
	} {
		status, body := fd.consoleRequest(t, "POST", action, agent, form(c.spoil))
		if status != c.want || !strings.Contains(string(body), `id="form-error"`) {
			t.Errorf("%s: %d, want %d with the reason", name, status, c.want)
		}
		if c.field != "" && !strings.Contains(string(body), `id="`+c.field+`-error"`) {
			t.Errorf("%s: no error next to %s", name, c.field)
		}
		if strings.Contains(string(body), "%!") || name == "note too long" && !strings.Contains(string(body), "Write at most 500 characters.") {
			t.Errorf("%s: the message is not written out", name)
		}
		if name == "blank note" && !strings.Contains(string(body), `<option value="marketing_email" selected>`) {
			t.Errorf("%s: the chosen purpose is lost", name)
		}
	}
	if status, _ := fd.consoleRequest(t, "POST", "/console/customers/0123456789abcdef0123456789abcdef/consents", agent, form(nil)); status != http.StatusNotFound {
		t.Errorf("an unknown customer: %d", status)
	}
	if status, _ := fd.consoleRequest(t, "POST", "/console/customers/"+agentID+"/consents", agent, form(nil)); status != http.StatusNotFound {
		t.Errorf("a staff account: %d", status)
	}
	if status := fd.crossSitePost(t, action, agent, form(nil)); status != http.StatusForbidden {
		t.Errorf("cross-site: %d", status)
	}
	for name, tok := range map[string]string{"privacy officer": dpo, "auditor": auditor} {
		if status, _ := fd.consoleRequest(t, "POST", action, tok, form(nil)); status != http.StatusForbidden {
			t.Errorf("%s recorded a choice: %d", name, status)
		}
	}
	if n := records(); n != 1 || fd.auditCount(t, "consent.withdrawn") != 0 {
		t.Fatalf("refused forms recorded something: %d records", n)
	}

	// The withdrawal told by phone.
	status, body = fd.consoleRequest(t, "POST", action, agent, form(nil))
	if status != http.StatusSeeOther {
		t.Fatalf("record the withdrawal: %d %s", status, body)
	}
	if st := fd.consentStates(t, cust)["marketing_email"]; st.Active {
		t.Fatal("the consent still counts after the withdrawal recorded by phone")
	}
	var channel, recordedBy string
	var version int
	fd.queryRow(t, "SELECT channel, recorded_by, version FROM consent_records WHERE account_id = '"+custID+"' AND choice = 'withdrawn'",
		&channel, &recordedBy, &version)
	if channel != "support" || recordedBy != agentID || version != 1 {
		t.Fatalf("the record: channel %s, recorded by %s, version %d", channel, recordedBy, version)
	}
	var actor, details string
	fd.queryRow(t, "SELECT actor_id, details FROM audit_log WHERE action = 'consent.withdrawn'", &actor, &details)
	if actor != agentID || !strings.Contains(details, `"channel":"support"`) || strings.Contains(details, "registered number") {
		t.Fatalf("the audit entry: actor %s, details %s", actor, details)
	}
	var inClear int
	fd.queryRow(t, "SELECT COUNT(*) FROM audit_log WHERE details LIKE '%registered number%'", &inClear)
	if inClear != 0 {
		t.Fatal("the note is in the audit trail in clear")
	}
	// The same choice again adds nothing.
	if status, _ := fd.consoleRequest(t, "POST", action, agent, form(nil)); status != http.StatusSeeOther || records() != 2 {
		t.Fatalf("the same choice again: %d, %d records", status, records())
	}
	// The customer sees it on their page and through the API.
	var api struct {
		Records []struct{ Choice, Channel string }
	}
	fd.call(t, "GET", "/api/v1/account/consents", cust, nil).decode(t, &api)
	if len(api.Records) != 2 || api.Records[0].Channel != "support" || api.Records[0].Choice != "withdrawn" {
		t.Fatalf("the customer's records: %+v", api.Records)
	}
	if _, body := fd.consoleRequest(t, "GET", "/account/privacy?lang=en", cust, nil); !strings.Contains(string(body), "Through our support team") {
		t.Error("the customer's privacy page does not show the choice recorded by support")
	}

	ctx := fd.staffBrowser(t, agent)
	checkPage(t, ctx, fd.URL+page+"?done=consent", "customer-consents")
	checkShown(t, ctx, "customer-consent-refused", func(lang string) chromedp.Action[chromedp.Void] {
		return chromedp.Steps(
			chromedp.Navigate(fd.URL+page+"?lang="+lang),
			chromedp.WaitVisible(css("#record-consent")),
			chromedp.SetValue(css("#consent-purpose"), "analytics"),
			chromedp.Click(css("#consent-given")),
			chromedp.SetValue(css("#consent-note"), "   "),
			chromedp.Click(css("#record-consent")),
			chromedp.WaitVisible(css("#note-error")),
		)
	})
	if n := records(); n != 2 {
		t.Fatalf("the refused browser form recorded: %d records", n)
	}
	// Through the browser, as the agent would: the customer agrees to analytics.
	if err := chromedp.Do(ctx, chromedp.Navigate(fd.URL+page+"?lang=en"), chromedp.WaitVisible(css("#record-consent")),
		chromedp.SetValue(css("#consent-purpose"), "analytics"), chromedp.Click(css("#consent-given")),
		chromedp.SetValue(css("#consent-note"), "In the branch, 8 December; signed the paper form."),
		chromedp.Click(css("#record-consent")), chromedp.WaitVisible(css("#notice"))); err != nil {
		t.Fatal(err)
	}
	if st := fd.consentStates(t, cust)["analytics"]; !st.Active {
		t.Fatal("the consent recorded in the browser does not count")
	}
	cctx := fd.staffBrowser(t, cust)
	checkPage(t, cctx, fd.URL+"/account/privacy", "privacy-support-choices")
}
