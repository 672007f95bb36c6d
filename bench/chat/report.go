package main

import (
	"fmt"
	"os"

	"github.com/frontdesk/frontdesk/bench/internal/benchkit"
)

// result is every figure of one run.
type result struct {
	database           string
	opts               options
	open               openResult
	before, after      benchkit.Memory
	phases             phases
	dropped            int64
	dropErr            string
	loadStart, loadEnd string
	files              string
}

// header is the Markdown table header that print's row belongs under.
const header = `| database | connections open / asked | time to open (each: p99) | server RSS per idle connection | Go heap + stacks per idle connection | goroutines per connection | visitor → agent, first message: p50 / p95 / p99 / max | visitor → agent, next message: p50 / p95 / p99 / max | agent → visitor: p50 / p95 / p99 / max | lost / sent | dropped connections | load average start → end |
|---|---|---|---|---|---|---|---|---|---|---|---|`

// print writes the row on standard output, the header and the details on
// standard error.
func (r result) print() {
	n := float64(r.open.opened)
	per := func(before, after int64) string {
		return fmt.Sprintf("%.1f KiB", float64(after-before)/n/1024)
	}
	p := r.phases
	lost := p.first.lost + p.next.lost + p.reply.lost
	sent := p.first.n() + p.next.n() + p.reply.n()
	fmt.Fprintln(os.Stderr, header)
	fmt.Printf("| %s | %d / %d | %.2f s (%s) | %s | %s + %s | %.2f | %s | %s | %s | %d / %d | %d | %s → %s |\n",
		r.database, r.open.opened, r.open.asked, r.open.elapsed.Seconds(), ms(pct(r.open.each, 990)),
		per(r.before.RSS, r.after.RSS), per(r.before.HeapInuse, r.after.HeapInuse), per(r.before.StackInuse, r.after.StackInuse),
		float64(r.after.Goroutines-r.before.Goroutines)/n,
		p.first.summary(), p.next.summary(), p.reply.summary(), lost, sent, r.dropped, r.loadStart, r.loadEnd)
	logf("%s; %d senders, %.0f messages/s per phase, %d connections opened %d at a time; open files %s",
		benchkit.Machine(), p.senders, r.opts.rate, r.open.asked, r.opts.parallel, r.files)
	if r.dropped > 0 {
		logf("connections that ended during the run: %d (first: %s)", r.dropped, r.dropErr)
	}
}
