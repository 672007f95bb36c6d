// Command privacy measures the privacy features of issue 18 against a
// Frontdesk it starts in this process (SQLite by default; -pg URL runs
// against a fresh database on that PostgreSQL server):
//
//   - -mode retention (the default): expired sign-in events are seeded in
//     bulk, then clients sign in continuously through interleaved phases —
//     a baseline, the purge running (`frontdesk privacy retention`, in this
//     process, against the same database), a second baseline — and the
//     sign-in latency of each phase is reported beside the purge's duration
//     and rate.
//   - -mode erase: accounts are imported (`frontdesk accounts import`) and
//     given sign-in history and a support conversation each, then erased in
//     one batch through the real erasure (privacy.Service.Erase, what both
//     `frontdesk privacy erase` and the closure sweep call), with the same
//     sign-in phases around it.
//   - -mode export: a customer with -conversations conversations and
//     -attachments MiB of uploaded files, and a second one with -scale
//     times as much, are seeded through the support desk's own service
//     (sealed as the product seals); each exports through the real job
//     (privacy.Service.RequestExport, which builds in the background), and
//     the build's time and peak memory are reported side by side, with the
//     download streamed back and checked.
//
// Every mode measures the machine's raw Argon2id rate before and after,
// and reports the load average, so a figure can be read against what the
// machine could do at the time.
package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/frontdesk/frontdesk/bench/internal/benchkit"
	"github.com/frontdesk/frontdesk/internal/app"
	"github.com/frontdesk/frontdesk/internal/password"
)

const pw = "Plum orbit lantern velvet 7!"

type options struct {
	mode           string
	pg             string
	rows           int
	accounts       int
	clients        int
	phase          time.Duration
	erase          int
	history        int
	conversations  int
	attachMiB      int
	fileKiB        int
	scale          int
	rawFor         time.Duration
	cpuProfile     string
	eraseWorkers   int
	eraseBatch     int
	eraseYield     float64
	convsPerErased int
}

func main() {
	var o options
	flag.StringVar(&o.mode, "mode", "retention", "retention, erase or export")
	flag.StringVar(&o.pg, "pg", "", "PostgreSQL server URL (a fresh database is created on it); SQLite when empty")
	flag.IntVar(&o.rows, "rows", 200000, "retention: expired sign-in events to seed")
	flag.IntVar(&o.accounts, "accounts", 16, "retention, erase: accounts signing in")
	flag.IntVar(&o.clients, "clients", 4, "retention, erase: concurrent sign-in clients")
	flag.DurationVar(&o.phase, "phase", 10*time.Second, "retention, erase: duration of each baseline phase")
	flag.IntVar(&o.erase, "erase", 10000, "erase: accounts to erase in one batch")
	flag.IntVar(&o.history, "history", 5, "erase: sign-in events of each account to erase")
	flag.IntVar(&o.convsPerErased, "erase-conversations", 1, "erase: support conversations of each account to erase")
	flag.IntVar(&o.eraseWorkers, "erase-workers", 1, "erase: erasures run at once")
	flag.Float64Var(&o.eraseYield, "erase-yield", 0, "erase: pause after each batch, as a multiple of its time (privacy.Options.EraseYield; 0: the default, 0.5 on SQLite and none on PostgreSQL; -1: none)")
	flag.IntVar(&o.eraseBatch, "erase-batch", 0, "erase: accounts erased in one transaction (privacy.Options.EraseBatch; 0: the default, 25 on SQLite and 100 on PostgreSQL; 1: Erase, one account at a time)")
	flag.IntVar(&o.conversations, "conversations", 1000, "export: conversations of the first customer")
	flag.IntVar(&o.attachMiB, "attachments", 50, "export: MiB of attachments of the first customer")
	flag.IntVar(&o.fileKiB, "file", 256, "export: KiB per attachment")
	flag.IntVar(&o.scale, "scale", 5, "export: the second customer has this many times the first's data (0: no second customer)")
	flag.DurationVar(&o.rawFor, "raw", 3*time.Second, "how long each raw Argon2id measurement runs")
	flag.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the mode's run (seeding included) to this file")
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "privacy bench:", err)
		os.Exit(1)
	}
}

