// Command assist measures the relay of remote assistance against the target
// of issue 8: 200 concurrent co-browsing sessions on one node, each
// customer's page sending 50 rrweb events a second, customer → agent p99 ≤
// 100 ms, with the server's CPU and memory per session.
//
// Frontdesk runs as a separate process (this binary started again with
// -serve, see bench/internal/benchkit), on a fresh data directory and, with
// -postgres, a fresh PostgreSQL database. Everything is set up as outside
// clients would, over HTTP: "frontdesk admin create" makes -agents
// supervisors, who sign in, enrol TOTP, join the desk and get an identity
// card; -sessions customers register, verify their address from the
// outbox, sign in and each write to support from the contact page; an
// agent invites each conversation to co-browse; the customer accepts view
// only; both sides take a join ticket and open their socket
// (/support/assist/ws, /console/assist/ws) as the pages do.
//
// Then the server collects garbage and its memory is read (VmRSS, Go heap,
// goroutine stacks, goroutines) with every socket open and idle; the
// difference from the reading before the sessions, divided by them, is the
// memory of one idle session. Each customer then sends a batch every
// -every (100 ms, as assist.js flushes) holding -rate × -every events of
// a synthetic portal page (internal/assist/assisttest: mouse moves,
// scrolls, clicks, masked typing, table mutations; a full snapshot first
// and whenever the agent's side asks for one), open loop: a batch's
// latency runs from the time it was due, not from when the writer got to
// it, so a stalled server is not hidden by a stalled sender. The agent's
// socket receives the batch (relayed through the bus, sealed under the
// customer's key and opened again); the latency is the difference. After
// -warmup, latencies are kept for -duration; a batch that has not arrived
// 5 s after the end is lost and sorts above every latency. CPU of the
// server, this load generator and PostgreSQL is read from /proc over the
// measured phase, and the server's memory again at its end.
//
// The load generator shares the machine with the server; the load average
// and each side's CPU are printed with the figures. The result is one
// Markdown table row on standard output; details go to standard error.
//
//	go build -o /tmp/assistbench ./bench/assist
//	/tmp/assistbench -sessions 200
//	/tmp/assistbench -sessions 200 -postgres 'postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable'
//	/tmp/assistbench -sessions 200 -recording   # every session also recorded
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/frontdesk/frontdesk/bench/internal/benchkit"
)

// options are the command-line settings of one run.
type options struct {
	sessions    int
	agents      int
	rate        float64
	every       time.Duration
	warmup      time.Duration
	duration    time.Duration
	postgres    string
	recording   bool
	cpuProfile  string
	heapProfile string
	serverLog   string
	logLevel    string
	settle      time.Duration
}

func main() {
	serveFlag := flag.Bool("serve", false, "internal: run the server in this process from the FRONTDESK_* variables")
	var o options
	flag.IntVar(&o.sessions, "sessions", 200, "concurrent co-browsing sessions")
	flag.IntVar(&o.agents, "agents", 10, "agents sharing the sessions")
	flag.Float64Var(&o.rate, "rate", 50, "rrweb events per second each customer's page sends")
	flag.DurationVar(&o.every, "every", 100*time.Millisecond, "how often a page sends its batch of events")
	flag.DurationVar(&o.warmup, "warmup", 10*time.Second, "sending before latencies are kept")
	flag.DurationVar(&o.duration, "duration", 60*time.Second, "sending while latencies are kept")
	flag.StringVar(&o.postgres, "postgres", "", "PostgreSQL server URL; a fresh database is created on it and dropped afterwards (default: embedded SQLite)")
	flag.BoolVar(&o.recording, "recording", false, "record every session (FRONTDESK_ASSIST_RECORDING=true)")
	flag.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the server during the measured phase to this file")
	flag.StringVar(&o.heapProfile, "heapprofile", "", "write a heap profile of the server at each memory reading to this name followed by .1 (before the sessions), .2 (idle sessions) and .3 (after the measured phase)")
	flag.StringVar(&o.serverLog, "serverlog", "", "keep the server's output (warnings and errors) in this file")
	flag.StringVar(&o.logLevel, "loglevel", "warn", "the server's log level (with -serverlog to keep it)")
	flag.DurationVar(&o.settle, "settle", 3*time.Second, "pause before each memory reading")
	flag.Parse()
	if *serveFlag {
		os.Exit(benchkit.Serve())
	}
	if o.sessions < 1 || o.agents < 1 || o.rate <= 0 || o.every <= 0 || o.duration <= 0 {
		fmt.Fprintln(os.Stderr, "assist: -sessions, -agents, -rate, -every and -duration must be positive")
		os.Exit(2)
	}
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "assist:", err)
		os.Exit(1)
	}
}

func logf(format string, args ...any) { benchkit.Logf(format, args...) }
