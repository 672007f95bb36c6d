// Command signin measures sign-in and session checks end to end, against the
// real server binary on one database, in one run:
//
//  1. the machine's raw Argon2id rate: password.Hash with DefaultParams from
//     GOMAXPROCS goroutines, before the server phases and again after them;
//  2. the server started as a subprocess with a fresh data directory (and, with
//     -postgres, a fresh database), and -accounts accounts registered and
//     verified through the API, their codes read from the outbox;
//  3. successful sign-ins per second with each of -clients concurrent
//     keep-alive clients, as a share of the raw rate;
//  4. GET /api/v1/session with each of -session-conns keep-alive connections:
//     requests per second and exact percentiles of every latency, then the
//     same load against a bare net/http handler in a process of its own that
//     answers the same JSON from memory: the ceiling of this machine's HTTP
//     stack, against which the session check is reported as a share;
//  5. a flood of -flood sign-ins released at once, each from its own /24:
//     answers by status, hung or failed requests, and the server's peak RSS
//     against the hash memory budget plus 150 MiB;
//  6. with -kratos, Ory Kratos on the same kind of database, once with
//     Argon2id at Frontdesk's parameters and once with its default bcrypt:
//     the same sign-in and session phases, and for both products 50 wrong
//     passwords then the right one, unknown against known e-mail addresses,
//     start-up time, idle RSS and binary size, in a side-by-side table;
//  7. a second, shorter session measurement, then sign-in measurement with
//     the most clients, against an in-process copy of the server on the same
//     data (this binary, calling app.Start) with runtime/pprof around each
//     load, and the top of each CPU profile.
//
// Every phase also records, from /proc, the cores used by the server (and
// its kernel share and page faults), by this load generator, by PostgreSQL
// and by everything else: the machine is shared, and a phase during which
// other processes were busy should be run again. Phases after the first take
// place on the data the earlier ones left: sessions, throttle counters and
// the audit trail grow as they would in service.
//
// It prints a Markdown report. Run it from the module root, on an otherwise
// idle machine:
//
//	go build -o /tmp/signinbench ./bench/signin
//	/tmp/signinbench
//	/tmp/signinbench -postgres 'postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable'
//
// -server names a prebuilt frontdesk binary; without it the command builds
// ./cmd/frontdesk into a temporary directory first. -hash-memory-budget
// starts the server with another FRONTDESK_HASH_MEMORY_BUDGET, to see how
// the hash concurrency it allows changes throughput and memory.
package main

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// options are the command-line settings of one run.
type options struct {
	postgres     string
	server       string
	accounts     int
	tokens       int
	rawFor       time.Duration
	signinFor    time.Duration
	clients      []int
	sessionFor   time.Duration
	sessionConns []int
	flood        int
	profileFor   time.Duration
	profileOut   string
	out          string
	kratos       string // an Ory Kratos binary to measure beside Frontdesk, or ""
	budget       int64  // FRONTDESK_HASH_MEMORY_BUDGET the server runs with, bytes
	budgetVar    string // the value to pass, or "" for the server's default
}

func main() {
	harness := flag.String("harness-profile", "", "internal: serve in this process from FRONTDESK_* variables, writing CPU profiles into this directory between SIGUSR1 and SIGUSR2")
	bare := flag.String("bare-serve", "", "internal: serve the session answer in this file from memory with a bare net/http handler on FRONTDESK_ADDR")
	var o options
	var clients, sessionConns string
	flag.StringVar(&o.postgres, "postgres", "", "PostgreSQL server URL; a fresh database is created on it and dropped afterwards (default: embedded SQLite)")
	flag.StringVar(&o.server, "server", "", "frontdesk binary to start (default: go build ./cmd/frontdesk into a temporary directory)")
	flag.IntVar(&o.accounts, "accounts", 64, "accounts that sign in during the throughput and flood phases")
	flag.IntVar(&o.tokens, "tokens", 4, "further accounts whose sessions the session-check phase uses")
	flag.DurationVar(&o.rawFor, "raw", 10*time.Second, "duration of each raw Argon2id measurement")
	flag.DurationVar(&o.signinFor, "signin", 15*time.Second, "duration of each sign-in throughput phase")
	flag.StringVar(&clients, "clients", "2,8,32", "comma-separated concurrent sign-in clients, one phase each")
	flag.DurationVar(&o.sessionFor, "session", 15*time.Second, "duration of the session-check phase")
	flag.StringVar(&sessionConns, "session-conns", "8,32", "comma-separated concurrent keep-alive connections, one session-check phase each (and one each against the bare handler)")
	flag.IntVar(&o.flood, "flood", 1000, "sign-ins released at once in the flood phase")
	flag.DurationVar(&o.profileFor, "profile", 10*time.Second, "duration of each profiled in-process run (session checks, then sign-ins); 0 skips them")
	flag.StringVar(&o.profileOut, "profile-out", "", "keep the CPU profiles in this directory as profile-1.pprof (sessions) and profile-2.pprof (sign-ins)")
	flag.StringVar(&o.kratos, "kratos", "", "an Ory Kratos binary (bench/kratos.sh builds one) to measure beside Frontdesk in the same run, with Argon2id at Frontdesk's parameters and with its default bcrypt")
	flag.StringVar(&o.out, "out", "", "also write the Markdown report to this file")
	flag.StringVar(&o.budgetVar, "hash-memory-budget", "", "FRONTDESK_HASH_MEMORY_BUDGET for the server in MiB or GiB, e.g. 40MiB (default: the server's default, 256MiB)")
	flag.Parse()

	if *bare != "" {
		if err := serveBare(*bare); err != nil {
			fmt.Fprintln(os.Stderr, "bare handler:", err)
			os.Exit(1)
		}
		return
	}
	if *harness != "" {
		if err := serveHarness(*harness); err != nil {
			fmt.Fprintln(os.Stderr, "harness:", err)
			os.Exit(1)
		}
		return
	}
	var err error
	if o.clients, err = parseInts(clients); err != nil {
		fmt.Fprintln(os.Stderr, "signin: -clients:", err)
		os.Exit(2)
	}
	if o.sessionConns, err = parseInts(sessionConns); err != nil {
		fmt.Fprintln(os.Stderr, "signin: -session-conns:", err)
		os.Exit(2)
	}
	if o.accounts < 1 || o.tokens < 1 || o.flood < 1 {
		fmt.Fprintln(os.Stderr, "signin: -accounts, -tokens and -flood must be positive")
		os.Exit(2)
	}
	o.budget = 256 << 20 // the server's default FRONTDESK_HASH_MEMORY_BUDGET
	if o.budgetVar != "" {
		if o.budget, err = parseMiB(o.budgetVar); err != nil {
			fmt.Fprintln(os.Stderr, "signin: -hash-memory-budget:", err)
			os.Exit(2)
		}
	}
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "signin:", err)
		os.Exit(1)
	}
}

func parseInts(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%q is not a positive whole number", f)
		}
		out = append(out, n)
	}
	return out, nil
}

// parseMiB reads a size such as "40MiB" or "1GiB".
func parseMiB(s string) (int64, error) {
	for suffix, unit := range map[string]int64{"MiB": 1 << 20, "GiB": 1 << 30} {
		if n, ok := strings.CutSuffix(s, suffix); ok {
			v, err := strconv.ParseInt(n, 10, 64)
			if err == nil && v > 0 {
				return v * unit, nil
			}
		}
	}
	return 0, fmt.Errorf("%q is not a size in MiB or GiB", s)
}

// logf reports progress on standard error; the report goes to standard output.
func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}
