package main

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/frontdesk/frontdesk/bench/internal/benchkit"
)

// results holds every figure of one run, for the report.
type results struct {
	opts           options
	database       string
	product        string // the code measured
	started        time.Time
	rawBefore      rawResult
	rawAfter       rawResult
	rawXCrypto     rawResult // x/crypto's own IDKey, a fresh area per hash
	signins        []signinResult
	sessions       []sessionResult // one per -session-conns
	bare           []sessionResult // the bare handler, one per -session-conns
	tokens         []string        // of the session phase, reused by the profiled run
	loadAccts      []account       // of the sign-in phases, reused by the profiled run
	flood          floodResult
	profiled       *sessionResult
	profiledSignin *signinResult
	pprofSession   string
	pprofSignin    string
	cpu            []cpuUse    // per phase
	frontdesk      kratosRun   // Frontdesk's figures of the side-by-side table
	kratos         []kratosRun // with -kratos
	notes          []string
}

// run performs every phase on one database and prints the report.
func run(o options) error {
	res := &results{opts: o, started: time.Now(), database: "SQLite (embedded, modernc.org/sqlite, WAL)"}
	work, err := os.MkdirTemp("", "fd-signin-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)

	res.product = productVersion(o.server)
	bin := o.server
	if bin == "" {
		bin = filepath.Join(work, "frontdesk")
		logf("building ./cmd/frontdesk")
		if err := buildServer(bin); err != nil {
			return err
		}
	}
	dbURL := ""
	if o.postgres != "" {
		pg, err := benchkit.CreateDatabase(o.postgres, "fd_signin_bench")
		if err != nil {
			return err
		}
		defer pg.Drop()
		dbURL, res.database = pg.URL, "PostgreSQL "+pg.Version+" (127.0.0.1, pgx)"
	}

	logf("raw Argon2id rate, %s", o.rawFor)
	u := res.withCPU("raw Argon2id, before", 0, func() { res.rawBefore, err = measureRaw(o.rawFor) })
	res.rawBefore.cpu = u
	if err != nil {
		return err
	}
	logf("raw: %.1f hashes/s", res.rawBefore.rate())
	logf("raw Argon2id rate of x/crypto (a fresh work area each hash), %s", o.rawFor)
	u = res.withCPU("raw Argon2id, x/crypto", 0, func() { res.rawXCrypto, err = measureRawXCrypto(o.rawFor) })
	res.rawXCrypto.cpu = u
	if err != nil {
		return err
	}
	logf("raw x/crypto: %.1f hashes/s", res.rawXCrypto.rate())

	spec := serverSpec{bin: bin, dataDir: filepath.Join(work, "data"), dbURL: dbURL, logFile: filepath.Join(work, "server.log"), budget: o.budgetVar}
	if err := serverPhases(o, spec, res); err != nil {
		return err
	}
	if o.kratos != "" {
		for _, hasher := range []string{"argon2", "bcrypt"} {
			k := kratosSide(o, work, hasher, res)
			if k.err != nil {
				logf("%s: %v", k.label, k.err)
			}
			res.kratos = append(res.kratos, k)
		}
	}
	if o.profileFor > 0 {
		if err := profilePhase(o, spec, work, res); err != nil {
			return err
		}
	}

	logf("raw Argon2id rate again, %s", o.rawFor)
	u = res.withCPU("raw Argon2id, after", 0, func() { res.rawAfter, err = measureRaw(o.rawFor) })
	res.rawAfter.cpu = u
	if err != nil {
		return err
	}
	logf("raw: %.1f hashes/s", res.rawAfter.rate())

	report := res.markdown()
	fmt.Print(report)
	if o.out != "" {
		return os.WriteFile(o.out, []byte(report), 0o644)
	}
	return nil
}

// serverPhases starts the server binary and runs phases 2 to 5 against it.
func serverPhases(o options, spec serverSpec, res *results) error {
	t0 := time.Now()
	srv, err := startServer(spec)
	if err != nil {
		return err
	}
	defer srv.stop()
	res.frontdesk.label = "Frontdesk"
	res.frontdesk.foot.startup = time.Since(t0)
	time.Sleep(time.Second)
	res.frontdesk.foot.idleRSS, _ = benchkit.ProcStatus(srv.pid, "VmRSS")
	if fi, err := os.Stat(spec.bin); err == nil {
		res.frontdesk.foot.binary = fi.Size()
	}
	logf("server pid %d at %s", srv.pid, srv.url)

	cl := newAPI(srv.url, 256, 60*time.Second)
	logf("registering %d accounts", o.accounts+o.tokens)
	accts, err := createAccounts(cl, spec.dataDir, o.accounts+o.tokens)
	if err != nil {
		return srv.withLog(err)
	}
	// The session-check accounts sign in nowhere else, so that no later
	// sign-in evicts their sessions (each account keeps at most 10).
	sessionAccts, loadAccts := accts[:o.tokens], accts[o.tokens:]
	res.loadAccts = loadAccts

	for _, n := range o.clients {
		logf("sign-in throughput, %d clients, %s", n, o.signinFor)
		var r signinResult
		u := res.withCPU(fmt.Sprintf("sign-in, %d clients", n), srv.pid, func() { r = signinThroughput(frontdeskSignIn(cl), loadAccts, n, o.signinFor) })
		r.cpu = u
		logf("%.1f sign-ins/s, statuses %v, errors %d", r.rate(), r.statuses, r.errors)
		res.signins = append(res.signins, r)
	}

	if res.tokens, err = signInAll(cl, sessionAccts); err != nil {
		return srv.withLog(err)
	}
	body, err := sessionBody(srv.url, res.tokens[0])
	if err != nil {
		return srv.withLog(err)
	}
	for _, conns := range o.sessionConns {
		logf("session checks, %d connections, %s", conns, o.sessionFor)
		sessionLoad(frontdeskCheck(srv.url), res.tokens, conns, time.Second, false) // warm-up
		var s sessionResult
		s.cpu = res.withCPU(fmt.Sprintf("session checks, %d conns", conns), srv.pid, func() { s = sessionLoad(frontdeskCheck(srv.url), res.tokens, conns, o.sessionFor, true) })
		logf("session: %.0f req/s, p50 %s, p99 %s, bad %d, errors %d", s.rate(), s.p50, s.p99, s.bad, s.errors)
		res.sessions = append(res.sessions, s)
	}

	if o.kratos != "" {
		// Each probe uses accounts of its own: the lockout probe's is
		// throttled afterwards, and it would skew the flood.
		probe := newAPI(srv.url, 8, 60*time.Second)
		extra, err := createAccountsFrom(probe, spec.dataDir, o.accounts+o.tokens, 1+enumAttempts)
		if err != nil {
			return srv.withLog(err)
		}
		res.frontdesk.lockout = probeLockout(frontdeskSignIn(probe), extra[0], http.StatusUnauthorized)
		res.frontdesk.enum = probeEnumeration(frontdeskSignIn(probe), extra[1:])
	}

	logf("flood of %d sign-ins", o.flood)
	res.withCPU("flood", srv.pid, func() { res.flood = signinFlood(srv, loadAccts, o.flood) })
	logf("flood: %v, errors %d, hung %d, peak RSS %s", res.flood.statuses, res.flood.errors, res.flood.hung, mib(res.flood.peakRSS))
	if err := srv.stop(); err != nil {
		res.notes = append(res.notes, "server stop: "+err.Error())
	}
	return barePhases(o, spec, body, res)
}

// barePhases runs the session-check load against the bare handler, with
// the body the real server answered, after the real server has stopped.
func barePhases(o options, spec serverSpec, body []byte, res *results) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	file := filepath.Join(filepath.Dir(spec.dataDir), "session-body.json")
	if err := os.WriteFile(file, body, 0o600); err != nil {
		return err
	}
	spec.bin, spec.args = self, []string{"-bare-serve", file}
	srv, err := startServer(spec)
	if err != nil {
		return err
	}
	defer srv.stop()
	for _, conns := range o.sessionConns {
		logf("bare handler, %d connections, %s", conns, o.sessionFor)
		sessionLoad(frontdeskCheck(srv.url), res.tokens, conns, time.Second, false) // warm-up
		var s sessionResult
		s.cpu = res.withCPU(fmt.Sprintf("bare handler, %d conns", conns), srv.pid, func() { s = sessionLoad(frontdeskCheck(srv.url), res.tokens, conns, o.sessionFor, true) })
		logf("bare: %.0f req/s, p50 %s, p99 %s, bad %d, errors %d", s.rate(), s.p50, s.p99, s.bad, s.errors)
		res.bare = append(res.bare, s)
	}
	return srv.stop()
}

// withCPU runs f and records the cores the server (pid, or 0 for none),
// this process and everything else used meanwhile: other work on the
// machine skews the figures, and the report says how much there was.
func (r *results) withCPU(phase string, pid int, f func()) cpuUse {
	start := sampleCPU(pid)
	f()
	u := sampleCPU(pid).since(phase, start)
	logf("cores used: %s", u)
	r.cpu = append(r.cpu, u)
	return u
}
