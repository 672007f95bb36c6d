// Package e2e holds whole-program tests: Frontdesk booted as it runs in
// production, on 127.0.0.1:0 with a temporary data directory, driven over
// HTTP and in headless Chromium.
package e2e

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/frontdesk/frontdesk/internal/app"
	"github.com/frontdesk/frontdesk/internal/db/dbtest"
	"github.com/frontdesk/frontdesk/internal/web"
)

// Instance is a running Frontdesk.
type Instance struct {
	URL     string
	DataDir string
	// DatabaseURL is "" for the embedded SQLite database.
	DatabaseURL string
	logs        *syncBuffer
	app         *app.Instance
}

// Routes returns the routes the instance serves.
func (i *Instance) Routes() []web.Route { return i.app.Routes() }

// Logs returns what the server has logged so far.
func (i *Instance) Logs() string { return i.logs.String() }

// Start boots Frontdesk with its own fresh database (SQLite, or a new
// PostgreSQL database when FRONTDESK_TEST_DATABASE_URL is set) and stops it
// when the test ends. extra holds more FRONTDESK_* variables.
func Start(t testing.TB, extra map[string]string) *Instance {
	t.Helper()
	return StartClock(t, extra, nil)
}

// StartClock is Start with the database's "now" taken from clock (nil:
// the real time), for tests of what time changes (travel, expiry).
func StartClock(t testing.TB, extra map[string]string, clock func() time.Time) *Instance {
	t.Helper()
	dbURL, dir := dbtest.URL(t)
	return startOn(t, dbURL, dir, extra, clock)
}

// StartPeer starts a second node on i's database and data directory (its
// master key), as a second server behind a load balancer would run.
func (i *Instance) StartPeer(t testing.TB, extra map[string]string) *Instance {
	t.Helper()
	return startOn(t, i.DatabaseURL, i.DataDir, extra, nil)
}

func startOn(t testing.TB, dbURL, dir string, extra map[string]string, clock func() time.Time) *Instance {
	t.Helper()
	vars := map[string]string{
		"FRONTDESK_ADDR":         "127.0.0.1:0",
		"FRONTDESK_DATA_DIR":     dir,
		"FRONTDESK_DATABASE_URL": dbURL,
		"FRONTDESK_MIGRATE":      "true",
		"FRONTDESK_LOG_LEVEL":    "debug",
	}
	for k, v := range extra {
		vars[k] = v
	}
	getenv := func(k string) string { return vars[k] }
	cfg, err := app.ParseConfig(nil, getenv)
	if err != nil {
		t.Fatalf("configuration: %v", err)
	}
	logs := &syncBuffer{}
	inst, err := app.Start(context.Background(), cfg, app.Env{Getenv: getenv, Stdout: logs, Stderr: logs, Clock: clock})
	if err != nil {
		t.Fatalf("start frontdesk: %v\n%s", err, logs.String())
	}
	t.Cleanup(func() {
		if err := inst.Stop(); err != nil {
			t.Errorf("stop frontdesk: %v", err)
		}
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	})
	return &Instance{URL: inst.URL(), DataDir: dir, DatabaseURL: dbURL, logs: logs, app: inst}
}

// Get fetches a path from the instance.
func (i *Instance) Get(t testing.TB, path string) *http.Response {
	t.Helper()
	resp, err := http.Get(i.URL + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// Browser returns a context for a fresh headless Chromium tab, closed when
// the test ends. Chromium is Debian's (make test installs it); set
// FRONTDESK_CHROMIUM to use another binary. A missing browser fails the test:
// a skipped browser test must never pass for a run one.
func Browser(t testing.TB) context.Context {
	t.Helper()
	path := os.Getenv("FRONTDESK_CHROMIUM")
	if path == "" {
		path = "/usr/bin/chromium"
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("Chromium not found at %s (run 'make test', which installs it, or set FRONTDESK_CHROMIUM): %v", path, err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1280, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	// The tab lives as long as the test: a fixed lifetime counted from
	// here ran out in the middle of a browser test on a busy machine, and
	// every later step failed as if the page were wrong. Each wait has its
	// own bound (waitFor); this one only stops a hung browser before go
	// test's -timeout does, leaving time for the cleanup's logs.
	ctx, cancelTimeout := context.WithDeadline(ctx, browserDeadline(t))
	t.Cleanup(func() {
		cancelTimeout()
		cancelTab()
		cancelAlloc()
	})
	return ctx
}

// browserDeadline is shortly before the test binary's deadline (a minute,
// or a tenth of what is left when that is less), or ten minutes from now
// without one.
func browserDeadline(t testing.TB) time.Time {
	if d, ok := t.(interface{ Deadline() (time.Time, bool) }); ok {
		if at, ok := d.Deadline(); ok {
			return at.Add(-min(time.Minute, time.Until(at)/10))
		}
	}
	return time.Now().Add(10 * time.Minute)
}

// syncBuffer is a bytes.Buffer safe for the server's concurrent writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
