package db

import (
	"context"
	"errors"
	"fmt"

	"modernc.org/sqlite"
)

// SnapshotSQLite writes a consistent copy of the SQLite database to path
// through SQLite's online backup API, never by copying the live file. The
// copy is made in one step on a reader connection: in WAL mode writers go
// on meanwhile, and the copy is the database as of the step's start.
func (d *DB) SnapshotSQLite(ctx context.Context, path string) error {
	if d.dialect != SQLite {
		return errors.New("db: a SQLite snapshot of a PostgreSQL database")
	}
	conn, err := d.read.Conn(ctx)
	if err != nil {
		return fmt.Errorf("db: snapshot: %w", err)
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		src, ok := dc.(interface {
			NewBackup(string) (*sqlite.Backup, error)
		})
		if !ok {
			return errors.New("db: the SQLite driver has no backup API")
		}
		bk, err := src.NewBackup(path)
		if err != nil {
			return fmt.Errorf("db: snapshot: %w", err)
		}
		if _, err := bk.Step(-1); err != nil {
			bk.Finish()
			return fmt.Errorf("db: snapshot: %w", err)
		}
		if err := bk.Finish(); err != nil {
			return fmt.Errorf("db: snapshot: %w", err)
		}
		return nil
	})
}
