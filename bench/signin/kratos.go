package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/bench/internal/benchkit"
	"github.com/frontdesk/frontdesk/internal/password"
)

// Ory Kratos beside Frontdesk (-kratos): the same load generator, the same
// accounts' passwords and the same phases against a Kratos binary built
// from a source checkout outside this repository (bench/kratos.sh builds
// one at a pinned release). Kratos runs on the same database kind as
// Frontdesk in this run: SQLite as its documentation configures it
// (sqlite:///…?_fk=true), or a fresh PostgreSQL database.

// kratosRun is one product's figures in the side-by-side table.
type kratosRun struct {
	label    string
	signins  []signinResult
	sessions []sessionResult
	lockout  lockoutResult
	enum     enumResult
	foot     footprint
	err      error // the run stopped early
}

// footprint is what a product costs before any load.
type footprint struct {
	startup time.Duration // from exec to ready
	idleRSS int64         // VmRSS one second after ready
	binary  int64         // size of the executable
}

// lockoutResult is 50 sign-ins with a wrong password on one account from
// one address, then one with the right password.
type lockoutResult struct {
	wrong   map[int]int // statuses of the wrong attempts
	firstNo int         // attempt (1-based) of the first answer other than the first one's, 0 if none
	right   int         // status of the right password afterwards
}

func (l lockoutResult) String() string {
	if l.wrong == nil {
		return "not measured"
	}
	s := "no throttling or lock"
	if l.firstNo > 0 {
		s = fmt.Sprintf("throttled from attempt %d", l.firstNo)
	}
	return fmt.Sprintf("%s (%s); right password then: %d", s, statusList(l.wrong), l.right)
}

// enumResult compares wrong-password sign-ins of an unknown and of a known
// e-mail address: the answers and their median times.
type enumResult struct {
	unknown, known               time.Duration
	unknownStatus, knownStatuses map[int]int
}

func (e enumResult) String() string {
	if e.unknownStatus == nil {
		return "not measured"
	}
	same := "same answer"
	if statusList(e.unknownStatus) != statusList(e.knownStatuses) {
		same = fmt.Sprintf("different answers (%s vs %s)", statusList(e.unknownStatus), statusList(e.knownStatuses))
	}
	return fmt.Sprintf("%s; median %s vs %s", same, ms(e.unknown), ms(e.known))
}

func statusList(m map[int]int) string {
	var parts []string
	for _, code := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%d×%d", m[code], code))
	}
	return strings.Join(parts, ", ")
}

// kratosProbe is the number of attempts of the lockout and enumeration probes.
const (
	lockoutAttempts = 50
	enumAttempts    = 15
)

// probeLockout signs acct in lockoutAttempts times with a wrong password
// from one address, then once with the right one.
func probeLockout(s signer, acct account, wrongStatus int) lockoutResult {
	res := lockoutResult{wrong: map[int]int{}}
	bad := acct
	bad.password = wrongPassword
	for i := 1; i <= lockoutAttempts; i++ {
		status, err := s.do(bad, "10.250.0.7")
		if err != nil {
			status = -1
		}
		res.wrong[status]++
		if status != wrongStatus && res.firstNo == 0 {
			res.firstNo = i
		}
	}
	res.right, _ = s.do(acct, "10.250.0.7")
	return res
}

// probeEnumeration times wrong-password sign-ins of unknown addresses and of
// known accounts (each from its own address, each account once, so that no
// throttling applies), interleaved.
func probeEnumeration(s signer, known []account) enumResult {
	res := enumResult{unknownStatus: map[int]int{}, knownStatuses: map[int]int{}}
	var tu, tk []time.Duration
	for i := range enumAttempts {
		k := known[i%len(known)]
		k.password = wrongPassword
		u := account{email: fmt.Sprintf("nobody-%d-%d@example.com", time.Now().UnixNano(), i), password: wrongPassword}
		for j, a := range []account{u, k} {
			t0 := time.Now()
			status, err := s.do(a, xffAddr(240, 2*i+j))
			d := time.Since(t0)
			if err != nil {
				status = -1
			}
			if j == 0 {
				tu, res.unknownStatus[status] = append(tu, d), res.unknownStatus[status]+1
			} else {
				tk, res.knownStatuses[status] = append(tk, d), res.knownStatuses[status]+1
			}
		}
	}
	res.unknown, res.known = median(tu), median(tk)
	return res
}

