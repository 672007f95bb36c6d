package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"github.com/frontdesk/frontdesk/bench/internal/benchkit"
	"github.com/frontdesk/frontdesk/internal/assist/assisttest"
)

// run performs one measurement on one database and prints its row.
func run(o options) error {
	ctx := context.Background()
	if _, err := benchkit.RaiseFileLimit(); err != nil {
		return err
	}
	loadStart := benchkit.LoadAvg()
	work, err := os.MkdirTemp("", "fd-assist-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	dbURL, database := "", "SQLite"
	if o.postgres != "" {
		pg, err := benchkit.CreateDatabase(o.postgres, "fd_assist_bench")
		if err != nil {
			return err
		}
		defer pg.Drop()
		version, _, _ := strings.Cut(pg.Version, " ")
		dbURL, database = pg.URL, "PostgreSQL "+version
	}
	dataDir := filepath.Join(work, "data")
	vars := map[string]string{
		"FRONTDESK_DATA_DIR":            dataDir,
		"FRONTDESK_DATABASE_URL":        dbURL,
		"FRONTDESK_MIGRATE":             "true",
		"FRONTDESK_LOG_LEVEL":           o.logLevel,
		"FRONTDESK_ARGON2_MEMORY":       "4MiB",
		"FRONTDESK_ARGON2_TIME":         "1",
		"FRONTDESK_TRUSTED_PROXIES":     "127.0.0.1/32",
		"FRONTDESK_ASSIST_RECORDING":    fmt.Sprint(o.recording),
		"FRONTDESK_ASSIST_MAX_DURATION": "2h",
	}
	srv, err := benchkit.Start(benchkit.Spec{Vars: vars, Work: work, LogFile: o.serverLog, CPUProfile: o.cpuProfile, HeapProfile: o.heapProfile})
	if err != nil {
		return err
	}
	defer srv.Stop()
	logf("server pid %d at %s on %s", srv.PID, srv.URL, database)

	agents, err := createAgents(ctx, vars, work, srv.URL, o.agents)
	if err != nil {
		return srv.WithLog(err)
	}
	t0 := time.Now()
	customers, convs, err := createCustomers(srv.URL, dataDir, o.sessions)
	if err != nil {
		return srv.WithLog(err)
	}
	logf("%d agents and %d customers with a conversation each in %.1f s", len(agents), len(customers), time.Since(t0).Seconds())

	time.Sleep(o.settle)
	before, err := srv.Measure()
	if err != nil {
		return srv.WithLog(err)
	}
	logf("before the sessions: %s", before)
	t0 = time.Now()
	sessions, err := openSessions(ctx, agents, customers, convs)
	if err != nil {
		return srv.WithLog(err)
	}
	logf("%d sessions invited, accepted and joined in %.1f s", len(sessions), time.Since(t0).Seconds())
	time.Sleep(o.settle)
	idle, err := srv.Measure()
	if err != nil {
		return srv.WithLog(err)
	}
	logf("with every session open and idle: %s", idle)

	ld := newLoad(o, sessions)
	stopProfile, err := srv.StartProfile()
	if err != nil {
		return err
	}
	res := ld.run(srv.PID)
	if err := stopProfile(); err != nil {
		return err
	}
	busy, err := srv.Measure()
	if err != nil {
		return srv.WithLog(err)
	}
	logf("after the measured phase: %s", busy)
	var rec recorded
	if o.recording {
		if rec, err = readRecorded(ctx, dbURL, dataDir); err != nil {
			return err
		}
		logf("recordings: %d sessions, %.1f MiB sealed over %.0f session-minutes: %.1f KiB per session-minute at %.0f events/s",
			rec.sessions, float64(rec.bytes)/(1<<20), rec.span.Minutes(), rec.perMinute/1024, o.rate)
	}
	for _, s := range sessions {
		s.close()
	}
	srv.LogSummary()
	r := result{database: database, opts: o, before: before, idle: idle, busy: busy, load: res, rec: rec,
		loadStart: loadStart, loadEnd: benchkit.LoadAvg()}
	r.print()
	return nil
}

// load drives every session's page and times every batch to the agent.
type load struct {
	o        options
	sessions []*session
	perBatch int
	measured atomic.Bool // set during the measured phase
	start    time.Time   // of the measured phase

	mu         sync.Mutex
	due        []map[int64]time.Time // per session: seq → when it was due, for measured batches
	lat        []time.Duration
	dropped    atomic.Int64
	dropErr    atomic.Value
	refused    atomic.Int64 // error frames the customer received
	refusedWhy atomic.Value
	snaps      atomic.Int64 // full snapshots sent on the agent's request
	bytes      atomic.Int64 // bytes of batch frames sent in the measured phase
	sent       atomic.Int64 // batches sent in the measured phase
}

func newLoad(o options, sessions []*session) *load {
	ld := &load{o: o, sessions: sessions, perBatch: max(1, int(o.rate*o.every.Seconds()+0.5))}
	ld.due = make([]map[int64]time.Time, len(sessions))
	for i := range ld.due {
		ld.due[i] = map[int64]time.Time{}
	}
	return ld
}

// loadResult is what the run measured.
type loadResult struct {
	sent, lost     int
	lat            []time.Duration // sorted; lost batches count as +Inf at the end
	cpu            benchkit.CPUUse
	snapshots      int64
	bytesPerSec    float64 // of batch frames, all sessions
	eventsPerSec   float64
	dropped        int64
	dropErr        string
	refused        int64 // batches the server answered with an error
	refusedWhy     string
	sessionsLosing int
}

func (ld *load) run(serverPID int) loadResult {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for i, s := range ld.sessions {
		snap := make(chan struct{}, 1)
		wg.Go(func() { ld.watch(ctx, i, s, snap) })
		wg.Go(func() { ld.customerReads(ctx, s, snap) })
		wg.Go(func() { ld.page(ctx, i, s, snap) })
	}
	// The agent's viewer asks for a snapshot when it opens, as assist-view.js does.
	for _, s := range ld.sessions {
		_ = wsjson.Write(ctx, s.view, map[string]string{"type": "snapshot"})
	}
	time.Sleep(ld.o.warmup)
	cpu0 := benchkit.SampleCPU(serverPID)
	ld.mu.Lock()
	ld.start = time.Now()
	ld.mu.Unlock()
	ld.measured.Store(true)
	time.Sleep(ld.o.duration)
	ld.measured.Store(false)
	cpu := benchkit.SampleCPU(serverPID).Since(cpu0)
	time.Sleep(5 * time.Second) // the grace for batches still on their way
	cancel()
	for _, s := range ld.sessions {
		s.close()
	}
	wg.Wait()

	ld.mu.Lock()
	defer ld.mu.Unlock()
	res := loadResult{cpu: cpu, snapshots: ld.snaps.Load(), dropped: ld.dropped.Load(), sent: int(ld.sent.Load())}
	if e, ok := ld.dropErr.Load().(string); ok {
		res.dropErr = e
	}
	res.refused = ld.refused.Load()
	if e, ok := ld.refusedWhy.Load().(string); ok {
		res.refusedWhy = e
	}
	for _, m := range ld.due {
		res.lost += len(m)
		if len(m) > 0 {
			res.sessionsLosing++
		}
	}
	res.lat = append(res.lat, ld.lat...)
	slices.Sort(res.lat)
	secs := ld.o.duration.Seconds()
	res.bytesPerSec = float64(ld.bytes.Load()) / secs
	res.eventsPerSec = float64(res.sent*ld.perBatch) / secs
	return res
}

// page is one customer's page: a batch every o.every, on a schedule that
// does not wait for the writes (open loop).
func (ld *load) page(ctx context.Context, i int, s *session, snap <-chan struct{}) {
	p := assisttest.NewPage(uint64(i) + 1)
	// Spread the pages' ticks over the interval, as real pages are.
	first := time.Now().Add(time.Duration(rand.Int64N(int64(ld.o.every))))
	var seq int64
	var pending []json.RawMessage
	needSnap := true
	for n := 0; ; n++ {
		due := first.Add(time.Duration(n) * ld.o.every)
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Until(due)):
		}
		select {
		case <-snap:
			needSnap = true
		default:
		}
		var events []json.RawMessage
		if needSnap {
			events = p.Snapshot(due)
			needSnap = false
			ld.snaps.Add(1)
		}
		if len(pending) < ld.perBatch {
			pending = append(pending, p.Activity(due, int(ld.o.rate))...)
		}
		events = append(events, pending[:ld.perBatch]...)
		pending = pending[ld.perBatch:]
		seq++
		b, err := json.Marshal(map[string]any{"type": "batch", "seq": seq, "events": events})
		if err != nil {
			ld.drop(err)
			return
		}
		measured := ld.measured.Load()
		if measured {
			ld.mu.Lock()
			ld.due[i][seq] = due
			ld.mu.Unlock()
			ld.sent.Add(1)
			ld.bytes.Add(int64(len(b)))
		}
		wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		err = s.cust.Write(wctx, websocket.MessageText, b)
		cancel()
		if err != nil {
			if ctx.Err() == nil {
				ld.drop(fmt.Errorf("customer write: %w", err))
			}
			return
		}
	}
}

