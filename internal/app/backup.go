package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"filippo.io/age"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/backup"
	"github.com/frontdesk/frontdesk/internal/db"
)

// backupKeys returns the recipient backups are encrypted to and, when
// needIdentity, the private key that reads them. With no recipient
// configured, the key pair in the identity file is used, made on first use
// at its default place.
func backupKeys(cfg Config, needIdentity bool) (age.Recipient, age.Identity, error) {
	defaultFile := cfg.Backup.IdentityFile == filepath.Join(cfg.DataDir, "keys", "backup-age.key")
	if cfg.Backup.Recipient == "" {
		id, err := backup.LoadOrCreateIdentity(cfg.Backup.IdentityFile, defaultFile)
		if err != nil {
			return nil, nil, err
		}
		return id.Recipient(), id, nil
	}
	rcpt, err := backup.ParseRecipient(cfg.Backup.Recipient)
	if err != nil {
		return nil, nil, err
	}
	if !needIdentity {
		return rcpt, nil, nil
	}
	id, err := backup.LoadOrCreateIdentity(cfg.Backup.IdentityFile, false)
	if err != nil {
		return nil, nil, fmt.Errorf("%w; verify, restore and drill need the backup private key (FRONTDESK_BACKUP_IDENTITY_FILE)", err)
	}
	return rcpt, id, nil
}

// openRepo opens the configured repository. keys may be nil for commands
// that only read (the chunk key is needed to write).
func openRepo(cfg Config, sys *system, signer *audit.Signer, needIdentity bool, stderr io.Writer) (*backup.Repo, error) {
	store, err := backup.OpenStore(cfg.Backup.Target, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	rcpt, id, err := backupKeys(cfg, needIdentity)
	if err != nil {
		return nil, err
	}
	opts := backup.Options{Store: store, Recipient: rcpt, Identity: id, Signer: signer, Version: Version, Now: cfg.clock}
	if sys != nil {
		opts.ChunkKey = sys.keys.BlindIndex("backup-chunk-id", "")
	}
	if stderr != nil {
		opts.Progress = newByteProgress(stderr).update
	}
	return backup.Open(opts)
}

// backupSource is what this installation's backup copies.
func backupSource(cfg Config, sys *system) backup.Source {
	skip := []string{"keys", "frontdesk.db", "frontdesk.db-wal", "frontdesk.db-shm", "frontdesk.db-journal"}
	if cfg.Backup.Target == "" {
		skip = append(skip, "backups")
	} else if rel, err := filepath.Rel(cfg.DataDir, strings.TrimPrefix(cfg.Backup.Target, "file://")); err == nil && !strings.HasPrefix(rel, "..") {
		skip = append(skip, filepath.ToSlash(rel))
	}
	return backup.Source{DB: sys.db, DatabaseURL: cfg.DatabaseURL, DataDir: cfg.DataDir, Skip: skip}
}

func runBackup(ctx context.Context, env Env, args []string) error {
	fs, build := flagSet("backup", env)
	full := fs.Bool("full", false, "make a full backup, starting a new chain that depends on nothing older")
	cfg, err := parse(fs, build, args, env)
	if err != nil {
		return err
	}
	sys, err := openSystem(ctx, cfg, newLogger(cfg, env.Stderr), needCurrent)
	if err != nil {
		return err
	}
	defer sys.close()
	repo, err := openRepo(cfg, sys, sys.signer, false, env.Stderr)
	if err != nil {
		return err
	}
	if !repo.Target().OffSite() {
		fmt.Fprintf(env.Stderr, "warning: backups go to %s, on this machine: they are not off-site; set FRONTDESK_BACKUP_TARGET\n", repo.Target())
	}
	holder := "cli-" + hostname()
	got, err := backup.TakeLease(ctx, sys.db, holder)
	if err != nil {
		return err
	}
	if !got {
		return errors.New("another backup is running (a node holds the backup lease); try again when it has finished")
	}
	defer backup.ReleaseLease(context.WithoutCancel(ctx), sys.db, holder)
	run, err := repo.Run(ctx, backupSource(cfg, sys), *full)
	if recErr := sys.recordBackupRun(ctx, run, err); err == nil {
		err = recErr
	}
	if err != nil {
		return err
	}
	clearProgress(env.Stderr)
	kind := "incremental"
	if run.Full {
		kind = "full"
	}
	fmt.Fprintf(env.Stdout, "backup %s (%s) made in %s: %s of data, %s uploaded to %s\n", run.BackupID, kind,
		run.Finished.Sub(run.Started).Round(time.Millisecond), fmtBytes(run.Bytes), fmtBytes(run.Uploaded), repo.Target())
	return nil
}

// recordBackupRun writes the audit entry of a backup run.
func (s *system) recordBackupRun(ctx context.Context, run backup.Run, runErr error) error {
	outcome := audit.Success
	if runErr != nil {
		outcome = audit.Failure
	}
	return s.record(context.WithoutCancel(ctx), audit.Event{Action: "backup." + run.Kind, Target: "backup:" + run.BackupID, Outcome: outcome,
		Details: map[string]any{"full": run.Full, "bytes": run.Bytes, "uploaded": run.Uploaded, "seconds": run.Finished.Sub(run.Started).Seconds()}})
}

func runBackupList(ctx context.Context, env Env, args []string) error {
	fs, build := flagSet("backup list", env)
	cfg, err := parse(fs, build, args, env)
	if err != nil {
		return err
	}
	signer, err := audit.LoadSigner(cfg.AuditSigningKeyFile)
	if err != nil {
		return err
	}
	repo, err := openRepo(cfg, nil, signer, false, nil)
	if err != nil {
		return err
	}
	list, err := repo.List(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "%-32s  %-20s  %-11s  %-8s  %10s  %10s  %s\n", "ID", "TIME (UTC)", "KIND", "DATABASE", "SIZE", "UPLOADED", "DEPENDS ON")
	for _, l := range list {
		if l.Problem != "" {
			fmt.Fprintf(env.Stdout, "%-32s  DAMAGED: %s\n", l.ID, l.Problem)
			continue
		}
		dep := l.Parent
		if dep == "" {
			dep = "-"
		}
		fmt.Fprintf(env.Stdout, "%-32s  %-20s  %-11s  %-8s  %10s  %10s  %s\n", l.ID, l.Created.UTC().Format("2006-01-02 15:04:05"),
			l.Kind, l.Database, fmtBytes(l.Size), fmtBytes(l.Uploaded), dep)
	}
	fmt.Fprintf(env.Stderr, "%d backups in %s\n", len(list), repo.Target())
	return nil
}

// positional takes a leading argument that is not a flag (an id).
func positional(args []string) (string, []string) {
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		return args[0], args[1:]
	}
	return "", args
}

