package automation

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/fault"
	"github.com/frontdesk/frontdesk/internal/keyring"
)

// Bulk jobs of the admin API, kept in the database (admin_jobs) so that
// every node answers their status and a restart loses none. The node that
// runs a job beats its heartbeat while it runs; a running job whose
// heartbeat stopped for StaleAfter (its node stopped or restarted) is
// marked failed with the reason "interrupted" when next read. A job is
// not resumed: its file is not kept (an import's rows are personal data),
// and imports are idempotent by e-mail, so importing the same file again
// completes an interrupted one.

// Job statuses and the reason of an interrupted job.
const (
	JobRunning     = "running"
	JobDone        = "done"
	JobFailed      = "failed"
	JobInterrupted = "interrupted"
)

const (
	// StaleAfter is how long a running job's heartbeat may stop before the
	// job counts as interrupted.
	StaleAfter = 2 * time.Minute
	// HeartbeatEvery is how often a running job's node beats.
	HeartbeatEvery = 15 * time.Second
	// ExportKept is how long an export's file is kept after it finishes.
	ExportKept = time.Hour
	// jobsKept is how long a job's row is kept.
	jobsKept = 7 * 24 * time.Hour
	// exportKeySubject owns the data key that seals export files.
	exportKeySubject = "system:admin-exports"
)

// Errors of the job store.
var (
	ErrJobNotFound = fault.New(fault.ErrNotFound, "automation: no such job")
	// ErrFileExpired: the export's file was dropped after ExportKept.
	ErrFileExpired = errors.New("automation: the export's file has expired")
	// ErrFileNotReady: the job has no file (yet, or at all).
	ErrFileNotReady = errors.New("automation: the job has no file")
)

// Job is one import or export.
type Job struct {
	ID         string
	Kind       string // "import" or "export"
	Owner      string // the caller that started it
	Format     string
	DryRun     bool
	Status     string
	Reason     string // why it failed: JobInterrupted, or "error"
	Progress   json.RawMessage
	StartedAt  time.Time
	FinishedAt *time.Time
	HasFile    bool // an export's file is kept
	Expired    bool // an export's file was dropped
}

// Jobs is the job store.
type Jobs struct {
	db   *db.DB
	keys *keyring.Keyring
}

// NewJobs returns the job store over d; keys seals export files.
func NewJobs(d *db.DB, keys *keyring.Keyring) *Jobs { return &Jobs{db: d, keys: keys} }

