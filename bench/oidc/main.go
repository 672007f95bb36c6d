// Command oidc measures the OpenID Connect provider: complete
// authorization-code flows per second (a signed-in customer's authorize →
// code → token → userinfo, with PKCE), refreshes per second, and
// introspection and JWKS requests per second, with the p99 of each step.
// Frontdesk runs in this process (app.Start) on SQLite, or on a fresh
// PostgreSQL database with -postgres; the load generator shares the CPUs,
// so every figure is printed beside references measured in the same run:
// GET /healthz on the same server (the HTTP floor) and RSA-2048 signatures
// per second (each flow signs an ID token and a JWT access token).
package main

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/oauth2"

	"github.com/frontdesk/frontdesk/bench/internal/benchkit"
	"github.com/frontdesk/frontdesk/internal/app"
)

func main() {
	pg := flag.String("postgres", "", "PostgreSQL server URL (a fresh database is made); empty for SQLite")
	dur := flag.Duration("duration", 5*time.Second, "length of each phase")
	workers := flag.Int("workers", 8, "concurrent clients")
	alg := flag.String("signing-alg", "RS256", "the provider's signing algorithm (FRONTDESK_OIDC_SIGNING_ALG): RS256 or ES256")
	flag.Parse()
	if err := run(*pg, *dur, *workers, *alg); err != nil {
		log.Fatal(err)
	}
}