func median(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

// kratosConfig writes Kratos' configuration and identity schema into dir:
// e-mail and password, the given hasher (Argon2id with Frontdesk's
// parameters, or Kratos' default bcrypt), no breached-password look-up
// (this machine has no internet), logging at error level.
func kratosConfig(dir, dsn, hasher, public, admin string) (string, error) {
	schema := `{"$id":"https://example.com/person.schema.json","$schema":"http://json-schema.org/draft-07/schema#","type":"object",
"properties":{"traits":{"type":"object","properties":{"email":{"type":"string","format":"email",
"ory.sh/kratos":{"credentials":{"password":{"identifier":true}}}}},"required":["email"],"additionalProperties":false}}}`
	if err := os.WriteFile(filepath.Join(dir, "identity.schema.json"), []byte(schema), 0o644); err != nil {
		return "", err
	}
	p := password.DefaultParams
	hashers := "hashers:\n  algorithm: bcrypt\n"
	if hasher == "argon2" {
		hashers = fmt.Sprintf("hashers:\n  algorithm: argon2\n  argon2:\n    memory: %dKB\n    iterations: %d\n    parallelism: %d\n    salt_length: %d\n    key_length: %d\n    expected_duration: 1s\n    expected_deviation: 1s\n    dedicated_memory: 1GB\n",
			p.Memory, p.Time, p.Threads, p.SaltLen, p.KeyLen)
	}
	cfg := fmt.Sprintf(`version: v1.3.1
dsn: %q
serve:
  public:
    base_url: %s/
    host: 127.0.0.1
    port: %s
  admin:
    base_url: %s/
    host: 127.0.0.1
    port: %s
selfservice:
  default_browser_return_url: %s/
  methods:
    password:
      enabled: true
      config:
        haveibeenpwned_enabled: false
identity:
  default_schema_id: default
  schemas:
    - id: default
      url: file://%s
courier:
  smtp:
    connection_uri: smtp://127.0.0.1:1/
secrets:
  cookie: ["benchmark-cookie-secret-0123456789abcdef"]
  cipher: ["benchmark-cipher-secret-01234567"]
log:
  level: error
%s`, dsn, public, portOf(public), admin, portOf(admin), public, filepath.Join(dir, "identity.schema.json"), hashers)
	path := filepath.Join(dir, "kratos.yml")
	return path, os.WriteFile(path, []byte(cfg), 0o644)
}

func portOf(u string) string { return u[strings.LastIndex(u, ":")+1:] }

// kratosSide runs Kratos with hasher beside this run's Frontdesk figures.
func kratosSide(o options, work, hasher string, res *results) kratosRun {
	run := kratosRun{label: "Ory Kratos (" + hasher + ")"}
	dir := filepath.Join(work, "kratos-"+hasher)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		run.err = err
		return run
	}
	dsn := "sqlite://" + filepath.Join(dir, "kratos.sqlite") + "?_fk=true"
	if o.postgres != "" {
		pg, err := benchkit.CreateDatabase(o.postgres, "fd_kratos_bench")
		if err != nil {
			run.err = err
			return run
		}
		defer pg.Drop()
		dsn = pg.URL
	}
	pubAddr, err1 := freeAddr()
	admAddr, err2 := freeAddr()
	if err1 != nil || err2 != nil {
		run.err = fmt.Errorf("free ports: %v %v", err1, err2)
		return run
	}
	public, admin := "http://"+pubAddr, "http://"+admAddr
	cfg, err := kratosConfig(dir, dsn, hasher, public, admin)
	if err != nil {
		run.err = err
		return run
	}
	mig := exec.Command(o.kratos, "migrate", "sql", "-e", "--yes")
	mig.Env = append(os.Environ(), "DSN="+dsn)
	if out, err := mig.CombinedOutput(); err != nil {
		run.err = fmt.Errorf("kratos migrate: %w: %s", err, tail(out))
		return run
	}
	if fi, err := os.Stat(o.kratos); err == nil {
		run.foot.binary = fi.Size()
	}
	logFile := filepath.Join(dir, "kratos.log")
	t0 := time.Now()
	srv, err := startProcess(o.kratos, []string{"serve", "-c", cfg, "--dev", "--sqa-opt-out"}, nil, logFile, admin+"/health/ready")
	if err != nil {
		run.err = err
		return run
	}
	defer srv.stop()
	run.foot.startup = time.Since(t0)
	time.Sleep(time.Second)
	run.foot.idleRSS, _ = benchkit.ProcStatus(srv.pid, "VmRSS")
	logf("%s: pid %d, public %s, admin %s", run.label, srv.pid, public, admin)

	adm := newAPI(admin, 64, 60*time.Second)
	accts := make([]account, o.accounts+o.tokens)
	for i := range accts {
		accts[i] = account{email: fmt.Sprintf("kratos-%05d@example.com", i), password: goodPassword}
	}
	err = benchkit.Parallel(len(accts), 8, func(i int) error {
		body := map[string]any{"schema_id": "default", "traits": map[string]string{"email": accts[i].email},
			"credentials": map[string]any{"password": map[string]any{"config": map[string]string{"password": goodPassword}}}}
		status, b, err := adm.post("/admin/identities", body, "")
		if err == nil && status != http.StatusCreated {
			err = fmt.Errorf("create identity: %d: %s", status, b)
		}
		return err
	})
	if err != nil {
		run.err = srv.withLog(err)
		return run
	}
	sessionAccts, loadAccts := accts[:o.tokens], accts[o.tokens:]
	pub := newAPI(public, 256, 60*time.Second)
	sign := kratosSignIn(pub)
	for _, n := range o.clients {
		logf("%s: sign-in throughput, %d clients, %s", run.label, n, o.signinFor)
		var r signinResult
		r.cpu = res.withCPU(fmt.Sprintf("%s: sign-in, %d clients", run.label, n), srv.pid, func() { r = signinThroughput(sign, loadAccts, n, o.signinFor) })
		logf("%.1f sign-ins/s, statuses %v, errors %d", r.rate(), r.statuses, r.errors)
		run.signins = append(run.signins, r)
	}
	var tokens []string
	for _, a := range sessionAccts {
		t, err := kratosToken(pub, a)
		if err != nil {
			run.err = srv.withLog(err)
			return run
		}
		tokens = append(tokens, t)
	}
	check := func(token string) *http.Request {
		req, _ := http.NewRequest(http.MethodGet, public+"/sessions/whoami", nil)
		req.Header.Set("X-Session-Token", token)
		return req
	}
	for _, conns := range o.sessionConns {
		logf("%s: session checks, %d connections, %s", run.label, conns, o.sessionFor)
		sessionLoad(check, tokens, conns, time.Second, false)
		var s sessionResult
		s.cpu = res.withCPU(fmt.Sprintf("%s: session checks, %d conns", run.label, conns), srv.pid, func() { s = sessionLoad(check, tokens, conns, o.sessionFor, true) })
		run.sessions = append(run.sessions, s)
	}
	run.lockout = probeLockout(sign, loadAccts[0], http.StatusBadRequest)
	run.enum = probeEnumeration(sign, loadAccts[1:])
	if err := srv.stop(); err != nil {
		res.notes = append(res.notes, run.label+" stop: "+err.Error())
	}
	return run
}

