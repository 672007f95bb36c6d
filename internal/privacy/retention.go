package privacy

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
	pd "github.com/frontdesk/frontdesk/internal/personaldata"
)

// Retention (GDPR 5(1)(e)): every policy of the registry purges what has
// been kept longer than its period, in small batches under a database
// lease so one node runs it at a time and sign-ins are never kept waiting
// behind a long transaction. A dry run counts what would go.

// SourceRetention marks erasures and closures made by a retention policy.
const SourceRetention = "retention"

// ErrRetentionRunning is returned when another node (or process) is
// running the retention purge.
var ErrRetentionRunning = errors.New("privacy: the retention purge is already running elsewhere")

// RetentionConfig configures the retention policies.
type RetentionConfig struct {
	// Days overrides the policies' default periods, by class; 0 keeps the
	// class until erasure (the policy is off).
	Days map[string]int
	// InactiveWarnDays is how many days before an inactive account is
	// closed its owner is warned by e-mail (default 30).
	InactiveWarnDays int
	// Batch is how many items one transaction purges (default 500).
	Batch int
	// Node names this node in the lease and the runs.
	Node string
	// OnBatch, if set, is called after each committed batch (tests).
	OnBatch func(class string, n int)
}

// leaseFor is how long the retention lease holds without renewal; every
// batch renews it, so only a stopped node's lease lapses.
const retentionLeaseFor = 10 * time.Minute

// PolicyInEffect is a policy with the period configuration gives it.
type PolicyInEffect struct {
	DeclaredPolicy
	// Days is the period in force; 0 means the class is kept until erasure.
	Days int `json:"days"`
	// Overridden says the configuration changed the default.
	Overridden bool `json:"overridden"`
}

// ClassReport says what one policy purged in a run, or would purge in a
// dry run.
type ClassReport struct {
	Class string `json:"class"`
	Days  int    `json:"days"`
	// Items counts what the policy's table lost (rows, accounts erased or
	// closed); Rows the rows deleted (or updated, for the policy's own
	// table when it is kept) per table.
	Items int            `json:"items"`
	Rows  map[string]int `json:"rows,omitempty"`
	// Held counts the expired items a legal hold keeps.
	Held int `json:"held"`
	// Warned counts the customers warned that their inactive account will
	// be closed.
	Warned int `json:"warned,omitempty"`
	// Oldest and Newest are the ages of the oldest and newest items.
	Oldest *time.Time `json:"oldest,omitempty"`
	Newest *time.Time `json:"newest,omitempty"`
	Error  string     `json:"error,omitempty"`
}

// RetentionRun is one run of the retention job.
type RetentionRun struct {
	ID         string        `json:"id"`
	StartedAt  time.Time     `json:"started_at"`
	FinishedAt *time.Time    `json:"finished_at,omitempty"`
	DryRun     bool          `json:"dry_run"`
	Status     string        `json:"status"`
	Node       string        `json:"node"`
	StartedBy  string        `json:"started_by"`
	Classes    []ClassReport `json:"classes"`
	Error      string        `json:"error,omitempty"`
}

// RetentionPolicies returns every policy with the period in force.
func (s *Service) RetentionPolicies() []PolicyInEffect {
	var out []PolicyInEffect
	for _, p := range s.o.Registry.Policies() {
		e := PolicyInEffect{DeclaredPolicy: p, Days: p.Days}
		if d, ok := s.o.Retention.Days[p.Class]; ok && d != p.Days {
			e.Days, e.Overridden = d, true
		}
		out = append(out, e)
	}
	return out
}

