package main

import (
	"io"
	"net/http"
	"sync"
	"time"
)

// signinResult is one sign-in throughput phase.
type signinResult struct {
	clients  int
	ok       int         // 201 answers
	statuses map[int]int // every answer by status
	errors   int         // requests without an answer
	elapsed  time.Duration
	cpu      cpuUse
}

func (r signinResult) rate() float64 { return float64(r.ok) / r.elapsed.Seconds() }

// signinThroughput runs clients concurrent clients that sign in with the
// right password, one request after another, for d. Client i signs in as
// accounts i, i+clients, i+2·clients … in turn, so the accounts are spread
// evenly. The time runs until the last request started before the deadline
// has been answered.
func signinThroughput(a api, accts []account, clients int, d time.Duration) signinResult {
	res := signinResult{clients: clients, statuses: map[int]int{}}
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(d)
	for c := range clients {
		var mine []account
		for i := c; i < len(accts); i += clients {
			mine = append(mine, accts[i])
		}
		if len(mine) == 0 { // more clients than accounts
			mine = []account{accts[c%len(accts)]}
		}
		wg.Go(func() {
			statuses, errs := map[int]int{}, 0
			for i := 0; time.Now().Before(deadline); i++ {
				acct := mine[i%len(mine)]
				status, err := signInOnce(a, acct)
				if err != nil {
					errs++
					continue
				}
				statuses[status]++
			}
			mu.Lock()
			for s, n := range statuses {
				res.statuses[s] += n
			}
			res.errors += errs
			mu.Unlock()
		})
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	res.ok = res.statuses[http.StatusCreated]
	return res
}

// signInOnce posts one sign-in and drains the answer so that the connection
// is reused.
func signInOnce(a api, acct account) (int, error) {
	req, err := jsonRequest(a.base+"/api/v1/sessions", credentials{acct.email, acct.password}, "")
	if err != nil {
		return 0, err
	}
	resp, err := a.client.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}
