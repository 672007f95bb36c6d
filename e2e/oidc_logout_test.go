package e2e

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

// RP-initiated logout with an id_token_hint ends the Frontdesk session:
// every client signed in through it gets a back-channel logout token for
// that session (verified here as an RP does), its refresh token stops
// working, and the browser lands on the client's post-logout URI with its
// state.
func TestOIDCLogoutEndsRPSessions(t *testing.T) {
	fd := Start(t, fastHashing)
	fd.registerAPI(t, "vy@example.com")
	token := fd.signInAPI(t, "vy@example.com", apiPassword)
	r1, r2 := startRP(t), startRP(t)
	c1 := fd.addOIDCClient(t, "--name", "Web", "--redirect-uri", r1.URL+"/cb", "--first-party",
		"--post-logout-redirect-uri", r1.URL+"/bye", "--backchannel-logout-uri", r1.URL+"/backchannel")
	c2 := fd.addOIDCClient(t, "--name", "Cards", "--redirect-uri", r2.URL+"/cb", "--first-party", "--backchannel-logout-uri", r2.URL+"/backchannel")
	r1.connect(fd, c1)
	r2.connect(fd, c2)
	type signedIn struct {
		tok *oauth2.Token
		sid string
	}
	var got []signedIn
	for _, r := range []*rp{r1, r2} {
		q, stopped, v := r.authorize(browserAs(t, fd, token, r.URL+"/cb"))
		if q == nil {
			t.Fatalf("stopped at %s", stopped)
		}
		tok, id, err := r.exchange(q.Get("code"), v)
		if err != nil {
			t.Fatal(err)
		}
		var cl idClaims
		id.Claims(&cl)
		got = append(got, signedIn{tok, cl.SID})
	}
	idToken, _ := got[0].tok.Extra("id_token").(string)
	b := browserAs(t, fd, token, r1.URL+"/bye")
	resp, err := b.Get(fd.URL + "/oauth/end_session?" + url.Values{"id_token_hint": {idToken},
		"post_logout_redirect_uri": {r1.URL + "/bye"}, "state": {"bye-1"}}.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); !strings.HasPrefix(loc, r1.URL+"/bye") || !strings.Contains(loc, "state=bye-1") {
		t.Fatalf("after logout: %d %q", resp.StatusCode, loc)
	}
	// ASVS 7.4.1: the Frontdesk session itself is gone.
	if r := fd.call(t, "GET", "/api/v1/session", token, nil); r.Status != http.StatusUnauthorized {
		t.Fatalf("the Frontdesk session still answers %d", r.Status)
	}
	for i, r := range []*rp{r1, r2} {
		lts := r.logoutTokens()
		if len(lts) != 1 {
			t.Fatalf("client %d got %d logout tokens, want 1", i+1, len(lts))
		}
		// The logout token verifies like an ID token (iss, aud, signature)
		// and names the session.
		lt, err := r.provider.Verifier(&oidcConfig{ClientID: r.conf.ClientID}).Verify(context.Background(), lts[0])
		if err != nil {
			t.Fatalf("logout token: %v", err)
		}
		var cl struct {
			SID    string         `json:"sid"`
			Events map[string]any `json:"events"`
			Nonce  *string        `json:"nonce"`
		}
		lt.Claims(&cl)
		if cl.SID != got[i].sid || cl.Events["http://schemas.openid.net/event/backchannel-logout"] == nil || cl.Nonce != nil {
			t.Fatalf("logout token claims %+v, want sid %s", cl, got[i].sid)
		}
		_, err = r.conf.TokenSource(context.Background(), &oauth2.Token{RefreshToken: got[i].tok.RefreshToken, Expiry: time.Now().Add(-time.Hour)}).Token()
		if err == nil {
			t.Fatalf("client %d's refresh token still works after logout", i+1)
		}
	}
}

// Signing out of Frontdesk itself (the portal's sign-out) ends the apps'
// sessions too: the sweep finds the session gone and tells each client.
func TestOIDCPortalSignOutEndsRPSessions(t *testing.T) {
	fd := Start(t, fastHashing)
	fd.registerAPI(t, "khoa@example.com")
	token := fd.signInAPI(t, "khoa@example.com", apiPassword)
	r := startRP(t)
	r.connect(fd, fd.addOIDCClient(t, "--name", "Web", "--redirect-uri", r.URL+"/cb", "--first-party", "--backchannel-logout-uri", r.URL+"/backchannel"))
	q, _, v := r.authorize(browserAs(t, fd, token, r.URL+"/cb"))
	tok, _, err := r.exchange(q.Get("code"), v)
	if err != nil {
		t.Fatal(err)
	}
	if res := fd.call(t, "DELETE", "/api/v1/session", token, nil); res.Status != http.StatusNoContent {
		t.Fatalf("sign out: %d", res.Status)
	}
	// The sweep runs every 10 seconds on every node; wait for its logout
	// token (a bound, not a timing assertion).
	deadline := time.Now().Add(60 * time.Second)
	for len(r.logoutTokens()) == 0 && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
	}
	if len(r.logoutTokens()) != 1 {
		t.Fatalf("%d logout tokens after the portal sign-out", len(r.logoutTokens()))
	}
	if _, err := r.provider.UserInfo(context.Background(), oauth2.StaticTokenSource(tok)); err == nil {
		t.Fatal("the app's access token still works after the Frontdesk session ended")
	}
}
