package db_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/db/dbtest"
)

// fiveRows counts from 1 to 5 on both databases.
const fiveRows = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5) "

func TestCollect(t *testing.T) {
	d := dbtest.Open(t)
	ctx := context.Background()
	err := d.Read(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, fiveRows+"SELECT i FROM n ORDER BY i")
		got, err := db.Collect(rows, err, db.Value[int])
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 5 || got[0] != 1 || got[4] != 5 {
			t.Errorf("Collect = %v, want [1 2 3 4 5]", got)
		}

		rows, err = tx.Query(ctx, fiveRows+"SELECT i FROM n WHERE i > 9")
		none, err := db.Collect(rows, err, db.Value[int])
		if err != nil || none == nil || len(none) != 0 {
			t.Errorf("no rows: Collect = %#v, %v; want an empty, non-nil slice", none, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestCollectQueryError(t *testing.T) {
	d := dbtest.Open(t)
	ctx := context.Background()
	d.Read(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, "SELECT no_such_column FROM no_such_table")
		got, err := db.Collect(rows, err, db.Value[int])
		if err == nil || got != nil {
			t.Errorf("Collect = %v, %v; want the query's error", got, err)
		}
		return nil
	})
}

// TestCollectClosesOnScanError: a scan that fails on the first of five rows
// stops the reading, and the rows are closed all the same.
func TestCollectClosesOnScanError(t *testing.T) {
	d := dbtest.Open(t)
	ctx := context.Background()
	errBad := errors.New("bad row")
	d.Read(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, fiveRows+"SELECT i FROM n ORDER BY i")
		if err != nil {
			t.Fatal(err)
		}
		calls := 0
		got, err := db.Collect(rows, err, func(s db.Scanner) (int, error) {
			calls++
			return 0, errBad
		})
		if !errors.Is(err, errBad) || got != nil {
			t.Errorf("Collect = %v, %v; want the scan's error", got, err)
		}
		if calls != 1 {
			t.Errorf("scan called %d times, want 1", calls)
		}
		if _, err := rows.Columns(); err == nil {
			t.Error("the rows are still open after a scan error")
		}
		// The transaction's connection is free for the next query.
		var one int
		if err := tx.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil {
			t.Errorf("next query: %v", err)
		}
		return nil
	})
}

// TestCollectRowsErr: an error the database raises after the first rows
// (rows.Err) is returned, not a short list.
func TestCollectRowsErr(t *testing.T) {
	d := dbtest.Open(t)
	ctx := context.Background()
	// Invalid JSON in the third row only, computed from the row (no constant
	// to fold) and unsorted, so the error comes while the rows are read.
	bad := "json(CASE WHEN i < 3 THEN '1' ELSE '{bad' || i END)"
	if d.Dialect() == db.Postgres {
		bad = "CAST(CASE WHEN i < 3 THEN '1' ELSE '{bad' || i END AS json)::text"
	}
	d.Read(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, fiveRows+"SELECT "+bad+" FROM n")
		if err != nil {
			t.Fatalf("the query failed before its rows were read: %v", err)
		}
		calls := 0
		got, err := db.Collect(rows, err, func(s db.Scanner) (string, error) {
			calls++
			return db.Value[string](s)
		})
		if err == nil || !strings.Contains(err.Error(), "db: read rows:") || got != nil {
			t.Fatalf("Collect = %v, %v; want the error of the third row from rows.Err", got, err)
		}
		if calls != 2 {
			t.Errorf("scan called %d times before the error, want 2", calls)
		}
		return nil
	})
}

// TestQueryRowOnce reads a row through the kept statement twice, and
// refuses to run for a context that is already done.
func TestQueryRowOnce(t *testing.T) {
	d := dbtest.Open(t)
	ctx := context.Background()
	for range 2 {
		var n int
		if err := d.QueryRowOnce(ctx, fiveRows+"SELECT count(*) FROM n WHERE i > ?", 2).Scan(&n); err != nil || n != 3 {
			t.Fatalf("QueryRowOnce = %d, %v; want 3", n, err)
		}
	}
	done, cancel := context.WithCancel(ctx)
	cancel()
	var n int
	if err := d.QueryRowOnce(done, fiveRows+"SELECT count(*) FROM n WHERE i > ?", 2).Scan(&n); !errors.Is(err, context.Canceled) {
		t.Errorf("QueryRowOnce with a cancelled context = %d, %v; want context.Canceled", n, err)
	}
}
