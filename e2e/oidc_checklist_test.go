package e2e

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

// The checklist derived from the OpenID Foundation's Basic OP test plan,
// one named subtest per item, against one instance: a customer signed in
// with a password, a confidential client and a third-party public client.
func TestOIDCBasicOPChecklist(t *testing.T) {
	fd := Start(t, fastHashing)
	email := "hoa@example.com"
	fd.registerAPI(t, email)
	token := fd.signInAPI(t, email, apiPassword)
	r := startRP(t)
	c := fd.addOIDCClient(t, "--name", "Acme Banking", "--redirect-uri", r.URL+"/cb", "--first-party")
	r.connect(fd, c)
	browser := func() *http.Client { return browserAs(t, fd, token, r.URL+"/cb") }
	// raw follows an authorization URL with its own parameters, and
	// returns the last response (the RP's redirect, or a page).
	raw := func(b *http.Client, q url.Values) (*http.Response, string) {
		resp, err := b.Get(fd.URL + "/oauth/authorize?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp, string(body)
	}
	params := func() url.Values {
		return url.Values{"client_id": {c.ID}, "redirect_uri": {r.URL + "/cb"}, "response_type": {"code"}, "scope": {"openid"},
			"state": {"s1"}, "code_challenge": {oauth2.S256ChallengeFromVerifier(oauth2.GenerateVerifier())}, "code_challenge_method": {"S256"}}
	}
	redirected := func(resp *http.Response) url.Values {
		t.Helper()
		loc := resp.Header.Get("Location")
		if !strings.HasPrefix(loc, r.URL+"/cb") {
			t.Fatalf("not sent back to the client: %d %s", resp.StatusCode, loc)
		}
		u, _ := url.Parse(loc)
		return u.Query()
	}

	t.Run("state_and_nonce_returned", func(t *testing.T) {
		q, _, v := r.authorize(browser())
		if q.Get("state") != "st-123" || q.Get("iss") != "" && q.Get("iss") != fd.URL {
			t.Fatalf("query %v", q)
		}
		_, id, err := r.exchange(q.Get("code"), v)
		if err != nil || id.Nonce != "n-0S6_WzA2Mj" {
			t.Fatalf("nonce %v: %v", id, err)
		}
	})
	t.Run("code_reuse_revokes_tokens", func(t *testing.T) {
		q, _, v := r.authorize(browser())
		tok, _, err := r.exchange(q.Get("code"), v)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := r.exchange(q.Get("code"), v); err == nil || !strings.Contains(err.Error(), "invalid_grant") {
			t.Fatalf("second use of a code: %v, want invalid_grant", err)
		}
		if _, err := r.provider.UserInfo(context.Background(), oauth2.StaticTokenSource(tok)); err == nil {
			t.Fatal("the access token issued for a reused code still works")
		}
		if _, err := r.conf.TokenSource(context.Background(), &oauth2.Token{RefreshToken: tok.RefreshToken, Expiry: time.Now().Add(-time.Hour)}).Token(); err == nil {
			t.Fatal("the refresh token issued for a reused code still works")
		}
	})
	t.Run("redirect_uri_mismatch", func(t *testing.T) {
		for _, uri := range []string{r.URL + "/cb/", r.URL + "/cb?x=1", r.URL + "/other", "https://evil.example/cb"} {
			q := params()
			q.Set("redirect_uri", uri)
			resp, body := raw(browser(), q)
			if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" || !strings.Contains(body, `id="oauth-error"`) {
				t.Fatalf("redirect_uri %s: %d %s, want our error page and no redirect", uri, resp.StatusCode, resp.Header.Get("Location"))
			}
		}
	})
	t.Run("unknown_client", func(t *testing.T) {
		q := params()
		q.Set("client_id", "no-such-client")
		resp, body := raw(browser(), q)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="oauth-error"`) {
			t.Fatalf("unknown client: %d", resp.StatusCode)
		}
		// At the token endpoint: invalid_client.
		bad := oauth2.Config{ClientID: "no-such-client", ClientSecret: "x", Endpoint: r.provider.Endpoint(), RedirectURL: r.URL + "/cb"}
		if _, err := bad.Exchange(context.Background(), "whatever", oauth2.VerifierOption(oauth2.GenerateVerifier())); err == nil {
			t.Fatal("an unknown client exchanged a code")
		}
	})
	t.Run("missing_pkce_challenge", func(t *testing.T) {
		q := params()
		q.Del("code_challenge")
		q.Del("code_challenge_method")
		if got := redirected(func() *http.Response { resp, _ := raw(browser(), q); return resp }()); got.Get("error") != "invalid_request" || got.Get("state") != "s1" {
			t.Fatalf("no code_challenge: %v", got)
		}
		q = params()
		q.Set("code_challenge_method", "plain")
		if got := redirected(func() *http.Response { resp, _ := raw(browser(), q); return resp }()); got.Get("error") == "" {
			t.Fatalf("plain PKCE accepted: %v", got)
		}
	})
	t.Run("missing_or_wrong_pkce_verifier", func(t *testing.T) {
		q, _, _ := r.authorize(browser())
		if _, err := r.conf.Exchange(context.Background(), q.Get("code")); err == nil {
			t.Fatal("a code was exchanged without its verifier")
		}
		q, _, _ = r.authorize(browser())
		if _, _, err := r.exchange(q.Get("code"), oauth2.GenerateVerifier()); err == nil || !strings.Contains(err.Error(), "invalid_grant") {
			t.Fatalf("a wrong verifier: %v", err)
		}
	})
	t.Run("prompt_none_without_session", func(t *testing.T) {
		q := params()
		q.Set("prompt", "none")
		got := redirected(func() *http.Response { resp, _ := raw(browserAs(t, fd, "", r.URL+"/cb"), q); return resp }())
		if got.Get("error") != "login_required" || got.Get("state") != "s1" || got.Get("code") != "" {
			t.Fatalf("prompt=none without a session: %v", got)
		}
	})
	t.Run("prompt_none_with_session", func(t *testing.T) {
		q, stopped, _ := r.authorize(browser(), oauth2.SetAuthURLParam("prompt", "none"))
		if q.Get("code") == "" {
			t.Fatalf("prompt=none with a session stopped at %s", stopped)
		}
	})
	t.Run("max_age_forces_reauthentication", func(t *testing.T) {
		time.Sleep(1100 * time.Millisecond) // the session is now older than max_age=1
		_, stopped, _ := r.authorize(browser(), oauth2.SetAuthURLParam("max_age", "1"))
		if !strings.Contains(stopped, "/account/reauth") {
			t.Fatalf("max_age=1 on an older sign-in went to %q, want the confirmation page", stopped)
		}
		q := params()
		q.Set("max_age", "1")
		q.Set("prompt", "none")
		if got := redirected(func() *http.Response { resp, _ := raw(browser(), q); return resp }()); got.Get("error") != "login_required" {
			t.Fatalf("max_age with prompt=none: %v", got)
		}
	})
	t.Run("prompt_login_forces_reauthentication", func(t *testing.T) {
		_, stopped, _ := r.authorize(browser(), oauth2.SetAuthURLParam("prompt", "login"))
		if !strings.Contains(stopped, "/account/reauth") {
			t.Fatalf("prompt=login went to %q, want the confirmation page", stopped)
		}
	})
	t.Run("acr_aal2_unmet_without_second_factor", func(t *testing.T) {
		q := params()
		q.Set("acr_values", "urn:frontdesk:aal2")
		q.Set("prompt", "none")
		if got := redirected(func() *http.Response { resp, _ := raw(browser(), q); return resp }()); got.Get("error") != "interaction_required" {
			t.Fatalf("acr_values=aal2 on an AAL1 session with prompt=none: %v", got)
		}
	})
	t.Run("request_parameter_refused", func(t *testing.T) {
		q := params()
		q.Set("request", "eyJhbGciOiJub25lIn0.eyJzY29wZSI6Im9wZW5pZCJ9.")
		got := redirected(func() *http.Response { resp, _ := raw(browser(), q); return resp }())
		if got.Get("error") != "request_not_supported" {
			t.Fatalf("request parameter: %v", got)
		}
	})
	t.Run("implicit_flow_refused", func(t *testing.T) {
		q := params()
		q.Set("response_type", "id_token token")
		resp, _ := raw(browser(), q)
		if loc := resp.Header.Get("Location"); strings.Contains(loc, "code=") || strings.Contains(loc, "token=") ||
			(resp.StatusCode != http.StatusBadRequest && !strings.Contains(loc, "error=")) {
			t.Fatalf("implicit flow: %d %s", resp.StatusCode, loc)
		}
	})
	t.Run("discovery_document", func(t *testing.T) {
		resp := fd.Get(t, "/.well-known/openid-configuration")
		var d struct {
			Issuer        string   `json:"issuer"`
			ResponseTypes []string `json:"response_types_supported"`
			GrantTypes    []string `json:"grant_types_supported"`
			PKCE          []string `json:"code_challenge_methods_supported"`
		}
		json.NewDecoder(resp.Body).Decode(&d)
		if d.Issuer != fd.URL || strings.Join(d.ResponseTypes, " ") != "code" || strings.Join(d.PKCE, " ") != "S256" ||
			strings.Join(d.GrantTypes, " ") != "authorization_code refresh_token" {
			t.Fatalf("discovery %+v", d)
		}
	})
}
