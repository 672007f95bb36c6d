package e2e

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"
)

// jwksHost publishes a client's public keys at a jwks_uri and counts the
// fetches.
type jwksHost struct {
	URL  string
	mu   sync.Mutex
	set  string
	hits int
}

func newJWKSHost(t *testing.T, set string) *jwksHost {
	h := &jwksHost{set: set}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.hits++
		w.Header().Set("Content-Type", "application/jwk-set+json")
		io.WriteString(w, h.set)
	}))
	t.Cleanup(srv.Close)
	h.URL = srv.URL + "/jwks.json"
	return h
}

func (h *jwksHost) publish(set string) { h.mu.Lock(); h.set = set; h.mu.Unlock() }
func (h *jwksHost) fetches() int       { h.mu.Lock(); defer h.mu.Unlock(); return h.hits }

// A private_key_jwt client that publishes its keys at a jwks_uri, with
// openid-client as the relying party: Frontdesk fetches the set once and
// caches it; the client rotates its key and an assertion with the new kid
// is accepted after one new fetch; made-up kids fetch nothing more within
// the minute; inside addresses are refused at registration (ASVS 1.3.6
// server-side request forgery, 10.4.x client authentication). The
// loopback test setting lets the address be http://127.0.0.1.
func TestOIDCPrivateKeyJWTJWKSURI(t *testing.T) {
	if _, err := os.Stat("openid-client/node_modules/openid-client"); err != nil {
		t.Fatalf("openid-client is not installed (run 'make deps-test'): %v", err)
	}
	vars := map[string]string{"FRONTDESK_OIDC_JWKS_ALLOW_LOOPBACK": "true"}
	for k, v := range fastHashing {
		vars[k] = v
	}
	var offset atomic.Int64
	fd := StartClock(t, vars, func() time.Time { return time.Now().Add(time.Duration(offset.Load())) })
	fd.createStaff(t, "admin@acme.example", "administrator")
	admin := fd.signInAPI(t, "admin@acme.example", apiPassword)
	fd.enrolTOTPAPI(t, admin)
	email := "lan@example.com"
	fd.registerAPI(t, email)
	customer := fd.signInAPI(t, email, apiPassword)
	r := startRP(t)
	key := newClientKey(t, "k-2026")
	host := newJWKSHost(t, key.public)

	form := url.Values{"name": {"Acme Server"}, "kind": {"confidential"}, "auth_method": {"private_key_jwt"}, "first_party": {"on"},
		"redirect_uris": {r.URL + "/cb"}, "scope": {"openid", "email", "offline_access"}, "access_token_type": {"jwt"},
		"access_ttl": {"10"}, "id_token_ttl": {"10"}, "refresh_ttl": {"30"}}
	// Inside addresses, and an address beside inline keys, are refused.
	for _, bad := range []url.Values{{"jwks_uri": {"http://10.0.0.7/jwks.json"}}, {"jwks_uri": {"https://169.254.169.254/latest"}},
		{"jwks_uri": {host.URL}, "jwks": {key.public}}} {
		f := url.Values{}
		for k, v := range form {
			f[k] = v
		}
		for k, v := range bad {
			f[k] = v
		}
		status, body := fd.consoleRequest(t, "POST", "/console/oidc-clients", admin, f)
		if status != http.StatusBadRequest || !strings.Contains(string(body), `aria-describedby="oc-jwks-uri-hint" aria-invalid="true"`) || clientIDOnPage.Match(body) {
			t.Fatalf("jwks_uri %v: %d", bad, status)
		}
	}
	form.Set("jwks_uri", host.URL)
	status, body := fd.consoleRequest(t, "POST", "/console/oidc-clients", admin, form)
	m := clientIDOnPage.FindSubmatch(body)
	if status != http.StatusCreated || m == nil || secretOnPage.Match(body) {
		t.Fatalf("register with a jwks_uri: %d", status)
	}
	id := string(m[1])
	if host.fetches() != 0 {
		t.Fatal("registration fetched the keys")
	}

	got := openIDClientPKJWT(t, fd, customer, r.URL+"/cb", id, key)
	if got.Claims.Email != email || !got.Active || got.AfterRevoke != "invalid_grant" {
		t.Fatalf("openid-client saw claims %+v, introspection active %v, refresh after revocation %q", got.Claims, got.Active, got.AfterRevoke)
	}
	if n := host.fetches(); n != 1 {
		t.Fatalf("four assertions fetched the keys %d times, want once (cached)", n)
	}

	introspect := func(a string) int {
		t.Helper()
		res, err := http.PostForm(fd.URL+"/oauth/introspect", url.Values{"token": {"x"},
			"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}, "client_assertion": {a}})
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	// The client rotates its key a while later: the new kid fetches the
	// set again, and the old key is gone with it.
	offset.Add(int64(2 * time.Minute))
	next := newClientKey(t, "k-2027")
	host.publish(next.public)
	if status := introspect(next.assertion(t, id, fd.URL, "jti-rotated")); status != http.StatusOK {
		t.Fatalf("an assertion with the rotated key: %d", status)
	}
	if n := host.fetches(); n != 2 {
		t.Fatalf("%d fetches after the rotation, want 2", n)
	}
	if status := introspect(key.assertion(t, id, fd.URL, "jti-old")); status != http.StatusUnauthorized {
		t.Fatalf("an assertion with the retired key: %d", status)
	}
	// Made-up kids within the minute: refused, nothing fetched.
	for i, kid := range []string{"k-x1", "k-x2", "k-x3"} {
		if status := introspect(newClientKey(t, kid).assertion(t, id, fd.URL, "jti-x"+string(rune('a'+i)))); status != http.StatusUnauthorized {
			t.Fatalf("made-up kid %s: %d", kid, status)
		}
	}
	if n := host.fetches(); n != 2 {
		t.Fatalf("made-up kids made %d more fetches within the minute", n-2)
	}
}

// FRONTDESK_OIDC_SIGNING_ALG=ES256 with go-oidc and x/oauth2 as the
// relying party: discovery lists ES256, the ID token verifies against the
// JWKS, the JWT access token works at userinfo and introspection, a
// refresh rotates; the JWKS answers with an ETag and 304 on revalidation.
func TestOIDCES256Signing(t *testing.T) {
	vars := map[string]string{"FRONTDESK_OIDC_SIGNING_ALG": "ES256"}
	for k, v := range fastHashing {
		vars[k] = v
	}
	fd := Start(t, vars)
	email := "minh@example.com"
	fd.registerAPI(t, email)
	customer := fd.signInAPI(t, email, apiPassword)
	r := startRP(t)
	c := fd.addOIDCClient(t, "--name", "Acme Web", "--redirect-uri", r.URL+"/cb", "--first-party")
	r.connect(fd, c)
	var disc struct {
		Algs []string `json:"id_token_signing_alg_values_supported"`
	}
	if err := r.provider.Claims(&disc); err != nil || len(disc.Algs) == 0 || disc.Algs[0] != "ES256" {
		t.Fatalf("discovery: %v %v", disc.Algs, err)
	}
	q, stopped, v := r.authorize(browserAs(t, fd, customer, r.URL+"/cb"))
	if q == nil {
		t.Fatalf("authorize stopped at %s", stopped)
	}
	tok, idt, err := r.exchange(q.Get("code"), v)
	if err != nil {
		t.Fatalf("exchange and verify: %v", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	jws, err := jose.ParseSigned(raw, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil || jws.Signatures[0].Header.Algorithm != "ES256" || idt.Subject == "" {
		t.Fatalf("the ID token is not ES256: %v", err)
	}
	at, err := jose.ParseSigned(tok.AccessToken, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil || at.Signatures[0].Header.KeyID != jws.Signatures[0].Header.KeyID {
		t.Fatalf("the access token is not signed with the ES256 key: %v", err)
	}
	info, err := r.provider.UserInfo(context.Background(), oauth2.StaticTokenSource(tok))
	if err != nil || info.Email != email {
		t.Fatalf("userinfo with the ES256 access token: %v", err)
	}
	req, _ := http.NewRequest("POST", fd.URL+"/oauth/introspect", strings.NewReader(url.Values{"token": {tok.AccessToken}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(c.ID), url.QueryEscape(c.Secret))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var intro struct{ Active bool }
	json.NewDecoder(res.Body).Decode(&intro)
	res.Body.Close()
	if !intro.Active {
		t.Fatal("introspection: the ES256 access token is not active")
	}
	fresh, err := r.conf.TokenSource(context.Background(), &oauth2.Token{RefreshToken: tok.RefreshToken, Expiry: time.Now().Add(-time.Hour)}).Token()
	if err != nil || fresh.RefreshToken == tok.RefreshToken {
		t.Fatalf("refresh: %v", err)
	}
	if _, err := r.verifier.Verify(context.Background(), fresh.Extra("id_token").(string)); err != nil {
		t.Fatalf("the refreshed ID token: %v", err)
	}
	// The JWKS: cacheable, revalidated with its ETag.
	keys, err := http.Get(fd.URL + "/oauth/keys")
	if err != nil {
		t.Fatal(err)
	}
	keys.Body.Close()
	etag := keys.Header.Get("ETag")
	if keys.StatusCode != http.StatusOK || etag == "" || !strings.Contains(keys.Header.Get("Cache-Control"), "max-age=") {
		t.Fatalf("GET /oauth/keys: %d, ETag %q, Cache-Control %q", keys.StatusCode, etag, keys.Header.Get("Cache-Control"))
	}
	req, _ = http.NewRequest("GET", fd.URL+"/oauth/keys", nil)
	req.Header.Set("If-None-Match", etag)
	again, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	again.Body.Close()
	if again.StatusCode != http.StatusNotModified {
		t.Fatalf("revalidation: %d, want 304", again.StatusCode)
	}
}
