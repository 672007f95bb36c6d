package e2e

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// oidcClientCount counts the registered clients.
func (i *Instance) oidcClientCount(t *testing.T) int {
	t.Helper()
	var n int
	i.queryRow(t, "SELECT COUNT(*) FROM oidc_clients", &n)
	return n
}

// auditCount counts the audit entries of action.
func (i *Instance) auditCount(t *testing.T, action string) int {
	t.Helper()
	var n int
	i.queryRow(t, fmt.Sprintf("SELECT COUNT(*) FROM audit_log WHERE action = '%s'", action), &n)
	return n
}

var secretOnPage = regexp.MustCompile(`<code id="client-secret" class="secret">([^<]+)</code>`)
var clientIDOnPage = regexp.MustCompile(`<code id="client-id" class="secret">([^<]+)</code>`)

// An administrator (settings:manage) manages the apps in the console:
// registers one (its secret shown once), edits it, switches it to a
// signed assertion and back, makes a new secret, removes it; every change
// is one audit entry, and refused input answers 400 next to its field and
// changes nothing (ASVS 10.4.1 exact registered redirect URIs; 6.4.1
// secrets shown once, kept hashed).
func TestOIDCClientsConsole(t *testing.T) {
	fd := Start(t, fastHashing)
	fd.createStaff(t, "admin@acme.example", "administrator")
	admin := fd.signInAPI(t, "admin@acme.example", apiPassword)
	fd.enrolTOTPAPI(t, admin)
	r := startRP(t)
	form := url.Values{"name": {"Acme Web"}, "kind": {"confidential"}, "auth_method": {"client_secret_basic"},
		"redirect_uris": {r.URL + "/cb"}, "scope": {"openid", "email", "offline_access"}, "access_token_type": {"jwt"},
		"access_ttl": {"10"}, "id_token_ttl": {"10"}, "refresh_ttl": {"30"}}

	// Bad input: each refused with its field's message, nothing stored.
	for field, bad := range map[string]string{
		"redirect_uris": "https://app.example/cb#frag",
		"name":          "",
		"access_ttl":    "ten",
		"logo_url":      "http://app.example/logo.png",
	} {
		f := cloneValues(form)
		f.Set(field, bad)
		status, body := fd.consoleRequest(t, "POST", "/console/oidc-clients", admin, f)
		if status != http.StatusBadRequest || !strings.Contains(string(body), `class="field-error"`) {
			t.Errorf("%s=%q: %d, want 400 with the field's message", field, bad, status)
		}
	}
	f := cloneValues(form)
	f.Set("redirect_uris", "http://app.example/cb")
	if _, body := fd.consoleRequest(t, "POST", "/console/oidc-clients", admin, f); !strings.Contains(string(body), "http://localhost") {
		t.Error("a plain-http return address is refused without saying what is allowed")
	}
	if n := fd.oidcClientCount(t); n != 0 {
		t.Fatalf("refused input stored %d clients", n)
	}

	status, body := fd.consoleRequest(t, "POST", "/console/oidc-clients", admin, form)
	secret, id := secretOnPage.FindSubmatch(body), clientIDOnPage.FindSubmatch(body)
	if status != http.StatusCreated || secret == nil || id == nil {
		t.Fatalf("add: %d, secret shown %v", status, secret != nil)
	}
	c := oidcClient{ID: string(id[1]), Secret: string(secret[1])}
	// Shown once: the list and the client's page never show it again.
	for _, p := range []string{"/console/oidc-clients", "/console/oidc-clients/" + c.ID} {
		if _, page := fd.consoleRequest(t, "GET", p, admin, nil); strings.Contains(string(page), c.Secret) {
			t.Fatalf("%s shows the secret again", p)
		}
	}
	// The client works with an independent RP.
	fd.registerAPI(t, "lan@example.com")
	customer := fd.signInAPI(t, "lan@example.com", apiPassword)
	r.connect(fd, c)
	q, stopped, v := r.authorize(browserAs(t, fd, customer, r.URL+"/cb"))
	if q == nil {
		// A third-party client: the consent page.
		if !strings.Contains(stopped, "/oauth/login/") {
			t.Fatalf("stopped at %s", stopped)
		}
	} else if _, _, err := r.exchange(q.Get("code"), v); err != nil {
		t.Fatal(err)
	}

	// Edit: first-party, a second return address, shorter tokens.
	edit := cloneValues(form)
	edit.Set("name", "Acme Web 2")
	edit.Set("first_party", "on")
	edit.Set("redirect_uris", r.URL+"/cb\nhttp://127.0.0.1:9/cb")
	edit.Set("access_ttl", "5")
	if status, _ := fd.consoleRequest(t, "POST", "/console/oidc-clients/"+c.ID, admin, edit); status != http.StatusSeeOther {
		t.Fatalf("save: %d", status)
	}
	if _, page := fd.consoleRequest(t, "GET", "/console/oidc-clients/"+c.ID, admin, nil); !strings.Contains(string(page), "http://127.0.0.1:9/cb") ||
		!strings.Contains(string(page), "Acme Web 2") {
		t.Fatal("the edit page does not show the saved settings")
	}
	q, stopped, v = r.authorize(browserAs(t, fd, customer, r.URL+"/cb"))
	if q == nil {
		t.Fatalf("a first-party client still asks (stopped at %s)", stopped)
	}
	if _, _, err := r.exchange(q.Get("code"), v); err != nil {
		t.Fatalf("the secret shown once works: %v", err)
	}
	// A refused edit changes nothing.
	bad := cloneValues(edit)
	bad.Set("redirect_uris", "javascript:alert(1)")
	bad.Set("name", "Changed")
	if status, _ := fd.consoleRequest(t, "POST", "/console/oidc-clients/"+c.ID, admin, bad); status != http.StatusBadRequest {
		t.Fatalf("bad edit: %d", status)
	}
	var name string
	fd.queryRow(t, "SELECT name FROM oidc_clients WHERE id = '"+c.ID+"'", &name)
	if name != "Acme Web 2" {
		t.Fatalf("a refused edit renamed the client to %q", name)
	}

	// A new secret: the old one stops working at once.
	status, body = fd.consoleRequest(t, "POST", "/console/oidc-clients/"+c.ID+"/secret", admin, nil)
	rotated := secretOnPage.FindSubmatch(body)
	if status != http.StatusOK || rotated == nil || string(rotated[1]) == c.Secret {
		t.Fatalf("rotate: %d", status)
	}
	q, _, v = r.authorize(browserAs(t, fd, customer, r.URL+"/cb"))
	if _, _, err := r.exchange(q.Get("code"), v); err == nil {
		t.Fatal("the old secret still works after a rotation")
	}
	r.conf.ClientSecret = string(rotated[1])
	q, _, v = r.authorize(browserAs(t, fd, customer, r.URL+"/cb"))
	if _, _, err := r.exchange(q.Get("code"), v); err != nil {
		t.Fatalf("the new secret: %v", err)
	}

	// Remove: gone, its tokens with it.
	if status, _ := fd.consoleRequest(t, "POST", "/console/oidc-clients/"+c.ID+"/remove", admin, nil); status != http.StatusSeeOther {
		t.Fatalf("remove: %d", status)
	}
	if status := fd.page(t, "GET", "/console/oidc-clients/"+c.ID, admin); status != http.StatusNotFound {
		t.Fatalf("a removed client's page: %d", status)
	}
	for action, want := range map[string]int{"oidc.client.add": 1, "oidc.client.update": 1, "oidc.client.secret": 1, "oidc.client.remove": 1} {
		if n := fd.auditCount(t, action); n != want {
			t.Errorf("%d %s audit entries, want %d", n, action, want)
		}
	}
	// A supervisor (no settings:manage) cannot.
	fd.createStaff(t, "sup@acme.example", "supervisor")
	sup := fd.signInAPI(t, "sup@acme.example", apiPassword)
	fd.enrolTOTPAPI(t, sup)
	if status, _ := fd.consoleRequest(t, "POST", "/console/oidc-clients", sup, form); status != http.StatusForbidden {
		t.Fatalf("a supervisor registered an app: %d", status)
	}
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}