// CheckRetention reports configuration that names no policy or gives a
// period out of range.
func CheckRetention(r *Registry, c RetentionConfig) error {
	var problems []string
	classes := make([]string, 0, len(c.Days))
	for class := range c.Days {
		classes = append(classes, class)
	}
	sort.Strings(classes)
	var known []string
	for _, p := range r.Policies() {
		known = append(known, p.Class)
	}
	for _, class := range classes {
		if _, ok := r.Policy(class); !ok {
			problems = append(problems, fmt.Sprintf("%q is not a retention class (the classes are %s)", class, strings.Join(known, ", ")))
			continue
		}
		if d := c.Days[class]; d < 0 || d > 36500 {
			problems = append(problems, fmt.Sprintf("%s: %d days is not from 0 (kept until erasure) to 36500", class, d))
		}
	}
	if c.InactiveWarnDays < 0 || c.InactiveWarnDays > 365 {
		problems = append(problems, fmt.Sprintf("the inactive-account warning must be from 1 to 365 days, not %d", c.InactiveWarnDays))
	} else if d := c.Days["inactive_accounts"]; d > 0 && c.InactiveWarnDays >= d {
		problems = append(problems, fmt.Sprintf("the inactive-account warning (%d days) must come before the closure (%d days)", c.InactiveWarnDays, d))
	}
	if len(problems) > 0 {
		return errors.New("retention: " + strings.Join(problems, "; "))
	}
	return nil
}

func (s *Service) batch() int {
	if s.o.Retention.Batch > 0 {
		return s.o.Retention.Batch
	}
	return 500
}

func (s *Service) warnDays() int {
	if s.o.Retention.InactiveWarnDays > 0 {
		return s.o.Retention.InactiveWarnDays
	}
	return 30
}

// expired returns the SQL condition selecting a policy's expired items
// that no legal hold keeps, with its arguments (cutoff, now). held=false
// leaves the hold out, to count what holds keep.
func (s *Service) expired(p PolicyInEffect, cutoff, now time.Time, held bool) (string, []any) {
	cond := "(" + p.Age + ") < ?"
	args := []any{cutoff}
	if p.Where != "" {
		cond = "(" + p.Where + ") AND " + cond
	}
	if !held || p.Account == "" {
		return cond, args
	}
	match := "TRUE"
	if p.Action == pd.PurgeRows {
		// A hold keeps the rows of the tables it names; the class goes as a
		// whole, so a hold naming any of its tables keeps it.
		var likes []string
		for _, t := range s.classTables(p) {
			likes = append(likes, `(',' || REPLACE(h.tables, ' ', '') || ',') LIKE '%,`+strings.ReplaceAll(t, "_", `\_`)+`,%' ESCAPE '\'`)
		}
		match = "(" + strings.Join(likes, " OR ") + ")"
	}
	cond += " AND NOT EXISTS (SELECT 1 FROM privacy_holds h WHERE h.account_id = (" + p.Account +
		") AND h.released_at IS NULL AND h.until_at > ? AND " + match + ")"
	return cond, append(args, now)
}

// classTables names the tables a policy purges or changes.
func (s *Service) classTables(p PolicyInEffect) []string {
	names := []string{p.Table}
	for _, t := range s.o.Registry.Retained(p.Class) {
		if t.Name != p.Table {
			names = append(names, t.Name)
		}
	}
	return names
}

// RunRetention runs every policy in force: for real under the retention
// lease (ErrRetentionRunning when another node holds it), or as a dry run
// that changes nothing but its own record. Either way the run is recorded
// and audited. by says who started it ("schedule", "cli", a staff id).
func (s *Service) RunRetention(ctx context.Context, dryRun bool, by string) (*RetentionRun, error) {
	run, holder, err := s.beginRetention(ctx, dryRun, by)
	if err != nil {
		return nil, err
	}
	if !dryRun {
		defer s.releaseRetentionLease(context.WithoutCancel(ctx), holder)
	}
	return s.finishRetention(ctx, run, holder)
}

