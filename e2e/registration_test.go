package e2e

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
)

const attackerPassword = "Quartz meadow harbour 42 tango"

// registrationShape is what a registration answer reveals: its status, its
// fields and the length of the secret, never whether the address exists.
func registrationShape(t testing.TB, r apiResponse) string {
	t.Helper()
	var body map[string]string
	r.decode(t, &body)
	return fmt.Sprintf("%d status=%s registration=%d fields=%d", r.Status, body["status"], len(body["registration"]), len(body))
}

func (i *Instance) registerOnly(t testing.TB, email, pw string) string {
	t.Helper()
	r := i.call(t, "POST", "/api/v1/registrations", "", map[string]string{"email": email, "password": pw})
	if r.Status != 202 {
		t.Fatalf("register: %d %s", r.Status, r.Body)
	}
	var out struct{ Registration string }
	r.decode(t, &out)
	return out.Registration
}

// The outside test's reproduction of the pre-verification takeover: two
// registrations of one address with different passwords, verification
// with the newest code, sign-in with the second password. The newest code
// must not activate the attacker's password, whatever the victim's client
// sends; the victim's own code and registration activate the victim's.
func TestRegistrationTakeoverAPI(t *testing.T) {
	fd := Start(t, fastHashing)
	email := "victim@example.com"
	victim := fd.registerOnly(t, email, apiPassword)
	victimCode := fd.WaitMail(t, email, 0).Code(t)
	attacker := fd.registerOnly(t, email, attackerPassword)
	newest := fd.WaitMail(t, email, 1).Code(t)
	verify := func(body map[string]string) apiResponse {
		body["email"] = email
		return fd.call(t, "POST", "/api/v1/registrations/verify", "", body)
	}
	// The old contract, {email, code}: not enough to tell whose password;
	// the answer says what to send.
	if r := verify(map[string]string{"code": newest}); r.Status != 400 || r.errorCode(t) != "registration_required" {
		t.Fatalf("verify without the registration: %d %s", r.Status, r.Body)
	}
	if newest != victimCode {
		if r := verify(map[string]string{"code": newest, "registration": victim}); r.Status != 400 {
			t.Fatalf("newest code with the victim's registration: %d %s", r.Status, r.Body)
		}
		if r := verify(map[string]string{"code": newest, "password": apiPassword}); r.Status != 400 {
			t.Fatalf("newest code with the victim's password: %d %s", r.Status, r.Body)
		}
	}
	if r := fd.call(t, "POST", "/api/v1/sessions", "", map[string]string{"email": email, "password": attackerPassword}); r.Status == 201 {
		t.Fatalf("attacker signed in: %d %s", r.Status, r.Body)
	}
	if victim == "" || victim == attacker {
		t.Fatalf("registration secrets %q and %q", victim, attacker)
	}
	if r := verify(map[string]string{"code": victimCode, "registration": victim}); r.Status != 200 {
		t.Fatalf("victim's code: %d %s", r.Status, r.Body)
	}
	if r := fd.call(t, "POST", "/api/v1/sessions", "", map[string]string{"email": email, "password": attackerPassword}); r.Status != 401 {
		t.Fatalf("attacker's password after verification: %d %s", r.Status, r.Body)
	}
	fd.signInAPI(t, email, apiPassword)
	// The attacker's own attempt died with the victim's verification.
	if r := verify(map[string]string{"code": newest, "registration": attacker}); r.Status != 400 {
		t.Fatalf("attacker's attempt after verification: %d %s", r.Status, r.Body)
	}
}

