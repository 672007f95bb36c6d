package e2e

import (
	"bytes"
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/internal/app"
	"github.com/frontdesk/frontdesk/internal/mfa/totptest"
	"github.com/frontdesk/frontdesk/internal/web"
)

// createStaff runs "frontdesk admin create" against the instance's
// database, as an operator would.
func (i *Instance) createStaff(t *testing.T, email, role string) {
	t.Helper()
	pw := filepath.Join(t.TempDir(), "pw")
	os.WriteFile(pw, []byte(apiPassword+"\n"), 0o600)
	vars := map[string]string{"FRONTDESK_DATA_DIR": i.DataDir, "FRONTDESK_DATABASE_URL": i.DatabaseURL,
		"FRONTDESK_ARGON2_MEMORY": "4MiB", "FRONTDESK_ARGON2_TIME": "1", "FRONTDESK_POLICY_PROFILE": "pci"}
	var out bytes.Buffer
	code := app.Main(context.Background(), []string{"admin", "create", "--email", email, "--password-file", pw, "--role", role},
		app.Env{Getenv: func(k string) string { return vars[k] }, Stdout: &out, Stderr: &out})
	if code != 0 {
		t.Fatalf("admin create %s: %s", email, out.String())
	}
}

// enrolTOTPAPI adds an authenticator app through the API and returns its
// key and the recovery codes.
func (i *Instance) enrolTOTPAPI(t *testing.T, token string) ([]byte, []string) {
	t.Helper()
	r := i.call(t, "POST", "/api/v1/account/mfa/totp", token, nil)
	if r.Status != 200 {
		t.Fatalf("start TOTP: %d %s", r.Status, r.Body)
	}
	var e struct {
		Secret     string
		OtpauthURL string `json:"otpauth_url"`
	}
	r.decode(t, &e)
	u, err := url.Parse(e.OtpauthURL)
	if err != nil || u.Query().Get("secret") != e.Secret || u.Query().Get("issuer") != "Acme Bank" {
		t.Fatalf("otpauth URL %q", e.OtpauthURL)
	}
	key, err := totptest.Key(e.Secret)
	if err != nil {
		t.Fatal(err)
	}
	r = i.call(t, "POST", "/api/v1/account/mfa/totp/confirm", token, map[string]string{"code": totptest.Code(key, time.Now())})
	var codes struct {
		RecoveryCodes []string `json:"recovery_codes"`
	}
	r.decode(t, &codes)
	if r.Status != 200 || len(codes.RecoveryCodes) != 10 {
		t.Fatalf("confirm TOTP: %d %s", r.Status, r.Body)
	}
	return key, codes.RecoveryCodes
}

// signInMFAAPI signs in with the password and completes the challenge
// with a recovery code (a TOTP code would have to wait for the next time
// step in pci, which allows no skew).
func (i *Instance) signInMFAAPI(t *testing.T, email, recoveryCode string) string {
	t.Helper()
	r := i.call(t, "POST", "/api/v1/sessions", "", map[string]string{"email": email, "password": apiPassword})
	var c struct {
		MFARequired bool `json:"mfa_required"`
		Challenge   string
		Methods     []string
	}
	r.decode(t, &c)
	if r.Status != 200 || !c.MFARequired || c.Challenge == "" {
		t.Fatalf("sign in: %d %s", r.Status, r.Body)
	}
	r = i.call(t, "POST", "/api/v1/sessions/mfa", "", map[string]string{"challenge": c.Challenge, "method": "recovery_code", "code": recoveryCode})
	var s struct{ Token string }
	r.decode(t, &s)
	if r.Status != 201 || s.Token == "" {
		t.Fatalf("second factor: %d %s", r.Status, r.Body)
	}
	return s.Token
}

