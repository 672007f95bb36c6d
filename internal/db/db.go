// Package db opens the embedded SQLite database or PostgreSQL, hides their
// differences behind one query helper, runs transactions with a single "now",
// and applies the embedded migrations.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver
)

// Dialect names the SQL database behind a DB.
type Dialect int

// The supported dialects.
const (
	SQLite Dialect = iota + 1
	Postgres
)

func (d Dialect) String() string {
	switch d {
	case SQLite:
		return "sqlite"
	case Postgres:
		return "postgres"
	}
	return "unknown"
}

// Options configure Open.
type Options struct {
	// URL selects PostgreSQL when it starts with postgres:// or postgresql://.
	// Empty means the embedded SQLite file in DataDir; "sqlite:PATH" names another file.
	URL string
	// DataDir holds the SQLite file when URL is empty.
	DataDir string
	// Clock gives the time a transaction sees as "now"; time.Now when nil.
	Clock func() time.Time
}

// DB is a database handle. SQLite gets a single-connection writer pool (SQLite
// allows one writer at a time; queueing in Go beats spinning on SQLITE_BUSY)
// and a separate reader pool. PostgreSQL uses one pool for both.
type DB struct {
	write   *sql.DB
	read    *sql.DB
	stmts   sync.Map // query → *sql.Stmt on read, for QueryRowOnce
	dialect Dialect
	clock   func() time.Time
	where   string // a printable location without credentials
}

// Open connects to the database named by opts and checks that it answers.
func Open(ctx context.Context, opts Options) (*DB, error) {
	clock := opts.Clock
	if clock == nil {
		clock = time.Now
	}
	var (
		d   *DB
		err error
	)
	switch {
	case strings.HasPrefix(opts.URL, "postgres://"), strings.HasPrefix(opts.URL, "postgresql://"):
		d, err = openPostgres(opts.URL)
	case opts.URL == "":
		if opts.DataDir == "" {
			return nil, errors.New("db: no database URL and no data directory")
		}
		if err := os.MkdirAll(opts.DataDir, 0o700); err != nil {
			return nil, fmt.Errorf("db: create data directory: %w", err)
		}
		d, err = openSQLite(filepath.Join(opts.DataDir, "frontdesk.db"))
	case strings.HasPrefix(opts.URL, "sqlite:"):
		d, err = openSQLite(strings.TrimPrefix(strings.TrimPrefix(opts.URL, "sqlite:"), "//"))
	default:
		return nil, errors.New("db: unsupported database URL (use postgres://… or sqlite:PATH)")
	}
	if err != nil {
		return nil, err
	}
	d.clock = clock
	if err := d.Ping(ctx); err != nil {
		d.Close()
		return nil, fmt.Errorf("db: connect to %s: %w", d.where, err)
	}
	return d, nil
}

func openSQLite(path string) (*DB, error) {
	// _txlock=immediate takes the write lock at BEGIN, so two writers never
	// deadlock upgrading a read lock; busy_timeout covers other processes
	// (the CLI) writing at the same time as the server.
	pragmas := "_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)"
	write, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("db: open sqlite: %w", err)
	}
	write.SetMaxOpenConns(1)
	write.SetConnMaxIdleTime(0)
	read, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_pragma=query_only(1)")
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("db: open sqlite: %w", err)
	}
	// WAL readers do not block each other. Keep every reader open: a
	// connection closed for being idle must be re-opened (and its
	// statements re-prepared) on the next burst, which showed as 10% of the
	// session check's CPU with database/sql's default of two idle ones.
	readers := max(8, 4*runtime.NumCPU())
	read.SetMaxOpenConns(readers)
	read.SetMaxIdleConns(readers)
	write.SetMaxIdleConns(1)
	return &DB{write: write, read: read, dialect: SQLite, where: "sqlite file " + path}, nil
}

func openPostgres(rawURL string) (*DB, error) {
	pool, err := sql.Open("pgx", rawURL)
	if err != nil {
		return nil, fmt.Errorf("db: open postgres: %w", redactErr(err, rawURL))
	}
	pool.SetMaxOpenConns(max(8, 4*runtime.NumCPU()))
	pool.SetMaxIdleConns(max(8, 4*runtime.NumCPU()))
	pool.SetConnMaxLifetime(30 * time.Minute)
	return &DB{write: pool, read: pool, dialect: Postgres, where: "postgres " + Redact(rawURL)}, nil
}

// Redact returns a database URL with its password removed, fit for logs.
func Redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "(unparsable URL)"
	}
	if u.User != nil {
		u.User = url.User(u.User.Username())
	}
	return u.String()
}

func redactErr(err error, rawURL string) error {
	if u, perr := url.Parse(rawURL); perr == nil && u.User != nil {
		if pw, ok := u.User.Password(); ok && pw != "" {
			return errors.New(strings.ReplaceAll(err.Error(), pw, "xxxxx"))
		}
	}
	return err
}

// Dialect reports which database this is.
func (d *DB) Dialect() Dialect { return d.dialect }

// String names the database without credentials.
func (d *DB) String() string { return d.where }

// Ping checks that the database answers.
func (d *DB) Ping(ctx context.Context) error {
	if err := d.write.PingContext(ctx); err != nil {
		return err
	}
	if d.read != d.write {
		return d.read.PingContext(ctx)
	}
	return nil
}

// Close closes every pool.
func (d *DB) Close() error {
	d.stmts.Range(func(_, st any) bool { st.(*sql.Stmt).Close(); return true })
	err := d.write.Close()
	if d.read != d.write {
		err = errors.Join(err, d.read.Close())
	}
	return err
}

// Now returns the database clock's current time in UTC, truncated to the
// microsecond precision both databases store.
func (d *DB) Now() time.Time { return d.clock().UTC().Truncate(time.Microsecond) }