func run(pgURL string, dur time.Duration, workers int, alg string) error {
	work, err := os.MkdirTemp("", "oidcbench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	vars := map[string]string{"FRONTDESK_ADDR": "127.0.0.1:0", "FRONTDESK_DATA_DIR": work, "FRONTDESK_ARGON2_MEMORY": "4MiB",
		"FRONTDESK_ARGON2_TIME": "1", "FRONTDESK_LOG_LEVEL": "error", "FRONTDESK_MIGRATE": "true",
		"FRONTDESK_OIDC_SIGNING_ALG": alg}
	dbName := "SQLite"
	if pgURL != "" {
		d, err := benchkit.CreateDatabase(pgURL, "oidcbench")
		if err != nil {
			return err
		}
		defer d.Drop()
		vars["FRONTDESK_DATABASE_URL"], dbName = d.URL, "PostgreSQL "+d.Version
	}
	env := app.Env{Getenv: func(k string) string { return vars[k] }, Stdout: io.Discard, Stderr: os.Stderr}
	cfg, err := app.ParseConfig(nil, env.Getenv)
	if err != nil {
		return err
	}
	inst, err := app.Start(context.Background(), cfg, env)
	if err != nil {
		return err
	}
	defer inst.Stop()
	base := inst.URL()
	vars["FRONTDESK_BASE_URL"] = base

	// A customer, signed in; a confidential first-party client.
	api := benchkit.NewClient(base, workers)
	email := "bench@example.com"
	var reg struct{ Registration string }
	if err := api.Call("POST", "/api/v1/registrations", map[string]string{"email": email, "password": "Plum orbit lantern velvet 7!"}, 202, &reg); err != nil {
		return err
	}
	codes, err := benchkit.WaitCodes(filepath.Join(work, "outbox"), []string{email}, 30*time.Second)
	if err != nil {
		return err
	}
	if err := api.Call("POST", "/api/v1/registrations/verify", map[string]string{"email": email, "code": codes[email], "registration": reg.Registration}, 200, nil); err != nil {
		return err
	}
	if err := api.SignIn(email, "Plum orbit lantern velvet 7!"); err != nil {
		return err
	}
	var out bytes.Buffer
	if code := app.Main(context.Background(), []string{"oidc", "client", "add", "--json", "--name", "Bench", "--first-party",
		"--redirect-uri", "https://rp.example/cb"}, app.Env{Getenv: env.Getenv, Stdout: &out, Stderr: os.Stderr}); code != 0 {
		return fmt.Errorf("oidc client add: exit %d", code)
	}
	cl := struct{ ClientID, ClientSecret string }{jsonField(out.Bytes(), "client_id"), jsonField(out.Bytes(), "client_secret")}
	conf := oauth2.Config{ClientID: cl.ClientID, ClientSecret: cl.ClientSecret, RedirectURL: "https://rp.example/cb",
		Endpoint: oauth2.Endpoint{AuthURL: base + "/oauth/authorize", TokenURL: base + "/oauth/token", AuthStyle: oauth2.AuthStyleInHeader},
		Scopes:   []string{"openid", "email", "offline_access"}}
	transport := &http.Transport{MaxIdleConnsPerHost: workers * 2}
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, &http.Client{Transport: transport})
	newBrowser := func() *http.Client {
		jar, _ := cookiejar.New(nil)
		u, _ := url.Parse(base)
		jar.SetCookies(u, []*http.Cookie{{Name: "__Host-fd_session", Value: api.Token, Path: "/"}})
		return &http.Client{Jar: jar, Transport: transport, CheckRedirect: func(r *http.Request, _ []*http.Request) error {
			if strings.HasPrefix(r.URL.String(), conf.RedirectURL) {
				return http.ErrUseLastResponse
			}
			return nil
		}}
	}

	fmt.Printf("machine: %s; load average %s; database %s; signing %s; %d workers, %s per phase; Frontdesk and the load generator share the CPUs\n",
		benchkit.Machine(), benchkit.LoadAvg(), dbName, alg, workers, dur)
	fmt.Printf("reference: %s; %s\n", rsaRate(dur/2), ecdsaRate(dur/2))
	plain := &http.Client{Transport: transport}
	phase("reference: GET /healthz", dur, workers, map[string]func() error{"healthz": func() error { return get(plain, base+"/healthz") }})

	var last atomic.Value
	flow := func(steps map[string]*stepTimes) error {
		b := newBrowser()
		v := oauth2.GenerateVerifier()
		t0 := time.Now()
		resp, err := b.Get(conf.AuthCodeURL("s", oauth2.S256ChallengeOption(v)))
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		loc, _ := url.Parse(resp.Header.Get("Location"))
		code := loc.Query().Get("code")
		if code == "" {
			return fmt.Errorf("authorize ended at %d %s", resp.StatusCode, resp.Request.URL)
		}
		t1 := time.Now()
		tok, err := conf.Exchange(ctx, code, oauth2.VerifierOption(v))
		if err != nil {
			return err
		}
		t2 := time.Now()
		req, _ := http.NewRequest("GET", base+"/oauth/userinfo", nil)
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		if err := do(plain, req); err != nil {
			return err
		}
		t3 := time.Now()
		steps["authorize"].add(t1.Sub(t0))
		steps["token"].add(t2.Sub(t1))
		steps["userinfo"].add(t3.Sub(t2))
		last.Store(tok)
		return nil
	}
	flowPhase("complete code flows (authorize → code → token → userinfo)", dur, workers, flow)

	// Refresh chains: each worker rotates its own family.
	var mu sync.Mutex
	refreshTokens := map[int]string{}
	for i := range workers {
		st := map[string]*stepTimes{"authorize": {}, "token": {}, "userinfo": {}}
		if err := flow(st); err != nil {
			return err
		}
		refreshTokens[i] = last.Load().(*oauth2.Token).RefreshToken
	}
	phaseIndexed("refreshes (rotation)", dur, workers, func(i int) error {
		mu.Lock()
		rt := refreshTokens[i]
		mu.Unlock()
		tok, err := conf.TokenSource(ctx, &oauth2.Token{RefreshToken: rt, Expiry: time.Now().Add(-time.Hour)}).Token()
		if err != nil {
			return err
		}
		mu.Lock()
		refreshTokens[i] = tok.RefreshToken
		mu.Unlock()
		return nil
	})
	at := last.Load().(*oauth2.Token).AccessToken
	phase("introspection (POST /oauth/introspect, JWT access token)", dur, workers, map[string]func() error{"introspect": func() error {
		req, _ := http.NewRequest("POST", base+"/oauth/introspect", strings.NewReader(url.Values{"token": {at}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(url.QueryEscape(conf.ClientID), url.QueryEscape(conf.ClientSecret))
		return do(plain, req)
	}})
	phase("JWKS (GET /oauth/keys)", dur, workers, map[string]func() error{"keys": func() error { return get(plain, base+"/oauth/keys") }})
	fmt.Printf("load average after: %s\n", benchkit.LoadAvg())
	return nil
}

func jsonField(b []byte, k string) string {
	var m map[string]any
	json.Unmarshal(b, &m)
	s, _ := m[k].(string)
	return s
}

func get(c *http.Client, u string) error {
	req, _ := http.NewRequest("GET", u, nil)
	return do(c, req)
}

func do(c *http.Client, req *http.Request) error {
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		return fmt.Errorf("%s %s: %d", req.Method, req.URL.Path, resp.StatusCode)
	}
	return nil
}

// stepTimes collects latencies of one step.
type stepTimes struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *stepTimes) add(d time.Duration) { s.mu.Lock(); s.d = append(s.d, d); s.mu.Unlock() }