// The same attack in two browsers through /signup and /verify: the victim
// signs up, the attacker signs up the same address with another password,
// the victim types the newest code from the mailbox (refused), then the
// code of their own e-mail; the victim's password signs in, the
// attacker's does not.
func TestRegistrationTakeoverInBrowser(t *testing.T) {
	fd := Start(t, fastHashing)
	victim, attacker := Browser(t), Browser(t)
	email := "hoa.victim@example.com"
	signup := func(ctx context.Context, pw string) {
		t.Helper()
		err := chromedp.Do(ctx,
			chromedp.Navigate(fd.URL+"/signup"),
			chromedp.WaitVisible(css("#email")),
			chromedp.SendKeys(css("#email"), email),
			chromedp.SendKeys(css("#password"), pw),
			chromedp.Submit(css("#password")),
			chromedp.WaitVisible(css("form[action='/verify'] #code")),
		)
		if err != nil {
			t.Fatal(err)
		}
	}
	signup(victim, apiPassword)
	victimCode := fd.WaitMail(t, email, 0).Code(t)
	signup(attacker, attackerPassword)
	newest := fd.WaitMail(t, email, 1).Code(t)

	if newest != victimCode {
		err := chromedp.Do(victim,
			chromedp.SendKeys(css("#code"), newest),
			chromedp.Submit(css("#code")),
			chromedp.WaitVisible(css("#form-error, form[action='/signin'] #password")),
		)
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := chromedp.Run(victim, chromedp.Evaluate[int](`document.querySelectorAll("#form-error").length`)); n != 1 {
			t.Fatal("the newest code (the attacker's) confirmed the address")
		}
	}
	// The verify form carries the registration, not a password field.
	hidden, err := chromedp.Run(victim, chromedp.Evaluate[string](`(document.querySelector("form[action='/verify'] input[name=registration]")||{}).value||""`))
	if err != nil || len(hidden) < 40 {
		t.Fatalf("verify form lacks the registration: %q %v", hidden, err)
	}
	err = chromedp.Do(victim,
		chromedp.WaitVisible(css("form[action='/verify'] #code")),
		chromedp.SendKeys(css("#code"), victimCode),
		chromedp.Submit(css("#code")),
		chromedp.WaitVisible(css("form[action='/signin'] #password")),
	)
	if err != nil {
		t.Fatal(err)
	}
	notice, _ := chromedp.Run(victim, chromedp.Text(css("#notice")))
	if !strings.Contains(notice, "confirmed") {
		t.Fatalf("after verification: %q", notice)
	}
	// The attacker's password does not sign in.
	err = chromedp.Do(attacker,
		chromedp.Navigate(fd.URL+"/signin"),
		chromedp.WaitVisible(css("#email")),
		chromedp.SendKeys(css("#email"), email),
		chromedp.SendKeys(css("#password"), attackerPassword),
		chromedp.Submit(css("#password")),
		chromedp.WaitVisible(css("#form-error")),
	)
	if err != nil {
		t.Fatal(err)
	}
	// The victim's does.
	err = chromedp.Do(victim,
		chromedp.SendKeys(css("#password"), apiPassword),
		chromedp.Submit(css("#password")),
		chromedp.WaitVisible(css("#sessions")),
	)
	if err != nil {
		t.Fatal(err)
	}
	if shown, _ := chromedp.Run(victim, chromedp.Text(css("#account-email"))); shown != email {
		t.Fatalf("signed in as %q", shown)
	}
}

// The e-mail link is bound to its attempt and asks for the password that
// attempt chose: the attacker's link with the victim's password does
// nothing, the victim's own link with it confirms the address.
func TestVerifyLinkBoundToAttemptInBrowser(t *testing.T) {
	fd := Start(t, fastHashing)
	ctx := Browser(t)
	email := "link.victim@example.com"
	fd.registerOnly(t, email, apiPassword)
	own := fd.WaitMail(t, email, 0).Link(t)
	fd.registerOnly(t, email, attackerPassword)
	newest := fd.WaitMail(t, email, 1).Link(t)
	if own == newest {
		t.Fatal("two attempts got the same link")
	}
	open := func(link string, wait string) {
		t.Helper()
		err := chromedp.Do(ctx,
			chromedp.Navigate(link),
			chromedp.WaitVisible(css("form[action='/verify'] #password")),
			chromedp.SendKeys(css("#password"), apiPassword),
			chromedp.Click(css("#confirm")),
			chromedp.WaitVisible(css(wait)),
		)
		if err != nil {
			t.Fatal(err)
		}
	}
	open(newest, "#form-error")
	open(own, "form[action='/signin'] #password")
	if r := fd.call(t, "POST", "/api/v1/sessions", "", map[string]string{"email": email, "password": attackerPassword}); r.Status != 401 {
		t.Fatalf("attacker's password: %d %s", r.Status, r.Body)
	}
	fd.signInAPI(t, email, apiPassword)
}

// Mail bombing over HTTP: the per-source reset quota lets exactly its
// limit through when the requests arrive at once, and a burst for one
// address from five sources gets the same 202 every time (the e-mails past
// the recipient's quota are dropped silently; internal/identity counts
// them).
func TestResetQuotasAPI(t *testing.T) {
	vars := map[string]string{"FRONTDESK_TRUSTED_PROXIES": "127.0.0.1/32"}
	for k, v := range fastHashing {
		vars[k] = v
	}
	fd := Start(t, vars)
	var wg sync.WaitGroup
	var mu sync.Mutex
	statuses := map[int]int{}
	for i := range 30 {
		wg.Go(func() {
			r := fd.callFrom(t, "192.0.2.77", "POST", "/api/v1/password-resets", "", map[string]string{"email": fmt.Sprintf("nobody%d@example.com", i)})
			mu.Lock()
			statuses[r.Status]++
			mu.Unlock()
		})
	}
	wg.Wait()
	if statuses[202] != 20 || statuses[429] != 10 {
		t.Fatalf("one source, 30 resets at once: %v, want 20 × 202 and 10 × 429", statuses)
	}

	email := "bombed@example.com"
	fd.registerAPI(t, email)
	bodies := map[string]int{}
	for i := range 15 {
		wg.Go(func() {
			r := fd.callFrom(t, fmt.Sprintf("198.51.100.%d", 1+i%5), "POST", "/api/v1/password-resets", "", map[string]string{"email": email})
			mu.Lock()
			bodies[fmt.Sprintf("%d %s", r.Status, r.Body)]++
			mu.Unlock()
		})
	}
	wg.Wait()
	if len(bodies) != 1 {
		t.Fatalf("answers differ under the recipient quota: %v", bodies)
	}
}
