package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/keyring"
)

// errBroken is returned by a check that found a problem it already reported:
// exit status 1 without a second message.
var errBroken = errors.New("check failed")

func runMigrate(ctx context.Context, env Env, args []string) error {
	fs, build := flagSet("migrate", env)
	cfg, err := parse(fs, build, args, env)
	if err != nil {
		return err
	}
	sys, err := openSystem(ctx, cfg, newLogger(cfg, env.Stderr), migrateAlways)
	if err != nil {
		return err
	}
	defer sys.close()
	v, _, err := sys.db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "%s schema is at version %d\n", sys.db.Dialect(), v)
	return nil
}

func runAuditVerify(ctx context.Context, env Env, args []string) error {
	fs, build := flagSet("audit verify", env)
	cfg, err := parse(fs, build, args, env)
	if err != nil {
		return err
	}
	sys, err := openSystem(ctx, cfg, newLogger(cfg, env.Stderr), needCurrent)
	if err != nil {
		return err
	}
	defer sys.close()
	start := time.Now()
	r, err := audit.Verify(ctx, sys.db, sys.signer, func(n int64) {
		fmt.Fprintf(env.Stderr, "verified %d entries…\n", n)
	})
	if err != nil {
		return err
	}
	if !r.OK() {
		fmt.Fprintf(env.Stderr, "audit chain broken at sequence %d: %s\n", r.FirstBroken, r.Problem)
		return errBroken
	}
	fmt.Fprintf(env.Stdout, "audit chain intact: %d entries, %d signed checkpoints, verified in %s\n",
		r.Entries, r.Checkpoints, time.Since(start).Round(time.Millisecond))
	return nil
}

func runAuditExport(ctx context.Context, env Env, args []string) error {
	fs, build := flagSet("audit export", env)
	since := fs.String("since", "", "export entries at or after this time (RFC 3339, or YYYY-MM-DD in UTC)")
	cfg, err := parse(fs, build, args, env)
	if err != nil {
		return err
	}
	var from time.Time
	if *since != "" {
		from, err = parseTime(*since)
		if err != nil {
			fmt.Fprintf(env.Stderr, "frontdesk audit export: --since %q is not a time like 2026-01-31 or 2026-01-31T08:00:00Z\n", *since)
			return errUsage
		}
	}
	sys, err := openSystem(ctx, cfg, newLogger(cfg, env.Stderr), needCurrent)
	if err != nil {
		return err
	}
	defer sys.close()
	n, err := sys.audit.Export(ctx, sys.db, env.Stdout, from)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "exported %d entries\n", n)
	return nil
}

func parseTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	return time.Parse(time.DateOnly, s)
}

func runKeysRotate(ctx context.Context, env Env, args []string) error {
	fs, build := flagSet("keys rotate", env)
	keepOld := fs.Bool("keep-old", false, "keep the retired master key in the key file")
	cfg, err := parse(fs, build, args, env)
	if err != nil {
		return err
	}
	sys, err := openSystem(ctx, cfg, newLogger(cfg, env.Stderr), needCurrent)
	if err != nil {
		return err
	}
	defer sys.close()
	res, err := sys.keys.Rotate(ctx, sys.db, keyring.RotateOptions{
		KeepOld:  *keepOld,
		Progress: func(done, total int) { fmt.Fprintf(env.Stderr, "re-wrapped %d of %d data keys\n", done, total) },
	})
	outcome := audit.Success
	if err != nil {
		outcome = audit.Failure
	}
	recErr := sys.record(ctx, audit.Event{Action: "keys.rotate", Target: "master_key", Outcome: outcome,
		Details: map[string]any{"old_master_key": res.OldMasterID, "new_master_key": res.NewMasterID, "rewrapped": res.Rewrapped}})
	if err != nil {
		return err
	}
	if recErr != nil {
		return recErr
	}
	fmt.Fprintf(env.Stdout, "master key rotated: %s → %s, %d data keys re-wrapped\n", res.OldMasterID, res.NewMasterID, res.Rewrapped)
	return nil
}

// runAssistArchive moves the recordings of ended remote-assistance sessions
// to archive files now, instead of at the server's hourly pass: those that
// ended more than --older-than ago (the retention by default; 0 for all).
func runAssistArchive(ctx context.Context, env Env, args []string) error {
	fs, build := flagSet("assist archive", env)
	olderThan := fs.Duration("older-than", 0, "archive sessions that ended more than this long ago (default: --assist-retention-days; 0s: every ended session)")
	cfg, err := parse(fs, build, args, env)
	if err != nil {
		return err
	}
	age, given := cfg.AssistRetention, false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == "older-than" })
	if given {
		if *olderThan < 0 {
			fmt.Fprintln(env.Stderr, "frontdesk assist archive: --older-than must not be negative")
			return errUsage
		}
		age = *olderThan
	}
	sys, err := openSystem(ctx, cfg, newLogger(cfg, env.Stderr), needCurrent)
	if err != nil {
		return err
	}
	defer sys.close()
	total := 0
	for {
		n, err := sys.assist.ArchiveOlder(ctx, age)
		total += n
		if err != nil {
			return err
		}
		if n < 100 {
			break
		}
	}
	fmt.Fprintf(env.Stdout, "%d session recordings archived\n", total)
	return nil
}
