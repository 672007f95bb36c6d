package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Tx is one transaction. Queries use "?" placeholders on both databases; Tx
// rewrites them for PostgreSQL. Every call inside one transaction sees the
// same Now, so rows written together carry the same time.
type Tx struct {
	tx      *sql.Tx
	dialect Dialect
	now     time.Time
	before  []func(context.Context) error
	values  map[any]any
}

// Write runs fn in a read-write transaction and commits it when fn returns
// nil. Any error, or a panic, rolls it back.
func (d *DB) Write(ctx context.Context, fn func(*Tx) error) error {
	return d.run(ctx, d.write, false, fn)
}

// Read runs fn in a read-only transaction.
func (d *DB) Read(ctx context.Context, fn func(*Tx) error) error {
	return d.run(ctx, d.read, true, fn)
}

func (d *DB) run(ctx context.Context, pool *sql.DB, readOnly bool, fn func(*Tx) error) (err error) {
	var opts *sql.TxOptions
	if readOnly && d.dialect == Postgres {
		opts = &sql.TxOptions{ReadOnly: true}
	}
	stx, err := pool.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("db: begin: %w", err)
	}
	tx := &Tx{tx: stx, dialect: d.dialect, now: d.Now()}
	defer func() {
		if p := recover(); p != nil {
			stx.Rollback()
			panic(p)
		}
		if err != nil {
			stx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	for _, hook := range tx.before {
		if err = hook(ctx); err != nil {
			return err
		}
	}
	if err = stx.Commit(); err != nil {
		return fmt.Errorf("db: commit: %w", err)
	}
	return nil
}

// Now is the transaction's time: UTC, microsecond precision.
func (tx *Tx) Now() time.Time { return tx.now }

// Dialect reports which database the transaction runs on.
func (tx *Tx) Dialect() Dialect { return tx.dialect }

// Exec runs a statement.
func (tx *Tx) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return tx.tx.ExecContext(ctx, rebind(tx.dialect, query), args...)
}

// Query runs a query that returns rows.
func (tx *Tx) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return tx.tx.QueryContext(ctx, rebind(tx.dialect, query), args...)
}

// QueryRow runs a query that returns at most one row.
func (tx *Tx) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return tx.tx.QueryRowContext(ctx, rebind(tx.dialect, query), args...)
}

// ForUpdate is the row-lock suffix for a SELECT: " FOR UPDATE" on PostgreSQL
// and nothing on SQLite, whose write transactions are already exclusive.
func (tx *Tx) ForUpdate() string {
	if tx.dialect == Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// ForShare is the shared row-lock suffix for a SELECT: " FOR SHARE" on
// PostgreSQL and nothing on SQLite.
func (tx *Tx) ForShare() string {
	if tx.dialect == Postgres {
		return " FOR SHARE"
	}
	return ""
}

// BeforeCommit registers fn to run after the transaction's work and before
// its commit; an error from fn rolls the transaction back. Services use it to
// flush state they gathered over several calls in one transaction.
func (tx *Tx) BeforeCommit(fn func(context.Context) error) {
	tx.before = append(tx.before, fn)
}

// Value returns what SetValue stored under key in this transaction.
func (tx *Tx) Value(key any) any { return tx.values[key] }

// SetValue keeps v under key for the rest of the transaction.
func (tx *Tx) SetValue(key, v any) {
	if tx.values == nil {
		tx.values = make(map[any]any)
	}
	tx.values[key] = v
}

// ErrNotFound is returned by services when a row they look for is absent.
var ErrNotFound = errors.New("not found")

// NotFound maps sql.ErrNoRows to ErrNotFound and leaves other errors alone.
func NotFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

// QueryRowOnce runs one read-only query outside any transaction, on the
// read pool. It is for hot paths that need a single consistent row (a
// session check); anything that reads twice uses Read.
// The statement is prepared once and kept: parsing SQL costs more than
// running a point look-up.
//
// On SQLite a query that starts runs without watching ctx: watching it
// takes two goroutines per query (database/sql's and the driver's), which
// was 8% of a session check's CPU, for a look-up that takes microseconds
// inside this process. A context already done still fails the query.
// PostgreSQL keeps ctx: there a query waits on the network.
func (d *DB) QueryRowOnce(ctx context.Context, query string, args ...any) *sql.Row {
	if d.dialect == SQLite && ctx.Err() == nil {
		ctx = context.WithoutCancel(ctx)
	}
	if st, ok := d.stmts.Load(query); ok {
		return st.(*sql.Stmt).QueryRowContext(ctx, args...)
	}
	st, err := d.read.PrepareContext(ctx, rebind(d.dialect, query))
	if err != nil {
		return d.read.QueryRowContext(ctx, rebind(d.dialect, query), args...)
	}
	if prev, loaded := d.stmts.LoadOrStore(query, st); loaded {
		st.Close()
		st = prev.(*sql.Stmt)
	}
	return st.QueryRowContext(ctx, args...)
}

// Maintain runs a maintenance statement that cannot run in a transaction
// (PostgreSQL's VACUUM, SQLite's ANALYZE or VACUUM) on the writer pool.
func (d *DB) Maintain(ctx context.Context, stmt string) error {
	_, err := d.write.ExecContext(ctx, stmt)
	return err
}