// env is a Frontdesk's configuration in a fresh data directory.
type env struct {
	vars   map[string]string
	cfg    app.Config
	dbName string
	work   string
}

func (e *env) getenv(k string) string { return e.vars[k] }

func run(o options) error {
	benchkit.Logf("machine: %s; load before: %s", benchkit.Machine(), benchkit.LoadAvg())
	work, err := os.MkdirTemp("", "frontdesk-privacy-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	e := &env{work: work, dbName: "SQLite", vars: map[string]string{"FRONTDESK_ADDR": "127.0.0.1:0", "FRONTDESK_DATA_DIR": work,
		"FRONTDESK_LOG_LEVEL": "error", "FRONTDESK_MIGRATE": "true", "FRONTDESK_RETENTION": "sign_in_history=365"}}
	if o.pg != "" {
		d, err := benchkit.CreateDatabase(o.pg, "frontdesk_privacy_bench")
		if err != nil {
			return err
		}
		defer d.Drop()
		e.vars["FRONTDESK_DATABASE_URL"] = d.URL
		e.dbName = "PostgreSQL"
	}
	if e.cfg, err = app.ParseConfig(nil, e.getenv); err != nil {
		return err
	}
	raw1, err := rawRate(o.rawFor)
	if err != nil {
		return err
	}
	benchkit.Logf("raw Argon2id rate before: %.1f hashes/s (load %s)", raw1, benchkit.LoadAvg())
	if o.cpuProfile != "" {
		f, err := os.Create(o.cpuProfile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer f.Close()
		defer pprof.StopCPUProfile()
	}
	switch o.mode {
	case "retention":
		err = runRetention(e, o)
	case "erase":
		err = runErase(e, o)
	case "export":
		err = runExport(e, o)
	default:
		err = fmt.Errorf("-mode must be retention, erase or export, not %q", o.mode)
	}
	if err != nil {
		return err
	}
	raw2, err := rawRate(o.rawFor)
	if err != nil {
		return err
	}
	fmt.Printf("\nraw Argon2id rate (%d goroutines, password.DefaultParams): %.1f hashes/s before, %.1f after\n",
		runtime.GOMAXPROCS(0), raw1, raw2)
	benchkit.Logf("load after: %s", benchkit.LoadAvg())
	return nil
}

// rawRate is the machine's raw Argon2id rate: password.DefaultParams
// hashes from GOMAXPROCS goroutines for d, counting those finished.
func rawRate(d time.Duration) (float64, error) {
	var n atomic.Int64
	var mu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(d)
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for time.Now().Before(deadline) {
				if _, err := password.Hash(pw, password.DefaultParams); err != nil {
					mu.Lock()
					firstErr = cmp.Or(firstErr, err)
					mu.Unlock()
					return
				}
				n.Add(1)
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return 0, firstErr
	}
	return float64(n.Load()) / time.Since(start).Seconds(), nil
}

// start starts the server in this process.
func (e *env) start() (*app.Instance, error) {
	return app.Start(context.Background(), e.cfg, app.Env{Getenv: e.getenv, Stdout: os.Stderr, Stderr: os.Stderr})
}

// cli runs the real command line in this process.
func (e *env) cli(args ...string) (string, error) {
	var out strings.Builder
	code := app.Main(context.Background(), args, app.Env{Getenv: e.getenv, Stdout: &out, Stderr: &out})
	if code != 0 {
		return out.String(), fmt.Errorf("%s: exit %d: %s", strings.Join(args, " "), code, out.String())
	}
	return out.String(), nil
}

