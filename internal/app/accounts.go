package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/frontdesk/frontdesk/internal/identity/bulkfile"
)

// runAccountsImport imports a bulk account file (API.md, "Bulk account
// files"). The file is read twice: a first pass counts the rows (for the
// progress bar) and refuses a file whose header or size is wrong before
// anything changes; the second imports it. Exit status 1 when any row is
// invalid, so a script notices; the valid rows are imported all the same,
// and running the same file again after fixing it creates only what is
// missing.
func runAccountsImport(ctx context.Context, env Env, args []string) error {
	fs, build := flagSet("accounts import FILE", env)
	dryRun := fs.Bool("dry-run", false, "check every row and report what would happen, changing nothing")
	formatName := fs.String("format", "", "csv or jsonl (default: from the file name's extension, else from its content)")
	batch := fs.Int("batch", 250, "accounts per transaction")
	cfg, files, err := parseWithFiles(fs, build, args, env)
	if err != nil {
		return err
	}
	format, err := fileFormat(files, *formatName, env, "accounts import")
	if err != nil {
		return err
	}
	path := files[0]
	sys, err := openSystem(ctx, cfg, newLogger(cfg, env.Stderr), needCurrent)
	if err != nil {
		return err
	}
	defer sys.close()
	roles, err := sys.access.AllRoles(ctx)
	if err != nil {
		return err
	}
	known := make(map[string]bool, len(roles))
	for _, r := range roles {
		known[r.Name] = true
	}
	opts := bulkfile.Options{Format: format, ValidRole: func(r string) bool { return known[r] }}

	scan, err := scanFile(path, opts)
	if err != nil {
		return err
	}
	if len(scan.Fatal) > 0 {
		printProblems(env.Stderr, append(scan.Problems, scan.Fatal...))
		fmt.Fprintf(env.Stderr, "frontdesk accounts import: %s cannot be imported; nothing was changed\n", path)
		return errBroken
	}

	if err := bigPageCache(ctx, sys.db); err != nil {
		return err
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	prog := newProgress(env.Stderr, scan.Rows, *dryRun)
	res, err := sys.id.ImportAccounts(ctx, bulkfile.NewReader(f, opts), identity.ImportOptions{
		DryRun:    *dryRun,
		BatchSize: *batch,
		Grant: func(tx *db.Tx, accountID, role string) error {
			return sys.access.Grant(ctx, tx, accountID, role, "import")
		},
		Progress: func(r identity.ImportResult) { prog.update(r.Rows) },
		By:       "cli",
		Source:   filepath.Base(path) + " sha256:" + scan.Digest,
	})
	prog.done(res.Rows)
	printProblems(env.Stderr, res.Errors)
	printImportSummary(env.Stdout, path, res, *dryRun)
	switch {
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(env.Stderr, "frontdesk accounts import: interrupted; the rows above were imported, and running the same command again continues (existing accounts are skipped)")
		return errBroken
	case err != nil:
		return err
	case len(res.Errors) > 0:
		fmt.Fprintf(env.Stderr, "frontdesk accounts import: %d invalid rows; fix them and run the command again (existing accounts are skipped)\n", res.Invalid)
		return errBroken
	}
	return nil
}

// bigPageCache gives this process's SQLite writer connection a 128 MiB
// page cache instead of the default 2 MiB. An import inserts into indexes
// with random keys (ids, blind indexes, search tokens); once they outgrow
// the cache, every insert re-reads pages from the file, and 100,000 rows
// took 51 s instead of 40 s (docs/benchmarks.md). The setting belongs to
// the connection of this short-lived command only; a running server is
// not affected. PostgreSQL needs nothing of the kind.
func bigPageCache(ctx context.Context, d *db.DB) error {
	if d.Dialect() != db.SQLite {
		return nil
	}
	return d.Write(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, "PRAGMA cache_size = -131072")
		return err
	})
}

// parseWithFiles parses flags that may come before or after FILE and
// returns the one file named.
func parseWithFiles(fs *flag.FlagSet, build func() (Config, error), args []string, env Env) (Config, []string, error) {
	var files []string
	for rest := args; ; {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return Config{}, nil, err
			}
			return Config{}, nil, errUsage
		}
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if len(files) != 1 {
		fmt.Fprintf(env.Stderr, "%s: name one FILE (got %d)\n", fs.Name(), len(files))
		fs.Usage()
		return Config{}, nil, errUsage
	}
	cfg, err := build()
	if err != nil {
		fmt.Fprintf(env.Stderr, "frontdesk: configuration: %s\n", sentence(err))
		return Config{}, nil, errUsage
	}
	return cfg, files, nil
}