// The pci profile end to end through the API: staff and customers must
// enrol before reaching anything (ASVS 6.3.3), sign-in needs the second
// factor, and a lost factor is recovered only through the assisted
// workflow with two different staff members (ASVS 6.4.4, PCI 8.2.2),
// which the owner can cancel.
func TestMFAAndAssistedRecoveryAPI(t *testing.T) {
	vars := map[string]string{"FRONTDESK_POLICY_PROFILE": "pci"}
	for k, v := range fastHashing {
		vars[k] = v
	}
	fd := Start(t, vars)
	fd.createStaff(t, "an@acme.example", "security_officer")
	fd.createStaff(t, "binh@acme.example", "security_officer")
	fd.createStaff(t, "chi@acme.example", "agent")

	// A staff member's first session can only enrol a factor.
	first := fd.signInAPI(t, "an@acme.example", apiPassword)
	if r := fd.call(t, "GET", "/api/v1/recovery-requests", first, nil); r.Status != 403 || r.errorCode(t) != "mfa_enrolment_required" {
		t.Fatalf("staff before enrolling: %d %s", r.Status, r.Body)
	}
	if r := fd.call(t, "GET", "/api/v1/sessions", first, nil); r.Status != 403 {
		t.Fatalf("own sessions before enrolling: %d", r.Status)
	}
	if r := fd.call(t, "GET", "/api/v1/session", first, nil); r.Status != 200 {
		t.Fatalf("session info before enrolling: %d", r.Status)
	}
	fd.enrolTOTPAPI(t, first)
	if r := fd.call(t, "GET", "/api/v1/recovery-requests", first, nil); r.Status != 200 {
		t.Fatalf("security officer after enrolling: %d %s", r.Status, r.Body)
	}
	binh := fd.signInAPI(t, "binh@acme.example", apiPassword)
	fd.enrolTOTPAPI(t, binh)
	chi := fd.signInAPI(t, "chi@acme.example", apiPassword)
	fd.enrolTOTPAPI(t, chi)
	if r := fd.call(t, "GET", "/api/v1/recovery-requests", chi, nil); r.Status != 403 || r.errorCode(t) != "forbidden" {
		t.Fatalf("agent without the recovery permission: %d %s", r.Status, r.Body)
	}
	an := first // enrolling raised the session to two factors

	// A customer enrols, then signs in with both factors.
	email := "lan@example.com"
	fd.registerAPI(t, email)
	cust := fd.signInAPI(t, email, apiPassword)
	_, codes := fd.enrolTOTPAPI(t, cust)
	r := fd.call(t, "POST", "/api/v1/sessions", "", map[string]string{"email": email, "password": apiPassword})
	var c struct{ Challenge string }
	r.decode(t, &c)
	if r.Status != 200 || c.Challenge == "" {
		t.Fatalf("customer sign-in: %d %s", r.Status, r.Body)
	}
	if r := fd.call(t, "GET", "/api/v1/session", c.Challenge, nil); r.Status != 401 {
		t.Fatalf("the challenge used as a session token: %d", r.Status)
	}
	if r := fd.call(t, "POST", "/api/v1/sessions/mfa", "", map[string]string{"challenge": c.Challenge, "method": "totp", "code": "12345"}); r.Status != 400 || r.errorCode(t) != "invalid_code" {
		t.Fatalf("wrong code: %d %s", r.Status, r.Body)
	}
	if r := fd.call(t, "POST", "/api/v1/sessions/mfa", "", map[string]string{"challenge": c.Challenge, "method": "totp", "code": "1", "role": "admin"}); r.Status != 400 {
		t.Fatalf("unknown field accepted: %d %s", r.Status, r.Body)
	}
	fd.signInMFAAPI(t, email, codes[0])

	// The customer lost the phone and files a recovery request.
	for _, who := range []string{email, "nobody@example.com"} {
		r := fd.call(t, "POST", "/api/v1/recovery-requests", "", map[string]string{"email": who, "message": "Phone stolen"})
		if r.Status != 202 || !strings.Contains(string(r.Body), "received_if_registered") {
			t.Fatalf("file recovery for %s: %d %s", who, r.Status, r.Body)
		}
	}
	fd.WaitSubject(t, email, "received your request")
	var list struct {
		Requests []struct {
			ID, Email, Status string
		}
	}
	fd.call(t, "GET", "/api/v1/recovery-requests", an, nil).decode(t, &list)
	if len(list.Requests) != 1 || list.Requests[0].Email != email {
		t.Fatalf("requests: %+v", list)
	}
	id := list.Requests[0].ID
	for _, ch := range []map[string]string{
		{"item": "video_call", "method": "video call with ID card", "note": "CCCD matches"},
		{"item": "callback_known_phone", "method": "called the number on file"},
	} {
		if r := fd.call(t, "POST", "/api/v1/recovery-requests/"+id+"/checks", an, ch); r.Status != 200 {
			t.Fatalf("check: %d %s", r.Status, r.Body)
		}
	}
	r = fd.call(t, "POST", "/api/v1/recovery-requests/"+id+"/approve", an, nil)
	if r.Status != 200 || !strings.Contains(string(r.Body), `"status":"open"`) {
		t.Fatalf("first approval: %d %s", r.Status, r.Body)
	}
	if r := fd.call(t, "POST", "/api/v1/recovery-requests/"+id+"/approve", an, nil); r.Status != 403 || r.errorCode(t) != "self_action" {
		t.Fatalf("co-approval by the same officer: %d %s", r.Status, r.Body)
	}
	r = fd.call(t, "POST", "/api/v1/recovery-requests/"+id+"/approve", binh, nil)
	if r.Status != 200 || !strings.Contains(string(r.Body), `"status":"approved"`) || !strings.Contains(string(r.Body), "cooloff_until") {
		t.Fatalf("co-approval: %d %s", r.Status, r.Body)
	}
	m := fd.WaitSubject(t, email, "will be reset")
	link := m.Link(t)
	if !strings.Contains(m.Subject, "will be reset") || !strings.Contains(link, "/recovery/cancel?token=") {
		t.Fatalf("cool-off notice %q %q", m.Subject, link)
	}
	token := link[strings.Index(link, "token=")+len("token="):]
	if r := fd.call(t, "POST", "/api/v1/recovery-requests/cancel", "", map[string]string{"token": token}); r.Status != 204 {
		t.Fatalf("cancel: %d %s", r.Status, r.Body)
	}
	var one struct{ Request struct{ Status string } }
	fd.call(t, "GET", "/api/v1/recovery-requests/"+id, an, nil).decode(t, &one)
	if one.Request.Status != "cancelled" {
		t.Fatalf("after cancel: %+v", one)
	}
}

// ASVS 6.3.3: a session that has only passed the password step, on an
// account that must have a second factor, reaches nothing but enrolment:
// every other API route in the route table answers 403.
func TestPasswordOnlySessionRouteSweep(t *testing.T) {
	fd := Start(t, fastHashing)
	fd.createStaff(t, "an@acme.example", "administrator")
	token := fd.signInAPI(t, "an@acme.example", apiPassword)
	checked := 0
	for _, rt := range fd.Routes() {
		method, path, ok := strings.Cut(rt.Pattern, " ")
		if !ok || rt.Tree != web.API || rt.Permission == web.Public || rt.Permission == web.Enrolling {
			continue
		}
		path = strings.NewReplacer("{id}", "0123456789abcdef", "{$}", "").Replace(path)
		var body any
		if method == "POST" || method == "PUT" || method == "PATCH" {
			body = map[string]string{}
		}
		r := fd.call(t, method, path, token, body)
		if r.Status != 403 || r.errorCode(t) != "mfa_enrolment_required" {
			t.Errorf("%s with a password-only session: %d %s", rt.Pattern, r.Status, r.Body)
		}
		checked++
	}
	if checked < 15 {
		t.Fatalf("only %d routes checked", checked)
	}
}