// StartRetention starts a real purge for a person who cannot wait for it
// (the console): the lease is taken and the run recorded before it
// returns (ErrRetentionRunning when another node or process holds the
// lease), and the purge goes on in the background on this node, audited
// as any run. Wait waits for it.
func (s *Service) StartRetention(ctx context.Context, by string) (*RetentionRun, error) {
	run, holder, err := s.beginRetention(ctx, false, by)
	if err != nil {
		return nil, err
	}
	started := *run
	ctx = context.WithoutCancel(ctx)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer s.releaseRetentionLease(ctx, holder)
		if _, err := s.finishRetention(ctx, run, holder); err != nil {
			s.log.Error("retention: a purge started from the console failed", "run", run.ID, "error", err.Error())
		}
	}()
	return &started, nil
}

// beginRetention takes the lease for a real run and records the run as
// running; a dry run is recorded when it ends.
func (s *Service) beginRetention(ctx context.Context, dryRun bool, by string) (*RetentionRun, string, error) {
	run := &RetentionRun{ID: newID(), DryRun: dryRun, Status: "running", Node: s.o.Retention.Node, StartedBy: by}
	holder := s.o.Retention.Node + "/" + run.ID
	if !dryRun {
		got, err := s.takeRetentionLease(ctx, holder)
		if err != nil {
			return nil, "", err
		}
		if !got {
			return nil, "", ErrRetentionRunning
		}
	}
	err := s.o.DB.Write(ctx, func(tx *db.Tx) error {
		now := tx.Now()
		run.StartedAt = now
		if dryRun {
			return nil
		}
		// Under the lease no other run is going on: a run still marked
		// running stopped with its node.
		if _, err := tx.Exec(ctx, `UPDATE privacy_retention_runs SET status = 'failed', error = 'stopped before the end', finished_at = ?
			WHERE status = 'running'`, now); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO privacy_retention_runs (id, started_at, dry_run, status, node, started_by, report)
			VALUES (?, ?, ?, 'running', ?, ?, '[]')`, run.ID, now, false, run.Node, by)
		return err
	})
	if err != nil {
		if !dryRun {
			s.releaseRetentionLease(context.WithoutCancel(ctx), holder)
		}
		return nil, "", err
	}
	return run, holder, nil
}

// finishRetention runs the policies of a begun run and records its end.
func (s *Service) finishRetention(ctx context.Context, run *RetentionRun, holder string) (*RetentionRun, error) {
	now, dryRun, by := run.StartedAt, run.DryRun, run.StartedBy
	var errs []error
	for _, p := range s.RetentionPolicies() {
		if p.Days <= 0 {
			continue
		}
		rep := ClassReport{Class: p.Class, Days: p.Days, Rows: map[string]int{}}
		cutoff := now.Add(-time.Duration(p.Days) * 24 * time.Hour)
		var err error
		switch {
		case dryRun:
			err = s.countExpired(ctx, p, cutoff, now, &rep)
		default:
			run.Classes = append(run.Classes, rep)
			err = s.purgeClass(ctx, p, cutoff, holder, run, &run.Classes[len(run.Classes)-1])
			rep = run.Classes[len(run.Classes)-1]
			run.Classes = run.Classes[:len(run.Classes)-1]
		}
		if err != nil {
			rep.Error = err.Error()
			errs = append(errs, fmt.Errorf("%s: %w", p.Class, err))
		}
		run.Classes = append(run.Classes, rep)
	}
	run.Status = "done"
	if len(errs) > 0 {
		run.Status = "failed"
		run.Error = errors.Join(errs...).Error()
	}
	err := s.o.DB.Write(ctx, func(tx *db.Tx) error {
		fin := tx.Now()
		run.FinishedAt = &fin
		report, err := json.Marshal(run.Classes)
		if err != nil {
			return err
		}
		if dryRun {
			_, err = tx.Exec(ctx, `INSERT INTO privacy_retention_runs (id, started_at, finished_at, dry_run, status, node, started_by, report, error)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, run.ID, run.StartedAt, fin, true, run.Status, run.Node, by, string(report), run.Error)
		} else {
			_, err = tx.Exec(ctx, `UPDATE privacy_retention_runs SET finished_at = ?, status = ?, report = ?, error = ? WHERE id = ?`,
				fin, run.Status, string(report), run.Error, run.ID)
		}
		if err != nil {
			return err
		}
		action, outcome := "privacy.retention.run", audit.Success
		if dryRun {
			action = "privacy.retention.dry_run"
		}
		if run.Status == "failed" {
			outcome = audit.Failure
		}
		return s.o.Audit.Record(ctx, tx, audit.Event{Action: action, Target: "retention_run:" + run.ID, Outcome: outcome,
			Details: map[string]any{"by": by, "classes": summary(run.Classes)}})
	})
	if err != nil {
		return run, err
	}
	if len(errs) > 0 {
		return run, errors.Join(errs...)
	}
	return run, nil
}

