package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/backup"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/keyring"
	"github.com/frontdesk/frontdesk/internal/privacy"
)

// erasureHooks lists what a restore runs for every erased customer after
// destroying their data key again (see backup.ErasureHook). internal/privacy
// adds its hook here: the rows a backup brought back are deleted again.
func erasureHooks() []backup.ErasureHook {
	reg, err := Registry()
	if err != nil {
		return []backup.ErasureHook{func(context.Context, *db.Tx, string) error { return err }}
	}
	return []backup.ErasureHook{privacy.ReplayHook(reg)}
}

func runRestore(ctx context.Context, env Env, args []string) error {
	id, args := positional(args)
	fs, build := flagSet("restore", env)
	to := fs.String("to", "", "the empty data directory to restore into; its keys/ must hold the master key, restored apart")
	cfg, err := parse(fs, build, args, env)
	if err != nil {
		return err
	}
	if id == "" || *to == "" {
		fmt.Fprintln(env.Stderr, "frontdesk restore: give the backup ID (from 'frontdesk backup list', or 'latest') and --to DIR")
		return errUsage
	}
	if id == "latest" {
		id = ""
	}
	rep, err := restoreInto(ctx, cfg, id, *to, cfg.DatabaseURL, env.Stderr)
	clearProgress(env.Stderr)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "backup %s restored into %s in %s: %s, audit chain intact (%d entries), %d erasures replayed; start it with: frontdesk serve --data-dir %s\n",
		rep.Manifest.ID, *to, rep.Took.Round(time.Millisecond), fmtBytes(rep.Bytes), rep.Audit.Entries, rep.Replayed, *to)
	return nil
}

// restoreInto restores a backup into dir (and dbURL for PostgreSQL), then
// writes the restore's audit entry into the restored database.
func restoreInto(ctx context.Context, cfg Config, id, dir, dbURL string, progress io.Writer) (backup.RestoreReport, error) {
	signerFile := filepath.Join(dir, "keys", "audit-ed25519.key")
	if _, err := os.Stat(signerFile); err != nil {
		signerFile = cfg.AuditSigningKeyFile
	}
	if _, err := os.Stat(signerFile); err != nil {
		return backup.RestoreReport{}, fmt.Errorf("restore needs the audit signing key that signed the backups, in %s (restored apart, with the master key)", filepath.Join(dir, "keys", "audit-ed25519.key"))
	}
	signer, err := audit.LoadSigner(signerFile)
	if err != nil {
		return backup.RestoreReport{}, err
	}
	if cfg.Backup.Recipient == "" {
		// The key pair is read, never made, by a restore.
		if _, err := os.Stat(cfg.Backup.IdentityFile); err != nil {
			return backup.RestoreReport{}, fmt.Errorf("restore needs the backup private key: %s is missing (set FRONTDESK_BACKUP_IDENTITY_FILE)", cfg.Backup.IdentityFile)
		}
	}
	repo, err := openRepo(cfg, nil, signer, true, progress)
	if err != nil {
		return backup.RestoreReport{}, err
	}
	ms, err := db.Migrations(db.SQLite)
	if err != nil {
		return backup.RestoreReport{}, err
	}
	start := time.Now()
	rep, err := repo.Restore(ctx, backup.RestoreOptions{ID: id, DataDir: dir, DatabaseURL: dbURL, LatestSchema: len(ms), Hooks: erasureHooks()})
	if err != nil {
		return rep, err
	}
	err = recordInRestored(ctx, dir, dbURL, signer, backup.Run{Kind: backup.KindRestore, BackupID: rep.Manifest.ID, Started: start, Finished: time.Now(), OK: true, Bytes: rep.Bytes})
	return rep, err
}

// recordInRestored writes the restore's run and audit entry into the
// restored database, so its trail says where it came from.
func recordInRestored(ctx context.Context, dir, dbURL string, signer *audit.Signer, run backup.Run) error {
	d, err := db.Open(ctx, db.Options{URL: dbURL, DataDir: dir})
	if err != nil {
		return err
	}
	defer d.Close()
	keys, err := keyring.New(ctx, d, keyring.Options{MasterKeyFile: filepath.Join(dir, "keys", "master.key")})
	if err != nil {
		return err
	}
	log := audit.New(keys, signer, audit.Options{})
	return d.Write(ctx, func(tx *db.Tx) error {
		if err := backup.RecordRun(ctx, tx, run); err != nil {
			return err
		}
		return log.Record(ctx, tx, audit.Event{Action: "backup.restore", Target: "backup:" + run.BackupID,
			Details: map[string]any{"bytes": run.Bytes, "seconds": run.Finished.Sub(run.Started).Seconds()}})
	})
}

