package backup

import (
	"context"
	"fmt"
	"time"

	"github.com/frontdesk/frontdesk/internal/db"
)

// Schedule says when the server backs up: daily at Hour (UTC), a full
// backup on FullDay and whenever the last full one is a week old, the rest
// incremental; then Keep decides what retention removes.
type Schedule struct {
	Hour    int
	FullDay time.Weekday
	Keep    Retention
}

// Due says whether a backup is due at now, given when the last successful
// one finished, and whether it should be full. A slot missed (the server
// was down) is made up at the next tick.
func (s Schedule) Due(now, lastAny, lastFull time.Time) (due, full bool) {
	now = now.UTC()
	slot := time.Date(now.Year(), now.Month(), now.Day(), s.Hour, 0, 0, 0, time.UTC)
	if now.Before(slot) {
		slot = slot.AddDate(0, 0, -1)
	}
	if !lastAny.IsZero() && !lastAny.Before(slot) {
		return false, false
	}
	// A new installation makes its first backup at the first slot, not the
	// minute it starts: a start (or a test, or a benchmark) is not the
	// moment for a full backup's load.
	if lastAny.IsZero() && now.Sub(slot) >= time.Hour {
		return false, false
	}
	full = lastFull.IsZero() || slot.Weekday() == s.FullDay || now.Sub(lastFull) >= 7*24*time.Hour
	return true, full
}

// leaseFor is how long a lease holds without renewal: longer than any
// backup, so that only a dead node's lease lapses.
const leaseFor = 6 * time.Hour

// TakeLease gives holder the backup lease when it is free or lapsed; it
// reports whether holder got it. It is not re-entrant: a second take by the
// same holder fails until the first is released.
func TakeLease(ctx context.Context, d *db.DB, holder string) (bool, error) {
	var got bool
	err := d.Write(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, `INSERT INTO backup_lease (id, holder, until) VALUES (1, ?, ?)
			ON CONFLICT (id) DO UPDATE SET holder = excluded.holder, until = excluded.until
			WHERE backup_lease.until < ?`,
			holder, tx.Now().Add(leaseFor), tx.Now())
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		got = n == 1
		return err
	})
	if err != nil {
		return false, fmt.Errorf("backup: take the lease: %w", err)
	}
	return got, nil
}

// ReleaseLease gives the lease up if holder has it.
func ReleaseLease(ctx context.Context, d *db.DB, holder string) error {
	return d.Write(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, `DELETE FROM backup_lease WHERE id = 1 AND holder = ?`, holder)
		return err
	})
}

// Scheduler runs the schedule on one node of many: Tick, called every
// minute or so, makes the backup that is due under the database lease, then
// prunes; between backups it copies a changed erasure ledger.
type Scheduler struct {
	Repo     *Repo
	Source   Source
	Schedule Schedule
	Holder   string // this node, unique among nodes
	// Done is told of every scheduled backup (to audit it), with err set
	// when it failed.
	Done func(ctx context.Context, r Run, err error)
}

// Tick makes the backup that is due, if any; it reports whether this node
// made one.
func (s *Scheduler) Tick(ctx context.Context) (bool, error) {
	d := s.Source.DB
	due, _, err := s.due(ctx)
	if err != nil || !due {
		return false, err
	}
	got, err := TakeLease(ctx, d, s.Holder)
	if err != nil || !got {
		return false, err
	}
	defer ReleaseLease(context.WithoutCancel(ctx), d, s.Holder)
	// Another node may have finished the backup between our look and the
	// lease: look again under it.
	due, full, err := s.due(ctx)
	if err != nil || !due {
		return false, err
	}
	run, err := s.Repo.Run(ctx, s.Source, full)
	if s.Done != nil {
		s.Done(ctx, run, err)
	}
	if err != nil {
		return true, err
	}
	if _, err := s.Repo.Prune(ctx, s.Schedule.Keep); err != nil {
		return true, fmt.Errorf("backup: retention: %w", err)
	}
	return true, nil
}

func (s *Scheduler) due(ctx context.Context) (due, full bool, err error) {
	var last Run
	var lf time.Time
	err = s.Source.DB.Read(ctx, func(tx *db.Tx) error {
		if last, _, err = LastRun(ctx, tx, KindBackup, true); err != nil {
			return err
		}
		lf, err = lastFull(ctx, tx)
		return err
	})
	if err != nil {
		return false, false, err
	}
	due, full = s.Schedule.Due(s.Repo.Now(), last.Finished, lf)
	return due, full, nil
}

// Run makes one backup and records it as a run, successful or not.
func (r *Repo) Run(ctx context.Context, src Source, full bool) (Run, error) {
	run := Run{Kind: KindBackup, Started: r.Now()}
	m, err := r.Backup(ctx, src, full)
	run.Finished = r.Now()
	if m != nil {
		run.BackupID, run.Full, run.Bytes, run.Uploaded = m.ID, m.Kind == "full", m.Size, m.Uploaded+m.Stored
	}
	run.OK = err == nil
	if err != nil {
		run.Detail = err.Error()
	}
	recErr := src.DB.Write(context.WithoutCancel(ctx), func(tx *db.Tx) error { return RecordRun(ctx, tx, run) })
	if err != nil {
		return run, err
	}
	return run, recErr
}