// summary is the audit entry's digest of a run: counts per class.
func summary(cs []ClassReport) map[string]any {
	out := map[string]any{}
	for _, c := range cs {
		m := map[string]any{"days": c.Days, "items": c.Items, "held": c.Held}
		if len(c.Rows) > 0 {
			m["rows"] = c.Rows
		}
		if c.Warned > 0 {
			m["warned"] = c.Warned
		}
		if c.Error != "" {
			m["failed"] = true
		}
		out[c.Class] = m
	}
	return out
}

// countExpired fills rep with what purging the policy would do now.
func (s *Service) countExpired(ctx context.Context, p PolicyInEffect, cutoff, now time.Time, rep *ClassReport) error {
	return s.o.DB.Read(ctx, func(tx *db.Tx) error {
		if p.Action == pd.CloseAccount {
			return s.countInactive(ctx, tx, p, now, rep)
		}
		cond, args := s.expired(p, cutoff, now, true)
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM "+p.Table+" WHERE "+cond, args...).Scan(&rep.Items); err != nil {
			return err
		}
		all, allArgs := s.expired(p, cutoff, now, false)
		var n int
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM "+p.Table+" WHERE "+all, allArgs...).Scan(&n); err != nil {
			return err
		}
		rep.Held = n - rep.Items
		if rep.Items == 0 {
			return nil
		}
		var err error
		if rep.Oldest, err = s.edgeAge(ctx, tx, p, cond, args, "ASC"); err != nil {
			return err
		}
		if rep.Newest, err = s.edgeAge(ctx, tx, p, cond, args, "DESC"); err != nil {
			return err
		}
		if p.Action != pd.PurgeRows {
			return nil
		}
		rep.Rows[p.Table] = rep.Items
		for _, t := range s.o.Registry.Retained(p.Class) {
			if t.Name == p.Table {
				continue
			}
			var n int
			if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM "+t.Name+" WHERE "+t.RetainKey+" IN (SELECT "+p.Key+" FROM "+
				p.Table+" WHERE "+cond+")", args...).Scan(&n); err != nil {
				return fmt.Errorf("count %s: %w", t.Name, err)
			}
			if n > 0 {
				rep.Rows[t.Name] = n
			}
		}
		return nil
	})
}

func (s *Service) edgeAge(ctx context.Context, tx *db.Tx, p PolicyInEffect, cond string, args []any, dir string) (*time.Time, error) {
	var v any
	err := tx.QueryRow(ctx, "SELECT "+p.Age+" FROM "+p.Table+" WHERE "+cond+" ORDER BY 1 "+dir+" LIMIT 1", args...).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	t, err := dbTime(v)
	return &t, err
}

// dbTime reads a time from an expression's value: SQLite hands back text
// when the column's declared type is lost (COALESCE, subqueries).
func dbTime(v any) (time.Time, error) {
	switch t := v.(type) {
	case time.Time:
		return t.UTC(), nil
	case string:
		for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999 -0700 MST",
			time.RFC3339Nano, "2006-01-02T15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999"} {
			if p, err := time.Parse(layout, t); err == nil {
				return p.UTC(), nil
			}
		}
		return time.Time{}, fmt.Errorf("privacy: unreadable time %q", t)
	case []byte:
		return dbTime(string(t))
	}
	return time.Time{}, fmt.Errorf("privacy: unreadable time %T", v)
}

