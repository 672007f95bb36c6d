package e2e

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

// idClaims are the claims the tests read from ID tokens.
type idClaims struct {
	Nonce    string   `json:"nonce"`
	AMR      []string `json:"amr"`
	ACR      string   `json:"acr"`
	AuthTime int64    `json:"auth_time"`
	SID      string   `json:"sid"`
	Email    string   `json:"email"`
	Name     string   `json:"name"`
}

// A confidential first-party client signs a customer in with the code
// flow and PKCE, as an independent RP (go-oidc, x/oauth2) does it: the ID
// token verifies against the JWKS, carries the nonce, auth_time, amr and
// acr of the password sign-in, and userinfo answers the granted claims.
// The refresh token rotates; the old one used again revokes the family.
func TestOIDCCodeFlowConfidentialGoRP(t *testing.T) {
	fd := Start(t, fastHashing)
	email := "lan@example.com"
	fd.registerAPI(t, email)
	token := fd.signInAPI(t, email, apiPassword)
	r := startRP(t)
	c := fd.addOIDCClient(t, "--name", "Acme Banking", "--redirect-uri", r.URL+"/cb", "--first-party")
	if c.Secret == "" {
		t.Fatal("a confidential client got no secret")
	}
	r.connect(fd, c)

	b := browserAs(t, fd, token, r.URL+"/cb")
	q, stopped, verifier := r.authorize(b)
	if q == nil {
		t.Fatalf("the browser stopped at %s instead of the RP", stopped)
	}
	if q.Get("state") != "st-123" || q.Get("code") == "" {
		t.Fatalf("redirect query %v", q)
	}
	tok, id, err := r.exchange(q.Get("code"), verifier)
	if err != nil {
		t.Fatalf("code exchange: %v", err)
	}
	var cl idClaims
	if err := id.Claims(&cl); err != nil {
		t.Fatal(err)
	}
	// ASVS 10.5.1, 10.5.3: the nonce comes back, the token is for this client.
	if cl.Nonce != "n-0S6_WzA2Mj" || !slices.Contains(id.Audience, c.ID) || id.Issuer != fd.URL {
		t.Fatalf("ID token claims: %+v aud %v iss %s", cl, id.Audience, id.Issuer)
	}
	if !slices.Equal(cl.AMR, []string{"pwd"}) || cl.ACR != "urn:frontdesk:aal1" || cl.AuthTime == 0 || cl.SID == "" {
		t.Fatalf("amr %v acr %q auth_time %d sid %q: want the password sign-in at AAL1", cl.AMR, cl.ACR, cl.AuthTime, cl.SID)
	}
	if cl.Email != email || cl.Name != "Minh Tran" {
		t.Fatalf("profile claims %+v", cl)
	}
	info, err := r.provider.UserInfo(context.Background(), oauth2.StaticTokenSource(tok))
	if err != nil || info.Email != email || info.Subject != id.Subject {
		t.Fatalf("userinfo: %+v %v", info, err)
	}
	if tok.RefreshToken == "" {
		t.Fatal("offline_access gave no refresh token")
	}

	// Rotation: a refresh gives a new refresh token.
	refresh := func(rt string) (*oauth2.Token, error) {
		return r.conf.TokenSource(context.Background(), &oauth2.Token{RefreshToken: rt, Expiry: time.Now().Add(-time.Hour)}).Token()
	}
	tok2, err := refresh(tok.RefreshToken)
	if err != nil || tok2.RefreshToken == "" || tok2.RefreshToken == tok.RefreshToken {
		t.Fatalf("refresh: %v (rotated: %v)", err, tok2 != nil && tok2.RefreshToken != tok.RefreshToken)
	}
	// Reuse of the first one: refused, and the family is revoked, so the
	// second one (held by the legitimate client, or by a thief) fails too.
	if _, err := refresh(tok.RefreshToken); err == nil || !strings.Contains(err.Error(), "invalid_grant") {
		t.Fatalf("a reused refresh token: %v, want invalid_grant", err)
	}
	if _, err := refresh(tok2.RefreshToken); err == nil {
		t.Fatal("the family's newer refresh token still works after a reuse")
	}
	if _, err := r.provider.UserInfo(context.Background(), oauth2.StaticTokenSource(tok2)); err == nil {
		t.Fatal("the family's access token still works after a reuse")
	}
}

// A second client signs the same customer in without a new sign-in: the
// Frontdesk session is the single sign-on session; auth_time and sid are
// the same.
func TestOIDCSingleSignOnSecondClient(t *testing.T) {
	fd := Start(t, fastHashing)
	fd.registerAPI(t, "an@example.com")
	token := fd.signInAPI(t, "an@example.com", apiPassword)
	r1, r2 := startRP(t), startRP(t)
	r1.connect(fd, fd.addOIDCClient(t, "--name", "Web", "--redirect-uri", r1.URL+"/cb", "--first-party"))
	r2.connect(fd, fd.addOIDCClient(t, "--name", "Cards", "--redirect-uri", r2.URL+"/cb", "--first-party"))
	var sids []string
	var times []int64
	for _, r := range []*rp{r1, r2} {
		q, stopped, v := r.authorize(browserAs(t, fd, token, r.URL+"/cb"))
		if q == nil {
			t.Fatalf("stopped at %s: SSO should not ask again", stopped)
		}
		_, id, err := r.exchange(q.Get("code"), v)
		if err != nil {
			t.Fatal(err)
		}
		var cl idClaims
		id.Claims(&cl)
		sids, times = append(sids, cl.SID), append(times, cl.AuthTime)
	}
	if sids[0] != sids[1] || times[0] != times[1] {
		t.Fatalf("sid %v auth_time %v: one session for both clients", sids, times)
	}

}
