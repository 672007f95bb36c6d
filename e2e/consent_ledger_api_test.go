package e2e

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// consentStanding is one entry of GET /api/v1/admin/consents.
type consentStanding struct {
	AccountID string `json:"account_id"`
	Email     string
	Purpose   string
	Choice    string
	Version   int `json:"notice_version"`
	Channel   string
	At        string `json:"recorded_at"`
	RecordID  string `json:"record_id"`
}

// consentPage is one page of GET /api/v1/admin/consents.
type consentPage struct {
	Consents []consentStanding
	Next     *string `json:"next_cursor"`
}

// allStandings reads every page of a query, limit entries at a time.
func (k *adminKit) allStandings(t *testing.T, key, query string, limit int) map[string]consentStanding {
	t.Helper()
	out := map[string]consentStanding{}
	after := ""
	for range 50 {
		path := "/api/v1/admin/consents?" + query + "&limit=" + strconv.Itoa(limit)
		if after != "" {
			path += "&after=" + after
		}
		var p consentPage
		k.mustCall(t, 200, "GET", path, key, nil).decode(t, &p)
		if len(p.Consents) > limit {
			t.Fatalf("%d entries for a limit of %d", len(p.Consents), limit)
		}
		for _, c := range p.Consents {
			if _, twice := out[c.Email]; twice {
				t.Fatalf("%s listed twice", c.Email)
			}
			out[c.Email] = c
		}
		if p.Next == nil {
			return out
		}
		after = *p.Next
	}
	t.Fatal("the pages never end")
	return nil
}

// customerConsent makes a customer's choice through the customer API.
func (k *adminKit) customerConsent(t *testing.T, token, purpose, choice string, version int) {
	t.Helper()
	r := k.call(t, "POST", "/api/v1/account/consents", token, map[string]any{"purpose": purpose, "choice": choice, "version": version})
	if r.Status != http.StatusCreated && r.Status != http.StatusOK {
		t.Fatalf("%s %s: %d %s", choice, purpose, r.Status, r.Body)
	}
}