func runBackupDrill(ctx context.Context, env Env, args []string) error {
	fs, build := flagSet("backup drill", env)
	cfg, err := parse(fs, build, args, env)
	if err != nil {
		return err
	}
	sys, err := openSystem(ctx, cfg, newLogger(cfg, env.Stderr), needCurrent)
	if err != nil {
		return err
	}
	defer sys.close()
	res, err := drill(ctx, cfg, sys, env.Stderr)
	clearProgress(env.Stderr)
	run := backup.Run{Kind: backup.KindDrill, BackupID: res.backupID, Started: res.start, Finished: time.Now(), OK: err == nil, Bytes: res.bytes,
		Detail: fmt.Sprintf("rto=%s", res.rto.Round(time.Millisecond))}
	if err != nil {
		run.Detail = err.Error()
	}
	if recErr := sys.saveRun(ctx, run, err); recErr != nil && err == nil {
		err = recErr
	}
	if err != nil {
		return fmt.Errorf("restore drill failed: %w", err)
	}
	fmt.Fprintf(env.Stdout, "restore drill passed: backup %s (%s) restored into a scratch place, keys open its data, audit chain intact (%d entries), a server on it answered ready: RTO %s\n",
		res.backupID, fmtBytes(res.bytes), res.auditEntries, res.rto.Round(time.Millisecond))
	return nil
}

type drillResult struct {
	backupID     string
	bytes        int64
	auditEntries int64
	start        time.Time
	rto          time.Duration
}

// drill restores the newest backup into a scratch directory (and a scratch
// PostgreSQL database), starts a server on it, and measures the time from
// the start of the restore to the server's first ready answer: the RTO.
func drill(ctx context.Context, cfg Config, sys *system, progress io.Writer) (drillResult, error) {
	res := drillResult{start: time.Now()}
	scratch, err := os.MkdirTemp("", "frontdesk-drill-")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(scratch)
	for src, dst := range map[string]string{cfg.MasterKeyFile: "master.key", cfg.AuditSigningKeyFile: "audit-ed25519.key"} {
		if err := copyKey(src, filepath.Join(scratch, "keys", dst)); err != nil {
			return res, err
		}
	}
	dbURL := ""
	if sys.db.Dialect() == db.Postgres {
		name := "frontdesk_drill_" + fmt.Sprintf("%x", time.Now().UnixNano())
		if err := sys.db.Maintain(ctx, "CREATE DATABASE "+name); err != nil {
			return res, fmt.Errorf("create the drill's scratch database: %w", err)
		}
		defer sys.db.Maintain(context.WithoutCancel(ctx), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		u, err := url.Parse(cfg.DatabaseURL)
		if err != nil {
			return res, err
		}
		u.Path = "/" + name
		dbURL = u.String()
	}
	rep, err := restoreInto(ctx, cfg, "", scratch, dbURL, progress)
	if rep.Manifest != nil {
		res.backupID, res.bytes, res.auditEntries = rep.Manifest.ID, rep.Bytes, rep.Audit.Entries
	}
	if err != nil {
		return res, err
	}
	scfg := cfg
	scfg.DataDir, scfg.DatabaseURL, scfg.Addr, scfg.BaseURL = scratch, dbURL, "127.0.0.1:0", "http://127.0.0.1:0"
	scfg.MasterKeyFile = filepath.Join(scratch, "keys", "master.key")
	scfg.AuditSigningKeyFile = filepath.Join(scratch, "keys", "audit-ed25519.key")
	scfg.AssistArchiveDir = filepath.Join(scratch, "recordings")
	// The drill's server must reach nobody: no mail, no mailbox, no bus,
	// no webhooks, no backups of its own.
	scfg.SMTPURL, scfg.IMAP, scfg.NATSURL, scfg.MessagingOutboundURL, scfg.SMSProvider = "", nil, "", "", ""
	scfg.Backup.Schedule, scfg.Migrate, scfg.TLSCertFile, scfg.TLSKeyFile = false, true, "", ""
	// GOMEMLIMIT "set" keeps the drill's server from changing this
	// process's memory limit.
	inst, err := Start(ctx, scfg, Env{Getenv: func(k string) string { return map[string]string{"GOMEMLIMIT": "off"}[k] }, Stdout: io.Discard, Stderr: io.Discard, Clock: cfg.clock})
	if err != nil {
		return res, fmt.Errorf("the restored copy does not start: %w", err)
	}
	defer inst.Stop()
	if err := waitReady(ctx, inst.URL()+"/readyz"); err != nil {
		return res, err
	}
	res.rto = time.Since(res.start)
	return res, nil
}

func waitReady(ctx context.Context, u string) error {
	deadline := time.Now().Add(2 * time.Minute)
	for {
		resp, err := http.Get(u)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return errors.New("the restored copy's server did not answer ready within 2 minutes")
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func copyKey(src, dst string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return fmt.Errorf("read %s: %w", src, err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return err
	}
	return os.WriteFile(dst, b, 0o600)
}
