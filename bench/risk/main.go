// Command risk measures what the risk engine costs a sign-in: two
// Frontdesk instances in this process, one with the engine on (a
// synthetic GeoIP database of realistic size and an anonymiser list) and
// one with it off, are signed in to by the same number of clients in
// interleaved rounds, beside the raw Argon2id rate measured in the same
// run. It reports sign-ins/s as a share of raw Argon2id for each, their
// difference in percentage points, and the engine's own time per
// evaluation from its frontdesk_risk_assess_seconds histogram.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/frontdesk/frontdesk/bench/internal/benchkit"
	"github.com/frontdesk/frontdesk/internal/app"
	"github.com/frontdesk/frontdesk/internal/password"
	"github.com/frontdesk/frontdesk/internal/risk/geotest"
)

const pw = "Plum orbit lantern velvet 7!"

var (
	rawRound      time.Duration
	evaluationsN  *int
	aloneAccounts *int
)

func main() {
	networks := flag.Int("networks", 300000, "networks in the synthetic GeoIP database")
	accounts := flag.Int("accounts", 16, "accounts per instance")
	clients := flag.Int("clients", 4, "concurrent sign-in clients")
	round := flag.Duration("round", 4*time.Second, "duration of one measurement on one instance")
	rounds := flag.Int("rounds", 6, "pairs of rounds: on, off, on, off, …")
	raw := flag.Duration("raw", 2*time.Second, "duration of each raw Argon2id measurement")
	evaluationsN = flag.Int("evaluations", 5000, "evaluations timed one by one with the engine alone")
	aloneAccounts = flag.Int("alone-accounts", 200, "accounts with a history for the engine-alone measurement")
	flag.Parse()
	rawRound = *raw
	if err := run(*networks, *accounts, *clients, *round, *rounds); err != nil {
		fmt.Fprintln(os.Stderr, "risk bench:", err)
		os.Exit(1)
	}
}

type instance struct {
	name  string
	inst  *app.Instance
	dir   string
	accts []string
	ips   []string
}

