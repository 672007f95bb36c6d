package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/klauspost/compress/zstd"
	"golang.org/x/crypto/chacha20poly1305"

	"github.com/frontdesk/frontdesk/bench/internal/benchkit"
	"github.com/frontdesk/frontdesk/internal/app"
	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/backup"
	"github.com/frontdesk/frontdesk/internal/db"
)

// cli runs the real command line in this process.
func cli(vars map[string]string, args ...string) (string, error) {
	var out bytes.Buffer
	code := app.Main(context.Background(), args, app.Env{Getenv: func(k string) string { return vars[k] }, Stdout: &out, Stderr: &out})
	if code != 0 {
		return out.String(), fmt.Errorf("%s: exit %d: %s", strings.Join(args, " "), code, out.String())
	}
	return out.String(), nil
}

func run(o options) error {
	ctx := context.Background()
	work, err := os.MkdirTemp(o.workDir, "fd-backup-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	dialect, dbURL := "SQLite", ""
	if o.postgres != "" {
		pg, err := benchkit.CreateDatabase(o.postgres, "fd_backup_bench")
		if err != nil {
			return err
		}
		defer pg.Drop()
		dialect, dbURL = "PostgreSQL "+pg.Version, pg.URL
	}
	vars := map[string]string{
		"FRONTDESK_DATA_DIR":           filepath.Join(work, "data"),
		"FRONTDESK_DATABASE_URL":       dbURL,
		"FRONTDESK_MIGRATE":            "true",
		"FRONTDESK_LOG_LEVEL":          "warn",
		"FRONTDESK_BACKUP_TARGET":      "file://" + filepath.Join(work, "repo"),
		"FRONTDESK_BACKUP_SCHEDULE":    "false",
		"FRONTDESK_TRUSTED_PROXIES":    "127.0.0.1/32",
		"FRONTDESK_HASH_MEMORY_BUDGET": "256MiB",
	}
	loadStart := benchkit.LoadAvg()
	benchkit.Logf("machine: %s; load %s", benchkit.Machine(), loadStart)
	if _, err := cli(vars, "migrate"); err != nil {
		return err
	}
	seed, err := openSeeder(ctx, vars)
	if err != nil {
		return err
	}
	defer seed.Close()
	start := time.Now()
	if err := seed.seedAccounts(ctx, o.accounts); err != nil {
		return err
	}
	seedAcc := time.Since(start)
	benchkit.Logf("%d accounts seeded in %s; load %s", o.accounts, seedAcc.Round(time.Second), benchkit.LoadAvg())
	start = time.Now()
	if err := seed.seedConversations(ctx, o.conversations); err != nil {
		return err
	}
	seedConv := time.Since(start)
	benchkit.Logf("%d conversations seeded in %s; load %s", o.conversations, seedConv.Round(time.Second), benchkit.LoadAvg())
	if seed.d.Dialect() == db.Postgres {
		// A database loaded at once has neither statistics nor a
		// visibility map until autovacuum runs; a live one has both, and
		// autovacuum would otherwise run in the middle of the phases.
		t := time.Now()
		if err := seed.d.Maintain(ctx, "VACUUM ANALYZE"); err != nil {
			return err
		}
		benchkit.Logf("VACUUM ANALYZE in %s", time.Since(t).Round(time.Second))
	}
	dbSize, err := databaseSize(ctx, seed.d, vars)
	if err != nil {
		return err
	}
	benchkit.Logf("database: %s", mb(dbSize))

	srv, err := benchkit.Start(benchkit.Spec{Vars: vars, Work: work})
	if err != nil {
		return err
	}
	defer srv.Stop()

	ref, refBytes, err := reference(vars)
	if err != nil {
		return err
	}
	benchkit.Logf("reference: zstd + XChaCha20-Poly1305 of %s of the database in 64 KiB segments, one core: %.0f MB/s", mb(refBytes), ref)

	// Latency without a backup, during a full one, and without again: the
	// baseline is taken on both sides of the backup so that a change in the
	// machine's load during the run shows rather than passing for the
	// backup's cost.
	wait := func(stop <-chan struct{}) error { <-time.After(o.baseline / 2); return nil }
	base := probe(srv.URL, o, wait)
	var fullOut string
	var fullTook time.Duration
	loadFull := benchkit.LoadAvg()
	during := probe(srv.URL, o, func(<-chan struct{}) error {
		t := time.Now()
		out, err := cli(vars, "backup", "--full")
		fullOut, fullTook = out, time.Since(t)
		return err
	})
	if during.err != nil {
		return during.err
	}
	after := probe(srv.URL, o, wait)
	if base.err != nil || after.err != nil {
		return errors.Join(base.err, after.err)
	}
	base.signIn = append(base.signIn, after.signIn...)
	base.session = append(base.session, after.session...)
	full, err := lastRun(vars)
	if err != nil {
		return err
	}
	benchkit.Logf("full backup during the latency phase: %s of data, %s uploaded in %s", mb(full.bytes), mb(full.uploaded), fullTook.Round(100*time.Millisecond))
	benchkit.Logf("full backup: %s; load before %s, after %s", strings.TrimSpace(lastLine(fullOut)), loadFull, benchkit.LoadAvg())

	// The incremental is measured on a quiet base: a second full backup
	// after the latency phases (whose sign-ins rehash passwords and write
	// sessions), then exactly the change.
	quiet, quietTook, fullRSS := full, fullTook, int64(0)
	if o.quietBase {
		fullRSS, err = peakRSS(func() error {
			t := time.Now()
			_, err := cli(vars, "backup", "--full")
			quietTook = time.Since(t)
			return err
		})
		if err != nil {
			return err
		}
		if quiet, err = lastRun(vars); err != nil {
			return err
		}
		benchkit.Logf("quiet full backup: %s in %s, peak RSS %s", mb(quiet.uploaded), quietTook.Round(100*time.Millisecond), mb(fullRSS))
	}
	if err := seed.changeAccounts(ctx); err != nil {
		return err
	}
	if err := seed.startConversations(ctx, o.conversations, o.newConversations); err != nil {
		return err
	}
	out, err := cli(vars, "backup")
	if err != nil {
		return err
	}
	inc, err := lastRun(vars)
	if err != nil {
		return err
	}
	breakdown, err := newBytes(vars)
	if err != nil {
		return err
	}
	benchkit.Logf("incremental backup: %s: %.2f%% of %s", strings.TrimSpace(lastLine(out)), 100*float64(inc.uploaded)/float64(quiet.uploaded), mb(quiet.uploaded))
	// Below the size, 1,000 new conversations are a larger share
	// of the data than the 1,000 in 200,000: the rest of the
	// thousand go into a second incremental, and the two together are
	// reported too (an incremental after an incremental).
	var inc2 runFigures
	if rest := 1000 - o.newConversations; rest > 0 {
		if err := seed.startConversations(ctx, o.conversations+o.newConversations, rest); err != nil {
			return err
		}
		if _, err := cli(vars, "backup"); err != nil {
			return err
		}
		if inc2, err = lastRun(vars); err != nil {
			return err
		}
	}
	var drillRTO string
	if o.drill {
		out, err = cli(vars, "backup", "drill")
		if err != nil {
			return err
		}
		rto := regexp.MustCompile(`RTO (\S+)`).FindStringSubmatch(out)
		if rto == nil {
			return fmt.Errorf("drill said: %s", out)
		}
		drillRTO = rto[1]
		benchkit.Logf("drill: %s", strings.TrimSpace(lastLine(out)))
	}
	// The restore check: customers seeded before the first backup, and
	// customers whose conversations only the incrementals hold.
	last := len(seed.convs) - 1
	picks := []int{o.conversations / 2, o.conversations/2 + 1, o.conversations/2 + 2, o.conversations, last}
	var rc restored
	restoreRSS, err := peakRSS(func() (err error) {
		rc, err = restoreCheck(o, vars, work, seed, picks)
		return err
	})
	if err != nil {
		return err
	}
	benchkit.Logf("restore: %s; RTO %s (restore %s); customers shown; peak RSS %s; load %s", rc.out, rc.rto.Round(100*time.Millisecond), rc.restore.Round(100*time.Millisecond), mb(restoreRSS), benchkit.LoadAvg())

	fmt.Printf("\n%s, %d accounts, %d conversations; %s; load at the start %s, when the full backup started %s, at the end %s\n\n", dialect, o.accounts, o.conversations, benchkit.Machine(), loadStart, loadFull, benchkit.LoadAvg())
	fmt.Printf("| measure | figure |\n|---|---|\n")
	fmt.Printf("| seeding (bulk seeder: keyring data keys, sealed columns, multi-row inserts) | %d accounts in %s (%.0f/s), %d conversations (%d messages) in %s (%.0f/s) |\n", o.accounts, seedAcc.Round(time.Second), float64(o.accounts)/seedAcc.Seconds(), o.conversations, messages(o.conversations), seedConv.Round(time.Second), float64(o.conversations)/seedConv.Seconds())
	fmt.Printf("| database | %s |\n", mb(dbSize))
	fmt.Printf("| reference: zstd + XChaCha20-Poly1305, 64 KiB segments, one core | %.0f MB/s |\n", ref)
	fmt.Printf("| full backup | %s, %s of data, %s uploaded (%.0f MB/s of data) |\n", fullTook.Round(100*time.Millisecond), mb(full.bytes), mb(full.uploaded), float64(full.bytes)/1e6/fullTook.Seconds())
	if o.quietBase {
		fmt.Printf("| the same, without the latency clients (the incremental's base) | %s, %s uploaded; peak resident memory of the process making it %s |\n", quietTook.Round(100*time.Millisecond), mb(quiet.uploaded), mb(fullRSS))
	}
	fmt.Printf("| incremental after 1%% of accounts changed and %d conversations added | %s uploaded: **%.2f%%** of the full backup's upload (%s; target ≤ 5%%) |\n", o.newConversations, mb(inc.uploaded), 100*float64(inc.uploaded)/float64(quiet.uploaded), mb(quiet.uploaded))
	if inc2.uploaded > 0 {
		fmt.Printf("| then an incremental after %d more conversations (1,000 in all) | %s; both incrementals together **%.2f%%** |\n", 1000-o.newConversations, mb(inc2.uploaded), 100*float64(inc.uploaded+inc2.uploaded)/float64(quiet.uploaded))
	}
	fmt.Printf("| plaintext stored anew by the incremental, by file | %s |\n", breakdown)
	fmt.Printf("| restore into a new data directory%s, then a server on it ready (RTO) | restore %s, server ready after **%s** |\n", map[bool]string{true: " and database", false: ""}[o.postgres != ""], rc.restore.Round(100*time.Millisecond), rc.rto.Round(100*time.Millisecond))
	fmt.Printf("| peak resident memory of the process restoring | %s |\n", mb(restoreRSS))
	fmt.Printf("| restored server: %d customers sign in and open their conversation (%d from the incrementals) | all shown, first in %s |\n", len(picks), 2, rc.first.Round(time.Millisecond))
	if drillRTO != "" {
		fmt.Printf("| `frontdesk backup drill` (restore, key check, erasure replay, audit verify, server ready) | RTO **%s** |\n", drillRTO)
	}
	fmt.Printf("| sign-in p50 / p99 without (before and after) / during the full backup | %s / %s — %s / %s (%d and %d sign-ins) |\n", base.signIn.p(50), base.signIn.p(99), during.signIn.p(50), during.signIn.p(99), len(base.signIn), len(during.signIn))
	fmt.Printf("| session check p50 / p99 without / during | %s / %s — %s / %s (%d and %d checks) |\n", base.session.p(50), base.session.p(99), during.session.p(50), during.session.p(99), len(base.session), len(during.session))
	fmt.Printf("| p99 ratio during / without (target ≤ 2×) | sign-in %.2f×, session check %.2f× |\n", during.signIn.ratio(base.signIn), during.session.ratio(base.session))
	return nil
}

// messages is how many messages seedConversations writes for n
// conversations (one to three each).
func messages(n int) int {
	total := 0
	for k := range n {
		total += 1 + k%3
	}
	return total
}

// databaseSize is the SQLite file's size (with its WAL) or the PostgreSQL
// database's.
func databaseSize(ctx context.Context, d *db.DB, vars map[string]string) (int64, error) {
	if d.Dialect() == db.Postgres {
		var n int64
		err := d.Read(ctx, func(tx *db.Tx) error {
			return tx.QueryRow(ctx, "SELECT pg_database_size(current_database())").Scan(&n)
		})
		return n, err
	}
	var n int64
	for _, f := range []string{"frontdesk.db", "frontdesk.db-wal"} {
		if fi, err := os.Stat(filepath.Join(vars["FRONTDESK_DATA_DIR"], f)); err == nil {
			n += fi.Size()
		}
	}
	return n, nil
}

// restored is what restoreCheck measured.
type restored struct {
	restore, rto, first time.Duration
	out                 string
}

// restoreCheck restores the newest backup with `frontdesk restore latest`
// into a new data directory (and a new PostgreSQL database), the master
// and audit keys copied in beforehand as an operator restores them apart,
// starts a server on it, and has the customers of conversations picks sign
// in and open each its conversation in the portal: their e-mail and name
// must open from the sealed columns and the page must show the first
// message. The RTO is from the start of the restore to the server's first
// ready answer.
func restoreCheck(o options, vars map[string]string, work string, s *seeder, picks []int) (restored, error) {
	var r restored
	dir := filepath.Join(work, "restored")
	from := filepath.Join(vars["FRONTDESK_DATA_DIR"], "keys")
	if err := os.MkdirAll(filepath.Join(dir, "keys"), 0o700); err != nil {
		return r, err
	}
	for _, k := range []string{"master.key", "audit-ed25519.key"} {
		b, err := os.ReadFile(filepath.Join(from, k))
		if err != nil {
			return r, err
		}
		if err := os.WriteFile(filepath.Join(dir, "keys", k), b, 0o600); err != nil {
			return r, err
		}
	}
	rvars := maps.Clone(vars)
	rvars["FRONTDESK_BACKUP_IDENTITY_FILE"] = filepath.Join(from, "backup-age.key")
	if o.postgres != "" {
		pg, err := benchkit.CreateDatabase(o.postgres, "fd_backup_restored")
		if err != nil {
			return r, err
		}
		defer pg.Drop()
		rvars["FRONTDESK_DATABASE_URL"] = pg.URL
	}
	start := time.Now()
	out, err := cli(rvars, "restore", "latest", "--to", dir)
	if err != nil {
		return r, err
	}
	r.restore, r.out = time.Since(start), strings.TrimSpace(lastLine(out))
	svars := maps.Clone(rvars)
	svars["FRONTDESK_DATA_DIR"] = dir
	svars["FRONTDESK_BACKUP_TARGET"] = "file://" + filepath.Join(work, "restored-repo")
	delete(svars, "FRONTDESK_BACKUP_IDENTITY_FILE")
	srv, err := benchkit.Start(benchkit.Spec{Vars: svars, Work: filepath.Join(work, "restored-run")})
	if err != nil {
		return r, fmt.Errorf("the restored server: %w", err)
	}
	defer srv.Stop()
	r.rto = time.Since(start)
	for n, k := range picks {
		i := k % len(s.accts)
		t := time.Now()
		c := benchkit.NewClient(srv.URL, 1)
		c.XFF = fmt.Sprintf("10.251.0.%d", n+1)
		if err := c.SignIn(email(i), password); err != nil {
			return r, fmt.Errorf("restored server: %w", err)
		}
		var me struct {
			Account struct{ ID, Email, Name string }
		}
		if err := c.Call("GET", "/api/v1/session", nil, http.StatusOK, &me); err != nil {
			return r, fmt.Errorf("restored server: %w", err)
		}
		if me.Account.ID != s.accts[i] || me.Account.Email != email(i) || me.Account.Name != name(i) {
			return r, fmt.Errorf("restored server: customer %d is %+v, want %s %s %q", i, me.Account, s.accts[i], email(i), name(i))
		}
		status, body, err := page(c, "/support/"+s.convs[k])
		if err != nil {
			return r, fmt.Errorf("restored server: %w", err)
		}
		if status != http.StatusOK || !strings.Contains(body, ref(k)) || !strings.Contains(body, fmt.Sprintf("Request %d", k)) {
			return r, fmt.Errorf("restored server: customer %d's conversation %d: status %d, its subject or first message missing", i, k, status)
		}
		if n == 0 {
			r.first = time.Since(t)
		}
	}
	return r, srv.Stop()
}

// peakRSS resets this process's peak resident size, runs f, and returns
// the peak while it ran (the commands run in this process).
func peakRSS(f func() error) (int64, error) {
	runtime.GC()
	os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
	if err := f(); err != nil {
		return 0, err
	}
	return benchkit.ProcStatus(os.Getpid(), "VmHWM")
}

// page gets a portal page with the client's session cookie, as a browser.
func page(c *benchkit.Client, path string) (int, string, error) {
	req, err := http.NewRequest("GET", c.Base+path, nil)
	if err != nil {
		return 0, "", err
	}
	req.AddCookie(&http.Cookie{Name: benchkit.SessionCookie, Value: c.Token})
	if c.XFF != "" {
		req.Header.Set("X-Forwarded-For", c.XFF)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

func mb(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

type runFigures struct{ bytes, uploaded int64 }

func lastRun(vars map[string]string) (runFigures, error) {
	ctx := context.Background()
	d, err := db.Open(ctx, db.Options{URL: vars["FRONTDESK_DATABASE_URL"], DataDir: vars["FRONTDESK_DATA_DIR"]})
	if err != nil {
		return runFigures{}, err
	}
	defer d.Close()
	var r runFigures
	err = d.Read(ctx, func(tx *db.Tx) error {
		return tx.QueryRow(ctx, `SELECT bytes, uploaded FROM backup_runs WHERE kind = 'backup' AND ok ORDER BY finished_at DESC LIMIT 1`).Scan(&r.bytes, &r.uploaded)
	})
	return r, err
}

// reference compresses and encrypts the database's own bytes (the first
// 256 MiB of the SQLite file, or of a pg_dump) in 64 KiB segments on one
// core, as the backup does, with none of its reading, hashing, packing or
// writing: the ceiling the backup is measured against.
func reference(vars map[string]string) (mbps float64, n int64, err error) {
	const sample = 256 << 20
	var data []byte
	if u := vars["FRONTDESK_DATABASE_URL"]; u != "" {
		cmd := exec.Command("pg_dump", "--no-owner", "--dbname", u)
		pipe, err := cmd.StdoutPipe()
		if err != nil {
			return 0, 0, err
		}
		if err := cmd.Start(); err != nil {
			return 0, 0, err
		}
		data, err = io.ReadAll(io.LimitReader(pipe, sample))
		cmd.Process.Kill()
		cmd.Wait()
		if err != nil {
			return 0, 0, err
		}
	} else {
		f, err := os.Open(filepath.Join(vars["FRONTDESK_DATA_DIR"], "frontdesk.db"))
		if err != nil {
			return 0, 0, err
		}
		data, err = io.ReadAll(io.LimitReader(f, sample))
		f.Close()
		if err != nil {
			return 0, 0, err
		}
	}
	enc, _ := zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1))
	key := make([]byte, 32)
	rand.Read(key)
	aead, _ := chacha20poly1305.NewX(key)
	nonce := make([]byte, chacha20poly1305.NonceSizeX)
	var buf, sealed []byte
	start := time.Now()
	for off := 0; off < len(data); off += 64 << 10 {
		chunk := data[off:min(off+64<<10, len(data))]
		buf = enc.EncodeAll(chunk, buf[:0])
		rand.Read(nonce)
		sealed = aead.Seal(sealed[:0], nonce, buf, nil)
	}
	took := time.Since(start)
	return float64(len(data)) / 1e6 / took.Seconds(), int64(len(data)), nil
}

// latencies is a set of request durations.
type latencies []time.Duration

func (l latencies) p(q int) string {
	if len(l) == 0 {
		return "-"
	}
	s := append(latencies(nil), l...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[min(len(s)-1, len(s)*q/100)].Round(100 * time.Microsecond).String()
}

func (l latencies) ratio(base latencies) float64 {
	pick := func(x latencies) time.Duration {
		s := append(latencies(nil), x...)
		sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
		return s[min(len(s)-1, len(s)*99/100)]
	}
	if len(l) == 0 || len(base) == 0 {
		return 0
	}
	return float64(pick(l)) / float64(pick(base))
}

type phase struct {
	signIn, session latencies
	err             error
}

var nextAccount struct {
	sync.Mutex
	i int
}

// probe runs o.probes clients, each signing a fresh account in and
// checking its session five times, while work runs.
func probe(base string, o options, work func(stop <-chan struct{}) error) phase {
	var (
		mu   sync.Mutex
		ph   phase
		wg   sync.WaitGroup
		stop = make(chan struct{})
	)
	for w := range o.probes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				nextAccount.Lock()
				i := nextAccount.i
				nextAccount.i++
				nextAccount.Unlock()
				c := benchkit.NewClient(base, 2)
				c.XFF = fmt.Sprintf("10.%d.%d.%d", w, (i/250)%250, i%250+1)
				t := time.Now()
				if err := c.SignIn(email(i%o.accounts), password); err != nil {
					mu.Lock()
					ph.err = fmt.Errorf("sign-in: %w", err)
					mu.Unlock()
					return
				}
				d := time.Since(t)
				var checks latencies
				for range 5 {
					t := time.Now()
					if err := c.Call("GET", "/api/v1/session", nil, 200, nil); err != nil {
						mu.Lock()
						ph.err = fmt.Errorf("session check: %w", err)
						mu.Unlock()
						return
					}
					checks = append(checks, time.Since(t))
				}
				mu.Lock()
				ph.signIn = append(ph.signIn, d)
				ph.session = append(ph.session, checks...)
				mu.Unlock()
			}
		}()
	}
	err := work(stop)
	close(stop)
	wg.Wait()
	if err != nil {
		ph.err = err
	}
	benchkit.Logf("phase: %d sign-ins, %d session checks, %d CPUs busy", len(ph.signIn), len(ph.session), runtime.NumCPU())
	return ph
}

