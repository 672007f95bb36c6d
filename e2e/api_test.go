package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// fastHashing keeps API tests quick; the warning it causes is expected.
var fastHashing = map[string]string{"FRONTDESK_ARGON2_MEMORY": "4MiB", "FRONTDESK_ARGON2_TIME": "1", "FRONTDESK_ORG_NAME": "Acme Bank"}

// ownHelpCentre is fastHashing without the help centre's starter articles:
// for tests that write their own articles (some at the starter's
// addresses) and check exactly what search finds.
var ownHelpCentre = map[string]string{"FRONTDESK_ARGON2_MEMORY": "4MiB", "FRONTDESK_ARGON2_TIME": "1", "FRONTDESK_ORG_NAME": "Acme Bank",
	"FRONTDESK_KB_STARTER": "off"}

type apiResponse struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r apiResponse) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("body %s: %v", r.Body, err)
	}
}

func (r apiResponse) errorCode(t testing.TB) string {
	var e struct{ Error struct{ Code string } }
	r.decode(t, &e)
	return e.Error.Code
}

// call sends a JSON request with an optional bearer token.
func (i *Instance) call(t testing.TB, method, path, token string, body any) apiResponse {
	t.Helper()
	return i.callFrom(t, "", method, path, token, body)
}

// callFrom is call from client address ip, as a trusted proxy reports it
// in X-Forwarded-For (the instance must trust 127.0.0.1).
func (i *Instance) callFrom(t testing.TB, ip, method, path, token string, body any) apiResponse {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, i.URL+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if ip != "" {
		req.Header.Set("X-Forwarded-For", ip)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return apiResponse{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

const apiPassword = "Plum orbit lantern velvet 7!"

// registerAPI registers and verifies a customer through the API.
func (i *Instance) registerAPI(t testing.TB, email string) {
	t.Helper()
	n := len(i.Mails(t, email))
	r := i.call(t, "POST", "/api/v1/registrations", "", map[string]string{"email": email, "password": apiPassword, "name": "Minh Tran"})
	if r.Status != 202 {
		t.Fatalf("register: %d %s", r.Status, r.Body)
	}
	var reg struct{ Registration string }
	r.decode(t, &reg)
	code := i.WaitMail(t, email, n).Code(t)
	if r := i.call(t, "POST", "/api/v1/registrations/verify", "", map[string]string{"email": email, "code": code, "registration": reg.Registration}); r.Status != 200 {
		t.Fatalf("verify: %d %s", r.Status, r.Body)
	}
	i.WaitMail(t, email, n+1) // the welcome e-mail
}

func (i *Instance) signInAPI(t testing.TB, email, pw string) string {
	t.Helper()
	r := i.call(t, "POST", "/api/v1/sessions", "", map[string]string{"email": email, "password": pw})
	if r.Status != 201 {
		t.Fatalf("sign in: %d %s", r.Status, r.Body)
	}
	var out struct{ Token string }
	r.decode(t, &out)
	return out.Token
}

func TestAccountAPI(t *testing.T) {
	fd := Start(t, fastHashing)
	email := "minh@example.com"
	// Registration answers the same for a new and an existing e-mail.
	fd.registerAPI(t, email)
	again := fd.call(t, "POST", "/api/v1/registrations", "", map[string]string{"email": email, "password": apiPassword})
	fresh := fd.call(t, "POST", "/api/v1/registrations", "", map[string]string{"email": "new@example.com", "password": apiPassword})
	if again.Status != 202 || fresh.Status != 202 || registrationShape(t, again) != registrationShape(t, fresh) {
		t.Fatalf("existing vs new e-mail: %d %s / %d %s", again.Status, again.Body, fresh.Status, fresh.Body)
	}
	// Policy errors name the field and the reason. ASVS 6.2.1, 6.2.4
	weak := fd.call(t, "POST", "/api/v1/registrations", "", map[string]string{"email": "weak@example.com", "password": "short"})
	if weak.Status != 400 || weak.errorCode(t) != "too_short" || !strings.Contains(string(weak.Body), `"field":"password"`) {
		t.Fatalf("short password: %d %s", weak.Status, weak.Body)
	}
	common := fd.call(t, "POST", "/api/v1/registrations", "", map[string]string{"email": "weak@example.com", "password": "passwordpassword"})
	if common.Status != 400 || common.errorCode(t) != "common" {
		t.Fatalf("common password: %d %s", common.Status, common.Body)
	}
	// ASVS 15.3.3: unknown fields (mass assignment) are refused.
	if r := fd.call(t, "POST", "/api/v1/registrations", "", map[string]any{"email": "x@example.com", "password": apiPassword, "email_verified": true}); r.Status != 400 {
		t.Fatalf("mass assignment: %d %s", r.Status, r.Body)
	}

	token := fd.signInAPI(t, email, apiPassword)
	r := fd.call(t, "GET", "/api/v1/session", token, nil)
	var sess struct {
		Account struct{ ID, Email string }
		Session struct{ ID string }
	}
	r.decode(t, &sess)
	if r.Status != 200 || sess.Account.Email != email || sess.Session.ID == "" {
		t.Fatalf("session: %d %s", r.Status, r.Body)
	}
	if r := fd.call(t, "GET", "/api/v1/session", "not-a-token", nil); r.Status != 401 || r.errorCode(t) != "unauthenticated" {
		t.Fatalf("bad token: %d %s", r.Status, r.Body)
	}
	second := fd.signInAPI(t, email, apiPassword)
	var list struct{ Sessions []struct{ ID string } }
	fd.call(t, "GET", "/api/v1/sessions", token, nil).decode(t, &list)
	if len(list.Sessions) != 2 {
		t.Fatalf("sessions: %+v", list)
	}
	var hist struct{ Events []struct{ Result, IP string } }
	fd.call(t, "GET", "/api/v1/account/login-history", token, nil).decode(t, &hist)
	if len(hist.Events) < 2 || hist.Events[0].Result != "success" || hist.Events[0].IP != "127.0.0.1" {
		t.Fatalf("history: %+v", hist)
	}
	// Change the password: needs the current one (ASVS 6.2.2/6.2.3) and
	// ends the other session.
	if r := fd.call(t, "PUT", "/api/v1/account/password", token, map[string]string{"current_password": "wrong one", "password": "Another long passphrase 8?"}); r.Status != 400 || r.errorCode(t) != "wrong_password" {
		t.Fatalf("wrong current password: %d %s", r.Status, r.Body)
	}
	if r := fd.call(t, "PUT", "/api/v1/account/password", token, map[string]string{"current_password": apiPassword, "password": "Another long passphrase 8?"}); r.Status != 204 {
		t.Fatalf("change password: %d %s", r.Status, r.Body)
	}
	if r := fd.call(t, "GET", "/api/v1/session", second, nil); r.Status != 401 {
		t.Fatalf("other session after password change: %d", r.Status)
	}
	if r := fd.call(t, "DELETE", "/api/v1/session", token, nil); r.Status != 204 {
		t.Fatalf("sign out: %d", r.Status)
	}
	if r := fd.call(t, "GET", "/api/v1/session", token, nil); r.Status != 401 {
		t.Fatalf("token after sign-out: %d", r.Status)
	}
}

func TestPasswordResetAPI(t *testing.T) {
	fd := Start(t, fastHashing)
	email := "reset@example.com"
	fd.registerAPI(t, email)
	old := fd.signInAPI(t, email, apiPassword)
	n := len(fd.Mails(t, email))
	unknown := fd.call(t, "POST", "/api/v1/password-resets", "", map[string]string{"email": "nobody@example.com"})
	known := fd.call(t, "POST", "/api/v1/password-resets", "", map[string]string{"email": email})
	if unknown.Status != 202 || string(unknown.Body) != string(known.Body) {
		t.Fatalf("unknown vs known e-mail: %d %s / %d %s", unknown.Status, unknown.Body, known.Status, known.Body)
	}
	m := fd.WaitMail(t, email, n)
	n = len(fd.Mails(t, email))
	confirm := map[string]string{"email": email, "code": m.Code(t), "password": "Brand new passphrase 9#"}
	if r := fd.call(t, "POST", "/api/v1/password-resets/confirm", "", confirm); r.Status != 204 {
		t.Fatalf("confirm: %d %s", r.Status, r.Body)
	}
	if changed := fd.WaitMail(t, email, n); !strings.Contains(changed.Subject, "password was changed") {
		t.Fatalf("no change notice: %q", changed.Subject)
	}
	if r := fd.call(t, "GET", "/api/v1/session", old, nil); r.Status != 401 {
		t.Fatalf("old session survived the reset: %d", r.Status)
	}
	// The code works once.
	if r := fd.call(t, "POST", "/api/v1/password-resets/confirm", "", confirm); r.Status != 400 || r.errorCode(t) != "invalid_code" {
		t.Fatalf("code reused: %d %s", r.Status, r.Body)
	}
	fd.signInAPI(t, email, "Brand new passphrase 9#")
	if r := fd.call(t, "POST", "/api/v1/sessions", "", map[string]string{"email": email, "password": apiPassword}); r.Status != 401 {
		t.Fatalf("old password: %d", r.Status)
	}
}

// ASVS 6.3.8: an unknown e-mail, a wrong password and a locked account give
// the same status, body and headers, and take the same time: the medians of
// 200 tries each differ by less than 10 ms.
func TestSignInFailuresIndistinguishable(t *testing.T) {
	// Each try comes from its own network, as a distributed attacker's
	// would, so that source throttling does not answer first.
	vars := map[string]string{"FRONTDESK_POLICY_PROFILE": "pci", "FRONTDESK_TRUSTED_PROXIES": "127.0.0.1/32"}
	for k, v := range fastHashing {
		vars[k] = v
	}
	fd := Start(t, vars)
	fd.registerAPI(t, "wrong@example.com")
	fd.registerAPI(t, "locked@example.com")
	for range 10 {
		fd.call(t, "POST", "/api/v1/sessions", "", map[string]string{"email": "locked@example.com", "password": "not the password"})
	}
	cases := []struct {
		name, email, password string
	}{
		{"unknown", "ghost@example.com", apiPassword},
		{"wrong", "wrong@example.com", "not the password"},
		{"locked", "locked@example.com", apiPassword},
	}
	// The cases take turns, in a different order each round, so that the
	// machine getting busier or quieter during the test weighs on all three
	// alike; what is compared is a ratio measured in this run, not a time.
	bodies := make([]string, len(cases))
	times := make([][]time.Duration, len(cases))
	for i := range 200 {
		for k := range cases {
			ci := (i + k) % len(cases)
			c := cases[ci]
			ip := fmt.Sprintf("10.%d.%d.1", ci, i)
			start := time.Now()
			r := fd.callFrom(t, ip, "POST", "/api/v1/sessions", "", map[string]string{"email": c.email, "password": c.password})
			times[ci] = append(times[ci], time.Since(start))
			if r.Status != 401 || r.errorCode(t) != "invalid_credentials" {
				t.Fatalf("%s try %d: %d %s", c.name, i, r.Status, r.Body)
			}
			if i == 0 {
				var e struct {
					Error struct{ Code, Message string }
				}
				r.decode(t, &e)
				bodies[ci] = e.Error.Code + "|" + e.Error.Message + "|" + r.Header.Get("Content-Type") + "|" + r.Header.Get("Cache-Control")
			}
		}
	}
	medians := map[string]time.Duration{}
	for ci, c := range cases {
		slices.Sort(times[ci])
		medians[c.name] = times[ci][len(times[ci])/2]
	}
	if bodies[0] != bodies[1] || bodies[1] != bodies[2] {
		t.Fatalf("answers differ: %q", bodies)
	}
	lo, hi := medians["unknown"], medians["unknown"]
	for _, m := range medians {
		lo, hi = min(lo, m), max(hi, m)
	}
	t.Logf("median latency: %v", medians)
	// Every path runs one password hash: a path that skipped it (an unknown
	// e-mail answered at once, say) would take a fraction of the others.
	if float64(lo) < 0.5*float64(hi) {
		t.Fatalf("the fastest failure takes %.0f%% of the slowest's time: %v", 100*float64(lo)/float64(hi), medians)
	}
}
