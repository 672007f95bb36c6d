// Command backup measures Frontdesk's backups on a seeded installation:
// the full backup's time and size beside the raw rate of its compression
// and encryption measured on the same bytes in the same run; the next
// incremental's upload after 1% of the accounts change and conversations
// are added (the ratio to the full backup's); the RTO of a restore drill
// (restore into a new data directory, then a server answering ready, on
// which seeded customers sign in and open their conversations); and
// sign-in and session-check latency while a full backup runs, beside the
// same without one. The installation is seeded in bulk (seed.go), at the
// issue's size by default.
//
//	go build -o /tmp/backupbench ./bench/backup
//	/tmp/backupbench
//	/tmp/backupbench -postgres 'postgres://postgres:postgres@127.0.0.1:5432/postgres?sslmode=disable'
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/frontdesk/frontdesk/bench/internal/benchkit"
)

type options struct {
	accounts, conversations int
	newConversations        int
	postgres                string
	probes                  int
	baseline                time.Duration
	workDir                 string
	drill                   bool
	quietBase               bool
}

func main() {
	serveFlag := flag.Bool("serve", false, "internal: run the server in this process from the FRONTDESK_* variables")
	var o options
	flag.IntVar(&o.accounts, "accounts", 1_000_000, "customer accounts seeded (the issue's size)")
	flag.IntVar(&o.conversations, "conversations", 200_000, "conversations seeded (the issue's size)")
	flag.IntVar(&o.newConversations, "new-conversations", 0, "conversations added before the incremental backup (default: conversations/200, the issue's 1,000 in 200,000)")
	flag.StringVar(&o.postgres, "postgres", "", "PostgreSQL server URL; a fresh database is created on it and dropped afterwards (default: embedded SQLite)")
	flag.IntVar(&o.probes, "probes", 4, "concurrent clients signing in and checking sessions during the latency phases")
	flag.DurationVar(&o.baseline, "baseline", 60*time.Second, "length of the latency phases without a backup, half before and half after the full backup")
	flag.StringVar(&o.workDir, "work", "", "directory for the run's data directory, repository and restored copy (default: the system's temporary directory); the issue's size needs about 15 GB")
	flag.BoolVar(&o.quietBase, "quiet-base", true, "make a second full backup after the latency phases as the incremental's base; false: the full backup made during them is the base, and the incremental also carries the latency clients' sign-ins (an upper bound)")
	flag.BoolVar(&o.drill, "drill", false, "also run `frontdesk backup drill` (a second restore) besides the bench's own restore check")
	flag.Parse()
	if o.newConversations == 0 {
		o.newConversations = max(1, o.conversations/200)
	}
	if *serveFlag {
		os.Exit(benchkit.Serve())
	}
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}
