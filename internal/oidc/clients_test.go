package oidc

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/db/dbtest"
	"github.com/frontdesk/frontdesk/internal/fault"
)

// auditCount counts the audit entries of action.
func auditCount(t *testing.T, s *Service, action string) int {
	t.Helper()
	var n int
	if err := s.db.Read(context.Background(), func(tx *db.Tx) error {
		return tx.QueryRow(context.Background(), "SELECT COUNT(*) FROM audit_log WHERE action = ?", action).Scan(&n)
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

// publicJWKS returns a JWK set with one new P-256 public key.
func publicJWKS(t *testing.T, kid string) string {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &k.PublicKey, KeyID: kid, Use: "sig", Algorithm: "ES256"}}})
	return string(b)
}

// Editing a client: every field an administrator may change, a switch
// between secret and private_key_jwt authentication (a secret is issued
// once, or dropped), secret rotation, each audited; refused input changes
// nothing.
func TestUpdateClientAndRotateSecret(t *testing.T) {
	s := newService(t, dbtest.NewClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)))
	ctx := context.Background()
	c, secret, err := s.AddClient(ctx, ClientInput{Name: "Web", RedirectURIs: []string{"https://a.example/cb"}})
	if err != nil || c.AuthMethod != AuthSecretBasic {
		t.Fatalf("add: %v %q", err, c.AuthMethod)
	}
	in := ClientInput{Name: "Web 2", LogoURL: "https://a.example/logo.png", FirstParty: true, RedirectURIs: []string{"https://a.example/cb2", "http://127.0.0.1:9/cb"},
		Scopes: []string{"openid", "email"}, AccessTTL: 5 * time.Minute, RefreshTTL: 24 * time.Hour, IDTokenTTL: 2 * time.Minute, AuthMethod: AuthSecretPost}
	got, newSecret, err := s.UpdateClient(ctx, c.ID, in)
	if err != nil || newSecret != "" {
		t.Fatalf("update: %v (a client keeping its secret got a new one: %v)", err, newSecret != "")
	}
	stored, _ := s.Client(ctx, c.ID)
	if stored.Name != "Web 2" || !stored.FirstParty || len(stored.RedirectURIs) != 2 || stored.AccessTTL != 5*time.Minute ||
		stored.AuthMethod != AuthSecretPost || !stored.checkSecret(secret) || got.Name != "Web 2" {
		t.Fatalf("stored after update: %+v", stored)
	}
	// Refused: a fragment, a plain-http host, a private key, a public key
	// set that is not one; nothing changes.
	priv, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	privSet, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: priv, KeyID: "k"}}})
	for _, bad := range []ClientInput{
		{Name: "X", RedirectURIs: []string{"https://a.example/cb#frag"}},
		{Name: "X", RedirectURIs: []string{"http://a.example/cb"}},
		{Name: "X", RedirectURIs: []string{"https://a.example/cb"}, AuthMethod: AuthPrivateKey, JWKS: string(privSet)},
		{Name: "X", RedirectURIs: []string{"https://a.example/cb"}, AuthMethod: AuthPrivateKey, JWKS: `{"keys":[]}`},
		{Name: "X", RedirectURIs: []string{"https://a.example/cb"}, AuthMethod: "client_secret_jwt"},
		{Name: "X", RedirectURIs: []string{"https://a.example/cb"}, Public: true, AuthMethod: AuthSecretBasic},
		{Name: "X", RedirectURIs: []string{"https://a.example/cb"}, IDTokenTTL: time.Second},
	} {
		if _, _, err := s.UpdateClient(ctx, c.ID, bad); !errors.Is(err, fault.ErrInvalid) {
			t.Errorf("UpdateClient(%+v) = %v, want ErrInvalid", bad, err)
		}
	}
	if again, _ := s.Client(ctx, c.ID); again.Name != "Web 2" || auditCount(t, s, "oidc.client.update") != 1 {
		t.Fatalf("refused updates changed the client or the trail: %+v", again)
	}
	// To private_key_jwt: the secret is gone.
	if _, sec, err := s.UpdateClient(ctx, c.ID, ClientInput{Name: "Web 2", RedirectURIs: []string{"https://a.example/cb"},
		AuthMethod: AuthPrivateKey, JWKS: publicJWKS(t, "k1")}); err != nil || sec != "" {
		t.Fatalf("to private_key_jwt: %v", err)
	}
	stored, _ = s.Client(ctx, c.ID)
	if stored.checkSecret(secret) || stored.UsesSecret() || stored.JWKS == "" {
		t.Fatal("a private_key_jwt client still accepts its old secret")
	}
	if _, err := s.RotateSecret(ctx, c.ID); !errors.Is(err, ErrNoSecret) {
		t.Fatalf("rotating the secret of a private_key_jwt client: %v", err)
	}
	// Back to a secret: a new one, shown once.
	_, sec, err := s.UpdateClient(ctx, c.ID, ClientInput{Name: "Web 2", RedirectURIs: []string{"https://a.example/cb"}})
	if err != nil || sec == "" || sec == secret {
		t.Fatalf("back to a secret: %v (new secret %v)", err, sec != "")
	}
	rotated, err := s.RotateSecret(ctx, c.ID)
	if err != nil || rotated == sec {
		t.Fatal(err)
	}
	stored, _ = s.Client(ctx, c.ID)
	if stored.checkSecret(sec) || !stored.checkSecret(rotated) {
		t.Fatal("after rotation the old secret works or the new one does not")
	}
	if n := auditCount(t, s, "oidc.client.secret"); n != 1 {
		t.Fatalf("%d secret rotations audited", n)
	}
	// A public app: no secret, PKCE only; its custom scheme is accepted.
	pub, sec, err := s.AddClient(ctx, ClientInput{Name: "App", Public: true, RedirectURIs: []string{"com.bank.app:/cb"}})
	if err != nil || sec != "" || pub.AuthMethod != AuthNone {
		t.Fatalf("public client: %v secret %v method %q", err, sec != "", pub.AuthMethod)
	}
	if err := s.RemoveClient(ctx, pub.ID); err != nil || auditCount(t, s, "oidc.client.remove") != 1 {
		t.Fatalf("remove: %v", err)
	}
	if err := s.RemoveClient(ctx, pub.ID); !errors.Is(err, ErrClientNotFound) {
		t.Fatalf("removing twice: %v", err)
	}
}

// A client assertion's jti is spent once (RFC 7523 §3; ASVS 10.4.x
// replay of client credentials).
func TestSpendAssertionOnce(t *testing.T) {
	s := newService(t, dbtest.NewClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)))
	ctx := context.Background()
	c, _, err := s.AddClient(ctx, ClientInput{Name: "Svc", RedirectURIs: []string{"https://a.example/cb"}, AuthMethod: AuthPrivateKey, JWKS: publicJWKS(t, "")})
	if err != nil {
		t.Fatal(err)
	}
	exp := s.db.Now().Add(time.Minute)
	if ok, err := s.spendAssertion(ctx, c.ID, "j1", exp); !ok || err != nil {
		t.Fatalf("first use: %v %v", ok, err)
	}
	if ok, err := s.spendAssertion(ctx, c.ID, "j1", exp); ok || err != nil {
		t.Fatalf("second use accepted: %v %v", ok, err)
	}
	k, err := storage{s}.GetKeyByIDAndClientID(ctx, "", c.ID)
	if err != nil || k == nil {
		t.Fatalf("the only key of a set without kid: %v", err)
	}
}
