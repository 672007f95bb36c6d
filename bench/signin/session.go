package main

import (
	"io"
	"net/http"
	"slices"
	"sync"
	"time"
)

// sessionResult is one session-check phase: every latency was recorded, so
// the percentiles are exact (nearest rank).
type sessionResult struct {
	conns   int
	n       int // answered requests
	bad     int // answers other than 200
	errors  int // requests without an answer
	elapsed time.Duration
	p50     time.Duration
	p90     time.Duration
	p99     time.Duration
	p999    time.Duration
	max     time.Duration
	cpu     cpuUse
}

func (r sessionResult) rate() float64 { return float64(r.n) / r.elapsed.Seconds() }

// sessionCheck makes the request of one session check with token.
type sessionCheck func(token string) *http.Request

// frontdeskCheck is Frontdesk's session check, GET /api/v1/session with the
// token as a bearer token; the bare handler answers the same request.
func frontdeskCheck(base string) sessionCheck {
	return func(token string) *http.Request {
		req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/session", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		return req
	}
}

// sessionLoad sends check's request from conns goroutines, each on its own
// keep-alive connection and with one of tokens, for d. With record false it
// only warms up and returns nothing of interest.
func sessionLoad(check sessionCheck, tokens []string, conns int, d time.Duration, record bool) sessionResult {
	tr := &http.Transport{MaxIdleConns: conns, MaxIdleConnsPerHost: conns, DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	res := sessionResult{conns: conns}
	lat := make([][]time.Duration, conns)
	bad, errs := make([]int, conns), make([]int, conns)
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(d)
	for c := range conns {
		wg.Go(func() {
			req := check(tokens[c%len(tokens)])
			mine := make([]time.Duration, 0, 1<<16)
			for {
				t0 := time.Now()
				if !t0.Before(deadline) {
					break
				}
				resp, err := client.Do(req)
				if err != nil {
					errs[c]++
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				mine = append(mine, time.Since(t0))
				if resp.StatusCode != http.StatusOK {
					bad[c]++
				}
			}
			lat[c] = mine
		})
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	if !record {
		return res
	}
	all := slices.Concat(lat...)
	slices.Sort(all)
	res.n = len(all)
	for c := range conns {
		res.bad += bad[c]
		res.errors += errs[c]
	}
	res.p50, res.p90, res.p99, res.p999 = rank(all, 500), rank(all, 900), rank(all, 990), rank(all, 999)
	if len(all) > 0 {
		res.max = all[len(all)-1]
	}
	return res
}

// rank returns the nearest-rank percentile of sorted for perMille/1000: the
// smallest value with at least that share of all values at or below it.
// Integer arithmetic keeps it exact: ceil(n·perMille/1000) is the rank.
func rank(sorted []time.Duration, perMille int) time.Duration {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	r := (n*perMille + 999) / 1000
	return sorted[max(r, 1)-1]
}