func runBackupVerify(ctx context.Context, env Env, args []string) error {
	id, args := positional(args)
	fs, build := flagSet("backup verify", env)
	cfg, err := parse(fs, build, args, env)
	if err != nil {
		return err
	}
	sys, err := openSystem(ctx, cfg, newLogger(cfg, env.Stderr), needCurrent)
	if err != nil {
		return err
	}
	defer sys.close()
	repo, err := openRepo(cfg, sys, sys.signer, true, env.Stderr)
	if err != nil {
		return err
	}
	start := time.Now()
	rep, err := repo.Verify(ctx, id, "")
	clearProgress(env.Stderr)
	run := backup.Run{Kind: backup.KindVerify, Started: start, Finished: time.Now(), OK: err == nil, Bytes: rep.Bytes}
	if rep.Manifest != nil {
		run.BackupID = rep.Manifest.ID
	}
	if err != nil {
		run.Detail = err.Error()
	}
	if recErr := sys.saveRun(ctx, run, err); recErr != nil && err == nil {
		err = recErr
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "backup %s verified: %d packs, %s read back, decrypted and matched in %s\n",
		rep.Manifest.ID, rep.Packs, fmtBytes(rep.Bytes), time.Since(start).Round(time.Millisecond))
	return nil
}

// saveRun stores a verify or drill run and its audit entry together.
func (s *system) saveRun(ctx context.Context, run backup.Run, runErr error) error {
	outcome := audit.Success
	if runErr != nil {
		outcome = audit.Failure
	}
	return s.db.Write(context.WithoutCancel(ctx), func(tx *db.Tx) error {
		if err := backup.RecordRun(ctx, tx, run); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, audit.Event{Action: "backup." + run.Kind, Target: "backup:" + run.BackupID, Outcome: outcome,
			Details: map[string]any{"bytes": run.Bytes, "seconds": run.Finished.Sub(run.Started).Seconds(), "detail": run.Detail}})
	})
}

func hostname() string {
	h, _ := os.Hostname()
	return fmt.Sprintf("%s-%d-%d", h, os.Getpid(), time.Now().UnixNano()%1e6)
}

