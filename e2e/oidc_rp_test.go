package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/frontdesk/frontdesk/internal/app"
)

// The relying-party side of the OpenID Connect tests: clients registered
// with the CLI, and an independent RP (coreos/go-oidc + x/oauth2) that
// knows Frontdesk only by its discovery document.

// oidcClient is a client registered with "frontdesk oidc client add".
type oidcClient struct {
	ID, Secret string
}

// addOIDCClient runs "frontdesk oidc client add … --json" on the
// instance's data and returns what it printed.
func (i *Instance) addOIDCClient(t testing.TB, args ...string) oidcClient {
	t.Helper()
	out := i.cli(t, append([]string{"oidc", "client", "add", "--json"}, args...)...)
	var c struct {
		ClientID     string  `json:"client_id"`
		ClientSecret *string `json:"client_secret"`
	}
	if err := json.Unmarshal([]byte(out), &c); err != nil || c.ClientID == "" {
		t.Fatalf("oidc client add printed %q: %v", out, err)
	}
	if c.ClientSecret != nil {
		return oidcClient{ID: c.ClientID, Secret: *c.ClientSecret}
	}
	return oidcClient{ID: c.ClientID}
}

// cli runs a frontdesk command on the instance's data and returns its
// standard output; a non-zero exit fails the test.
func (i *Instance) cli(t testing.TB, args ...string) string {
	t.Helper()
	code, stdout, stderr := i.cliStatus(args...)
	if code != 0 {
		t.Fatalf("frontdesk %s: exit %d: %s", strings.Join(args, " "), code, stderr)
	}
	return stdout
}

func (i *Instance) cliStatus(args ...string) (int, string, string) {
	vars := map[string]string{"FRONTDESK_DATA_DIR": i.DataDir, "FRONTDESK_DATABASE_URL": i.DatabaseURL, "FRONTDESK_BASE_URL": i.URL}
	var stdout, stderr bytes.Buffer
	code := app.Main(context.Background(), args, app.Env{Getenv: func(k string) string { return vars[k] }, Stdout: &stdout, Stderr: &stderr})
	return code, stdout.String(), stderr.String()
}

// rp is an independent relying party: its own HTTP server for the
// redirect and back-channel logout, go-oidc for discovery and ID-token
// verification, x/oauth2 for the code exchange with PKCE.
type rp struct {
	t        testing.TB
	URL      string
	provider *gooidc.Provider
	conf     oauth2.Config
	verifier *gooidc.IDTokenVerifier

	mu      sync.Mutex
	logouts []string // logout tokens received
}

// startRP starts the RP's server: /cb (the redirect URI, unused by the
// tests, which stop the browser there) and /backchannel, which records
// the logout tokens it is sent.
func startRP(t testing.TB) *rp {
	r := &rp{t: t}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /backchannel", func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.logouts = append(r.logouts, req.PostFormValue("logout_token"))
		r.mu.Unlock()
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	r.URL = srv.URL
	return r
}

// connect discovers the provider and configures the client.
func (r *rp) connect(fd *Instance, c oidcClient) *rp {
	r.t.Helper()
	p, err := gooidc.NewProvider(context.Background(), fd.URL)
	if err != nil {
		r.t.Fatalf("discovery: %v", err)
	}
	r.provider = p
	r.conf = oauth2.Config{ClientID: c.ID, ClientSecret: c.Secret, Endpoint: p.Endpoint(), RedirectURL: r.URL + "/cb",
		Scopes: []string{gooidc.ScopeOpenID, "profile", "email", gooidc.ScopeOfflineAccess}}
	r.verifier = p.Verifier(&gooidc.Config{ClientID: c.ID})
	return r
}

// logoutTokens returns the logout tokens received so far.
func (r *rp) logoutTokens() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.logouts...)
}

// browserAs is a cookie-keeping HTTP client signed in with the session
// token, that stops at the RP's redirect URI (returning that response).
func browserAs(t testing.TB, fd *Instance, token, stopAt string) *http.Client {
	jar, _ := cookiejar.New(nil)
	u, _ := url.Parse(fd.URL)
	if token != "" {
		jar.SetCookies(u, []*http.Cookie{{Name: "__Host-fd_session", Value: token, Path: "/"}})
	}
	return &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if strings.HasPrefix(req.URL.String(), stopAt) {
			return http.ErrUseLastResponse
		}
		return nil
	}}
}

// authorize sends the browser to the authorization endpoint with PKCE
// and returns where it ended: the RP's redirect URI with its query, or
// the last page's URL when it stopped at Frontdesk.
func (r *rp) authorize(b *http.Client, extra ...oauth2.AuthCodeOption) (got url.Values, stoppedAt string, verifier string) {
	r.t.Helper()
	verifier = oauth2.GenerateVerifier()
	opts := append([]oauth2.AuthCodeOption{oauth2.S256ChallengeOption(verifier), gooidc.Nonce("n-0S6_WzA2Mj")}, extra...)
	resp, err := b.Get(r.conf.AuthCodeURL("st-123", opts...))
	if err != nil {
		r.t.Fatalf("authorize: %v", err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode == http.StatusFound && strings.HasPrefix(loc, r.conf.RedirectURL) {
		u, _ := url.Parse(loc)
		return u.Query(), "", verifier
	}
	return nil, resp.Request.URL.String(), verifier
}

// exchange redeems a code and verifies the ID token as any RP would.
func (r *rp) exchange(code, verifier string) (*oauth2.Token, *gooidc.IDToken, error) {
	tok, err := r.conf.Exchange(context.Background(), code, oauth2.VerifierOption(verifier))
	if err != nil {
		return nil, nil, err
	}
	raw, _ := tok.Extra("id_token").(string)
	id, err := r.verifier.Verify(context.Background(), raw)
	return tok, id, err
}

// oidcConfig is go-oidc's verifier configuration.
type oidcConfig = gooidc.Config
