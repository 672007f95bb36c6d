package e2e

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// consentState is where the customer stands on one purpose, as the API
// says.
type consentState struct {
	Purpose  string
	Active   bool
	Outdated bool
	AskAgain bool `json:"ask_again"`
	Notice   struct {
		Version int
		Digest  string
		Title   map[string]string
		Body    map[string]string
	}
}

func (i *Instance) consentStates(t *testing.T, token string) map[string]consentState {
	t.Helper()
	res := i.call(t, "GET", "/api/v1/account/consents", token, nil)
	if res.Status != http.StatusOK {
		t.Fatalf("consents: %d %s", res.Status, res.Body)
	}
	var out struct{ Purposes []consentState }
	res.decode(t, &out)
	m := map[string]consentState{}
	for _, p := range out.Purposes {
		m[p.Purpose] = p
	}
	return m
}

// The consent notices in the console (privacy:manage): the data
// protection officer publishes new versions of a notice in en, vi and zh;
// a published version never changes and the customer's receipt still
// names the version they saw. Bad input (blank or missing language, too
// long, no kind of change, a stale editor, unchanged text, a cross-site
// post) gets a clear error and publishes nothing. A minor change keeps
// the customer's consent; a material one asks them again on
// /account/privacy, where one click agrees or declines. The console pages
// and the customer's page in the asked-again state are checked in en, vi
// and zh at 1,280 and 390 px with axe-core. // GDPR 7(1), 7(3)
// ASVS 2.2.1 / 2.2.2 (server-side validation, over-long input refused),
// ASVS 3.5.1–3.5.3 (a cross-site form is refused), ASVS 8.2.1 (agent: 403)
func TestConsentNoticesConsole(t *testing.T) {
	fd := Start(t, fastHashing)
	dpo := fd.staffToken(t, "dpo@acme.example", "privacy_officer")
	agent := fd.staffToken(t, "agent@acme.example", "agent")
	fd.registerAPI(t, "lan@example.com")
	cust := fd.signInAPI(t, "lan@example.com", apiPassword)
	res := fd.call(t, "POST", "/api/v1/account/consents", cust, map[string]any{"purpose": "marketing_email", "choice": "given", "version": 1})
	if res.Status != http.StatusCreated {
		t.Fatalf("give consent: %d %s", res.Status, res.Body)
	}
	var given struct{ Record struct{ ID string } }
	res.decode(t, &given)
	v1 := fd.consentStates(t, cust)["marketing_email"].Notice

	status, list := fd.consoleRequest(t, "GET", "/console/privacy/notices", dpo, nil)
	for _, p := range []string{"privacy_policy", "marketing_email", "analytics", "assist_recording"} {
		if status != http.StatusOK || !strings.Contains(string(list), `data-purpose="`+p+`"`) {
			t.Fatalf("the notices page (%d) lacks %s", status, p)
		}
	}
	if status := fd.page(t, "GET", "/console/privacy/notices", agent); status != http.StatusForbidden {
		t.Fatalf("an agent opened the notices: %d", status)
	}

	const page = "/console/privacy/notices/marketing_email"
	versions := regexp.MustCompile(`<tr data-version="(\d+)"`)
	count := func() int {
		t.Helper()
		_, body := fd.consoleRequest(t, "GET", page, dpo, nil)
		return len(versions.FindAllSubmatch(body, -1))
	}
	form := func(base, change, suffix string) url.Values {
		return url.Values{"base": {base}, "change": {change},
			"title_en": {"News and offers " + suffix}, "title_vi": {"Tin tức và ưu đãi " + suffix}, "title_zh": {"新闻和优惠 " + suffix},
			"body_en": {"We e-mail you news. " + suffix}, "body_vi": {"Chúng tôi gửi e-mail tin tức. " + suffix}, "body_zh": {"我们向您发送新闻。" + suffix}}
	}
	for name, c := range map[string]struct {
		spoil func(url.Values)
		want  int
		field string
	}{
		"blank Vietnamese text": {func(f url.Values) { f.Set("body_vi", "   ") }, http.StatusBadRequest, "body_vi"},
		"no Chinese title":      {func(f url.Values) { f.Del("title_zh") }, http.StatusBadRequest, "title_zh"},
		"two-line title":        {func(f url.Values) { f.Set("title_en", "News\nand offers") }, http.StatusBadRequest, "title_en"},
		"text too long":         {func(f url.Values) { f.Set("body_en", strings.Repeat("a", 20001)) }, http.StatusBadRequest, "body_en"},
		"form too big":          {func(f url.Values) { f.Set("body_zh", strings.Repeat("中", 70000)) }, http.StatusRequestEntityTooLarge, ""},
		"no kind of change":     {func(f url.Values) { f.Del("change") }, http.StatusBadRequest, "change"},
		"unknown kind":          {func(f url.Values) { f.Set("change", "cosmetic") }, http.StatusBadRequest, "change"},
		"no base version":       {func(f url.Values) { f.Del("base") }, http.StatusConflict, ""},
		"stale base version":    {func(f url.Values) { f.Set("base", "7") }, http.StatusConflict, ""},
		"unchanged text": {func(f url.Values) {
			for _, l := range []string{"en", "vi", "zh"} {
				f.Set("title_"+l, v1.Title[l])
				f.Set("body_"+l, v1.Body[l])
			}
		}, http.StatusBadRequest, ""},
	} {
		f := form("1", "minor", "two")
		c.spoil(f)
		status, body := fd.consoleRequest(t, "POST", page, dpo, f)
		if status != c.want || !strings.Contains(string(body), `id="form-error"`) {
			t.Errorf("%s: %d, want %d with the reason", name, status, c.want)
		}
		if c.field != "" && !strings.Contains(string(body), `id="`+c.field+`-error"`) {
			t.Errorf("%s: no error next to %s", name, c.field)
		}
		if c.want == http.StatusBadRequest && !strings.Contains(string(body), html.EscapeString(f.Get("body_en"))) {
			t.Errorf("%s: the typed text is lost", name)
		}
	}
	if status, _ := fd.consoleRequest(t, "POST", "/console/privacy/notices/profiling", dpo, form("1", "minor", "two")); status != http.StatusNotFound {
		t.Errorf("a purpose that does not exist: %d", status)
	}
	if status := fd.crossSitePost(t, page, dpo, form("1", "minor", "two")); status != http.StatusForbidden {
		t.Errorf("cross-site publish: %d", status)
	}
	if n := count(); n != 1 || fd.auditCount(t, "consent.notice_publish") != 0 {
		t.Fatalf("refused drafts published something: %d versions", n)
	}

	// A minor change: the consent keeps counting, nobody is asked again.
	if status, body := fd.consoleRequest(t, "POST", page, dpo, form("1", "minor", "two")); status != http.StatusSeeOther {
		t.Fatalf("publish version 2: %d %s", status, body)
	}
	st := fd.consentStates(t, cust)["marketing_email"]
	if st.Notice.Version != 2 || !st.Active || st.AskAgain || !st.Outdated {
		t.Fatalf("after a minor change: %+v", st)
	}
	// Another editor, still on version 1, is refused; nothing is overwritten.
	status, body := fd.consoleRequest(t, "POST", page, dpo, form("1", "minor", "from an old tab"))
	if status != http.StatusConflict || !strings.Contains(string(body), "News and offers from an old tab") || count() != 2 {
		t.Fatalf("a stale editor: %d, %d versions", status, count())
	}
	// A material change: the consent lapses and the customer is asked again.
	if status, _ := fd.consoleRequest(t, "POST", page, dpo, form("2", "material", "three")); status != http.StatusSeeOther {
		t.Fatalf("publish version 3: %d", status)
	}
	st = fd.consentStates(t, cust)["marketing_email"]
	if st.Notice.Version != 3 || st.Active || !st.AskAgain {
		t.Fatalf("after a material change: %+v", st)
	}
	if n := fd.auditCount(t, "consent.notice_publish"); n != 2 {
		t.Fatalf("%d audit entries for two versions", n)
	}
	// Version 1 is kept as it was, and the receipt names it.
	_, body = fd.consoleRequest(t, "GET", page, dpo, nil)
	if !strings.Contains(string(body), v1.Digest[:12]) || !strings.Contains(string(body), v1.Title["zh"]) {
		t.Fatal("version 1 is no longer shown as published")
	}
	var rc struct {
		Receipt struct {
			Version int    `json:"notice_version"`
			Digest  string `json:"notice_digest"`
		}
	}
	fd.call(t, "GET", "/api/v1/account/consents/"+given.Record.ID+"/receipt", cust, nil).decode(t, &rc)
	if rc.Receipt.Version != 1 || rc.Receipt.Digest != v1.Digest {
		t.Fatalf("the receipt names %+v, not version 1", rc.Receipt)
	}

	ctx := fd.staffBrowser(t, dpo)
	checkPage(t, ctx, fd.URL+"/console/privacy/notices", "consent-notices")
	checkPage(t, ctx, fd.URL+page, "consent-notice")
	checkShown(t, ctx, "consent-notice-refused", func(lang string) chromedp.Action[chromedp.Void] {
		return chromedp.Steps(
			chromedp.Navigate(fd.URL+page+"?lang="+lang),
			chromedp.WaitVisible(css("#publish")),
			chromedp.SetValue(css("#body_vi"), "   "),
			chromedp.Click(css("#change-minor")),
			chromedp.Click(css("#publish")),
			chromedp.WaitVisible(css("#body_vi-error")),
		)
	})
	if n := count(); n != 3 {
		t.Fatalf("the refused browser form published: %d versions", n)
	}
	// The sign-up form shows the new version's title, unticked.
	checkPage(t, ctx, fd.URL+"/signup", "signup-consents")
	if err := chromedp.Do(ctx, chromedp.Navigate(fd.URL+"/signup?lang=zh"), chromedp.WaitVisible(css("#consent-marketing_email"))); err != nil {
		t.Fatal(err)
	}
	label, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#consent-marketing_email').checked ? 'ticked' : document.querySelector('#consent-marketing_email').parentElement.textContent`))
	if !strings.Contains(label, "新闻和优惠 three") {
		t.Errorf("the sign-up form shows %q for marketing e-mail", label)
	}

	// The customer's page asks again; one click answers.
	cctx := fd.staffBrowser(t, cust)
	if _, page := fd.consoleRequest(t, "GET", "/account/security", cust, nil); !strings.Contains(string(page), `id="ask-again"`) {
		t.Error("the account page does not point to the question")
	}
	checkPage(t, cctx, fd.URL+"/account/security", "security-ask-again")
	checkPage(t, cctx, fd.URL+"/account/privacy", "privacy-ask-again")
	if err := chromedp.Do(cctx, chromedp.Navigate(fd.URL+"/account/privacy?lang=en"), chromedp.WaitVisible(css("#ask-again")),
		chromedp.WaitVisible(css("#decline-marketing_email")), chromedp.Click(css("#give-marketing_email")),
		chromedp.WaitVisible(css("#notice"))); err != nil {
		t.Fatal(err)
	}
	if st := fd.consentStates(t, cust)["marketing_email"]; !st.Active || st.AskAgain {
		t.Fatalf("after agreeing to version 3: %+v", st)
	}
	if _, page := fd.consoleRequest(t, "GET", "/account/security", cust, nil); strings.Contains(string(page), `id="ask-again"`) {
		t.Error("the account page still asks after the answer")
	}
}