func (r *ClassReport) saw(t time.Time) {
	if r.Oldest == nil || t.Before(*r.Oldest) {
		r.Oldest = &t
	}
	if r.Newest == nil || t.After(*r.Newest) {
		r.Newest = &t
	}
}

// purgeClass purges one policy's expired items batch by batch, each batch
// a short transaction that renews the lease, records its progress in the
// run and its own audit entry.
func (s *Service) purgeClass(ctx context.Context, p PolicyInEffect, cutoff time.Time, holder string, run *RetentionRun, rep *ClassReport) error {
	if p.Action == pd.CloseAccount {
		return s.purgeInactive(ctx, p, holder, run, rep)
	}
	if err := s.o.DB.Read(ctx, func(tx *db.Tx) error {
		all, allArgs := s.expired(p, cutoff, tx.Now(), false)
		cond, args := s.expired(p, cutoff, tx.Now(), true)
		var n, m int
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM "+p.Table+" WHERE "+all, allArgs...).Scan(&n); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM "+p.Table+" WHERE "+cond, args...).Scan(&m); err != nil {
			return err
		}
		rep.Held = n - m
		return nil
	}); err != nil {
		return err
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		var n int
		var files []string
		var erase []string
		err := s.o.DB.Write(ctx, func(tx *db.Tx) error {
			n, files, erase = 0, nil, nil
			if err := s.renewRetentionLease(ctx, tx, holder); err != nil {
				return err
			}
			cond, args := s.expired(p, cutoff, tx.Now(), true)
			rows, err := tx.Query(ctx, "SELECT "+p.Key+", "+p.Age+" FROM "+p.Table+" WHERE "+cond+" ORDER BY 2 LIMIT "+fmt.Sprint(s.batch()), args...)
			type item struct {
				key any // a string, or an integer (audit_log.seq): passed back as the driver gave it
				age any
			}
			items, err := db.Collect(rows, err, func(r db.Scanner) (it item, err error) {
				err = r.Scan(&it.key, &it.age)
				if b, ok := it.key.([]byte); ok {
					it.key = string(b)
				}
				return it, err
			})
			if err != nil || len(items) == 0 {
				return err
			}
			keys := make([]any, len(items))
			for i, it := range items {
				keys[i] = it.key
				t, err := dbTime(it.age)
				if err != nil {
					return err
				}
				rep.saw(t)
			}
			n = len(items)
			if p.Action == pd.EraseAccount {
				for _, k := range keys {
					erase = append(erase, fmt.Sprint(k))
				}
				return nil
			}
			in := "(?" + strings.Repeat(", ?", len(keys)-1) + ")"
			for _, part := range s.o.Participants {
				if rf, ok := part.(RetentionFiles); ok {
					fs, err := rf.RetainedFiles(ctx, tx, p.Class, stringsOf(keys))
					if err != nil {
						return err
					}
					files = append(files, fs...)
				}
			}
			batch := map[string]int{}
			ownTable := false
			for _, t := range s.o.Registry.Retained(p.Class) {
				col := t.RetainKey
				if t.Name == p.Table {
					col, ownTable = p.Key, true
				}
				res, err := tx.Exec(ctx, "DELETE FROM "+t.Name+" WHERE "+col+" IN "+in, keys...)
				if err != nil {
					return fmt.Errorf("purge %s: %w", t.Name, err)
				}
				if m, _ := res.RowsAffected(); m > 0 {
					batch[t.Name] += int(m)
				}
			}
			if !ownTable && p.Update != "" {
				res, err := tx.Exec(ctx, "UPDATE "+p.Table+" SET "+p.Update+" WHERE "+p.Key+" IN "+in, keys...)
				if err != nil {
					return fmt.Errorf("purge %s: %w", p.Table, err)
				}
				if m, _ := res.RowsAffected(); m > 0 {
					batch[p.Table] += int(m)
				}
			}
			for t, m := range batch {
				rep.Rows[t] += m
			}
			rep.Items += n
			if err := s.saveRunReport(ctx, tx, run); err != nil {
				return err
			}
			return s.o.Audit.Record(ctx, tx, audit.Event{Action: "privacy.retention.purge", Target: "retention_run:" + run.ID,
				Details: map[string]any{"class": p.Class, "items": n, "rows": batch}})
		})
		if err != nil {
			return err
		}
		for _, f := range files {
			if err := os.Remove(f); err != nil && !errors.Is(err, os.ErrNotExist) {
				s.log.Error("retention: a purged file could not be deleted", "class", p.Class, "error", err.Error())
			}
		}
		if len(erase) > 0 {
			out, err := s.EraseMany(ctx, erase, SourceRetention) // those erased meanwhile come back as missing
			rep.Items += len(out.Accounts)
			for t, m := range out.Rows {
				rep.Rows[t] += m
			}
			if err != nil {
				return err
			}
		}
		if len(erase) > 0 {
			if err := s.o.DB.Write(ctx, func(tx *db.Tx) error {
				if err := s.renewRetentionLease(ctx, tx, holder); err != nil {
					return err
				}
				return s.saveRunReport(ctx, tx, run)
			}); err != nil {
				return err
			}
		}
		if n == 0 {
			return nil
		}
		if s.o.Retention.OnBatch != nil {
			s.o.Retention.OnBatch(p.Class, n)
		}
	}
}