// A mailing tool reads who agreed to marketing e-mail through the admin
// API, with a key of a service account whose role carries only
// consents:read: each customer's standing with their e-mail address,
// notice version, channel and time, paged by account. A withdrawal is not
// a consent, nor is a consent that a material change made lapse; an
// erased customer is no longer listed. Without consents:read (another
// role, a key scoped to something else, an agent) the answer is 403; bad
// input is 400 naming the parameter and lists nobody; every call is an
// audit entry naming the service account. GDPR 7(1) (the business can
// show who consented, to which notice version), 7(3) (a withdrawal
// counts at once). ASVS 8.2.1 (deny by default), 2.2.1 (input refused).
func TestAdminAPIConsentLedger(t *testing.T) {
	k := newAdminKit(t, nil)
	tokens := map[string]string{}
	for _, email := range []string{"gave@example.com", "withdrew@example.com", "lapsed@example.com"} {
		k.registerAPI(t, email)
		tokens[email] = k.signInAPI(t, email, apiPassword)
	}
	k.customerConsent(t, tokens["lapsed@example.com"], "marketing_email", "given", 1)
	// A material change: the consent given under version 1 lapses.
	form := url.Values{"base": {"1"}, "change": {"material"},
		"title_en": {"News, offers and partners"}, "title_vi": {"Tin tức, ưu đãi và đối tác"}, "title_zh": {"新闻、优惠和合作伙伴"},
		"body_en": {"We e-mail you news and our partners' offers."}, "body_vi": {"Chúng tôi gửi e-mail tin tức và ưu đãi của đối tác."},
		"body_zh": {"我们向您发送新闻和合作伙伴的优惠。"}}
	if status, body := k.consoleRequest(t, "POST", "/console/privacy/notices/marketing_email", k.boss, form); status != http.StatusSeeOther {
		t.Fatalf("publish version 2: %d %s", status, body)
	}
	k.customerConsent(t, tokens["gave@example.com"], "marketing_email", "given", 2)
	k.customerConsent(t, tokens["withdrew@example.com"], "marketing_email", "given", 2)
	k.customerConsent(t, tokens["withdrew@example.com"], "marketing_email", "withdrawn", 2)
	k.customerConsent(t, tokens["withdrew@example.com"], "analytics", "given", 1)

	// The tool's service account: a custom role with consents:read only,
	// and a key scoped to it.
	k.mustCall(t, 201, "POST", "/api/v1/admin/roles", k.boss, map[string]any{"name": "mailing_tool", "permissions": []string{"consents:read"}})
	mailerID, mailer := k.serviceKey(t, "mailer", []string{"mailing_tool"}, "consents:read")

	var p consentPage
	k.mustCall(t, 200, "GET", "/api/v1/admin/consents?purpose=marketing_email&choice=given", mailer, nil).decode(t, &p)
	if len(p.Consents) != 1 || p.Next != nil {
		t.Fatalf("given: %+v, want gave@ only", p)
	}
	if c := p.Consents[0]; c.Email != "gave@example.com" || c.Choice != "given" || c.Version != 2 || c.Channel != "api" ||
		c.Purpose != "marketing_email" || c.At == "" || len(c.AccountID) != 32 || c.RecordID == "" {
		t.Fatalf("the consent: %+v", c)
	}
	all := k.allStandings(t, mailer, "purpose=marketing_email", 1)
	want := map[string]string{"gave@example.com": "given", "withdrew@example.com": "withdrawn", "lapsed@example.com": "lapsed"}
	if len(all) != len(want) {
		t.Fatalf("all standings: %+v, want %v (not cust@, who never chose)", all, want)
	}
	for email, choice := range want {
		if all[email].Choice != choice {
			t.Errorf("%s stands %q, want %q", email, all[email].Choice, choice)
		}
	}
	if all["lapsed@example.com"].Version != 1 {
		t.Errorf("the lapsed consent names version %d, want 1", all["lapsed@example.com"].Version)
	}
	// The browser signal GPC is not the ledger's reader's concern: analytics
	// stays listed as given (what the ledger holds).
	if an := k.allStandings(t, mailer, "purpose=analytics&choice=given", 10); len(an) != 1 || an["withdrew@example.com"].Choice != "given" {
		t.Fatalf("analytics: %+v", an)
	}

	// Who may not: deny by default.
	_, officerKey := k.serviceKey(t, "dpo bot", []string{"privacy_officer"})
	_, scopedKey := k.serviceKey(t, "admin bot", []string{"administrator"}, "customers:read")
	agent := k.staffSession(t, "agent@acme.example", "agent")
	for name, tok := range map[string]string{"a privacy officer's key": officerKey, "a key scoped to customers:read": scopedKey, "an agent": agent} {
		if r := k.call(t, "GET", "/api/v1/admin/consents?purpose=marketing_email", tok, nil); r.Status != http.StatusForbidden ||
			strings.Contains(string(r.Body), "@example.com") {
			t.Errorf("%s: %d %s", name, r.Status, r.Body)
		}
	}
	if r := k.call(t, "GET", "/api/v1/admin/consents?purpose=marketing_email", "", nil); r.Status != http.StatusUnauthorized {
		t.Errorf("no credentials: %d", r.Status)
	}

	// Bad input: 400 naming the parameter, nobody listed.
	for query, field := range map[string]string{
		"":                                       "purpose",
		"purpose=profiling":                      "purpose",
		"purpose=privacy_policy":                 "purpose",
		"purpose=marketing_email&choice=granted": "choice",
		"purpose=marketing_email&after=zzz":      "after",
		"purpose=marketing_email&after=%27%20OR%201=1--": "after",
		"purpose=marketing_email&limit=0":                "limit",
		"purpose=marketing_email&limit=1001":             "limit",
		"purpose=marketing_email&limit=ten":              "limit",
		"purpose=marketing_email&email=x":                "email",
		"purpose=marketing_email&purpose=analytics":      "purpose",
	} {
		r := k.call(t, "GET", "/api/v1/admin/consents?"+query, mailer, nil)
		var e struct {
			Error struct{ Code, Field, Message string }
		}
		r.decode(t, &e)
		if r.Status != http.StatusBadRequest || e.Error.Field != field || e.Error.Message == "" || strings.Contains(string(r.Body), "@example.com") {
			t.Errorf("?%s: %d %s, want 400 on %s", query, r.Status, r.Body, field)
		}
	}

	// An erased customer's records stay in the ledger, but they are no
	// longer a customer to mail.
	k.cli(t, "privacy", "erase", "withdrew@example.com", "--yes")
	if all := k.allStandings(t, mailer, "purpose=marketing_email", 2); len(all) != 2 || all["withdrew@example.com"].Email != "" {
		t.Fatalf("after the erasure: %+v", all)
	}
	if an := k.allStandings(t, mailer, "purpose=analytics", 10); len(an) != 0 {
		t.Fatalf("an erased customer's analytics consent is listed: %+v", an)
	}

	// Every call is audited, naming the service account.
	var reads, refused int
	k.queryRow(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'admin_api.read' AND target = 'consents' AND actor_id = '"+mailerID+"'", &reads)
	k.queryRow(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'admin_api.call' AND outcome = 'failure' AND actor_id = '"+mailerID+"'", &refused)
	if reads < 7 || refused != 11 {
		t.Errorf("audit: %d reads, %d refused calls by the mailer", reads, refused)
	}
}
