package db

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

//go:embed migrations
var migrationFS embed.FS

// Migration is one numbered schema change.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// ErrSchemaOutdated means the database lacks migrations this binary needs.
var ErrSchemaOutdated = errors.New("database schema is outdated")

// ErrSchemaNewer means the database was migrated by a newer binary.
var ErrSchemaNewer = errors.New("database schema is newer than this binary")

// Migrations lists the embedded migrations for a dialect, in order.
func Migrations(d Dialect) ([]Migration, error) {
	dir := path.Join("migrations", d.String())
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, fmt.Errorf("db: read migrations: %w", err)
	}
	var ms []Migration
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".sql") {
			continue
		}
		num, rest, ok := strings.Cut(strings.TrimSuffix(name, ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("db: migration %s: name must be NNNN_name.sql", name)
		}
		body, err := fs.ReadFile(migrationFS, path.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("db: read migration %s: %w", name, err)
		}
		ms = append(ms, Migration{Version: v, Name: rest, SQL: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	for i, m := range ms {
		if m.Version != i+1 {
			return nil, fmt.Errorf("db: migrations for %s are not numbered 1, 2, 3…: found %d at position %d", d, m.Version, i+1)
		}
	}
	return ms, nil
}

const createMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	applied_at TIMESTAMP NOT NULL
)`

// SchemaVersion returns the version the database is at and the latest
// version this binary knows.
func (d *DB) SchemaVersion(ctx context.Context) (current, latest int, err error) {
	ms, err := Migrations(d.dialect)
	if err != nil {
		return 0, 0, err
	}
	latest = len(ms)
	err = d.Read(ctx, func(tx *Tx) error {
		current, err = appliedVersion(ctx, tx)
		return err
	})
	return current, latest, err
}

// CheckSchema returns nil when the schema is exactly current, and
// ErrSchemaOutdated or ErrSchemaNewer (wrapped with both versions) otherwise.
func (d *DB) CheckSchema(ctx context.Context) error {
	current, latest, err := d.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	switch {
	case current < latest:
		return fmt.Errorf("%w: at version %d, this binary needs %d", ErrSchemaOutdated, current, latest)
	case current > latest:
		return fmt.Errorf("%w: at version %d, this binary knows up to %d", ErrSchemaNewer, current, latest)
	}
	return nil
}

func appliedVersion(ctx context.Context, tx *Tx) (int, error) {
	var exists bool
	var q string
	if tx.dialect == Postgres {
		q = `SELECT EXISTS (SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'schema_migrations')`
	} else {
		q = `SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations')`
	}
	if err := tx.QueryRow(ctx, q).Scan(&exists); err != nil {
		return 0, fmt.Errorf("db: read schema version: %w", err)
	}
	if !exists {
		return 0, nil
	}
	var v int
	if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("db: read schema version: %w", err)
	}
	return v, nil
}

// Migrate applies every missing migration in order, each in its own
// transaction, and calls progress after each one. Several processes may call
// it at once: on PostgreSQL an advisory lock lets one work while the others
// wait; on SQLite the write lock does the same.
func (d *DB) Migrate(ctx context.Context, progress func(Migration)) error {
	ms, err := Migrations(d.dialect)
	if err != nil {
		return err
	}
	for _, m := range ms {
		err := d.Write(ctx, func(tx *Tx) error {
			if tx.dialect == Postgres {
				if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(7245190411)`); err != nil {
					return err
				}
			}
			if _, err := tx.Exec(ctx, createMigrationsTable); err != nil {
				return err
			}
			v, err := appliedVersion(ctx, tx)
			if err != nil {
				return err
			}
			if v >= m.Version {
				return errSkip
			}
			if _, err := tx.Exec(ctx, m.SQL); err != nil {
				return err
			}
			_, err = tx.Exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`, m.Version, m.Name, tx.Now())
			return err
		})
		if errors.Is(err, errSkip) {
			continue
		}
		if err != nil {
			return fmt.Errorf("db: migration %04d_%s: %w", m.Version, m.Name, err)
		}
		if progress != nil {
			progress(m)
		}
	}
	return nil
}

var errSkip = errors.New("already applied")
