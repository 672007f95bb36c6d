// Command chat measures the live chat against the target of issue 6: 5,000
// concurrent chat connections on one node, message delivery p99 ≤ 50 ms end
// to end, and the memory an idle connection costs.
//
// Frontdesk runs as a separate process, so that its memory is its own: this
// binary starts itself again with -serve, which calls app.Main("serve") on a
// fresh data directory (and, with -postgres, a fresh PostgreSQL database)
// with fast Argon2 settings. Before that, "frontdesk admin create" makes a
// supervisor. Both processes raise RLIMIT_NOFILE to the hard limit.
//
// The supervisor signs in through the JSON API, enrols TOTP, makes itself
// an agent of the desk and opens the console's live socket, which receives
// every event of the desk: the desk is online. Then:
//
//  1. Memory per idle connection. The server runs a garbage collection
//     (SIGUSR1, handled by -serve) and its VmRSS, Go heap in use, goroutine
//     stacks and goroutines are read (/proc and /metrics); -conns visitors
//     connect to /chat/ws (hello, then welcome), -parallel at a time, each
//     from its own address in X-Forwarded-For as behind a proxy; after a
//     pause the server collects again and is read again. The difference
//     divided by the connections is the cost of one. Opening is timed.
//  2. Delivery latency with every connection open, in three phases paced at
//     -rate per second (open loop: each send on its own goroutine, so a
//     slow answer delays no later send): -senders visitors send their first
//     message, timed from just before the write until the agent's socket
//     receives the "conversation" event that carries it; the same visitors
//     send a second message, timed until the agent's "message" event (the
//     steady state); the agent answers each conversation with POST
//     /console/conversations/{id}/reply, timed from just before the request
//     until the visitor's socket receives the "msg" frame with that body.
//     Messages are matched by client id or body. One that has not arrived
//     10 s after it was sent is lost: it is counted, and it sorts above
//     every latency, so it shows in the percentiles it reaches.
//
// The load generator runs on the same machine and competes with the server
// (and PostgreSQL) for its cores; the load average at the start and the end
// is printed with the figures, and the CPU each side used during the
// latency phases on standard error. The result is one Markdown table row
// on standard output; details go to standard error.
//
//	go build -o /tmp/chatbench ./bench/chat
//	/tmp/chatbench -conns 5000
//	/tmp/chatbench -conns 5000 -postgres 'postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable'
//
// -cpuprofile FILE writes a CPU profile of the server covering the latency
// phases, and -heapprofile NAME heap profiles at each memory reading (read
// them with go tool pprof; -diff_base NAME.1 NAME.2 shows what the idle
// connections hold). -samples FILE keeps every latency with its send time.
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
	conns       int
	parallel    int
	senders     int
	rate        float64
	postgres    string
	cpuProfile  string
	heapProfile string
	samples     string
	serverLog   string
	settle      time.Duration
}

func main() {
	serveFlag := flag.Bool("serve", false, "internal: run the server in this process from the FRONTDESK_* variables")
	var o options
	flag.IntVar(&o.conns, "conns", 5000, "idle visitor connections to open and keep open")
	flag.IntVar(&o.parallel, "parallel", 100, "connections being opened at a time")
	flag.IntVar(&o.senders, "senders", 500, "visitors (of the connections) that send messages and receive replies")
	flag.Float64Var(&o.rate, "rate", 50, "messages per second in each latency phase")
	flag.StringVar(&o.postgres, "postgres", "", "PostgreSQL server URL; a fresh database is created on it and dropped afterwards (default: embedded SQLite)")
	flag.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the server during the latency phases to this file")
	flag.StringVar(&o.heapProfile, "heapprofile", "", "write a heap profile of the server at each memory reading to this name followed by .1 (before the connections), .2 (after) and .3 (after the latency phases)")
	flag.StringVar(&o.samples, "samples", "", "write every message's phase, send time (seconds from the first send) and latency in ms to this CSV file")
	flag.StringVar(&o.serverLog, "serverlog", "", "keep the server's output (warnings and errors; GODEBUG traces) in this file")
	flag.DurationVar(&o.settle, "settle", 3*time.Second, "pause before each memory reading")
	flag.Parse()

	if *serveFlag {
		os.Exit(benchkit.Serve())
	}
	if o.conns < 1 || o.parallel < 1 || o.senders < 1 || o.rate <= 0 {
		fmt.Fprintln(os.Stderr, "chat: -conns, -parallel, -senders and -rate must be positive")
		os.Exit(2)
	}
	if o.senders > o.conns {
		fmt.Fprintln(os.Stderr, "chat: -senders cannot exceed -conns")
		os.Exit(2)
	}
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "chat:", err)
		os.Exit(1)
	}
}

// logf reports progress on standard error; the result goes to standard output.
func logf(format string, args ...any) { benchkit.Logf(format, args...) }
