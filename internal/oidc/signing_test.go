package oidc

import (
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/frontdesk/frontdesk/internal/audit/audittest"
	"github.com/frontdesk/frontdesk/internal/db/dbtest"
)

// FRONTDESK_OIDC_SIGNING_ALG=ES256 (ASVS 11.6.1, 11.2.3: P-256 rather
// than RSA-2048): the next key is ECDSA P-256; the RSA
// key it replaces stays published; nodes with the same setting share the
// key; tokens signed with it verify against the JWKS; discovery lists
// ES256 first.
func TestES256SigningKeys(t *testing.T) {
	clock := dbtest.NewClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	d := dbtest.OpenWith(t, dbtest.Options{Clock: clock.Now})
	kit := audittest.New(t, d, 0)
	node := func(alg string) *Service {
		return New(Options{DB: d, Keys: kit.Keys, Audit: kit.Log, Issuer: "https://id.bank.example", KeyRotation: 24 * time.Hour, SigningAlg: alg})
	}
	ctx := context.Background()
	rs, err := node("").keySet(ctx)
	if err != nil || rs.active.alg != jose.RS256 {
		t.Fatalf("default: %v %v", err, rs.active.alg)
	}
	es := node("ES256")
	ks, err := es.keySet(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := ks.active.priv.(*ecdsa.PrivateKey); !ok || ks.active.alg != jose.ES256 || len(ks.all) != 2 {
		t.Fatalf("after the switch: %T %v, %d keys published", ks.active.priv, ks.active.alg, len(ks.all))
	}
	if got := ks.algs(); !slices.Equal(got, []jose.SignatureAlgorithm{jose.ES256, jose.RS256}) {
		t.Fatalf("algorithms %v", got)
	}
	if again, err := node("ES256").keySet(ctx); err != nil || again.active.id != ks.active.id {
		t.Fatalf("a second ES256 node made its own key: %v", err)
	}
	// The published set: public halves only, each with kid and alg.
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(ks.jwks, &set); err != nil || len(set.Keys) != 2 {
		t.Fatalf("jwks %s: %v", ks.jwks, err)
	}
	for _, k := range set.Keys {
		if !k.IsPublic() || k.KeyID == "" || k.Algorithm == "" {
			t.Fatalf("published key %+v", k)
		}
	}
	if strings.Contains(string(ks.jwks), `"d":`) {
		t.Fatal("a private part is published")
	}
	signer, err := op.SignerFromKey(ks.active)
	if err != nil {
		t.Fatal(err)
	}
	signed, err := signer.Sign([]byte(`{"sub":"x"}`))
	if err != nil {
		t.Fatal(err)
	}
	compact, err := signed.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	jws, err := jose.ParseSigned(compact, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		t.Fatal(err)
	}
	if jws.Signatures[0].Header.Algorithm != "ES256" || jws.Signatures[0].Header.KeyID != ks.active.id {
		t.Fatalf("signed with %+v", jws.Signatures[0].Header)
	}
	keys := set.Key(ks.active.id)
	if len(keys) != 1 {
		t.Fatal("the signing key is not in the JWKS")
	}
	if _, err := jws.Verify(keys[0].Key); err != nil {
		t.Fatalf("verify with the published key: %v", err)
	}
	// Discovery lists the signing key's algorithm first.
	p, err := es.Provider([32]byte{1})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	p.Discovery(rec, httptest.NewRequest("GET", DiscoveryPath, nil))
	var disc struct {
		Algs []string `json:"id_token_signing_alg_values_supported"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &disc); err != nil || len(disc.Algs) == 0 || disc.Algs[0] != "ES256" {
		t.Fatalf("discovery algorithms %v: %v", disc.Algs, err)
	}
}

// The JWKS is served from the node's copy with Cache-Control and an ETag;
// a client revalidating with If-None-Match gets 304 and no body; after a
// rotation the ETag changes.
func TestJWKSCacheHeaders(t *testing.T) {
	s := newService(t, dbtest.NewClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)))
	p, err := s.Provider([32]byte{1})
	if err != nil {
		t.Fatal(err)
	}
	get := func(inm string) *httptest.ResponseRecorder {
		r := httptest.NewRequest("GET", KeysPath, nil)
		if inm != "" {
			r.Header.Set("If-None-Match", inm)
		}
		rec := httptest.NewRecorder()
		p.Keys(rec, r)
		return rec
	}
	first := get("")
	etag := first.Header().Get("ETag")
	var set jose.JSONWebKeySet
	if first.Code != http.StatusOK || etag == "" || !strings.Contains(first.Header().Get("Cache-Control"), "max-age=") ||
		json.Unmarshal(first.Body.Bytes(), &set) != nil || len(set.Keys) != 1 {
		t.Fatalf("GET keys: %d etag %q cache %q body %s", first.Code, etag, first.Header().Get("Cache-Control"), first.Body)
	}
	if r := get(etag); r.Code != http.StatusNotModified || r.Body.Len() != 0 {
		t.Fatalf("revalidation: %d with %d bytes", r.Code, r.Body.Len())
	}
	if r := get(`"other", W/` + etag); r.Code != http.StatusNotModified {
		t.Fatalf("a list naming the ETag: %d", r.Code)
	}
	if r := get(`"other"`); r.Code != http.StatusOK || r.Body.Len() == 0 {
		t.Fatalf("another ETag: %d", r.Code)
	}
	if err := s.RotateKeys(context.Background()); err != nil {
		t.Fatal(err)
	}
	if r := get(etag); r.Code != http.StatusOK || r.Header().Get("ETag") == etag {
		t.Fatalf("after a rotation: %d, etag %q", r.Code, r.Header().Get("ETag"))
	}
}

// Single sign-on issues the code in the write that finishes the request:
// the code redeems to the request with who signed in and how; the request
// cannot be finished twice.
func TestIssueFinishesAndBindsCodeAtOnce(t *testing.T) {
	s := newService(t, dbtest.NewClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)))
	ctx := context.Background()
	c, _, err := s.AddClient(ctx, ClientInput{Name: "Web", RedirectURIs: []string{"https://a.example/cb"}})
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.Provider([32]byte{1})
	if err != nil {
		t.Fatal(err)
	}
	a, err := s.createAuthRequest(ctx, &zoidc.AuthRequest{ClientID: c.ID, RedirectURI: "https://a.example/cb", Scopes: []string{"openid"},
		ResponseType: zoidc.ResponseTypeCode, State: "st", Nonce: "n", CodeChallenge: strings.Repeat("a", 43),
		CodeChallengeMethod: zoidc.CodeChallengeMethodS256})
	if err != nil {
		t.Fatal(err)
	}
	au := Authentication{AccountID: "acct-1", SessionID: "sess-1", AuthTime: s.db.Now(), Methods: []string{"pwd", "totp"}, AAL: 2}
	back, fp, err := p.Issue(ctx, a, au)
	if err != nil || fp != nil {
		t.Fatalf("issue: %v", err)
	}
	u, err := url.Parse(back)
	if err != nil || !strings.HasPrefix(back, "https://a.example/cb?") || u.Query().Get("state") != "st" || u.Query().Get("code") == "" {
		t.Fatalf("redirect %q", back)
	}
	got, err := s.requestByCode(ctx, u.Query().Get("code"))
	if err != nil || !got.IsDone || got.AccountID != "acct-1" || got.SessionID != "sess-1" || got.ACR != ACRAAL2 ||
		!slices.Equal(got.AMR, []string{"pwd", "otp", "mfa"}) {
		t.Fatalf("the code's request: %+v %v", got, err)
	}
	if _, _, err := p.Issue(ctx, a, au); !errors.Is(err, ErrRequestNotFound) {
		t.Fatalf("a second issue: %v", err)
	}
	if err := s.Complete(ctx, a.ID, au); !errors.Is(err, ErrRequestNotFound) {
		t.Fatalf("completing an issued request: %v", err)
	}
}
