package oidc

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/frontdesk/frontdesk/internal/audit/audittest"
	"github.com/frontdesk/frontdesk/internal/db/dbtest"
	"github.com/frontdesk/frontdesk/internal/fault"
)

// jwksServer publishes a JWK set that the test changes, and counts the
// requests it gets.
type jwksServer struct {
	*httptest.Server
	mu     sync.Mutex
	body   string
	status int
	hits   int
}

func newJWKSServer(t *testing.T, body string) *jwksServer {
	s := &jwksServer{body: body, status: http.StatusOK}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.hits++
		if r.URL.Path == "/moved" {
			http.Redirect(w, r, "/jwks", http.StatusFound)
			return
		}
		w.Header().Set("Content-Type", "application/jwk-set+json")
		w.WriteHeader(s.status)
		w.Write([]byte(s.body))
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *jwksServer) set(body string, status int) {
	s.mu.Lock()
	s.body, s.status = body, status
	s.mu.Unlock()
}

func (s *jwksServer) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits
}

func newServiceWith(t *testing.T, clock *dbtest.Clock, o Options) *Service {
	t.Helper()
	d := dbtest.OpenWith(t, dbtest.Options{Clock: clock.Now})
	kit := audittest.New(t, d, 0)
	o.DB, o.Keys, o.Audit, o.Issuer, o.KeyRotation = d, kit.Keys, kit.Log, "https://id.bank.example/", 24*time.Hour
	return New(o)
}

// The addresses a jwks_uri may reach: the internet only; loopback only
// with the test setting (ASVS 1.3.6 server-side request forgery).
func TestJWKSURIAddresses(t *testing.T) {
	strict := &remoteKeys{}
	for _, c := range []struct {
		ip string
		ok bool
	}{
		{"8.8.8.8", true}, {"2606:4700:4700::1111", true},
		{"127.0.0.1", false}, {"::1", false}, {"10.1.2.3", false}, {"172.16.0.1", false}, {"192.168.1.1", false},
		{"169.254.169.254", false}, {"100.64.0.1", false}, {"0.0.0.0", false}, {"0.1.2.3", false}, {"fc00::1", false},
		{"fe80::1", false}, {"224.0.0.1", false}, {"::ffff:10.0.0.1", false}, {"::ffff:127.0.0.1", false}, {"::", false},
	} {
		if got := strict.allowedAddr(netip.MustParseAddr(c.ip)); got != c.ok {
			t.Errorf("allowedAddr(%s) = %v, want %v", c.ip, got, c.ok)
		}
	}
	if !(&remoteKeys{allowLoopback: true}).allowedAddr(netip.MustParseAddr("127.0.0.1")) {
		t.Error("the loopback test setting does not allow 127.0.0.1")
	}
	for _, c := range []struct {
		uri           string
		allowLoopback bool
		ok            bool
	}{
		{"https://app.bank.example/jwks.json", false, true},
		{"http://app.bank.example/jwks.json", false, false},
		{"https://user:pw@app.bank.example/jwks.json", false, false},
		{"https://app.bank.example/jwks.json#k", false, false},
		{"https://10.0.0.5/jwks.json", false, false},
		{"https://169.254.169.254/latest/meta-data", false, false},
		{"https://127.0.0.1/jwks.json", false, false},
		{"https://localhost/jwks.json", false, false},
		{"http://127.0.0.1:8080/jwks.json", false, false},
		{"http://127.0.0.1:8080/jwks.json", true, true},
		{"http://localhost:8080/jwks.json", true, true},
		{"http://10.0.0.5/jwks.json", true, false},
		{"file:///etc/passwd", true, false},
		{"/jwks.json", false, false},
	} {
		if err := checkJWKSURI(c.uri, c.allowLoopback); (err == nil) != c.ok {
			t.Errorf("checkJWKSURI(%q, loopback=%v) = %v, want ok=%v", c.uri, c.allowLoopback, err, c.ok)
		}
	}
}