func stringsOf(keys []any) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = fmt.Sprint(k)
	}
	return out
}

// RetentionFiles is a Participant whose files go with rows a retention
// policy purges (recording archives).
type RetentionFiles interface {
	// RetainedFiles returns the paths of the files of class's items keyed
	// by keys, read in the purge's transaction before their rows go; they
	// are deleted once it commits.
	RetainedFiles(ctx context.Context, tx *db.Tx, class string, keys []string) ([]string, error)
}

func (s *Service) saveRunReport(ctx context.Context, tx *db.Tx, run *RetentionRun) error {
	b, err := json.Marshal(run.Classes)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `UPDATE privacy_retention_runs SET report = ? WHERE id = ?`, string(b), run.ID)
	return err
}

// RetentionRuns returns the last runs, newest first.
func (s *Service) RetentionRuns(ctx context.Context, limit int) ([]RetentionRun, error) {
	var out []RetentionRun
	err := s.o.DB.Read(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, `SELECT id, started_at, finished_at, dry_run, status, node, started_by, report, error
			FROM privacy_retention_runs ORDER BY started_at DESC, id LIMIT ?`, limit)
		out, err = db.Collect(rows, err, scanRun)
		return err
	})
	return out, err
}

func scanRun(r db.Scanner) (run RetentionRun, err error) {
	var fin sql.NullTime
	var report string
	if err = r.Scan(&run.ID, &run.StartedAt, &fin, &run.DryRun, &run.Status, &run.Node, &run.StartedBy, &report, &run.Error); err != nil {
		return run, err
	}
	run.StartedAt = run.StartedAt.UTC()
	if fin.Valid {
		t := fin.Time.UTC()
		run.FinishedAt = &t
	}
	if report != "" {
		err = json.Unmarshal([]byte(report), &run.Classes)
	}
	return run, err
}

// RetentionDue reports whether the daily purge is due: no real run has
// started in the last 23 hours.
func (s *Service) RetentionDue(ctx context.Context) (bool, error) {
	var n int
	err := s.o.DB.Read(ctx, func(tx *db.Tx) error {
		return tx.QueryRow(ctx, `SELECT COUNT(*) FROM privacy_retention_runs WHERE dry_run = ? AND started_at > ?`,
			false, tx.Now().Add(-23*time.Hour)).Scan(&n)
	})
	return n == 0, err
}

