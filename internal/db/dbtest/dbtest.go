// Package dbtest opens a fresh, migrated database for each test: a temporary
// SQLite file by default, or a new PostgreSQL database (created, and dropped
// after the test) when FRONTDESK_TEST_DATABASE_URL is set.
package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/internal/db"
)

// EnvURL names the variable that switches the suite to PostgreSQL.
const EnvURL = "FRONTDESK_TEST_DATABASE_URL"

// Options adjust Open.
type Options struct {
	Clock     func() time.Time
	NoMigrate bool // leave the schema empty
}

// Open returns a fresh migrated database that is closed (and on PostgreSQL
// dropped) when the test ends.
func Open(t testing.TB) *db.DB {
	t.Helper()
	return OpenWith(t, Options{})
}

// URL creates a fresh empty database and returns its URL: "" meaning a new
// SQLite file in the returned data directory, or a postgres:// URL. The
// database is removed when the test ends.
func URL(t testing.TB) (dbURL, dataDir string) {
	t.Helper()
	dataDir = t.TempDir()
	base := os.Getenv(EnvURL)
	if base == "" {
		return "", dataDir
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", EnvURL, err)
	}
	name := "fd_test_" + randomHex(8)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("open %s: %v", db.Redact(base), err)
	}
	defer admin.Close()
	if _, err := admin.Exec(`CREATE DATABASE ` + name); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		admin, err := sql.Open("pgx", base)
		if err != nil {
			t.Errorf("drop test database: %v", err)
			return
		}
		defer admin.Close()
		if _, err := admin.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`); err != nil {
			t.Errorf("drop test database %s: %v", name, err)
		}
	})
	u.Path = "/" + name
	return u.String(), dataDir
}

// OpenWith is Open with options.
func OpenWith(t testing.TB, opts Options) *db.DB {
	t.Helper()
	dbURL, dir := URL(t)
	ctx := context.Background()
	d, err := db.Open(ctx, db.Options{URL: dbURL, DataDir: dir, Clock: opts.Clock})
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(func() { d.Close() })
	if !opts.NoMigrate {
		if err := d.Migrate(ctx, nil); err != nil {
			t.Fatalf("migrate test database: %v", err)
		}
	}
	return d
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// Clock is a settable clock for Options.Clock: tests move time forward
// instead of sleeping.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock standing at t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Add moves the clock forward by d.
func (c *Clock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t.UTC()
	c.mu.Unlock()
}