// The dialler checks the address a connection really reaches, after DNS:
// a loopback server is refused without the test setting even when the
// registration check is bypassed, and it receives no request.
func TestJWKSURIDialRefusesInsideAddresses(t *testing.T) {
	srv := newJWKSServer(t, publicJWKS(t, "k1"))
	tls := httptest.NewTLSServer(srv.Config.Handler)
	t.Cleanup(tls.Close)
	rk := newRemoteKeys(false, time.Minute, time.Now)
	for _, u := range []string{srv.URL + "/jwks", tls.URL + "/jwks", strings.Replace(tls.URL, "127.0.0.1", "localhost", 1) + "/jwks"} {
		resp, err := rk.client.Get(u)
		if err == nil {
			resp.Body.Close()
			t.Fatalf("GET %s reached the server", u)
		}
		if !errors.Is(err, errJWKSAddress) {
			t.Errorf("GET %s: %v, want the address refused", u, err)
		}
		if _, err := rk.fetch(context.Background(), u); !errors.Is(err, errJWKSAddress) {
			t.Errorf("fetch %s: %v, want the address refused", u, err)
		}
	}
	if n := srv.count(); n != 0 {
		t.Fatalf("the server got %d requests", n)
	}
}

// A private_key_jwt client registered with a jwks_uri: its set is fetched
// once and cached; an assertion naming an unknown kid fetches it again,
// at most once a minute; a failed fetch keeps the last good set; an old
// set is fetched again; redirects, oversize bodies and private keys are
// refused (ASVS 1.3.6, 10.4.x client authentication).
func TestJWKSURIFetchCacheAndRefresh(t *testing.T) {
	clock := dbtest.NewClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	s := newServiceWith(t, clock, Options{JWKSAllowLoopback: true})
	ctx := context.Background()
	k1 := publicJWKS(t, "k1")
	srv := newJWKSServer(t, k1)
	// Registration: one of jwks and jwks_uri, an allowed address.
	for _, bad := range []ClientInput{
		{Name: "Svc", RedirectURIs: []string{"https://a.example/cb"}, AuthMethod: AuthPrivateKey, JWKSURI: srv.URL + "/jwks", JWKS: k1},
		{Name: "Svc", RedirectURIs: []string{"https://a.example/cb"}, AuthMethod: AuthPrivateKey, JWKSURI: "http://10.0.0.1/jwks"},
		{Name: "Svc", RedirectURIs: []string{"https://a.example/cb"}, AuthMethod: AuthPrivateKey, JWKSURI: "https://a.example/jwks#x"},
	} {
		var inv *fault.Invalid
		if _, _, err := s.AddClient(ctx, bad); !errors.As(err, &inv) || inv.Field != "jwks_uri" {
			t.Errorf("AddClient(%+v) = %v, want the jwks_uri field refused", bad, err)
		}
	}
	c, secret, err := s.AddClient(ctx, ClientInput{Name: "Svc", RedirectURIs: []string{"https://a.example/cb"}, AuthMethod: AuthPrivateKey,
		JWKSURI: " " + srv.URL + "/jwks "})
	if err != nil || secret != "" || c.JWKSURI != srv.URL+"/jwks" {
		t.Fatalf("add with jwks_uri: %v (secret %v, uri %q)", err, secret != "", c.JWKSURI)
	}
	if n := srv.count(); n != 0 {
		t.Fatalf("registration fetched the set (%d requests)", n)
	}
	st := storage{s}
	key := func(kid string) error {
		t.Helper()
		k, err := st.GetKeyByIDAndClientID(ctx, kid, c.ID)
		if err == nil && (k == nil || k.KeyID != kid) {
			t.Fatalf("kid %q: got %+v", kid, k)
		}
		return err
	}
	if err := key("k1"); err != nil || srv.count() != 1 {
		t.Fatalf("first look-up: %v, %d fetches", err, srv.count())
	}
	if err := key("k1"); err != nil || srv.count() != 1 {
		t.Fatalf("cached look-up: %v, %d fetches", err, srv.count())
	}
	// The client rotates: a new kid fetches the set again (a minute after
	// the last fetch).
	clock.Add(61 * time.Second)
	srv.set(publicJWKS(t, "k2"), http.StatusOK)
	if err := key("k2"); err != nil || srv.count() != 2 {
		t.Fatalf("a new kid: %v, %d fetches", err, srv.count())
	}
	// Made-up kids: no new fetch within the minute.
	for _, kid := range []string{"k3", "k4", "k5"} {
		if err := key(kid); err == nil {
			t.Fatalf("unknown kid %s accepted", kid)
		}
	}
	if n := srv.count(); n != 2 {
		t.Fatalf("unknown kids made %d fetches, want none within the minute", n-2)
	}
	clock.Add(61 * time.Second)
	srv.set(publicJWKS(t, "k3"), http.StatusOK)
	if err := key("k3"); err != nil || srv.count() != 3 {
		t.Fatalf("a new kid a minute later: %v, %d fetches", err, srv.count())
	}
	// A failing address keeps the last good set.
	clock.Add(61 * time.Second)
	srv.set("oops", http.StatusInternalServerError)
	if err := key("k9"); err == nil {
		t.Fatal("unknown kid accepted while the address fails")
	}
	if err := key("k3"); err != nil {
		t.Fatalf("the last good set was dropped after a failed fetch: %v", err)
	}
	// An old set is fetched again; a body too large, a private key or a
	// redirect is refused (and the last good set kept).
	clock.Add(jwksMaxAge)
	srv.set(`{"keys":[`+strings.Repeat(" ", jwksMaxBytes)+`]}`, http.StatusOK)
	before := srv.count()
	if err := key("k3"); err != nil || srv.count() != before+1 {
		t.Fatalf("an hour later: %v, %d fetches", err, srv.count()-before)
	}
	rk := newRemoteKeys(true, time.Minute, clock.Now)
	for name, body := range map[string]string{"private key": privateJWKS(t), "too large": `{"keys":[` + strings.Repeat(" ", jwksMaxBytes) + `]}`, "not a set": `[]`} {
		srv.set(body, http.StatusOK)
		if _, err := rk.fetch(ctx, srv.URL+"/jwks"); !errors.Is(err, errJWKSFetch) {
			t.Errorf("%s: %v, want refused", name, err)
		}
	}
	srv.set(k1, http.StatusOK)
	if _, err := rk.fetch(ctx, srv.URL+"/moved"); err == nil {
		t.Error("a redirect was followed")
	}
	// A client without keys at its address gets invalid_client, and the
	// address is not asked again within the minute.
	c2, _, err := s.AddClient(ctx, ClientInput{Name: "Svc2", RedirectURIs: []string{"https://a.example/cb"}, AuthMethod: AuthPrivateKey,
		JWKSURI: srv.URL + "/gone"})
	if err != nil {
		t.Fatal(err)
	}
	srv.set("", http.StatusNotFound)
	before = srv.count()
	for range 3 {
		if _, err := st.GetKeyByIDAndClientID(ctx, "k1", c2.ID); err == nil {
			t.Fatal("a key from an address that answers 404")
		}
	}
	if n := srv.count() - before; n != 1 {
		t.Fatalf("a failing address was asked %d times within the minute", n)
	}
}

// privateJWKS is a JWK set with a private key: never to be accepted.
func privateJWKS(t *testing.T) string {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: k, KeyID: "p", Use: "sig", Algorithm: "ES256"}}})
	return string(b)
}

// The cache holds at most jwksMaxEntries addresses, dropping the least
// recently used.
func TestJWKSURICacheBound(t *testing.T) {
	clock := dbtest.NewClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	rk := newRemoteKeys(true, time.Minute, clock.Now)
	first := rk.entry("https://a.example/0")
	for i := range jwksMaxEntries + 5 {
		clock.Add(time.Second)
		rk.entry("https://a.example/" + strings.Repeat("x", i+1))
	}
	if len(rk.entries) != jwksMaxEntries {
		t.Fatalf("%d entries cached, bound %d", len(rk.entries), jwksMaxEntries)
	}
	if rk.entries["https://a.example/0"] == first {
		t.Fatal("the least recently used entry was kept")
	}
}
