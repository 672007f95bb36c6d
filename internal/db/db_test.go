package db_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/db/dbtest"
)

func TestMigrationsMatchAcrossDialects(t *testing.T) {
	lite, err := db.Migrations(db.SQLite)
	if err != nil {
		t.Fatal(err)
	}
	pg, err := db.Migrations(db.Postgres)
	if err != nil {
		t.Fatal(err)
	}
	if len(lite) != len(pg) {
		t.Fatalf("sqlite has %d migrations, postgres %d", len(lite), len(pg))
	}
	for i := range lite {
		if lite[i].Version != pg[i].Version || lite[i].Name != pg[i].Name {
			t.Errorf("migration %d: sqlite %04d_%s, postgres %04d_%s", i, lite[i].Version, lite[i].Name, pg[i].Version, pg[i].Name)
		}
	}
}

func TestMigrateFromEmptyAndAgain(t *testing.T) {
	d := dbtest.OpenWith(t, dbtest.Options{NoMigrate: true})
	ctx := context.Background()
	if err := d.CheckSchema(ctx); !errors.Is(err, db.ErrSchemaOutdated) {
		t.Fatalf("empty database: CheckSchema = %v, want ErrSchemaOutdated", err)
	}
	var applied []int
	if err := d.Migrate(ctx, func(m db.Migration) { applied = append(applied, m.Version) }); err != nil {
		t.Fatal(err)
	}
	ms, _ := db.Migrations(d.Dialect())
	if len(applied) != len(ms) {
		t.Fatalf("applied %v, want all %d", applied, len(ms))
	}
	if err := d.CheckSchema(ctx); err != nil {
		t.Fatalf("after migrate: %v", err)
	}
	applied = nil
	if err := d.Migrate(ctx, func(m db.Migration) { applied = append(applied, m.Version) }); err != nil {
		t.Fatal(err)
	}
	if len(applied) != 0 {
		t.Fatalf("second migrate applied %v again", applied)
	}
}

func TestSchemaNewerThanBinary(t *testing.T) {
	d := dbtest.Open(t)
	ctx := context.Background()
	err := d.Write(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`, 9999, "future", tx.Now())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.CheckSchema(ctx); !errors.Is(err, db.ErrSchemaNewer) {
		t.Fatalf("CheckSchema = %v, want ErrSchemaNewer", err)
	}
}

func TestTransactions(t *testing.T) {
	d := dbtest.Open(t)
	ctx := context.Background()
	mustExec := func(q string, args ...any) {
		t.Helper()
		if err := d.Write(ctx, func(tx *db.Tx) error { _, err := tx.Exec(ctx, q, args...); return err }); err != nil {
			t.Fatal(err)
		}
	}
	mustExec(`CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, at TIMESTAMP)`)

	t.Run("placeholders and literals", func(t *testing.T) {
		var got string
		err := d.Read(ctx, func(tx *db.Tx) error {
			return tx.QueryRow(ctx, `SELECT 'what?' || ? || '--?' -- a comment?
				|| ?`, "a", "b").Scan(&got)
		})
		if err != nil || got != "what?a--?b" {
			t.Fatalf("got %q, %v", got, err)
		}
	})

	t.Run("unique violation by code", func(t *testing.T) {
		mustExec(`INSERT INTO t (id, name) VALUES (?, ?)`, 1, "x")
		err := d.Write(ctx, func(tx *db.Tx) error {
			_, err := tx.Exec(ctx, `INSERT INTO t (id, name) VALUES (?, ?)`, 2, "x")
			return err
		})
		if !db.IsUniqueViolation(err) {
			t.Fatalf("IsUniqueViolation(%v) = false", err)
		}
	})

	t.Run("error rolls back, before-commit hooks run", func(t *testing.T) {
		boom := errors.New("boom")
		err := d.Write(ctx, func(tx *db.Tx) error {
			if _, err := tx.Exec(ctx, `INSERT INTO t (id, name) VALUES (?, ?)`, 10, "rolled back"); err != nil {
				return err
			}
			tx.BeforeCommit(func(context.Context) error { return boom })
			return nil
		})
		if !errors.Is(err, boom) {
			t.Fatalf("err = %v", err)
		}
		var n int
		d.Read(ctx, func(tx *db.Tx) error { return tx.QueryRow(ctx, `SELECT COUNT(*) FROM t WHERE id = 10`).Scan(&n) })
		if n != 0 {
			t.Fatal("row of a failed transaction was committed")
		}
	})

	t.Run("one now per transaction, UTC, round-trips", func(t *testing.T) {
		var now time.Time
		err := d.Write(ctx, func(tx *db.Tx) error {
			now = tx.Now()
			_, err := tx.Exec(ctx, `INSERT INTO t (id, name, at) VALUES (?, ?, ?)`, 20, "timed", tx.Now())
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if now.Location() != time.UTC || now.Nanosecond()%1000 != 0 {
			t.Fatalf("Now() = %v, want UTC at microsecond precision", now)
		}
		var got time.Time
		if err := d.Read(ctx, func(tx *db.Tx) error { return tx.QueryRow(ctx, `SELECT at FROM t WHERE id = 20`).Scan(&got) }); err != nil {
			t.Fatal(err)
		}
		if !got.Equal(now) {
			t.Fatalf("stored %v, read back %v", now, got)
		}
	})
}

func TestOpenRejectsUnknownURL(t *testing.T) {
	_, err := db.Open(context.Background(), db.Options{URL: "mysql://x"})
	if err == nil {
		t.Fatal("want an error for an unsupported URL")
	}
}

func TestRedact(t *testing.T) {
	got := db.Redact("postgres://frontdesk:s3cret@db:5432/fd?sslmode=disable")
	if got != "postgres://frontdesk@db:5432/fd?sslmode=disable" {
		t.Fatalf("Redact = %q", got)
	}
}