// Create records a new running job (and forgets jobs older than a week).
func (js *Jobs) Create(ctx context.Context, j *Job) error {
	return js.db.Write(ctx, func(tx *db.Tx) error {
		now := tx.Now()
		if _, err := tx.Exec(ctx, "DELETE FROM admin_jobs WHERE started_at < ?", now.Add(-jobsKept)); err != nil {
			return err
		}
		j.Status, j.StartedAt = JobRunning, now
		if len(j.Progress) == 0 {
			j.Progress = json.RawMessage("{}")
		}
		_, err := tx.Exec(ctx, `INSERT INTO admin_jobs (id, kind, owner, format, dry_run, status, progress, started_at, heartbeat_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, j.ID, j.Kind, j.Owner, j.Format, j.DryRun, j.Status, string(j.Progress), now, now)
		return err
	})
}

// Errors of the console's imports.
var (
	// ErrImportRunning: an import started in the console runs (on any node).
	ErrImportRunning = errors.New("automation: another import is running")
	// ErrNotImportable: the checked file was imported already, had
	// problems that stop it, or was dropped after ExportKept.
	ErrNotImportable = errors.New("automation: the checked file can no longer be imported")
)

// CreateChecked records a file checked in the console: a finished dry
// run whose report is progress, and, when it may be imported, the file
// itself, sealed (its rows are personal data), until it is imported or
// ExportKept has passed. Any node then answers its page and may import
// it.
func (js *Jobs) CreateChecked(ctx context.Context, j *Job, file []byte) error {
	return js.db.Write(ctx, func(tx *db.Tx) error {
		now := tx.Now()
		if _, err := tx.Exec(ctx, "DELETE FROM admin_jobs WHERE started_at < ?", now.Add(-jobsKept)); err != nil {
			return err
		}
		j.Status, j.DryRun, j.StartedAt, j.FinishedAt = JobDone, true, now, &now
		if len(j.Progress) == 0 {
			j.Progress = json.RawMessage("{}")
		}
		sealed, expires, err := js.sealFile(ctx, tx, j.ID, file)
		if err != nil {
			return err
		}
		j.HasFile = file != nil
		_, err = tx.Exec(ctx, `INSERT INTO admin_jobs (id, kind, owner, format, dry_run, status, progress, started_at, heartbeat_at,
			finished_at, export_file, file_expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, j.ID, j.Kind, j.Owner, j.Format, true,
			j.Status, string(j.Progress), now, now, now, sealed, expires)
		return err
	})
}

// StartChecked turns a checked file (CreateChecked) whose owner starts
// with ownerPrefix into a running import, once: the file is returned and
// dropped from the row in the same transaction, so a second start, on
// any node, finds nothing to import. It refuses with ErrImportRunning
// while another such import runs (one whose node stopped beating is
// marked interrupted first), and ErrNotImportable when the file is gone.
func (js *Jobs) StartChecked(ctx context.Context, id, ownerPrefix string, progress any) ([]byte, error) {
	b, err := json.Marshal(progress)
	if err != nil {
		return nil, err
	}
	var file []byte
	err = js.db.Write(ctx, func(tx *db.Tx) error {
		now := tx.Now()
		if _, err := tx.Exec(ctx, `UPDATE admin_jobs SET status = ?, reason = ?, finished_at = ? WHERE status = ? AND heartbeat_at < ?
			AND owner LIKE ?`, JobFailed, JobInterrupted, now, JobRunning, now.Add(-StaleAfter), ownerPrefix+"%"); err != nil {
			return err
		}
		var sealed []byte
		var expires sql.NullTime
		var dryRun bool
		err := tx.QueryRow(ctx, "SELECT export_file, file_expires_at, dry_run FROM admin_jobs WHERE id = ? AND kind = 'import' AND owner LIKE ?"+tx.ForUpdate(),
			id, ownerPrefix+"%").Scan(&sealed, &expires, &dryRun)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrJobNotFound
		}
		if err != nil {
			return err
		}
		if !dryRun || sealed == nil || !expires.Valid || !now.Before(expires.Time) {
			return ErrNotImportable
		}
		var running int
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM admin_jobs WHERE kind = 'import' AND status = ? AND owner LIKE ?",
			JobRunning, ownerPrefix+"%").Scan(&running); err != nil {
			return err
		}
		if running > 0 {
			return ErrImportRunning
		}
		if file, err = js.keys.Open(ctx, tx, sealed, []byte("admin_jobs:"+id)); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE admin_jobs SET dry_run = ?, status = ?, reason = '', progress = ?, started_at = ?, heartbeat_at = ?,
			finished_at = NULL, export_file = NULL, file_expires_at = NULL WHERE id = ?`, false, JobRunning, string(b), now, now, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return file, nil
}

// Follow runs fn in the background for the running job id: fn reports
// progress through set, which is written every progressEvery (and the
// heartbeat at least every HeartbeatEvery, so other nodes know the job is
// alive); its result and file are recorded when it returns. It outlives
// the request that started it: ctx's values (the audit actor) are kept,
// its cancellation is not.
func (js *Jobs) Follow(ctx context.Context, id string, log *slog.Logger,
	fn func(ctx context.Context, set func(any)) (result any, file []byte, err error)) {
	bg := context.WithoutCancel(ctx)
	go func() {
		// latest is the newest progress, version counts the reports (the
		// values themselves may not be comparable).
		var mu sync.Mutex
		var latest any
		var version int
		stop, beaten := make(chan struct{}), make(chan struct{})
		go func() {
			defer close(beaten)
			tick := time.NewTicker(progressEvery)
			defer tick.Stop()
			sent, last := 0, time.Now()
			for {
				select {
				case <-stop:
					return
				case <-tick.C:
				}
				mu.Lock()
				p, v := latest, version
				mu.Unlock()
				if v == sent && time.Since(last) < HeartbeatEvery {
					continue
				}
				if err := js.Beat(bg, id, p); err != nil {
					log.WarnContext(bg, "job heartbeat", "job", id, "error", err.Error())
				}
				sent, last = v, time.Now()
			}
		}()
		res, file, err := fn(bg, func(p any) {
			mu.Lock()
			latest, version = p, version+1
			mu.Unlock()
		})
		close(stop)
		<-beaten
		if err != nil {
			log.ErrorContext(bg, "job failed", "job", id, "error", err.Error())
		}
		if ferr := js.Finish(bg, id, err != nil, res, file); ferr != nil {
			log.ErrorContext(bg, "job: recording its end", "job", id, "error", ferr.Error())
		}
	}()
}

// progressEvery is how often a running job's progress is written (a
// variable for tests).
var progressEvery = 2 * time.Second

// Beat records a running job's progress and that its node is alive; a
// nil progress records only the heartbeat.
func (js *Jobs) Beat(ctx context.Context, id string, progress any) error {
	if progress == nil {
		return js.db.Write(ctx, func(tx *db.Tx) error {
			_, err := tx.Exec(ctx, "UPDATE admin_jobs SET heartbeat_at = ? WHERE id = ? AND status = ?", tx.Now(), id, JobRunning)
			return err
		})
	}
	b, err := json.Marshal(progress)
	if err != nil {
		return err
	}
	return js.db.Write(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, "UPDATE admin_jobs SET progress = ?, heartbeat_at = ? WHERE id = ? AND status = ?", string(b), tx.Now(), id, JobRunning)
		return err
	})
}

// Finish records a job's end: its result, and an export's file, sealed.
// A job already marked interrupted stays so.
func (js *Jobs) Finish(ctx context.Context, id string, failed bool, progress any, file []byte) error {
	b, err := json.Marshal(progress)
	if err != nil {
		return err
	}
	status, reason := JobDone, ""
	if failed {
		status, reason = JobFailed, "error"
	}
	return js.db.Write(ctx, func(tx *db.Tx) error {
		now := tx.Now()
		sealed, expires, err := js.sealFile(ctx, tx, id, file)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE admin_jobs SET status = ?, reason = ?, progress = ?, finished_at = ?, heartbeat_at = ?,
			export_file = ?, file_expires_at = ? WHERE id = ? AND status = ?`, status, reason, string(b), now, now, sealed, expires, id, JobRunning)
		return err
	})
}