func (s *stepTimes) p99() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.d) == 0 {
		return 0
	}
	slices.Sort(s.d)
	return s.d[len(s.d)*99/100]
}

// phase runs one operation from every worker for dur and prints the rate
// and the p99.
func phase(name string, dur time.Duration, workers int, ops map[string]func() error) {
	for k, op := range ops {
		st := &stepTimes{}
		n, errs := load(dur, workers, func(int) error {
			t := time.Now()
			err := op()
			st.add(time.Since(t))
			return err
		})
		fmt.Printf("%-60s %8.0f /s   p99 %-8s (%s; %d errors)\n", name, float64(n)/dur.Seconds(), st.p99().Round(10*time.Microsecond), k, errs)
	}
}

func phaseIndexed(name string, dur time.Duration, workers int, op func(i int) error) {
	st := &stepTimes{}
	n, errs := load(dur, workers, func(i int) error {
		t := time.Now()
		err := op(i)
		st.add(time.Since(t))
		return err
	})
	fmt.Printf("%-60s %8.0f /s   p99 %-8s (%d errors)\n", name, float64(n)/dur.Seconds(), st.p99().Round(10*time.Microsecond), errs)
}

func flowPhase(name string, dur time.Duration, workers int, flow func(map[string]*stepTimes) error) {
	steps := map[string]*stepTimes{"authorize": {}, "token": {}, "userinfo": {}}
	n, errs := load(dur, workers, func(int) error { return flow(steps) })
	fmt.Printf("%-60s %8.0f /s   p99 authorize %s, token %s, userinfo %s (%d errors)\n", name, float64(n)/dur.Seconds(),
		steps["authorize"].p99().Round(10*time.Microsecond), steps["token"].p99().Round(10*time.Microsecond),
		steps["userinfo"].p99().Round(10*time.Microsecond), errs)
}

// load runs op from workers goroutines until dur has passed and counts
// the successes and failures.
func load(dur time.Duration, workers int, op func(worker int) error) (ok, failed int64) {
	var okN, badN atomic.Int64
	var printed atomic.Bool
	end := time.Now().Add(dur)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(end) {
				if err := op(w); err != nil {
					badN.Add(1)
					if printed.CompareAndSwap(false, true) {
						fmt.Fprintln(os.Stderr, "first error:", err)
					}
					continue
				}
				okN.Add(1)
			}
		}()
	}
	wg.Wait()
	return okN.Load(), badN.Load()
}

// ecdsaRate measures ECDSA P-256 signatures per second on one core: the
// signing floor with FRONTDESK_OIDC_SIGNING_ALG=ES256.
func ecdsaRate(d time.Duration) string {
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	h := sha256.Sum256([]byte("x"))
	n, end := 0, time.Now().Add(d)
	for time.Now().Before(end) {
		ecdsa.SignASN1(rand.Reader, k, h[:])
		n++
	}
	return fmt.Sprintf("ECDSA P-256 signatures %.0f /s on one core", float64(n)/d.Seconds())
}

// rsaRate measures RSA-2048 PKCS#1 v1.5 signatures per second on one
// core: the signing floor of a flow (two signatures) or a refresh.
func rsaRate(d time.Duration) string {
	k, _ := rsa.GenerateKey(rand.Reader, 2048)
	h := sha256.Sum256([]byte("x"))
	n, end := 0, time.Now().Add(d)
	for time.Now().Before(end) {
		rsa.SignPKCS1v15(nil, k, crypto.SHA256, h[:])
		n++
	}
	return fmt.Sprintf("RSA-2048 signatures %.0f /s on one core", float64(n)/d.Seconds())
}
