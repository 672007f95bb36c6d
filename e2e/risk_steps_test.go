package e2e

import (
	"bytes"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/internal/mfa/totptest"
	"github.com/frontdesk/frontdesk/internal/risk/geotest"
)

const newPassword = "Quartz harbour meadow 42!"

var alertLinkRE = regexp.MustCompile(`/console/security/alerts/([0-9a-f]{32})`)

// stuff makes the Tor exit try five unknown accounts: the next right
// password from it is credential stuffing through an anonymiser, which the
// built-in rules block.
func (i *Instance) stuff(t *testing.T, tor string) {
	t.Helper()
	for k := range 5 {
		if r, _ := i.signInFrom(t, tor, "stuffed"+string(rune('a'+k))+"@example.com", apiPassword); r.Status != 401 {
			t.Fatalf("stuffing attempt %d: %d %s", k, r.Status, r.Body)
		}
	}
}

// staffTokenAt is staffToken on a server whose clock reads at.
func (i *Instance) staffTokenAt(t *testing.T, email, role string, at time.Time) string {
	t.Helper()
	i.createStaff(t, email, role)
	tok := i.signInAPI(t, email, apiPassword)
	r := i.call(t, "POST", "/api/v1/account/mfa/totp", tok, nil)
	var e struct{ Secret string }
	r.decode(t, &e)
	key, err := totptest.Key(e.Secret)
	if err != nil {
		t.Fatal(err)
	}
	if r := i.call(t, "POST", "/api/v1/account/mfa/totp/confirm", tok, map[string]string{"code": totptest.Code(key, at)}); r.Status != 200 {
		t.Fatalf("confirm TOTP: %d %s", r.Status, r.Body)
	}
	return tok
}

func findEvent(h []historyEvent, result string) *historyEvent {
	for k := range h {
		if h[k].Result == result {
			return &h[k]
		}
	}
	return nil
}

// A password reset asked and completed from Frankfurt 20 minutes after a
// sign-in from Hà Nội: the rules challenge it (impossible travel → step
// up), so the reset goes through (the e-mailed code proved the mailbox)
// but raises an alert, and the next sign-in must pass an e-mailed code
// even from Hà Nội. The answer to the request is the same for an unknown
// e-mail; the judged steps are in the owner's history.
func TestRiskResetChallengedAPI(t *testing.T) {
	fd, offset := riskInstance(t, nil)
	email := "lan@example.com"
	fd.registerAPI(t, email)
	hanoi, frankfurt := geotest.IP(geotest.Hanoi, 7), geotest.IP(geotest.Frankfurt, 9)
	if r, _ := fd.signInFrom(t, hanoi, email, apiPassword); r.Status != 201 {
		t.Fatalf("Hà Nội: %d %s", r.Status, r.Body)
	}
	offset.Add(int64(20 * time.Minute))

	// ASVS 6.3.8: the same answer for an unknown e-mail.
	n := len(fd.Mails(t, email))
	known := fd.callFrom(t, frankfurt, "POST", "/api/v1/password-resets", "", map[string]string{"email": email})
	unknown := fd.callFrom(t, frankfurt, "POST", "/api/v1/password-resets", "", map[string]string{"email": "nobody@example.com"})
	if known.Status != 202 || unknown.Status != 202 || !bytes.Equal(known.Body, unknown.Body) {
		t.Fatalf("reset requests: known %d %s, unknown %d %s", known.Status, known.Body, unknown.Status, unknown.Body)
	}
	code := fd.WaitMail(t, email, n).Code(t)
	done := fd.callFrom(t, frankfurt, "POST", "/api/v1/password-resets/confirm", "", map[string]string{"email": email, "code": code, "password": newPassword})
	if done.Status != 204 {
		t.Fatalf("reset from Frankfurt: %d %s", done.Status, done.Body)
	}
	// The reset's "password changed" notice leaves after the answer: it is
	// awaited here, so that the code mail awaited below is the next one
	// and not this notice arriving late.
	if m := fd.WaitMail(t, email, n+1); !strings.Contains(m.Text, "was changed") {
		t.Fatalf("the mail after the reset: %q", m.Text)
	}

	// The next sign-in, from home, still steps up: the reset was challenged.
	r, c := fd.signInFrom(t, hanoi, email, newPassword)
	if r.Status != 200 || !c.MFARequired || c.Reason != "reset_recheck" || !slices.Equal(c.Methods, []string{"email"}) {
		t.Fatalf("sign-in after a challenged reset: %d %s", r.Status, r.Body)
	}
	n = len(fd.Mails(t, email))
	if s := fd.callFrom(t, hanoi, "POST", "/api/v1/sessions/mfa/send", "", map[string]string{"challenge": c.Challenge, "method": "email"}); s.Status != 202 {
		t.Fatalf("send the code: %d %s", s.Status, s.Body)
	}
	mfaCode := fd.WaitMail(t, email, n).Code(t)
	ok := fd.callFrom(t, hanoi, "POST", "/api/v1/sessions/mfa", "", map[string]string{"challenge": c.Challenge, "method": "email", "code": mfaCode})
	if ok.Status != 201 {
		t.Fatalf("complete the step-up: %d %s", ok.Status, ok.Body)
	}
	// Once passed, the recheck is spent.
	r, s := fd.signInFrom(t, hanoi, email, newPassword)
	if r.Status != 201 || s.Token == "" {
		t.Fatalf("the sign-in after that: %d %s", r.Status, r.Body)
	}
	h := fd.history(t, s.Token)
	reset, asked := findEvent(h, "password_reset"), findEvent(h, "reset_requested")
	if reset == nil || reset.Decision != "step_up" || reset.Rule != "travel" || !slices.Contains(reset.Signals, "impossible_travel") ||
		!strings.HasPrefix(reset.Place, "Frankfurt am Main, DE") {
		t.Fatalf("the reset in the history: %+v", h)
	}
	if asked == nil || asked.Decision != "step_up" || !slices.Contains(asked.Signals, "impossible_travel") {
		t.Fatalf("the request in the history: %+v", h)
	}

	// The alert is in the queue, in words.
	sec := fd.staffTokenAt(t, "sec@acme.example", "security_officer", time.Now().Add(time.Duration(offset.Load())))
	status, body := fd.consoleRequest(t, "GET", "/console/security/alerts", sec, nil)
	if status != 200 || !strings.Contains(string(body), "/console/security/alerts/") {
		t.Fatalf("alert queue: %d", status)
	}
	id := alertLinkRE.FindStringSubmatch(string(body))
	if id == nil {
		t.Fatalf("no alert in the queue: %s", body)
	}
	status, body = fd.consoleRequest(t, "GET", "/console/security/alerts/"+id[1], sec, nil)
	if status != 200 || !strings.Contains(string(body), "Frankfurt am Main, Germany") || !strings.Contains(string(body), "Hanoi, Vietnam") ||
		!strings.Contains(string(body), "20 minutes") || !strings.Contains(string(body), "faster than 1,000 km/h") {
		t.Fatalf("alert page: %d %s", status, body)
	}
	// As the analyst sees it, in three languages at both widths.
	checkPage(t, fd.staffBrowser(t, sec), fd.URL+"/console/security/alerts/"+id[1], "risk-console-alert-travel")
}

