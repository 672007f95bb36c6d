package main

import (
	"fmt"
	"math"
	"os"
	"time"

	"github.com/frontdesk/frontdesk/bench/internal/benchkit"
)

// result is every figure of one run.
type result struct {
	database           string
	opts               options
	before, idle, busy benchkit.Memory
	load               loadResult
	rec                recorded
	loadStart, loadEnd string
}

const header = `| database | sessions × events/s | recorded | customer → agent p50 / p95 / p99 / max | lost / batches | server CPU (cores) | server CPU per session | RSS per idle session | RSS per busy session | Go heap + stacks per idle session | load generator CPU | PostgreSQL CPU | load average start → end |
|---|---|---|---|---|---|---|---|---|---|---|---|---|`

// print writes the row on standard output, the header and the details on
// standard error.
func (r result) print() {
	sessions := float64(r.opts.sessions)
	per := func(before, after int64) string {
		return fmt.Sprintf("%.1f KiB", float64(after-before)/sessions/1024)
	}
	l := r.load
	recorded := "no"
	if r.opts.recording {
		recorded = fmt.Sprintf("yes, %.0f KiB a minute", r.rec.perMinute/1024)
	}
	fmt.Fprintln(os.Stderr, header)
	fmt.Printf("| %s | %d × %.0f | %s | %s / %s / %s / %s | %d / %d | %.2f | %.2f %% of a core | %s | %s | %s + %s | %.2f | %.2f | %s → %s |\n",
		r.database, r.opts.sessions, r.opts.rate, recorded,
		ms(pct(l, 500)), ms(pct(l, 950)), ms(pct(l, 990)), ms(pct(l, 1000)), l.lost, l.sent,
		l.cpu.Server, 100*l.cpu.Server/sessions,
		per(r.before.RSS, r.idle.RSS), per(r.before.RSS, r.busy.RSS),
		per(r.before.HeapInuse, r.idle.HeapInuse), per(r.before.StackInuse, r.idle.StackInuse),
		l.cpu.Self, l.cpu.Postgres, r.loadStart, r.loadEnd)
	logf("%s; batches every %s (%d events each), %.0f events/s and %.0f KiB/s of batch frames in all; %d full snapshots; CPU (cores): %s",
		benchkit.Machine(), r.opts.every, max(1, int(r.opts.rate*r.opts.every.Seconds()+0.5)), l.eventsPerSec, l.bytesPerSec/1024, l.snapshots, l.cpu)
	if l.lost > 0 || l.refused > 0 {
		logf("sessions that lost batches: %d; batches refused by the server: %d (first: %s)", l.sessionsLosing, l.refused, l.refusedWhy)
	}
	if l.dropped > 0 {
		logf("sockets that failed during the run: %d (first: %s)", l.dropped, l.dropErr)
	}
}

// pct is the nearest-rank percentile (per mille) of the latencies, lost
// batches counting as infinitely late.
func pct(l loadResult, perMille int) time.Duration {
	total := len(l.lat) + l.lost
	if total == 0 {
		return 0
	}
	k := (total*perMille+999)/1000 - 1
	if k >= len(l.lat) {
		return time.Duration(math.MaxInt64)
	}
	return l.lat[k]
}

func ms(d time.Duration) string {
	if d == time.Duration(math.MaxInt64) {
		return "lost"
	}
	return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
}