// kratosSignIn is Kratos' sign-in for an API client: create a login flow,
// then submit the password method to its action; 200 with a session token
// is a success, 400 a refusal.
func kratosSignIn(a api) signer {
	return signer{ok: http.StatusOK, do: func(acct account, from string) (int, error) {
		status, _, err := kratosLogin(a, acct)
		return status, err
	}}
}

func kratosLogin(a api, acct account) (int, []byte, error) {
	resp, err := a.client.Get(a.base + "/self-service/login/api")
	if err != nil {
		return 0, nil, err
	}
	var flow struct {
		UI struct {
			Action string `json:"action"`
		} `json:"ui"`
	}
	err = json.NewDecoder(resp.Body).Decode(&flow)
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil || flow.UI.Action == "" {
		return 0, nil, fmt.Errorf("kratos login flow: status %d, %v", resp.StatusCode, err)
	}
	body, _ := json.Marshal(map[string]string{"method": "password", "identifier": acct.email, "password": acct.password})
	req, err := http.NewRequest(http.MethodPost, flow.UI.Action, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err = a.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

func kratosToken(a api, acct account) (string, error) {
	status, b, err := kratosLogin(a, acct)
	if err != nil {
		return "", err
	}
	var out struct {
		Token string `json:"session_token"`
	}
	if status != http.StatusOK || json.Unmarshal(b, &out) != nil || out.Token == "" {
		return "", fmt.Errorf("kratos sign-in of %s: status %d: %s", acct.email, status, tail(b))
	}
	return out.Token, nil
}

func tail(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 600 {
		s = "…" + s[len(s)-600:]
	}
	return s
}