// fileFormat picks the format from --format, else from the extension.
func fileFormat(files []string, name string, env Env, cmd string) (bulkfile.Format, error) {
	if name == "" {
		return bulkfile.FormatOf(files[0]), nil
	}
	f, err := bulkfile.ParseFormat(name)
	if err != nil {
		fmt.Fprintf(env.Stderr, "frontdesk %s: --format: %s\n", cmd, err)
		return 0, errUsage
	}
	return f, nil
}

func scanFile(path string, opts bulkfile.Options) (bulkfile.Summary, error) {
	f, err := os.Open(path)
	if err != nil {
		return bulkfile.Summary{}, err
	}
	defer f.Close()
	return bulkfile.Scan(f, opts)
}

func printProblems(w io.Writer, problems []identity.RowError) {
	for _, p := range problems {
		fmt.Fprintf(w, "line %d: %s: %s\n", p.Line, p.Field, p.Reason)
	}
}

func printImportSummary(w io.Writer, path string, r identity.ImportResult, dryRun bool) {
	if dryRun {
		fmt.Fprintf(w, "dry run of %s: %d rows: %d would be created, %d skipped (an account with the e-mail exists), %d invalid; %d invitations would be sent; nothing was changed\n",
			path, r.Rows, r.Created, r.Skipped, r.Invalid, r.Invited)
		return
	}
	fmt.Fprintf(w, "imported %s: %d rows: %d created, %d skipped (an account with the e-mail exists), %d invalid; %d invitations sent",
		path, r.Rows, r.Created, r.Skipped, r.Invalid, r.Invited)
	if r.MailFailed > 0 {
		fmt.Fprintf(w, " (%d could not be sent; those customers can use \"Forgot password\")", r.MailFailed)
	}
	fmt.Fprintln(w)
}

// runAccountsExport writes every account to FILE ("-" for standard
// output) without secrets. The file holds personal data: it is created
// readable by its owner only, written under a temporary name and renamed
// when complete, so a failed export leaves no partial file behind.
func runAccountsExport(ctx context.Context, env Env, args []string) error {
	fs, build := flagSet("accounts export FILE", env)
	formatName := fs.String("format", "", "csv or jsonl (default: from the file name's extension, else csv)")
	cfg, files, err := parseWithFiles(fs, build, args, env)
	if err != nil {
		return err
	}
	format, err := fileFormat(files, *formatName, env, "accounts export")
	if err != nil {
		return err
	}
	if format == bulkfile.Auto {
		format = bulkfile.CSV
	}
	path := files[0]
	sys, err := openSystem(ctx, cfg, newLogger(cfg, env.Stderr), needCurrent)
	if err != nil {
		return err
	}
	defer sys.close()
	out, report := env.Stdout, env.Stdout
	var tmp *os.File
	if path == "-" {
		report = env.Stderr
	} else {
		if tmp, err = os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*"); err != nil {
			return err
		}
		defer os.Remove(tmp.Name()) // fails harmlessly once renamed
		defer tmp.Close()
		if err := tmp.Chmod(0o600); err != nil {
			return err
		}
		out = tmp
	}
	start := time.Now()
	w := bulkfile.NewWriter(out, format)
	res, err := sys.id.ExportAccounts(ctx, w, identity.ExportOptions{Roles: sys.access.RolesOf, By: "cli", Format: format.String()})
	if err == nil {
		err = w.Flush()
	}
	if err == nil && tmp != nil {
		if err = tmp.Sync(); err == nil {
			if err = tmp.Close(); err == nil {
				err = os.Rename(tmp.Name(), path)
			}
		}
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(report, "exported %d accounts to %s in %s", res.Exported, path, time.Since(start).Round(time.Millisecond))
	if res.LeftOut > 0 {
		fmt.Fprintf(report, " (%d left out: unverified registrations, erased accounts, staff without a role)", res.LeftOut)
	}
	fmt.Fprintln(report)
	return nil
}