// Credential stuffing through Tor is blocked at reset too: a request from
// there sends no code (the owner is told instead) and answers as for an
// unknown e-mail; a completion from there is refused with a calm message
// and leaves the code valid for the owner to finish from home.
func TestRiskResetBlockedAPI(t *testing.T) {
	fd, _ := riskInstance(t, nil)
	email := "tuan@example.com"
	fd.registerAPI(t, email)
	tor := "185.220.101.4"
	fd.stuff(t, tor)

	known := fd.callFrom(t, tor, "POST", "/api/v1/password-resets", "", map[string]string{"email": email})
	unknown := fd.callFrom(t, tor, "POST", "/api/v1/password-resets", "", map[string]string{"email": "nobody@example.com"})
	if known.Status != 202 || unknown.Status != 202 || !bytes.Equal(known.Body, unknown.Body) { // ASVS 6.3.8
		t.Fatalf("reset requests from Tor: known %d %s, unknown %d %s", known.Status, known.Body, unknown.Status, unknown.Body)
	}
	stopped := fd.WaitSubject(t, email, "We stopped a request")
	if !strings.Contains(stopped.Text, "usual") || !strings.Contains(stopped.Text, "/contact") {
		t.Fatalf("stopped notice: %q", stopped.Text)
	}
	for _, m := range fd.Mails(t, email) {
		if strings.Contains(m.Subject, "Reset your password") {
			t.Fatalf("a reset code was sent to a request from a blocked place: %q", m.Subject)
		}
	}

	// Asked from home, completed from Tor: refused, the code kept.
	if r := fd.call(t, "POST", "/api/v1/password-resets", "", map[string]string{"email": email}); r.Status != 202 {
		t.Fatalf("reset request from home: %d %s", r.Status, r.Body)
	}
	code := fd.WaitSubject(t, email, "Reset your password").Code(t)
	bad := fd.callFrom(t, tor, "POST", "/api/v1/password-resets/confirm", "", map[string]string{"email": email, "code": code, "password": newPassword})
	if bad.Status != 403 || bad.errorCode(t) != "risk_refused" || !strings.Contains(string(bad.Body), "network you usually use") {
		t.Fatalf("reset completed from Tor: %d %s", bad.Status, bad.Body)
	}
	if r, _ := fd.signInFrom(t, "", email, newPassword); r.Status != 401 {
		t.Fatalf("the refused reset changed the password: %d %s", r.Status, r.Body)
	}
	if ok := fd.call(t, "POST", "/api/v1/password-resets/confirm", "", map[string]string{"email": email, "code": code, "password": newPassword}); ok.Status != 204 {
		t.Fatalf("the same code from home: %d %s", ok.Status, ok.Body)
	}
	token := fd.signInAPI(t, email, newPassword)
	h := fd.history(t, token)
	refused := 0
	for _, e := range h {
		if e.Result == "reset_refused" {
			refused++
			if e.Decision != "block" || e.Rule != "stuffing-anonymiser" {
				t.Fatalf("refused reset in the history: %+v", e)
			}
		}
	}
	if refused != 2 {
		t.Fatalf("want the refused request and completion in the history, got %+v", h)
	}
}

