package e2e

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"golang.org/x/oauth2"
)

// clientKey is a private_key_jwt client's key pair: the public half as
// registered, the private half as the client keeps it.
type clientKey struct {
	priv   *ecdsa.PrivateKey
	kid    string
	public string // the JWK set to register
}

func newClientKey(t *testing.T, kid string) clientKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &k.PublicKey, KeyID: kid, Use: "sig", Algorithm: "ES256"}}})
	return clientKey{priv: k, kid: kid, public: string(b)}
}

// assertion signs a client assertion (RFC 7523) with go-jose, as a client
// library would.
func (k clientKey) assertion(t *testing.T, clientID, aud, jti string) string {
	t.Helper()
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: k.priv}, (&jose.SignerOptions{}).WithHeader("kid", k.kid).WithType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	s, err := jwt.Signed(sig).Claims(jwt.Claims{Issuer: clientID, Subject: clientID, Audience: jwt.Audience{aud}, ID: jti,
		IssuedAt: jwt.NewNumericDate(now), Expiry: jwt.NewNumericDate(now.Add(time.Minute))}).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// registerKeyClient registers a private_key_jwt client in the console, as
// an administrator would, and returns its id.
func (i *Instance) registerKeyClient(t *testing.T, admin, name, redirect, jwks string) string {
	t.Helper()
	form := url.Values{"name": {name}, "kind": {"confidential"}, "auth_method": {"private_key_jwt"}, "jwks": {jwks}, "first_party": {"on"},
		"redirect_uris": {redirect}, "scope": {"openid", "email", "offline_access"}, "access_token_type": {"jwt"},
		"access_ttl": {"10"}, "id_token_ttl": {"10"}, "refresh_ttl": {"30"}}
	status, body := i.consoleRequest(t, "POST", "/console/oidc-clients", admin, form)
	id := clientIDOnPage.FindSubmatch(body)
	if status != http.StatusCreated || id == nil {
		t.Fatalf("register a private_key_jwt client: %d", status)
	}
	if secretOnPage.Match(body) {
		t.Fatal("a private_key_jwt client was given a secret")
	}
	return string(id[1])
}

var hiddenField = regexp.MustCompile(`<input type="hidden" name="([a-z_]+)" value="([^"]*)">`)

// A private_key_jwt client, with openid-client (Node.js) as the relying
// party: it receives the code by response_mode=form_post, redeems it with
// a signed client assertion, introspects and revokes with assertions too
// (RFC 7523; ASVS 10.4.x client authentication). A replayed assertion (the
// same jti) is refused; a secret or another key's assertion is refused.
func TestOIDCPrivateKeyJWTOpenIDClient(t *testing.T) {
	if _, err := os.Stat("openid-client/node_modules/openid-client"); err != nil {
		t.Fatalf("openid-client is not installed (run 'make deps-test'): %v", err)
	}
	fd := Start(t, fastHashing)
	fd.createStaff(t, "admin@acme.example", "administrator")
	admin := fd.signInAPI(t, "admin@acme.example", apiPassword)
	fd.enrolTOTPAPI(t, admin)
	email := "kim@example.com"
	fd.registerAPI(t, email)
	customer := fd.signInAPI(t, email, apiPassword)
	r := startRP(t)
	key := newClientKey(t, "k-2026")
	id := fd.registerKeyClient(t, admin, "Acme Server", r.URL+"/cb", key.public)

	got := openIDClientPKJWT(t, fd, customer, r.URL+"/cb", id, key)
	if got.Claims.Email != email || !got.Active || got.AfterRevoke != "invalid_grant" {
		t.Fatalf("openid-client saw claims %+v, introspection active %v, refresh after revocation %q", got.Claims, got.Active, got.AfterRevoke)
	}

	// Replay: an assertion is accepted once (RFC 7523 §3 jti).
	introspect := func(form url.Values) int {
		t.Helper()
		res, err := http.PostForm(fd.URL+"/oauth/introspect", form)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	a := key.assertion(t, id, fd.URL, "jti-once")
	form := url.Values{"token": {"whatever"}, "client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}, "client_assertion": {a}}
	if status := introspect(form); status != http.StatusOK {
		t.Fatalf("a fresh assertion at introspection: %d", status)
	}
	if status := introspect(form); status != http.StatusUnauthorized {
		t.Fatalf("the same assertion again: %d, want 401", status)
	}
	// Another key, a wrong audience, no jti: refused.
	other := newClientKey(t, "k-2026")
	for name, bad := range map[string]string{
		"another key":    other.assertion(t, id, fd.URL, "jti-2"),
		"wrong audience": key.assertion(t, id, "https://elsewhere.example", "jti-3"),
		"no jti":         key.assertion(t, id, fd.URL, ""),
	} {
		form.Set("client_assertion", bad)
		if status := introspect(form); status != http.StatusUnauthorized {
			t.Errorf("%s: %d, want 401", name, status)
		}
	}
	// A secret never authenticates a private_key_jwt client.
	if status := introspect(url.Values{"token": {"x"}, "client_id": {id}, "client_secret": {"guess"}}); status != http.StatusUnauthorized {
		t.Fatalf("a secret for a private_key_jwt client: %d", status)
	}
}

// pkjwtResult is what openid-client saw: the ID token's claims, whether
// introspection found the access token active, and how a refresh after
// revocation failed.
type pkjwtResult struct {
	Claims      idClaims
	Active      bool
	AfterRevoke string
}

// openIDClientPKJWT runs openid-client (e2e/openid-client/pkjwt.mjs) as a
// private_key_jwt client signing with key: the customer's browser gets the
// code by form_post, and openid-client redeems, introspects and revokes
// with signed assertions.
func openIDClientPKJWT(t *testing.T, fd *Instance, customer, redirect, id string, key clientKey) pkjwtResult {
	t.Helper()
	privJWK, _ := json.Marshal(jose.JSONWebKey{Key: key.priv, KeyID: key.kid, Algorithm: "ES256"})
	cmd := exec.Command("node", "openid-client/pkjwt.mjs", fd.URL, id, redirect, string(privJWK))
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("node: %v", err)
	}
	defer cmd.Wait()
	lines := bufio.NewScanner(stdout)
	read := func(v any) {
		t.Helper()
		if !lines.Scan() {
			stdin.Close()
			cmd.Wait()
			t.Fatalf("openid-client stopped: %s", stderr.String())
		}
		if err := json.Unmarshal(lines.Bytes(), v); err != nil {
			t.Fatalf("openid-client printed %q: %v", lines.Text(), err)
		}
	}
	var first struct {
		Authorize string
		Modes     []string
		Methods   []string
	}
	read(&first)
	if !slices.Contains(first.Modes, "form_post") || !slices.Contains(first.Methods, "private_key_jwt") {
		t.Fatalf("discovery: response modes %v, auth methods %v", first.Modes, first.Methods)
	}
	// The browser (signed in, first-party app): the form_post page.
	resp, err := browserAs(t, fd, customer, redirect).Get(first.Authorize)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), `action="`+redirect+`"`) {
		t.Fatalf("authorize ended at %d %s", resp.StatusCode, resp.Request.URL)
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "form-action 'self' "+strings.TrimSuffix(redirect, "/cb")) {
		t.Fatalf("the form_post page's CSP does not let its form reach the client: %s", csp)
	}
	posted := url.Values{}
	for _, m := range hiddenField.FindAllStringSubmatch(string(page), -1) {
		posted.Set(m[1], htmlUnescape(m[2]))
	}
	if posted.Get("code") == "" || posted.Get("iss") != fd.URL {
		t.Fatalf("posted fields %v", posted)
	}
	io.WriteString(stdin, posted.Encode()+"\n")
	var got pkjwtResult
	read(&got)
	stdin.Close()
	return got
}