// fmtBytes prints 1.2 GiB, 3.4 MiB, 5 KiB or 12 B.
func fmtBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}

// clearProgress wipes the progress line from a terminal before the
// result is printed.
func clearProgress(w io.Writer) {
	if isTerminal(w) {
		fmt.Fprint(w, "\r\033[K")
	}
}

// byteProgress shows a backup's or restore's bytes with rate and ETA: a
// line redrawn in place on a terminal, a line every few seconds otherwise.
type byteProgress struct {
	w     io.Writer
	tty   bool
	start time.Time
	last  time.Time
}

func newByteProgress(w io.Writer) *byteProgress {
	now := time.Now()
	return &byteProgress{w: w, tty: isTerminal(w), start: now, last: now}
}

func (p *byteProgress) update(pr backup.Progress) {
	now := time.Now()
	every := 5 * time.Second
	if p.tty {
		every = 200 * time.Millisecond
	}
	if now.Sub(p.last) < every || pr.Done == 0 {
		return
	}
	p.last = now
	rate := float64(pr.Done) / now.Sub(p.start).Seconds()
	eta := "?"
	if pr.Total >= pr.Done && rate > 0 {
		eta = fmtDuration(time.Duration(float64(pr.Total-pr.Done) / rate * float64(time.Second)))
	}
	line := fmt.Sprintf("%s: %s of %s (%s/s, about %s left)", pr.Phase, fmtBytes(pr.Done), fmtBytes(pr.Total), fmtBytes(int64(rate)), eta)
	if p.tty {
		fmt.Fprintf(p.w, "\r\033[K%s", line)
		return
	}
	fmt.Fprintln(p.w, line)
}

// backupLoop runs the backup schedule on this node: every minute it makes
// the backup that is due, if this node gets the lease, and copies a
// changed erasure ledger into the repository.
func (s *system) backupLoop(ctx context.Context, cfg Config, interval time.Duration) {
	repo, err := openRepo(cfg, s, s.signer, false, nil)
	if err != nil {
		s.log.Error("backups are not scheduled: the repository cannot be opened", "error", err.Error())
		return
	}
	if !repo.Target().OffSite() {
		s.log.Warn("backups go to the data directory's disk: they are not off-site; set FRONTDESK_BACKUP_TARGET", "target", repo.Target().String())
	}
	sched := &backup.Scheduler{Repo: repo, Source: backupSource(cfg, s), Holder: hostname(),
		Schedule: backup.Schedule{Hour: cfg.Backup.Hour, FullDay: cfg.Backup.FullDay,
			Keep: backup.Retention{Daily: cfg.Backup.KeepDaily, Weekly: cfg.Backup.KeepWeekly}},
		Done: func(ctx context.Context, run backup.Run, err error) {
			if err != nil {
				s.log.Error("scheduled backup failed", "error", err.Error())
			} else {
				s.log.Info("scheduled backup made", "backup", run.BackupID, "full", run.Full, "bytes", run.Bytes, "uploaded", run.Uploaded)
			}
			if recErr := s.recordBackupRun(ctx, run, err); recErr != nil {
				s.log.Error("auditing the scheduled backup failed", "error", recErr.Error())
			}
		}}
	every(ctx, interval, func(ctx context.Context) {
		if _, err := sched.Tick(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("backup schedule", "error", err.Error())
		}
		if err := repo.PushLedger(ctx, s.db); err != nil && ctx.Err() == nil {
			s.log.Error("copying the erasure ledger to the backup repository failed", "error", err.Error())
		}
	})
}

// backupBoard is what the console's Backups page reads.
func backupBoard(cfg Config, s *system) *backup.Board {
	target := cfg.Backup.Target
	if target == "" {
		target = "file://" + filepath.Join(cfg.DataDir, "backups")
	}
	offSite := false
	if store, err := backup.OpenStore(cfg.Backup.Target, cfg.DataDir); err == nil {
		target, offSite = store.String(), store.OffSite()
	}
	return &backup.Board{DB: s.db, Scheduled: cfg.Backup.Schedule, Target: target, OffSite: offSite,
		Schedule: backup.Schedule{Hour: cfg.Backup.Hour, FullDay: cfg.Backup.FullDay,
			Keep: backup.Retention{Daily: cfg.Backup.KeepDaily, Weekly: cfg.Backup.KeepWeekly}},
		MaxAge: cfg.Backup.MaxAge, DrillMaxAge: cfg.Backup.DrillMaxAge, Now: s.db.Now}
}
