package backup

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/frontdesk/frontdesk/internal/db"
)

// Run kinds.
const (
	KindBackup  = "backup"
	KindVerify  = "verify"
	KindRestore = "restore"
	KindDrill   = "drill"
)

// Run is one backup, verify, restore or drill as it happened.
type Run struct {
	Kind     string
	BackupID string
	Full     bool
	Started  time.Time
	Finished time.Time
	OK       bool
	Bytes    int64 // plaintext size
	Uploaded int64 // bytes sent to the repository
	Detail   string
}

// RecordRun stores a run for the console and /metrics.
func RecordRun(ctx context.Context, tx *db.Tx, r Run) error {
	detail := r.Detail
	if r.Kind == KindBackup && r.Full && detail == "" {
		detail = "full"
	}
	_, err := tx.Exec(ctx, `INSERT INTO backup_runs (id, kind, backup_id, started_at, finished_at, ok, bytes, uploaded, detail)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, randomHex(12), r.Kind, r.BackupID, r.Started.UTC(), r.Finished.UTC(), r.OK, r.Bytes, r.Uploaded, detail)
	if err != nil {
		return fmt.Errorf("backup: record run: %w", err)
	}
	return nil
}

// LastRun returns the newest run of a kind, successful ones only when ok
// is set; found is false when there is none.
func LastRun(ctx context.Context, tx *db.Tx, kind string, ok bool) (r Run, found bool, err error) {
	q := `SELECT kind, backup_id, started_at, finished_at, ok, bytes, uploaded, detail FROM backup_runs WHERE kind = ?`
	if ok {
		q += ` AND ok`
	}
	q += ` ORDER BY finished_at DESC LIMIT 1`
	r, err = scanRun(tx.QueryRow(ctx, q, kind))
	if errors.Is(err, sql.ErrNoRows) {
		return Run{}, false, nil
	}
	if err != nil {
		return Run{}, false, fmt.Errorf("backup: read runs: %w", err)
	}
	return r, true, nil
}

// lastFull returns when the last successful full backup finished; zero
// when there was none.
func lastFull(ctx context.Context, tx *db.Tx) (time.Time, error) {
	var t time.Time
	err := tx.QueryRow(ctx, `SELECT finished_at FROM backup_runs WHERE kind = 'backup' AND ok AND detail = 'full'
		ORDER BY finished_at DESC LIMIT 1`).Scan(&t)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, fmt.Errorf("backup: read runs: %w", err)
	}
	return t, nil
}