func htmlUnescape(s string) string {
	return strings.NewReplacer("&amp;", "&", "&#43;", "+", "&#34;", `"`, "&#39;", "'", "&lt;", "<", "&gt;", ">").Replace(s)
}

// response_mode=form_post in Chromium: the page posts the code to the
// client's redirect URI by itself (its CSP allows that one origin), and
// the code redeems with go-oidc and x/oauth2 as usual.
func TestOIDCFormPostInBrowser(t *testing.T) {
	fd := Start(t, fastHashing)
	email := "hoa@example.com"
	fd.registerAPI(t, email)
	token := fd.signInAPI(t, email, apiPassword)
	posted := make(chan url.Values, 1)
	r := startRP(t)
	cb := newFormSink(t, posted)
	c := fd.addOIDCClient(t, "--name", "Acme Post", "--redirect-uri", cb+"/cb", "--first-party")
	r.connect(fd, c)
	r.conf.RedirectURL = cb + "/cb"
	verifier := oauth2.GenerateVerifier()
	start := r.conf.AuthCodeURL("st-post", oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("response_mode", "form_post"),
		oauth2.SetAuthURLParam("nonce", "n-post"))
	ctx := fd.staffBrowser(t, token)
	if err := chromedp.Do(ctx, chromedp.Navigate(start), chromedp.WaitVisible(css("#posted"))); err != nil {
		t.Fatal(err)
	}
	var got url.Values
	select {
	case got = <-posted:
	case <-time.After(time.Minute):
		t.Fatal("nothing was posted to the redirect URI")
	}
	if got.Get("state") != "st-post" || got.Get("code") == "" || got.Get("iss") != fd.URL {
		t.Fatalf("posted %v", got)
	}
	if _, _, err := r.exchange(got.Get("code"), verifier); err != nil {
		t.Fatalf("the posted code: %v", err)
	}
}

// newFormSink serves POST /cb, handing over the posted form and answering
// a page with #posted.
func newFormSink(t *testing.T, posted chan<- url.Values) string {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /cb", func(w http.ResponseWriter, req *http.Request) {
		req.ParseForm()
		select {
		case posted <- req.PostForm:
		default:
		}
		io.WriteString(w, `<!doctype html><title>RP</title><p id="posted">posted</p>`)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL
}
