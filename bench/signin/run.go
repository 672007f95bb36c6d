package main

import (
	"fmt"
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
	signins        []signinResult
	session        sessionResult
	tokens         []string  // of the session phase, reused by the profiled run
	loadAccts      []account // of the sign-in phases, reused by the profiled run
	flood          floodResult
	profiled       *sessionResult
	profiledSignin *signinResult
	pprofSession   string
	pprofSignin    string
	cpu            []cpuUse // per phase
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

	spec := serverSpec{bin: bin, dataDir: filepath.Join(work, "data"), dbURL: dbURL, logFile: filepath.Join(work, "server.log"), budget: o.budgetVar}
	if err := serverPhases(o, spec, res); err != nil {
		return err
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
	srv, err := startServer(spec)
	if err != nil {
		return err
	}
	defer srv.stop()
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
		u := res.withCPU(fmt.Sprintf("sign-in, %d clients", n), srv.pid, func() { r = signinThroughput(cl, loadAccts, n, o.signinFor) })
		r.cpu = u
		logf("%.1f sign-ins/s, statuses %v, errors %d", r.rate(), r.statuses, r.errors)
		res.signins = append(res.signins, r)
	}

	if res.tokens, err = signInAll(cl, sessionAccts); err != nil {
		return srv.withLog(err)
	}
	logf("session checks, %d connections, %s", o.sessionConns, o.sessionFor)
	sessionLoad(srv.url, res.tokens, o.sessionConns, time.Second, false) // warm-up
	u := res.withCPU("session checks", srv.pid, func() { res.session = sessionLoad(srv.url, res.tokens, o.sessionConns, o.sessionFor, true) })
	res.session.cpu = u
	logf("session: %.0f req/s, p50 %s, p99 %s, bad %d, errors %d", res.session.rate(), res.session.p50, res.session.p99, res.session.bad, res.session.errors)

	logf("flood of %d sign-ins", o.flood)
	res.withCPU("flood", srv.pid, func() { res.flood = signinFlood(srv, loadAccts, o.flood) })
	logf("flood: %v, errors %d, hung %d, peak RSS %s", res.flood.statuses, res.flood.errors, res.flood.hung, mib(res.flood.peakRSS))
	if err := srv.stop(); err != nil {
		res.notes = append(res.notes, "server stop: "+err.Error())
	}
	return nil
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
