package main

import (
	"fmt"
	"sync"
	"time"

	"github.com/frontdesk/frontdesk/bench/internal/benchkit"
)

// rssSampler reads a process's VmRSS at a fixed interval and keeps the
// largest value seen since the last reset.
type rssSampler struct {
	pid  int
	mu   sync.Mutex
	peak int64
	n    int
	done chan struct{}
	once sync.Once
}

func newRSSSampler(pid int, every time.Duration) *rssSampler {
	r := &rssSampler{pid: pid, done: make(chan struct{})}
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-r.done:
				return
			case <-t.C:
				if v, err := benchkit.ProcStatus(pid, "VmRSS"); err == nil {
					r.mu.Lock()
					r.peak, r.n = max(r.peak, v), r.n+1
					r.mu.Unlock()
				}
			}
		}
	}()
	return r
}

// reset starts a new window.
func (r *rssSampler) reset() {
	r.mu.Lock()
	r.peak, r.n = 0, 0
	r.mu.Unlock()
}

// max returns the largest VmRSS of the window in bytes and the number of
// samples taken.
func (r *rssSampler) max() (int64, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.peak, r.n
}

func (r *rssSampler) stop() { r.once.Do(func() { close(r.done) }) }

// mib formats bytes as MiB.
func mib(b int64) string { return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20)) }
