package main

import (
	"io"
	"maps"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/frontdesk/frontdesk/bench/internal/benchkit"
)

// floodTimeout is each flood request's client timeout: a request that runs
// out of it counts as failed, and one still open 15 s later as hung.
const floodTimeout = 120 * time.Second

// floodResult is the flood phase.
type floodResult struct {
	n          int
	statuses   map[int]int
	retryAfter int // 503 answers that carried Retry-After
	errors     int // requests that failed or timed out
	hung       int // requests still open when the phase gave up waiting
	errSample  string
	slowest    time.Duration // from the release to the last answer
	peakRSS    int64         // largest VmRSS sampled during the flood, bytes
	samples    int
	hwm        int64 // the server's VmHWM right after the flood, bytes
	goMem      goMem // the server's Go heap during the flood
}

// signinFlood releases n sign-ins at once, each on a fresh goroutine and
// connection and from its own /24, alternating right and wrong passwords
// across the accounts, and samples the server's memory meanwhile.
func signinFlood(srv *server, accts []account, n int) floodResult {
	tr := &http.Transport{MaxConnsPerHost: n + 16, MaxIdleConns: n, MaxIdleConnsPerHost: n, DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: floodTimeout}
	res := floodResult{n: n, statuses: map[int]int{}}
	var mu sync.Mutex
	var open atomic.Int64
	var wg sync.WaitGroup
	release := make(chan struct{})
	var start time.Time
	for i := range n {
		acct := accts[i%len(accts)]
		if i%2 == 1 {
			acct.password = wrongPassword
		}
		req, err := jsonRequest(srv.url+"/api/v1/sessions", credentials{acct.email, acct.password}, xffAddr(100, i))
		if err != nil {
			panic(err) // marshalling two strings cannot fail
		}
		open.Add(1)
		wg.Go(func() {
			<-release
			resp, err := client.Do(req)
			var took time.Duration
			if err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				took = time.Since(start)
			}
			open.Add(-1)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				res.errors++
				if res.errSample == "" {
					res.errSample = err.Error()
				}
				return
			}
			res.statuses[resp.StatusCode]++
			if resp.StatusCode == http.StatusServiceUnavailable && resp.Header.Get("Retry-After") != "" {
				res.retryAfter++
			}
			res.slowest = max(res.slowest, took)
		})
	}
	srv.rss.reset()
	mem := watchGoMem(srv.url, 100*time.Millisecond)
	start = time.Now()
	close(release)
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(floodTimeout + 15*time.Second):
	}
	hung := int(open.Load())
	peak, samples := srv.rss.max()
	hwm, _ := benchkit.ProcStatus(srv.pid, "VmHWM")
	gm := mem.stop()
	// Hung requests may still answer: take a copy under the lock.
	mu.Lock()
	defer mu.Unlock()
	out := res
	out.statuses = maps.Clone(res.statuses)
	out.hung, out.peakRSS, out.samples, out.hwm, out.goMem = hung, peak, samples, hwm, gm
	return out
}