// customerReads reads the customer's socket: a "snapshot" control asks
// the page for a full snapshot.
func (ld *load) customerReads(ctx context.Context, s *session, snap chan<- struct{}) {
	for {
		var f struct {
			Type, Code, Message string
			Control             struct{ Type, State string }
		}
		if err := wsjson.Read(ctx, s.cust, &f); err != nil {
			if ctx.Err() == nil {
				ld.drop(fmt.Errorf("customer read: %w", err))
			}
			return
		}
		switch {
		case f.Type == "control" && f.Control.Type == "snapshot":
			select {
			case snap <- struct{}{}:
			default:
			}
		case f.Type == "error":
			// The server refused a batch: nothing of it reached the agent.
			ld.refuse(f.Code + ": " + f.Message)
		case f.Type == "control" && f.Control.State == "ended":
			ld.drop(fmt.Errorf("session ended"))
			return
		}
	}
}

// watch is the agent's viewer: it times each batch from when it was due,
// and asks for a snapshot on a gap in seq as assist-view.js does.
func (ld *load) watch(ctx context.Context, i int, s *session, snap chan<- struct{}) {
	var last int64
	for {
		_, b, err := s.view.Read(ctx)
		at := time.Now()
		if err != nil {
			if ctx.Err() == nil {
				ld.drop(fmt.Errorf("agent read: %w", err))
			}
			return
		}
		var f struct {
			Type  string
			Batch struct {
				Seq    int64
				Events []json.RawMessage
			}
		}
		if json.Unmarshal(b, &f) != nil || f.Type != "batch" {
			continue
		}
		seq := f.Batch.Seq
		ld.mu.Lock()
		if due, ok := ld.due[i][seq]; ok {
			delete(ld.due[i], seq)
			ld.lat = append(ld.lat, at.Sub(due))
		}
		ld.mu.Unlock()
		if last != 0 && seq > last+1 {
			_ = wsjson.Write(ctx, s.view, map[string]string{"type": "snapshot"})
		}
		last = max(last, seq)
	}
}

func (ld *load) refuse(why string) {
	if ld.refused.Add(1) == 1 {
		ld.refusedWhy.Store(why)
	}
}

func (ld *load) drop(err error) {
	if ld.dropped.Add(1) == 1 {
		ld.dropErr.Store(err.Error())
	}
}
