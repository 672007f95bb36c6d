package oidc

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/internal/audit/audittest"
	"github.com/frontdesk/frontdesk/internal/db/dbtest"
	"github.com/frontdesk/frontdesk/internal/fault"
)

func newService(t *testing.T, clock *dbtest.Clock) *Service {
	t.Helper()
	d := dbtest.OpenWith(t, dbtest.Options{Clock: clock.Now})
	kit := audittest.New(t, d, 0)
	return New(Options{DB: d, Keys: kit.Keys, Audit: kit.Log, Issuer: "https://id.bank.example/", KeyRotation: 24 * time.Hour})
}

// Redirect URIs: https, http on loopback only, private-use schemes for
// apps only, never a fragment (ASVS 10.4.1 exact, registered URIs).
func TestCheckRedirect(t *testing.T) {
	for _, c := range []struct {
		uri    string
		public bool
		ok     bool
	}{
		{"https://app.bank.example/cb", false, true},
		{"http://127.0.0.1:8080/cb", false, true},
		{"http://localhost/cb", true, true},
		{"http://app.bank.example/cb", false, false},
		{"https://app.bank.example/cb#x", false, false},
		{"com.bank.app:/callback", true, true},
		{"com.bank.app:/callback", false, false},
		{"javascript:alert(1)", true, false},
		{"/relative", false, false},
		{"https:///nohost", false, false},
	} {
		if err := checkRedirect(c.uri, c.public); (err == nil) != c.ok {
			t.Errorf("checkRedirect(%q, public=%v) = %v, want ok=%v", c.uri, c.public, err, c.ok)
		}
	}
}

// amr follows RFC 8176 from what the session used.
func TestAMRValues(t *testing.T) {
	for _, c := range []struct {
		in, want []string
	}{
		{[]string{"pwd"}, []string{"pwd"}},
		{[]string{"pwd", "totp"}, []string{"pwd", "otp", "mfa"}},
		{[]string{"passkey"}, []string{"hwk", "user", "mfa"}},
		{[]string{"pwd", "sms"}, []string{"pwd", "sms", "otp", "mfa"}},
	} {
		if got := amrValues(c.in); !slices.Equal(got, c.want) {
			t.Errorf("amrValues(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}

// Bad input: a clear error naming the field, and nothing stored.
func TestAddClientRefusesBadInput(t *testing.T) {
	s := newService(t, dbtest.NewClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)))
	ctx := context.Background()
	for _, in := range []ClientInput{
		{Name: "", RedirectURIs: []string{"https://a.example/cb"}},
		{Name: "A", RedirectURIs: nil},
		{Name: "A", RedirectURIs: []string{"http://a.example/cb"}},
		{Name: "A", RedirectURIs: []string{"https://a.example/cb"}, Scopes: []string{"openid", "admin"}},
		{Name: "A", RedirectURIs: []string{"https://a.example/cb"}, AccessTTL: 48 * time.Hour},
		{Name: "A", RedirectURIs: []string{"https://a.example/cb"}, AccessTokenType: "magic"},
	} {
		if _, _, err := s.AddClient(ctx, in); !errors.Is(err, fault.ErrInvalid) {
			t.Errorf("AddClient(%+v) = %v, want ErrInvalid", in, err)
		}
	}
	if list, err := s.Clients(ctx); err != nil || len(list) != 0 {
		t.Fatalf("refused input stored %d clients (%v)", len(list), err)
	}
	c, secret, err := s.AddClient(ctx, ClientInput{Name: "Web", RedirectURIs: []string{"https://a.example/cb"}})
	if err != nil || secret == "" {
		t.Fatal(err)
	}
	// ASVS 6.4.1: only the hash is kept; the secret checks in constant time.
	stored, _ := s.Client(ctx, c.ID)
	if string(stored.secretHash) == secret || !stored.checkSecret(secret) || stored.checkSecret(secret+"x") {
		t.Fatal("client secret not stored as a hash, or checked wrongly")
	}
}

// Key rotation: a new key signs, the old one stays published until the
// tokens it signed have expired, then leaves the key set.
func TestKeyRotationKeepsOldKeyUntilTokensExpire(t *testing.T) {
	clock := dbtest.NewClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	s := newService(t, clock)
	ctx := context.Background()
	first, err := s.keySet(ctx)
	if err != nil || first.active == nil {
		t.Fatalf("first key: %v", err)
	}
	clock.Add(25 * time.Hour) // past the rotation period
	second, err := s.keySet(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if second.active.id == first.active.id || len(second.all) != 2 {
		t.Fatalf("after rotation: active %s, %d keys published", second.active.id, len(second.all))
	}
	clock.Add(keyOverlap + time.Minute)
	s.keyCache = nil
	third, err := s.keySet(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range third.all {
		if k.id == first.active.id {
			t.Fatal("the first key is still published after every token it signed has expired")
		}
	}
}