// Get returns a job. A running job whose heartbeat stopped is marked
// failed (interrupted) first, and an expired export file dropped.
func (js *Jobs) Get(ctx context.Context, id string) (*Job, error) {
	if id == "" || len(id) > 64 {
		return nil, ErrJobNotFound
	}
	var j Job
	err := js.db.Write(ctx, func(tx *db.Tx) error {
		now := tx.Now()
		if _, err := tx.Exec(ctx, `UPDATE admin_jobs SET status = ?, reason = ?, finished_at = ? WHERE id = ? AND status = ? AND heartbeat_at < ?`,
			JobFailed, JobInterrupted, now, id, JobRunning, now.Add(-StaleAfter)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE admin_jobs SET export_file = NULL WHERE id = ? AND file_expires_at <= ? AND export_file IS NOT NULL`,
			id, now); err != nil {
			return err
		}
		var progress string
		var finished, expires sql.NullTime
		err := tx.QueryRow(ctx, `SELECT id, kind, owner, format, dry_run, status, reason, progress, started_at, finished_at,
			export_file IS NOT NULL, file_expires_at FROM admin_jobs WHERE id = ?`, id).Scan(&j.ID, &j.Kind, &j.Owner, &j.Format, &j.DryRun,
			&j.Status, &j.Reason, &progress, &j.StartedAt, &finished, &j.HasFile, &expires)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrJobNotFound
		}
		if err != nil {
			return err
		}
		j.Progress, j.StartedAt = json.RawMessage(progress), j.StartedAt.UTC()
		if finished.Valid {
			t := finished.Time.UTC()
			j.FinishedAt = &t
		}
		j.Expired = !j.HasFile && expires.Valid
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &j, nil
}

// File opens a finished export's file.
func (js *Jobs) File(ctx context.Context, id string) ([]byte, error) {
	j, err := js.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if j.Expired {
		return nil, ErrFileExpired
	}
	if !j.HasFile || j.Status != JobDone {
		return nil, ErrFileNotReady
	}
	var file []byte
	err = js.db.Read(ctx, func(tx *db.Tx) error {
		var sealed []byte
		if err := tx.QueryRow(ctx, "SELECT export_file FROM admin_jobs WHERE id = ?", id).Scan(&sealed); err != nil {
			return err
		}
		if sealed == nil {
			return ErrFileExpired
		}
		var err error
		file, err = js.keys.Open(ctx, tx, sealed, []byte("admin_jobs:"+id))
		return err
	})
	return file, err
}

// sealFile seals a job's export file under the exports' data key, bound to
// the job, and gives the time it is dropped; nil without a file.
func (js *Jobs) sealFile(ctx context.Context, tx *db.Tx, id string, file []byte) ([]byte, any, error) {
	if file == nil {
		return nil, nil, nil
	}
	dk, err := js.keys.DataKey(ctx, tx, exportKeySubject)
	if err != nil {
		return nil, nil, err
	}
	return dk.Seal(file, []byte("admin_jobs:"+id)), tx.Now().Add(ExportKept), nil
}
