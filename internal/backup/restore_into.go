package backup

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/keyring"
)

// RestoreOptions say where a restore goes.
type RestoreOptions struct {
	// ID is the backup; "" for the newest.
	ID string
	// DataDir receives the files (and the SQLite database). It must be
	// empty but for keys/, which holds the master key, restored apart.
	DataDir string
	// DatabaseURL is an empty PostgreSQL database for a PostgreSQL backup;
	// "" restores a SQLite backup into DataDir.
	DatabaseURL string
	// MasterKeyFile defaults to DataDir/keys/master.key.
	MasterKeyFile string
	// LatestSchema is the newest schema this binary knows.
	LatestSchema int
	// Hooks run for every erased subject after the ledger replay.
	Hooks []ErasureHook
}

// RestoreReport is what a restore did.
type RestoreReport struct {
	Manifest *Manifest
	Bytes    int64
	Replayed int
	Audit    audit.Report
	Took     time.Duration
}

// ErrNotEmpty means the restore's destination already holds data.
var ErrNotEmpty = errors.New("the restore's destination is not empty")

// Restore restores a backup into an empty data directory (and an empty
// PostgreSQL database for a PostgreSQL backup). Every check that can refuse
// runs before anything is written, and the pieces are checked as they are
// staged in a hidden directory: a refused restore leaves the destination as
// it was. Then the master key must open the data keys, the erasure ledger
// (the restored one merged with the repository's newest) is replayed, and
// the audit chain is verified.
func (r *Repo) Restore(ctx context.Context, opts RestoreOptions) (RestoreReport, error) {
	start := time.Now()
	rep := RestoreReport{}
	m, err := r.find(ctx, opts.ID)
	if err != nil {
		return rep, err
	}
	rep.Manifest = m
	want := "sqlite"
	if opts.DatabaseURL != "" {
		want = "postgres"
	}
	if m.Database != want {
		return rep, fmt.Errorf("%w: backup %s is of a %s database and the configuration names a %s one", ErrWrongDatabase, m.ID, m.Database, want)
	}
	if opts.LatestSchema > 0 && m.Schema > opts.LatestSchema {
		return rep, fmt.Errorf("%w (backup %s has schema %d, this Frontdesk knows up to %d)", ErrSchemaNewer, m.ID, m.Schema, opts.LatestSchema)
	}
	c, err := r.loadChain(ctx, m)
	if err != nil {
		return rep, err
	}
	if opts.MasterKeyFile == "" {
		opts.MasterKeyFile = filepath.Join(opts.DataDir, "keys", "master.key")
	}
	if _, err := os.Stat(opts.MasterKeyFile); err != nil {
		return rep, fmt.Errorf("restore needs the master key in %s (it is not in any backup: restore it apart from your key copy, see docs/operations.md)", opts.MasterKeyFile)
	}
	if err := checkEmptyDir(opts.DataDir); err != nil {
		return rep, err
	}
	if want == "postgres" {
		if err := checkEmptyPostgres(ctx, opts.DatabaseURL); err != nil {
			return rep, err
		}
	}
	ledger, err := r.repositoryLedger(ctx)
	if err != nil {
		return rep, fmt.Errorf("the repository's erasure ledger cannot be read, so erased customers could come back: %w", err)
	}
	stage := filepath.Join(opts.DataDir, ".restore-"+randomHex(4))
	defer os.RemoveAll(stage)
	if rep.Bytes, err = r.materialize(ctx, m, c, stage); err != nil {
		return rep, err
	}
	if want == "postgres" {
		d, err := db.Open(ctx, db.Options{URL: opts.DatabaseURL})
		if err != nil {
			return rep, err
		}
		err = psqlLoad(ctx, d, opts.DatabaseURL, filepath.Join(stage, filepath.FromSlash(postgresItem)))
		d.Close()
		if err != nil {
			return rep, err
		}
	}
	for _, it := range m.Items {
		var dst string
		switch {
		case it.Path == sqliteItem:
			dst = filepath.Join(opts.DataDir, "frontdesk.db")
		case strings.HasPrefix(it.Path, filePrefix):
			dst = filepath.Join(opts.DataDir, filepath.FromSlash(strings.TrimPrefix(it.Path, filePrefix)))
		default:
			continue
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
			return rep, err
		}
		if err := os.Rename(filepath.Join(stage, filepath.FromSlash(it.Path)), dst); err != nil {
			return rep, fmt.Errorf("backup: move %s into place: %w", it.Path, err)
		}
		if it.Mode != 0 {
			os.Chmod(dst, os.FileMode(it.Mode).Perm())
		}
	}
	if err := r.afterRestore(ctx, opts, ledger, &rep); err != nil {
		return rep, err
	}
	rep.Took = time.Since(start)
	return rep, nil
}

// afterRestore proves the master key opens the restored data keys,
// replays the erasure ledger and verifies the audit chain.
func (r *Repo) afterRestore(ctx context.Context, opts RestoreOptions, repoLedger []Erasure, rep *RestoreReport) error {
	d, err := db.Open(ctx, db.Options{URL: opts.DatabaseURL, DataDir: opts.DataDir})
	if err != nil {
		return err
	}
	defer d.Close()
	keys, err := keyring.New(ctx, d, keyring.Options{MasterKeyFile: opts.MasterKeyFile})
	if err != nil {
		return fmt.Errorf("the restored data keys do not open with the master key in %s: %w", opts.MasterKeyFile, err)
	}
	var own []Erasure
	if err := d.Read(ctx, func(tx *db.Tx) (err error) { own, err = Erasures(ctx, tx); return err }); err != nil {
		return err
	}
	if rep.Replayed, err = ReplayErasures(ctx, d, keys, mergeLedgers(own, repoLedger), opts.Hooks...); err != nil {
		return err
	}
	if rep.Audit, err = audit.Verify(ctx, d, r.signer, nil); err != nil {
		return err
	}
	if !rep.Audit.OK() {
		return fmt.Errorf("the restored audit chain is broken at sequence %d: %s", rep.Audit.FirstBroken, rep.Audit.Problem)
	}
	return nil
}

func checkEmptyDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	for _, e := range entries {
		if e.Name() != "keys" {
			return fmt.Errorf("%w: %s holds %s; restore into an empty data directory (with only keys/)", ErrNotEmpty, dir, e.Name())
		}
	}
	return nil
}

func checkEmptyPostgres(ctx context.Context, url string) error {
	d, err := db.Open(ctx, db.Options{URL: url})
	if err != nil {
		return err
	}
	defer d.Close()
	var n int
	err = d.Read(ctx, func(tx *db.Tx) error {
		return tx.QueryRow(ctx, `SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'`).Scan(&n)
	})
	if err != nil {
		return err
	}
	if n > 0 {
		return fmt.Errorf("%w: the PostgreSQL database %s has %d tables; restore into an empty database", ErrNotEmpty, db.Redact(url), n)
	}
	return nil
}