// register creates verified accounts through the API.
func register(base, work string, n int) ([]string, error) {
	c := benchkit.NewClient(base, 8)
	secrets := map[string]string{}
	var emails []string
	for i := range n {
		email := fmt.Sprintf("signin-%03d@example.com", i)
		emails = append(emails, email)
		var out struct{ Registration string }
		if err := c.Call("POST", "/api/v1/registrations", map[string]string{"email": email, "password": pw}, http.StatusAccepted, &out); err != nil {
			return nil, err
		}
		secrets[email] = out.Registration
	}
	codes, err := benchkit.WaitCodes(filepath.Join(work, "outbox"), emails, time.Minute)
	if err != nil {
		return nil, err
	}
	for _, e := range emails {
		body := map[string]string{"email": e, "code": codes[e], "registration": secrets[e]}
		if err := c.Call("POST", "/api/v1/registrations/verify", body, http.StatusOK, nil); err != nil {
			return nil, err
		}
	}
	return emails, nil
}

type result struct {
	lat []time.Duration
	err error
}

// signIns signs in with clients workers while more(start) holds.
func signIns(base string, emails []string, clients int, more func(time.Time) bool) result {
	var mu sync.Mutex
	var res result
	var wg sync.WaitGroup
	start := time.Now()
	for w := range clients {
		wg.Go(func() {
			hc := &http.Client{Timeout: time.Minute}
			for i := w; more(start); i += clients {
				t := time.Now()
				req, _ := http.NewRequest("POST", base+"/api/v1/sessions", strings.NewReader(`{"email":"`+emails[i%len(emails)]+`","password":"`+pw+`"}`))
				req.Header.Set("Content-Type", "application/json")
				resp, err := hc.Do(req)
				if err == nil {
					resp.Body.Close()
					if resp.StatusCode != http.StatusCreated {
						err = fmt.Errorf("sign-in answered %d", resp.StatusCode)
					}
				}
				mu.Lock()
				if err != nil && res.err == nil {
					res.err = err
				}
				if err == nil {
					res.lat = append(res.lat, time.Since(t))
				}
				mu.Unlock()
				if err != nil {
					return
				}
			}
		})
	}
	wg.Wait()
	return res
}

// phases runs sign-ins for a baseline phase, while work runs, and for a
// second baseline; it returns both baselines together, the sign-ins
// during the work, and how long the work took.
func phases(base string, emails []string, o options, work func() error) (baseline, during result, took time.Duration, err error) {
	for_ := func(start time.Time) bool { return time.Since(start) < o.phase }
	base1 := signIns(base, emails, o.clients, for_)
	benchkit.Logf("baseline: %d sign-ins, p99 %s (load %s)", len(base1.lat), pct(base1.lat, 99), benchkit.LoadAvg())
	done := make(chan struct{})
	var workErr error
	go func() {
		defer close(done)
		start := time.Now()
		workErr = work()
		took = time.Since(start)
	}()
	during = signIns(base, emails, o.clients, func(time.Time) bool {
		select {
		case <-done:
			return false
		default:
			return true
		}
	})
	<-done
	benchkit.Logf("during: %d sign-ins, p99 %s, work took %s (load %s)", len(during.lat), pct(during.lat, 99),
		took.Round(time.Millisecond), benchkit.LoadAvg())
	if workErr != nil {
		return result{}, result{}, took, workErr
	}
	base2 := signIns(base, emails, o.clients, for_)
	benchkit.Logf("second baseline: %d sign-ins, p99 %s (load %s)", len(base2.lat), pct(base2.lat, 99), benchkit.LoadAvg())
	baseline.lat = append(append([]time.Duration{}, base1.lat...), base2.lat...)
	if base1.err != nil || during.err != nil || base2.err != nil {
		err = fmt.Errorf("sign-in errors: %v %v %v", base1.err, during.err, base2.err)
	}
	return baseline, during, took, err
}

func pct(lat []time.Duration, p int) string {
	if len(lat) == 0 {
		return "-"
	}
	return pctOf(lat, p).Round(time.Millisecond).String()
}

func pctOf(lat []time.Duration, p int) time.Duration {
	s := append([]time.Duration{}, lat...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[min(len(s)-1, len(s)*p/100)]
}

// ratio is the during p99 over the baseline p99.
func ratio(during, baseline []time.Duration) string {
	if len(during) == 0 || len(baseline) == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f×", float64(pctOf(during, 99))/float64(pctOf(baseline, 99)))
}
