package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/bench/internal/benchkit"
)

// run performs one measurement on one database and prints its row.
func run(o options) error {
	ctx := context.Background()
	limit, err := benchkit.RaiseFileLimit()
	if err != nil {
		return err
	}
	loadStart := benchkit.LoadAvg()
	work, err := os.MkdirTemp("", "fd-chat-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)

	dbURL, database := "", "SQLite"
	if o.postgres != "" {
		pg, err := benchkit.CreateDatabase(o.postgres, "fd_chat_bench")
		if err != nil {
			return err
		}
		defer pg.Drop()
		version, _, _ := strings.Cut(pg.Version, " ")
		dbURL, database = pg.URL, "PostgreSQL "+version
	}
	vars := map[string]string{
		"FRONTDESK_DATA_DIR":      filepath.Join(work, "data"),
		"FRONTDESK_DATABASE_URL":  dbURL,
		"FRONTDESK_MIGRATE":       "true",
		"FRONTDESK_LOG_LEVEL":     "warn",
		"FRONTDESK_ARGON2_MEMORY": "4MiB",
		"FRONTDESK_ARGON2_TIME":   "1",
		// Each visitor connects from its own address in X-Forwarded-For.
		"FRONTDESK_TRUSTED_PROXIES": "127.0.0.1/32",
	}
	if err := createSupervisor(ctx, vars, work); err != nil {
		return err
	}
	srv, err := benchkit.Start(benchkit.Spec{Vars: vars, Work: work, LogFile: o.serverLog, CPUProfile: o.cpuProfile, HeapProfile: o.heapProfile})
	if err != nil {
		return err
	}
	defer srv.Stop()
	files := fmt.Sprintf("load generator %s, server %s", benchkit.FileLimit(os.Getpid()), benchkit.FileLimit(srv.PID))
	logf("server pid %d at %s on %s; open files (soft/hard): %s", srv.PID, srv.URL, database, files)

	tr := newTracker()
	ag, err := becomeAgent(srv.URL, tr)
	if err != nil {
		return srv.WithLog(err)
	}
	defer ag.close()
	logf("agent on duty, console live socket open")

	time.Sleep(o.settle)
	before, err := srv.Measure()
	if err != nil {
		return srv.WithLog(err)
	}
	logf("before: %s", before)
	logf("opening %d visitor connections, %d at a time", o.conns, o.parallel)
	cr, opened := openVisitors(srv.URL, o.conns, o.parallel, tr)
	defer cr.close()
	logf("opened %d of %d in %s (each: p50 %s, p99 %s)", opened.opened, opened.asked, opened.elapsed.Round(time.Millisecond),
		ms(pct(opened.each, 500)), ms(pct(opened.each, 990)))
	for why, n := range opened.failures {
		logf("  %d failed: %s", n, why)
	}
	if n := cr.offline.Load(); n > 0 {
		logf("  %d welcomes said no agent was online", n)
	}
	if opened.opened == 0 {
		return srv.WithLog(fmt.Errorf("no connection opened (limit %d/%d)", limit.Cur, limit.Max))
	}
	time.Sleep(o.settle)
	after, err := srv.Measure()
	if err != nil {
		return srv.WithLog(err)
	}
	logf("after:  %s", after)

	ph, err := latencyPhases(o, srv, ag, cr, tr)
	if err != nil {
		return srv.WithLog(err)
	}
	final, err := srv.Measure()
	if err != nil {
		return srv.WithLog(err)
	}
	logf("end:    %s", final)
	srv.LogSummary()
	if err := ag.liveErr(); err != nil {
		return fmt.Errorf("%w: %v", errLiveEnded, err)
	}
	r := result{database: database, opts: o, open: opened, before: before, after: after, phases: ph,
		dropped: cr.dropped.Load(), dropErr: cr.dropErr, loadStart: loadStart, loadEnd: benchkit.LoadAvg(), files: files}
	r.print()
	return nil
}

// phases are the latency measurements.
type phases struct {
	senders   int
	first     latencies       // visitor → agent, a conversation's first message
	next      latencies       // visitor → agent, a further message
	reply     latencies       // agent → visitor
	replyHTTP []time.Duration // the reply request until its answer, sorted
	cpu       benchkit.CPUUse
}

// latencyPhases times the three kinds of delivery, with the server's CPU
// profile on when one was asked for.
func latencyPhases(o options, srv *benchkit.Server, ag *agent, cr *crowd, tr *tracker) (phases, error) {
	var senders []*visitor
	for _, v := range cr.visitors {
		if v != nil && len(senders) < o.senders {
			senders = append(senders, v)
		}
	}
	ph := phases{senders: len(senders)}
	stopProfile, err := srv.StartProfile()
	if err != nil {
		return ph, err
	}
	cpu0 := benchkit.SampleCPU(srv.PID)

	logf("visitor → agent: %d first messages at %.0f/s", len(senders), o.rate)
	start := time.Now()
	var firstKeys, nextKeys []string
	ph.first, firstKeys = visitorPhase(senders, o.rate, tr, "1", "Hello, my card %d is blocked")
	logf("  %s; lost %d %v", ph.first.summary(), ph.first.lost, ph.first.why)

	// The second message needs the conversation the first one started.
	var convs []*visitor
	deadline := time.Now().Add(lostAfter)
	for _, v := range senders {
		for v.conversation() == "" && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if v.conversation() != "" {
			convs = append(convs, v)
		}
	}
	if n := len(senders) - len(convs); n > 0 {
		logf("  %d visitors have no conversation (their first message is counted lost) and send nothing more", n)
	}
	logf("visitor → agent: %d further messages at %.0f/s", len(convs), o.rate)
	ph.next, nextKeys = visitorPhase(convs, o.rate, tr, "2", "It says card %d is blocked for online payments")
	logf("  %s; lost %d %v", ph.next.summary(), ph.next.lost, ph.next.why)

	logf("agent → visitor: %d replies at %.0f/s", len(convs), o.rate)
	keys := make([]string, len(convs))
	nonce := randomHex(4)
	for i, v := range convs {
		keys[i] = fmt.Sprintf("Reply %s to visitor %d: your card works again.", nonce, v.i)
	}
	ph.replyHTTP = make([]time.Duration, len(convs))
	paced(len(convs), o.rate, func(i int) {
		tr.send(keys[i])
		t0 := time.Now()
		err := ag.reply(convs[i].conversation(), keys[i])
		ph.replyHTTP[i] = time.Since(t0)
		if err != nil {
			tr.fail(keys[i], err.Error())
		}
	})
	tr.wait(keys)
	ph.reply = tr.latencies(keys)
	slices.Sort(ph.replyHTTP)
	logf("  %s; lost %d %v; reply request answered p50 %s, p99 %s", ph.reply.summary(), ph.reply.lost, ph.reply.why,
		ms(pct(ph.replyHTTP, 500)), ms(pct(ph.replyHTTP, 990)))

	if o.samples != "" {
		var b bytes.Buffer
		b.WriteString("phase,sent_s,latency_ms\n")
		tr.writeCSV(&b, "first", firstKeys, start)
		tr.writeCSV(&b, "next", nextKeys, start)
		tr.writeCSV(&b, "reply", keys, start)
		if err := os.WriteFile(o.samples, b.Bytes(), 0o644); err != nil {
			return ph, err
		}
	}
	ph.cpu = benchkit.SampleCPU(srv.PID).Since(cpu0)
	logf("cores used during the latency phases: %s", ph.cpu)
	if err := stopProfile(); err != nil {
		return ph, err
	}
	if o.cpuProfile != "" {
		logf("server CPU profile of the latency phases: %s", o.cpuProfile)
	}
	return ph, nil
}

// visitorPhase has each visitor send one message, paced at rate, and
// returns the time each took to reach the agent's socket.
func visitorPhase(vs []*visitor, rate float64, tr *tracker, round, body string) (latencies, []string) {
	keys := make([]string, len(vs))
	for i, v := range vs {
		keys[i] = fmt.Sprintf("v%d-%s", v.i, round)
	}
	paced(len(vs), rate, func(i int) {
		tr.send(keys[i])
		if err := vs[i].send(keys[i], fmt.Sprintf(body, vs[i].i)); err != nil {
			tr.fail(keys[i], "send: "+errorKind(err))
		}
	})
	tr.wait(keys)
	return tr.latencies(keys), keys
}

// pct is the nearest-rank percentile of sorted durations.
func pct(sorted []time.Duration, perMille int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	r := max((len(sorted)*perMille+999)/1000, 1)
	return sorted[r-1]
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