// A step-up (re-authentication) from a blocked place is refused even with
// the right password, the owner is told, and the same session confirms
// from home.
func TestRiskReauthAPI(t *testing.T) {
	fd, _ := riskInstance(t, nil)
	email := "minh@example.com"
	fd.registerAPI(t, email)
	token := fd.signInAPI(t, email, apiPassword)
	tor := "185.220.101.4"
	fd.stuff(t, tor)
	r := fd.callFrom(t, tor, "POST", "/api/v1/session/reauth", token, map[string]string{"password": apiPassword})
	if r.Status != 403 || r.errorCode(t) != "risk_refused" {
		t.Fatalf("step-up from Tor: %d %s", r.Status, r.Body)
	}
	fd.WaitSubject(t, email, "We stopped a request")
	if ok := fd.call(t, "POST", "/api/v1/session/reauth", token, map[string]string{"password": apiPassword}); ok.Status != 204 {
		t.Fatalf("step-up from home: %d %s", ok.Status, ok.Body)
	}
	h := fd.history(t, token)
	if e := findEvent(h, "reauth_refused"); e == nil || e.Decision != "block" || !slices.Contains(e.Signals, "anonymiser") {
		t.Fatalf("refused step-up in the history: %+v", h)
	}
	if e := findEvent(h, "reauth"); e == nil || e.Decision != "allow" {
		t.Fatalf("step-up in the history: %+v", h)
	}
}

// A support-assisted recovery filed through Tor after stuffing is shown to
// the agent with the engine's verdict and needs a second approver even in
// the default profile; the answer to the customer is the same as for an
// unknown e-mail.
func TestRiskRecoveryCoApprovalAPI(t *testing.T) {
	fd, _ := riskInstance(t, nil)
	email := "hoa@example.com"
	fd.registerAPI(t, email)
	tor := "185.220.101.4"
	fd.stuff(t, tor)
	known := fd.callFrom(t, tor, "POST", "/api/v1/recovery-requests", "", map[string]string{"email": email, "message": "Phone lost"})
	unknown := fd.callFrom(t, tor, "POST", "/api/v1/recovery-requests", "", map[string]string{"email": "nobody@example.com", "message": "Phone lost"})
	if known.Status != 202 || unknown.Status != 202 || !bytes.Equal(known.Body, unknown.Body) {
		t.Fatalf("recovery requests: %d %s / %d %s", known.Status, known.Body, unknown.Status, unknown.Body)
	}
	agent := fd.staffToken(t, "sec@acme.example", "security_officer")
	list := fd.call(t, "GET", "/api/v1/recovery-requests", agent, nil)
	var out struct {
		Requests []struct {
			ID              string
			Email           string
			NeedsCoApproval bool     `json:"needs_co_approval"`
			RiskDecision    string   `json:"risk_decision"`
			RiskRule        string   `json:"risk_rule"`
			RiskSignals     []string `json:"risk_signals"`
		}
	}
	list.decode(t, &out)
	if len(out.Requests) != 1 || out.Requests[0].RiskDecision != "block" || out.Requests[0].RiskRule != "stuffing-anonymiser" ||
		!out.Requests[0].NeedsCoApproval || !slices.Contains(out.Requests[0].RiskSignals, "anonymiser") {
		t.Fatalf("recovery request as the agent sees it: %s", list.Body)
	}
	status, body := fd.consoleRequest(t, "GET", "/console/recovery/"+out.Requests[0].ID, agent, nil)
	if status != 200 || !strings.Contains(string(body), `id="recovery-co-approval"`) || !strings.Contains(string(body), "anonymising proxy or Tor") {
		t.Fatalf("recovery page: %d %s", status, body)
	}
}
