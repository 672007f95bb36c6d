package backup

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/frontdesk/frontdesk/internal/db"
)

// Board is what the console shows about backups: the schedule, where
// they go, the last runs, and a warning when the last backup or drill is
// too old. It reads the database only, never the repository, so a page
// view costs one query.
type Board struct {
	DB          *db.DB
	Schedule    Schedule
	Scheduled   bool
	Target      string
	OffSite     bool
	MaxAge      time.Duration
	DrillMaxAge time.Duration
	Now         func() time.Time

	mu      sync.Mutex
	checked time.Time
	problem string
}

// Problem returns Health's problem code for the banner on every console
// page, read at most once a minute on this node (a page view must not cost
// the queries each time); "" when all is well or the check fails.
func (b *Board) Problem(ctx context.Context) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := time.Now()
	if now.Sub(b.checked) < time.Minute {
		return b.problem
	}
	clock := time.Now
	if b.Now != nil {
		clock = b.Now
	}
	p, err := Health(ctx, b.DB, clock(), b.MaxAge, b.DrillMaxAge)
	if err != nil {
		return b.problem
	}
	b.checked, b.problem = now, p
	return p
}

// Overview is one look at the board.
type Overview struct {
	Board                  *Board
	Problem                string // "" when all is well
	LastBackup, LastVerify *Run
	LastDrill              *Run
	Runs                   []Run // the newest first
}

// Overview reads the board.
func (b *Board) Overview(ctx context.Context) (Overview, error) {
	now := time.Now
	if b.Now != nil {
		now = b.Now
	}
	o := Overview{Board: b}
	problem, err := Health(ctx, b.DB, now(), b.MaxAge, b.DrillMaxAge)
	if err != nil {
		return o, err
	}
	o.Problem = problem
	b.mu.Lock()
	b.checked, b.problem = time.Now(), problem // the banner shows what this page shows
	b.mu.Unlock()
	err = b.DB.Read(ctx, func(tx *db.Tx) error {
		for kind, dst := range map[string]**Run{KindBackup: &o.LastBackup, KindVerify: &o.LastVerify, KindDrill: &o.LastDrill} {
			r, found, err := LastRun(ctx, tx, kind, false)
			if err != nil {
				return err
			}
			if found {
				*dst = &r
			}
		}
		rows, err := tx.Query(ctx, `SELECT kind, backup_id, started_at, finished_at, ok, bytes, uploaded, detail
			FROM backup_runs ORDER BY finished_at DESC LIMIT 30`)
		o.Runs, err = db.Collect(rows, err, scanRun)
		return err
	})
	if err != nil {
		return o, fmt.Errorf("backup: read runs: %w", err)
	}
	return o, nil
}

func scanRun(row db.Scanner) (r Run, err error) {
	err = row.Scan(&r.Kind, &r.BackupID, &r.Started, &r.Finished, &r.OK, &r.Bytes, &r.Uploaded, &r.Detail)
	r.Full = r.Detail == "full"
	return r, err
}

// Took is how long the run took.
func (r Run) Took() time.Duration { return r.Finished.Sub(r.Started).Round(time.Second) }
