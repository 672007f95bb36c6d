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
// evenly. Each client signs in from its own address (X-Forwarded-For), as
// customers do: from one address, the server's per-source limit on
// sign-ins in flight would answer the surplus clients with 429. The time runs until the last request started before the deadline
// has been answered.
func signinThroughput(signIn signer, accts []account, clients int, d time.Duration) signinResult {
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
		from := xffAddr(200, c)
		wg.Go(func() {
			statuses, errs, ok := map[int]int{}, 0, 0
			for i := 0; time.Now().Before(deadline); i++ {
				acct := mine[i%len(mine)]
				status, err := signIn.do(acct, from)
				if err != nil {
					errs++
					continue
				}
				statuses[status]++
				if status == signIn.ok {
					ok++
				}
			}
			mu.Lock()
			for s, n := range statuses {
				res.statuses[s] += n
			}
			res.errors += errs
			res.ok += ok
			mu.Unlock()
		})
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	return res
}

// signer signs an account in once from an address and returns the status
// of the answer that ends the sign-in; ok is the status of a success.
type signer struct {
	do func(acct account, from string) (int, error)
	ok int
}

// frontdeskSignIn posts one sign-in and drains the answer so that the
// connection is reused; 201 is a success.
func frontdeskSignIn(a api) signer {
	return signer{ok: http.StatusCreated, do: func(acct account, from string) (int, error) { return signInOnce(a, acct, from) }}
}

func signInOnce(a api, acct account, from string) (int, error) {
	req, err := jsonRequest(a.base+"/api/v1/sessions", credentials{acct.email, acct.password}, from)
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