func run(networks, accounts, clients int, round time.Duration, rounds int) error {
	benchkit.Logf("machine: %s; load before: %s", benchkit.Machine(), benchkit.LoadAvg())
	work, err := os.MkdirTemp("", "frontdesk-risk-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	nets := geotest.Synthetic(networks)
	city := filepath.Join(work, "city.mmdb")
	t0 := time.Now()
	if err := geotest.City(city, true, nets...); err != nil {
		return err
	}
	fi, _ := os.Stat(city)
	benchkit.Logf("GeoIP database: %d networks, %.1f MiB, written in %s", networks, float64(fi.Size())/(1<<20), time.Since(t0).Round(time.Millisecond))
	list := filepath.Join(work, "tor.txt")
	var b strings.Builder
	for i := range 2000 {
		fmt.Fprintf(&b, "185.220.%d.%d\n", 100+i/250, i%250)
	}
	if err := os.WriteFile(list, []byte(b.String()), 0o600); err != nil {
		return err
	}

	on, err := start(work, "on", map[string]string{"FRONTDESK_GEOIP_DB": city, "FRONTDESK_ANONYMISER_LISTS": list})
	if err != nil {
		return err
	}
	defer on.inst.Stop()
	off, err := start(work, "off", map[string]string{"FRONTDESK_RISK_ENGINE": "false"})
	if err != nil {
		return err
	}
	defer off.inst.Stop()
	for _, in := range []*instance{on, off} {
		if err := in.register(accounts, nets); err != nil {
			return err
		}
	}

	// The engine alone first, each evaluation timed.
	alone, err := alone(city, list, nets, *aloneAccounts, *evaluationsN)
	if err != nil {
		return err
	}
	benchkit.Logf("engine alone: %d evaluations; load now: %s", alone.n, benchkit.LoadAvg())

	// Then sign-ins, strictly alternating on, off, on, off … (ABAB), with
	// the raw Argon2id rate measured before the first pair and after each
	// one: each pair's shares use the mean of the raw rates around it, so
	// the machine's changing load falls on both engines alike.
	raws := []float64{measureRaw(rawRound)}
	benchkit.Logf("raw Argon2id: %.1f hashes/s on %d workers", raws[0], runtime.GOMAXPROCS(0))
	type pair struct{ on, off float64 }
	var pairs []pair
	total := map[string][2]float64{} // sign-ins, seconds
	for r := range rounds {
		var p pair
		for _, in := range []*instance{on, off} {
			n, d, err := in.signIns(clients, round)
			if err != nil {
				return err
			}
			t := total[in.name]
			total[in.name] = [2]float64{t[0] + float64(n), t[1] + d.Seconds()}
			rate := float64(n) / d.Seconds()
			if in == on {
				p.on = rate
			} else {
				p.off = rate
			}
		}
		raws = append(raws, measureRaw(rawRound))
		ref := (raws[r] + raws[r+1]) / 2
		pairs = append(pairs, pair{100 * p.on / ref, 100 * p.off / ref})
		benchkit.Logf("pair %d: on %.1f/s (%.1f %%), off %.1f/s (%.1f %%), raw %.1f/s; load %s", r+1, p.on, pairs[r].on, p.off, pairs[r].off, ref, benchkit.LoadAvg())
	}
	var rawSum float64
	for _, x := range raws {
		rawSum += x
	}
	rawMean := rawSum / float64(len(raws))
	rateOn, rateOff := total["on"][0]/total["on"][1], total["off"][0]/total["off"][1]
	var shareOn, shareOff float64
	diffs := make([]float64, len(pairs))
	for i, p := range pairs {
		shareOn, shareOff = shareOn+p.on/float64(len(pairs)), shareOff+p.off/float64(len(pairs))
		diffs[i] = p.on - p.off
	}
	slices.Sort(diffs)
	p50, p99, mean, count, err := on.assessTimes()
	if err != nil {
		return err
	}
	fmt.Printf("| engine | sign-ins/s | share of raw Argon2id (mean of the pairs) |\n|---|---|---|\n")
	fmt.Printf("| on | %.1f | %.1f %% |\n| off | %.1f | %.1f %% |\n", rateOn, shareOn, rateOff, shareOff)
	fmt.Printf("\nraw Argon2id %.1f hashes/s (from %.1f to %.1f over the run); on − off: %.1f percentage points (pairs: median %.1f, from %.1f to %.1f)\n",
		rawMean, slices.Min(raws), slices.Max(raws), shareOn-shareOff, diffs[len(diffs)/2], diffs[0], diffs[len(diffs)-1])
	fmt.Printf("engine alone, each evaluation timed: %d evaluations, mean %s, p50 %s, p90 %s, p99 %s, max %s; raw GeoIP look-up %s (reference)\n",
		alone.n, alone.mean, alone.p50, alone.p90, alone.p99, alone.max, alone.lookupMean)
	fmt.Printf("engine inside the sign-ins (histogram): %d evaluations, mean %.0f µs, p50 ≤ %s, p99 ≤ %s (bucket bounds)\n", count, mean*1e6, p50, p99)
	benchkit.Logf("load after: %s", benchkit.LoadAvg())
	return nil
}

func start(work, name string, extra map[string]string) (*instance, error) {
	dir := filepath.Join(work, name)
	vars := map[string]string{"FRONTDESK_ADDR": "127.0.0.1:0", "FRONTDESK_DATA_DIR": dir, "FRONTDESK_LOG_LEVEL": "error",
		"FRONTDESK_TRUSTED_PROXIES": "127.0.0.1/32"}
	for k, v := range extra {
		vars[k] = v
	}
	getenv := func(k string) string { return vars[k] }
	cfg, err := app.ParseConfig(nil, getenv)
	if err != nil {
		return nil, err
	}
	inst, err := app.Start(context.Background(), cfg, app.Env{Getenv: getenv, Stdout: os.Stderr, Stderr: os.Stderr})
	if err != nil {
		return nil, err
	}
	return &instance{name: name, inst: inst, dir: dir}, nil
}

// register creates verified accounts, each with a home address in one of
// the database's networks (the off instance gets the same addresses).
func (in *instance) register(n int, nets []geotest.Net) error {
	c := benchkit.NewClient(in.inst.URL(), 8)
	secrets := map[string]string{}
	for i := range n {
		email := fmt.Sprintf("risk-%03d@example.com", i)
		in.accts = append(in.accts, email)
		in.ips = append(in.ips, geotest.IP(nets[(i*7919)%len(nets)], 9))
		var out struct{ Registration string }
		if err := c.Call("POST", "/api/v1/registrations", map[string]string{"email": email, "password": pw}, http.StatusAccepted, &out); err != nil {
			return err
		}
		secrets[email] = out.Registration
	}
	codes, err := benchkit.WaitCodes(filepath.Join(in.dir, "outbox"), in.accts, time.Minute)
	if err != nil {
		return err
	}
	for _, e := range in.accts {
		body := map[string]string{"email": e, "code": codes[e], "registration": secrets[e]}
		if err := c.Call("POST", "/api/v1/registrations/verify", body, http.StatusOK, nil); err != nil {
			return err
		}
	}
	return nil
}

// signIns signs in with clients workers for d and returns the successes.
func (in *instance) signIns(clients int, d time.Duration) (int64, time.Duration, error) {
	var n atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(d)
	for w := range clients {
		wg.Go(func() {
			hc := &http.Client{Timeout: time.Minute}
			for i := w; time.Now().Before(deadline); i += clients {
				k := i % len(in.accts)
				req, _ := http.NewRequest("POST", in.inst.URL()+"/api/v1/sessions", strings.NewReader(`{"email":"`+in.accts[k]+`","password":"`+pw+`"}`))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("X-Forwarded-For", in.ips[k])
				resp, err := hc.Do(req)
				if err != nil {
					once.Do(func() { firstErr = err })
					return
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusCreated {
					once.Do(func() { firstErr = fmt.Errorf("engine %s: sign-in answered %d", in.name, resp.StatusCode) })
					return
				}
				n.Add(1)
			}
		})
	}
	wg.Wait()
	return n.Load(), time.Since(start), firstErr
}

// measureRaw hashes with the server's default Argon2id parameters on
// every CPU for d.
func measureRaw(d time.Duration) float64 {
	var n atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for time.Since(start) < d {
				if _, err := password.Hash(pw, password.DefaultParams); err == nil {
					n.Add(1)
				}
			}
		})
	}
	wg.Wait()
	return float64(n.Load()) / time.Since(start).Seconds()
}

