package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
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
				if v, err := readStatus(pid, "VmRSS"); err == nil {
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

// readStatus returns one "kB" field of /proc/<pid>/status, in bytes.
func readStatus(pid int, field string) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), field+":")
		if !ok {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", field, err)
		}
		return kb << 10, nil
	}
	return 0, fmt.Errorf("%s not in /proc/%d/status", field, pid)
}

// mib formats bytes as MiB.
func mib(b int64) string { return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20)) }