// RetentionTick runs the purge when it is due and no other node runs it;
// call it every few minutes on every node.
func (s *Service) RetentionTick(ctx context.Context) (*RetentionRun, error) {
	due, err := s.RetentionDue(ctx)
	if err != nil || !due {
		return nil, err
	}
	run, err := s.RunRetention(ctx, false, "schedule")
	if errors.Is(err, ErrRetentionRunning) {
		return nil, nil
	}
	return run, err
}

func (s *Service) takeRetentionLease(ctx context.Context, holder string) (bool, error) {
	var got bool
	err := s.o.DB.Write(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, `INSERT INTO privacy_retention_lease (id, holder, until) VALUES (1, ?, ?)
			ON CONFLICT (id) DO UPDATE SET holder = excluded.holder, until = excluded.until
			WHERE privacy_retention_lease.until < ?`, holder, tx.Now().Add(retentionLeaseFor), tx.Now())
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		got = n == 1
		return err
	})
	if err != nil {
		return false, fmt.Errorf("privacy: take the retention lease: %w", err)
	}
	return got, nil
}

var errLeaseLost = errors.New("privacy: the retention lease was lost (this node stalled longer than the lease)")

func (s *Service) renewRetentionLease(ctx context.Context, tx *db.Tx, holder string) error {
	res, err := tx.Exec(ctx, `UPDATE privacy_retention_lease SET until = ? WHERE id = 1 AND holder = ?`,
		tx.Now().Add(retentionLeaseFor), holder)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return errLeaseLost
	}
	return nil
}

func (s *Service) releaseRetentionLease(ctx context.Context, holder string) {
	if err := s.o.DB.Write(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, `DELETE FROM privacy_retention_lease WHERE id = 1 AND holder = ?`, holder)
		return err
	}); err != nil {
		s.log.Error("retention: releasing the lease failed", "error", err.Error())
	}
}

// RunningRetention returns the real run that holds the retention lease
// now (on any node, started by anyone), or nil when none does.
func (s *Service) RunningRetention(ctx context.Context) (*RetentionRun, error) {
	var holder string
	err := s.o.DB.Read(ctx, func(tx *db.Tx) error {
		return tx.QueryRow(ctx, `SELECT holder FROM privacy_retention_lease WHERE id = 1 AND until > ?`, tx.Now()).Scan(&holder)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	i := strings.LastIndex(holder, "/")
	run, err := s.RetentionRunByID(ctx, holder[i+1:])
	if errors.Is(err, ErrNotFound) {
		// The lease is taken, its run not recorded yet (or by a node
		// that stopped before): still running as far as anyone knows.
		return &RetentionRun{ID: holder[i+1:], Status: "running", Node: holder[:max(i, 0)]}, nil
	}
	return run, err
}

// RetentionRunByID returns one run.
func (s *Service) RetentionRunByID(ctx context.Context, id string) (*RetentionRun, error) {
	var out []RetentionRun
	err := s.o.DB.Read(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, `SELECT id, started_at, finished_at, dry_run, status, node, started_by, report, error
			FROM privacy_retention_runs WHERE id = ?`, id)
		out, err = db.Collect(rows, err, scanRun)
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, ErrNotFound
	}
	return &out[0], nil
}

// ActiveHolds counts the legal holds in force now.
func (s *Service) ActiveHolds(ctx context.Context) (int, error) {
	var n int
	err := s.o.DB.Read(ctx, func(tx *db.Tx) error {
		return tx.QueryRow(ctx, `SELECT COUNT(*) FROM privacy_holds WHERE released_at IS NULL AND until_at > ?`, tx.Now()).Scan(&n)
	})
	return n, err
}

// InactiveWarnDays is how many days before an inactive account is closed
// its owner is warned.
func (s *Service) InactiveWarnDays() int { return s.warnDays() }
