package e2e

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/frontdesk/frontdesk/internal/mfa/totptest"
)

// setPassword follows an invitation link as a person would, without a
// browser: the reset form with the link's token.
func (i *Instance) setPassword(t *testing.T, link string) {
	t.Helper()
	token := link[strings.Index(link, "token=")+len("token="):]
	res, err := http.PostForm(i.URL+"/reset", url.Values{"token": {token}, "password": {apiPassword}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.Request.URL.Path != "/signin" {
		t.Fatalf("setting the invited password ended on %s (%d)", res.Request.URL.Path, res.StatusCode)
	}
}

// An administrator signs in and must enrol a second factor first, then
// invites a supervisor and an agent; the agent cannot open the audit
// viewer; the supervisor unlocks a locked customer; the audit viewer
// shows the invitations and the unlock.
func TestConsoleInBrowser(t *testing.T) {
	vars := map[string]string{"FRONTDESK_POLICY_PROFILE": "pci"} // lockout after 10 failures
	for k, v := range fastHashing {
		vars[k] = v
	}
	fd := Start(t, vars)
	fd.createStaff(t, "root@acme.example", "administrator")
	ctx := Browser(t)
	err := chromedp.Do(ctx,
		chromedp.Navigate(fd.URL+"/signin?next=/console/staff"),
		chromedp.WaitVisible(css("#email")),
		chromedp.SendKeys(css("#email"), "root@acme.example"),
		chromedp.SendKeys(css("#password"), apiPassword),
		chromedp.Submit(css("#password")),
		chromedp.WaitVisible(css("#add-totp")), // the setup page: nothing else is reachable
		chromedp.Click(css("#add-totp")),
		chromedp.WaitVisible(css("#totp-secret")),
	)
	if err != nil {
		t.Fatal(err)
	}
	if loc, _ := chromedp.Run(ctx, chromedp.Location()); strings.Contains(loc, "/console") {
		t.Fatalf("reached %s before enrolling", loc)
	}
	secret, _ := chromedp.Run(ctx, chromedp.Text(css("#totp-secret")))
	key, _ := totptest.Key(secret)
	err = chromedp.Do(ctx,
		chromedp.SendKeys(css("#code"), totptest.Code(key, time.Now())),
		chromedp.Submit(css("#code")),
		chromedp.WaitVisible(css("#recovery-codes")),
		chromedp.Navigate(fd.URL+"/console/staff"),
		chromedp.WaitVisible(css("#invite")),
	)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []struct{ email, role string }{{"sup@acme.example", "supervisor"}, {"agent@acme.example", "agent"}} {
		err = chromedp.Do(ctx,
			chromedp.SendKeys(css("#email"), p.email),
			chromedp.SetValue(css("#role"), p.role),
			chromedp.Click(css("#invite")),
			chromedp.WaitVisible(css("tr[data-staff='"+p.email+"']")),
		)
		if err != nil {
			t.Fatal(err)
		}
	}
	staff, _ := chromedp.Run(ctx, chromedp.Text(css("#staff tbody")))
	if !strings.Contains(staff, "sup@acme.example") || !strings.Contains(staff, "Supervisor") || !strings.Contains(staff, "agent@acme.example") {
		t.Fatalf("staff list: %q", staff)
	}
	// Invited, not active, until they accept.
	if st, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("tr[data-staff='sup@acme.example']").dataset.state`)); st != "invited" {
		t.Fatalf("an invited supervisor is shown as %q", st)
	}

	// The invited staff set their passwords and enrol (through the API).
	tokens := map[string]string{}
	for _, email := range []string{"sup@acme.example", "agent@acme.example"} {
		fd.setPassword(t, fd.WaitSubject(t, email, "invited").Link(t))
		tok := fd.signInAPI(t, email, apiPassword)
		fd.enrolTOTPAPI(t, tok)
		tokens[email] = tok
	}
	if status := fd.page(t, "GET", "/console/audit", tokens["agent@acme.example"]); status != http.StatusForbidden {
		t.Fatalf("agent opened the audit viewer: %d", status)
	}
	err = chromedp.Do(ctx, chromedp.Navigate(fd.URL+"/console/staff"), chromedp.WaitVisible(css("#invite")))
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("tr[data-staff='sup@acme.example']").dataset.state`)); st != "active" {
		t.Fatalf("a supervisor who signed in is shown as %q", st)
	}

	// A customer locks their account with wrong passwords.
	fd.registerAPI(t, "lan@example.com")
	for i := 0; i < 10; i++ {
		fd.call(t, "POST", "/api/v1/sessions", "", map[string]string{"email": "lan@example.com", "password": "not the password at all"})
	}
	// The supervisor, in a browser of their own, finds and unlocks it.
	sup := Browser(t)
	secure, httpOnly := true, true
	if _, err := chromedp.Call(sup, network.SetCookie, network.SetCookieParams{Name: "__Host-fd_session", Value: tokens["sup@acme.example"],
		URL: fd.URL, Path: "/", Secure: &secure, HTTPOnly: &httpOnly, SameSite: network.CookieSameSiteLax}); err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(sup,
		chromedp.Navigate(fd.URL+"/console/customers?q=lan@example.com"),
		chromedp.WaitVisible(css("#results a")),
		chromedp.Click(css("#results a")),
		chromedp.WaitVisible(css("#locked")),
	)
	if err != nil {
		t.Fatal(err)
	}
	shown, _ := chromedp.Run(sup, chromedp.Text(css("#customer-email")))
	if shown != "l•••@example.com" {
		t.Fatalf("e-mail shown to a supervisor before revealing: %q", shown)
	}
	err = chromedp.Do(sup, chromedp.Click(css("#unlock")), chromedp.WaitVisible(css("#notice")))
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := chromedp.Run(sup, chromedp.Evaluate[int](`document.querySelectorAll('#locked').length`)); n != 0 {
		t.Fatal("still shown as locked")
	}
	if r := fd.call(t, "POST", "/api/v1/sessions", "", map[string]string{"email": "lan@example.com", "password": apiPassword}); r.Status == 401 {
		t.Fatalf("customer still locked out: %s", r.Body)
	}

	// The administrator's audit viewer shows both.
	err = chromedp.Do(ctx, chromedp.Navigate(fd.URL+"/console/audit"), chromedp.WaitVisible(css("#audit")))
	if err != nil {
		t.Fatal(err)
	}
	trail, _ := chromedp.Run(ctx, chromedp.Text(css("#audit tbody")))
	for _, want := range []string{"account.invite_staff", "access.grant", "account.unlock"} {
		if !strings.Contains(trail, want) {
			t.Errorf("audit viewer lacks %s", want)
		}
	}
	err = chromedp.Do(ctx, chromedp.Click(css("#verify-chain")), chromedp.WaitVisible(css("#chain-ok")))
	if err != nil {
		t.Fatal(err)
	}
}
