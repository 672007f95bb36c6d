package e2e

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// pciBroken lacks a capital letter, a digit and a symbol: three rules of
// the pci profile at once.
const pciBroken = "blueharborxyzw"

// pciBrokenCodes are the rules pciBroken breaks, in the order reported.
var pciBrokenCodes = []string{"missing_upper", "missing_digit", "missing_special"}

// Under the pci profile a password that breaks several rules is told all
// of them in one answer: the API's error lists each in its details, and
// the sign-up, reset and change pages list each under the field, in every
// language (they came one failure at a time). PCI DSS 8.3.6; NIST
// 800-63B 3.1.1.2 (say why a password was refused).
func TestPCIPasswordProblemsAllAtOnce(t *testing.T) {
	vars := map[string]string{"FRONTDESK_POLICY_PROFILE": "pci"}
	for k, v := range fastHashing {
		vars[k] = v
	}
	fd := Start(t, vars)

	details := func(r apiResponse) []string {
		t.Helper()
		var e struct {
			Error struct {
				Code, Message, Field string
				Details              []struct{ Field, Code, Message string }
			}
		}
		r.decode(t, &e)
		if r.Status != 400 || e.Error.Code != pciBrokenCodes[0] || e.Error.Field != "password" {
			t.Fatalf("answer %d %s", r.Status, r.Body)
		}
		var codes []string
		for _, d := range e.Error.Details {
			if d.Field != "password" || d.Message == "" || !strings.Contains(e.Error.Message, d.Message) {
				t.Errorf("detail %+v in %s", d, r.Body)
			}
			codes = append(codes, d.Code)
		}
		return codes
	}
	r := fd.call(t, "POST", "/api/v1/registrations", "", map[string]string{"email": "rules@example.com", "password": pciBroken})
	if got := details(r); !slices.Equal(got, pciBrokenCodes) {
		t.Errorf("registration: details %v, want %v", got, pciBrokenCodes)
	}
	fd.registerAPI(t, "lan@example.com")
	_, recovery := fd.enrolTOTPAPI(t, fd.signInAPI(t, "lan@example.com", apiPassword)) // pci: a second factor first
	token := fd.signInMFAAPI(t, "lan@example.com", recovery[0])
	r = fd.call(t, "PUT", "/api/v1/account/password", token, map[string]string{"current_password": apiPassword, "password": pciBroken})
	if got := details(r); !slices.Equal(got, pciBrokenCodes) {
		t.Errorf("change: details %v, want %v", got, pciBrokenCodes)
	}
	// One broken rule: no details, as before.
	r = fd.call(t, "POST", "/api/v1/registrations", "", map[string]string{"email": "rules@example.com", "password": "Blueharborxyzw7"})
	if r.Status != 400 || strings.Contains(string(r.Body), `"details"`) || r.errorCode(t) != "missing_special" {
		t.Errorf("one rule: %d %s", r.Status, r.Body)
	}

	wantShown := map[string][]string{
		"en": {"Include at least one capital letter.", "Include at least one digit.", "Include at least one symbol"},
		"vi": {"Thêm ít nhất một chữ in hoa.", "Thêm ít nhất một chữ số.", "Thêm ít nhất một ký hiệu"},
		"zh": {"请至少包含一个大写字母。", "请至少包含一个数字。", "请至少包含一个符号"},
	}
	listed := func(ctx context.Context, where, lang string) {
		t.Helper()
		items, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#password-problems li')].map(li => li.textContent)`))
		if err != nil || len(items) != 3 {
			t.Fatalf("%s (%s): rules listed %q, %v", where, lang, items, err)
		}
		for i, w := range wantShown[lang] {
			if !strings.HasPrefix(items[i], w) {
				t.Errorf("%s (%s): rule %d is %q, want %q", where, lang, i, items[i], w)
			}
		}
		if d, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#password').getAttribute('aria-describedby')`)); !strings.Contains(d, "password-error") {
			t.Errorf("%s (%s): the field is not described by its errors: %q", where, lang, d)
		}
	}

	// Sign-up.
	ctx := Browser(t)
	checkShown(t, ctx, "signup-pci-problems", func(lang string) chromedp.Action[chromedp.Void] {
		return chromedp.Steps(
			chromedp.Navigate(withLang(t, fd.URL+"/signup", lang)),
			chromedp.WaitVisible(css("#email")),
			chromedp.SendKeys(css("#email"), "hai@example.com"),
			chromedp.SendKeys(css("#password"), pciBroken),
			chromedp.Submit(css("#password")),
			chromedp.WaitVisible(css("#password-problems")),
		)
	})
	for _, lang := range checkLangs {
		if err := chromedp.Do(ctx, chromedp.Navigate(withLang(t, fd.URL+"/signup", lang)), chromedp.WaitVisible(css("#email")),
			chromedp.SendKeys(css("#email"), "hai@example.com"), chromedp.SendKeys(css("#password"), pciBroken),
			chromedp.Submit(css("#password")), chromedp.WaitVisible(css("#password-problems"))); err != nil {
			t.Fatal(err)
		}
		listed(ctx, "signup", lang)
	}

	// Reset, from the link in a real reset e-mail.
	if r := fd.call(t, "POST", "/api/v1/password-resets", "", map[string]string{"email": "lan@example.com"}); r.Status != 202 {
		t.Fatalf("reset: %d %s", r.Status, r.Body)
	}
	link := fd.WaitSubject(t, "lan@example.com", "Reset").Link(t)
	for _, lang := range checkLangs {
		if err := chromedp.Do(ctx, chromedp.Navigate(withLang(t, link, lang)), chromedp.WaitVisible(css("#password")),
			chromedp.SendKeys(css("#password"), pciBroken), chromedp.Submit(css("#password")), chromedp.WaitVisible(css("#password-problems"))); err != nil {
			t.Fatal(err)
		}
		listed(ctx, "reset", lang)
	}
	checkShown(t, ctx, "reset-pci-problems", func(lang string) chromedp.Action[chromedp.Void] {
		return chromedp.Steps(chromedp.Navigate(withLang(t, link, lang)), chromedp.WaitVisible(css("#password")),
			chromedp.SendKeys(css("#password"), pciBroken), chromedp.Submit(css("#password")), chromedp.WaitVisible(css("#password-problems")))
	})

	// Change, on the security page.
	ctx = fd.staffBrowser(t, token) // a session cookie in a fresh tab; the customer's here
	change := func(lang string) chromedp.Action[chromedp.Void] {
		return chromedp.Steps(chromedp.Navigate(withLang(t, fd.URL+"/account/security", lang)), chromedp.WaitVisible(css("#current_password")),
			chromedp.SendKeys(css("#current_password"), apiPassword), chromedp.SendKeys(css("#password"), pciBroken),
			chromedp.Submit(css("#password")), chromedp.WaitVisible(css("#password-problems")))
	}
	for _, lang := range checkLangs {
		if err := chromedp.Do(ctx, change(lang)); err != nil {
			t.Fatal(err)
		}
		listed(ctx, "change", lang)
	}
	checkShown(t, ctx, "security-pci-problems", change)
}