// newBytes lists, for the newest backup, the plaintext bytes each file
// stored anew, largest first.
func newBytes(vars map[string]string) (string, error) {
	ctx := context.Background()
	dir := vars["FRONTDESK_DATA_DIR"]
	signer, err := audit.LoadSigner(filepath.Join(dir, "keys", "audit-ed25519.key"))
	if err != nil {
		return "", err
	}
	store, err := backup.OpenStore(vars["FRONTDESK_BACKUP_TARGET"], dir)
	if err != nil {
		return "", err
	}
	repo, err := backup.Open(backup.Options{Store: store, Signer: signer})
	if err != nil {
		return "", err
	}
	list, err := repo.List(ctx)
	if err != nil || len(list) == 0 {
		return "", fmt.Errorf("list: %v", err)
	}
	m := list[len(list)-1]
	items := append([]backup.Item(nil), m.Items...)
	sort.Slice(items, func(i, j int) bool { return items[i].New > items[j].New })
	var parts []string
	var rest int64
	for i, it := range items {
		if i < 3 {
			parts = append(parts, fmt.Sprintf("%s %s of %s", it.Path, mb(it.New), mb(it.Size)))
		} else {
			rest += it.New
		}
	}
	return strings.Join(parts, "; ") + fmt.Sprintf("; other files %s", mb(rest)), nil
}