// assessTimes reads the engine's histogram from /metrics.
func (in *instance) assessTimes() (p50, p99 string, mean float64, count int64, err error) {
	resp, err := http.Get(in.inst.URL() + "/metrics")
	if err != nil {
		return "", "", 0, 0, err
	}
	defer resp.Body.Close()
	type bucket struct {
		le string
		n  int64
	}
	var buckets []bucket
	var sum float64
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, `frontdesk_risk_assess_seconds_bucket{le="`):
			rest := strings.TrimPrefix(line, `frontdesk_risk_assess_seconds_bucket{le="`)
			le, v, _ := strings.Cut(rest, `"} `)
			n, _ := strconv.ParseInt(v, 10, 64)
			buckets = append(buckets, bucket{le, n})
		case strings.HasPrefix(line, "frontdesk_risk_assess_seconds_sum "):
			sum, _ = strconv.ParseFloat(strings.TrimPrefix(line, "frontdesk_risk_assess_seconds_sum "), 64)
		case strings.HasPrefix(line, "frontdesk_risk_assess_seconds_count "):
			count, _ = strconv.ParseInt(strings.TrimPrefix(line, "frontdesk_risk_assess_seconds_count "), 10, 64)
		}
	}
	if count == 0 {
		return "", "", 0, 0, errors.New("the engine judged no sign-in")
	}
	at := func(q float64) string {
		want := int64(math.Ceil(q * float64(count)))
		for _, b := range buckets {
			if b.n >= want {
				if f, err := strconv.ParseFloat(b.le, 64); err == nil {
					return fmt.Sprintf("%g µs", f*1e6)
				}
				return b.le
			}
		}
		return "?"
	}
	return at(0.5), at(0.99), sum / float64(count), count, sc.Err()
}
