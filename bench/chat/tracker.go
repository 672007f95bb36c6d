package main

import (
	"fmt"
	"io"
	"slices"
	"sync"
	"time"
)

// lostAfter is how long a message may take before it counts as lost.
const lostAfter = 10 * time.Second

// tracker pairs each message sent with its arrival at the other end. Keys
// are unique across the run: a client id for visitors' messages, the body
// for the agent's replies. Arrivals of unknown keys (events the benchmark
// did not cause, repeats) are ignored.
type tracker struct {
	mu      sync.Mutex
	samples map[string]*sample
}

type sample struct {
	sent, got time.Time
	err       string // the send failed or the server refused the message
}

func newTracker() *tracker { return &tracker{samples: map[string]*sample{}} }

// send records that key is being sent now; call it just before the write.
func (t *tracker) send(key string) {
	now := time.Now()
	t.mu.Lock()
	defer t.mu.Unlock()
	t.samples[key] = &sample{sent: now}
}

// arrive records that key arrived at at; only the first arrival counts.
func (t *tracker) arrive(key string, at time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if s := t.samples[key]; s != nil && s.got.IsZero() {
		s.got = at
	}
}

// fail records why key will never arrive.
func (t *tracker) fail(key, why string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if s := t.samples[key]; s != nil && s.err == "" {
		s.err = why
	}
}

// wait returns once every key has arrived or failed, or lostAfter after the
// last was sent.
func (t *tracker) wait(keys []string) {
	for {
		t.mu.Lock()
		open, last := 0, time.Time{}
		for _, k := range keys {
			s := t.samples[k]
			if s == nil {
				continue
			}
			if s.got.IsZero() && s.err == "" {
				open++
			}
			if s.sent.After(last) {
				last = s.sent
			}
		}
		t.mu.Unlock()
		if open == 0 || time.Since(last) > lostAfter {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// latencies summarises the keys: every latency is kept, so percentiles are
// exact (nearest rank). A message that failed, never arrived, or arrived
// later than lostAfter is lost and ranks above every latency.
func (t *tracker) latencies(keys []string) latencies {
	t.mu.Lock()
	defer t.mu.Unlock()
	var l latencies
	for _, k := range keys {
		s := t.samples[k]
		switch {
		case s == nil:
			l.lost++
			l.note("never sent")
		case s.err != "":
			l.lost++
			l.note(s.err)
		case s.got.IsZero() || s.got.Sub(s.sent) > lostAfter:
			l.lost++
			l.note(fmt.Sprintf("not received within %s", lostAfter))
		default:
			l.d = append(l.d, s.got.Sub(s.sent))
		}
	}
	slices.Sort(l.d)
	return l
}

// writeCSV appends one line per key to w: the phase, the send time in
// seconds after since, and the latency in milliseconds (empty when lost).
func (t *tracker) writeCSV(w io.Writer, phase string, keys []string, since time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, k := range keys {
		s := t.samples[k]
		if s == nil {
			fmt.Fprintf(w, "%s,,\n", phase)
			continue
		}
		lat := ""
		if !s.got.IsZero() && s.err == "" {
			lat = fmt.Sprintf("%.3f", float64(s.got.Sub(s.sent))/float64(time.Millisecond))
		}
		fmt.Fprintf(w, "%s,%.3f,%s\n", phase, s.sent.Sub(since).Seconds(), lat)
	}
}

// latencies are the delivery times of one phase, sorted, and the messages
// lost.
type latencies struct {
	d    []time.Duration
	lost int
	why  map[string]int
}

func (l *latencies) note(why string) {
	if l.why == nil {
		l.why = map[string]int{}
	}
	l.why[why]++
}

func (l latencies) n() int { return len(l.d) + l.lost }

// rank returns the nearest-rank percentile for perMille/1000 — the smallest
// value with at least that share of all values at or below it — and false
// when that rank falls among the lost messages.
func (l latencies) rank(perMille int) (time.Duration, bool) {
	n := l.n()
	if n == 0 {
		return 0, false
	}
	r := max((n*perMille+999)/1000, 1)
	if r > len(l.d) {
		return 0, false
	}
	return l.d[r-1], true
}

// summary formats p50 / p95 / p99 / max.
func (l latencies) summary() string {
	var out []string
	for _, pm := range []int{500, 950, 990, 1000} {
		d, ok := l.rank(pm)
		if !ok {
			out = append(out, "lost")
			continue
		}
		out = append(out, ms(d))
	}
	return fmt.Sprintf("%s / %s / %s / %s", out[0], out[1], out[2], out[3])
}

func ms(d time.Duration) string {
	v := float64(d) / float64(time.Millisecond)
	if v >= 100 {
		return fmt.Sprintf("%.0f ms", v)
	}
	return fmt.Sprintf("%.1f ms", v)
}

// paced calls f(0) … f(n-1) at rate per second, each on its own goroutine,
// and waits for them to return. The schedule is fixed in advance, so a
// slow call delays no later one (open loop).
func paced(n int, rate float64, f func(i int)) {
	var wg sync.WaitGroup
	start := time.Now()
	for i := range n {
		time.Sleep(time.Until(start.Add(time.Duration(float64(i) * float64(time.Second) / rate))))
		wg.Go(func() { f(i) })
	}
	wg.Wait()
}
