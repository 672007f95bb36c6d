package backup

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/frontdesk/frontdesk/internal/db"
)

// Source is what a backup copies: the database and the data directory.
type Source struct {
	DB *db.DB
	// DatabaseURL is the PostgreSQL URL for pg_dump; empty for SQLite.
	DatabaseURL string
	// DataDir's files are backed up, but for Skip (relative paths: the
	// keys, the local repository, the database file itself).
	DataDir string
	Skip    []string
}

// Item paths in a backup.
const (
	sqliteItem   = "db/frontdesk.db"
	postgresItem = "db/postgres.sql"
	filePrefix   = "files/"
	tmpDir       = ".backup-tmp"
)

// dataFile is one file of the data directory to back up.
type dataFile struct {
	rel  string
	size int64
	mode fs.FileMode
}

// dataFiles lists the regular files of the data directory, but for skip.
func (s Source) dataFiles() ([]dataFile, error) {
	skip := map[string]bool{tmpDir: true}
	for _, p := range s.Skip {
		skip[filepath.ToSlash(filepath.Clean(p))] = true
	}
	var out []dataFile
	err := filepath.WalkDir(s.DataDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil
			}
			return err
		}
		rel, _ := filepath.Rel(s.DataDir, p)
		rel = filepath.ToSlash(rel)
		if skip[rel] || strings.HasPrefix(d.Name(), ".restore-") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			if errors.Is(err, os.ErrNotExist) { // removed meanwhile
				return nil
			}
			return err
		}
		out = append(out, dataFile{rel: rel, size: info.Size(), mode: info.Mode().Perm()})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("backup: list the data directory: %w", err)
	}
	return out, nil
}

// pgDump starts pg_dump streaming a plain SQL dump of the database. The
// password goes through the environment, never the command line.
func pgDump(ctx context.Context, d *db.DB, rawURL string) (io.ReadCloser, func() error, error) {
	if err := checkPGTool(ctx, d, "pg_dump"); err != nil {
		return nil, nil, err
	}
	u, env, err := pgURL(rawURL)
	if err != nil {
		return nil, nil, err
	}
	cmd := exec.CommandContext(ctx, "pg_dump", "--no-owner", "--no-privileges", "--format=plain", "--dbname", u)
	cmd.Env = env
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, nil, fmt.Errorf("backup: start pg_dump: %w", err)
	}
	wait := func() error {
		if err := cmd.Wait(); err != nil {
			return fmt.Errorf("backup: pg_dump failed: %s", firstLine(stderr.String(), err))
		}
		return nil
	}
	return out, wait, nil
}

// psqlLoad loads a plain SQL dump into an empty database in one
// transaction: a failure leaves the database as it was.
func psqlLoad(ctx context.Context, d *db.DB, rawURL, dumpPath string) error {
	if err := checkPGTool(ctx, d, "psql"); err != nil {
		return err
	}
	u, env, err := pgURL(rawURL)
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, "psql", "--no-psqlrc", "--quiet", "-v", "ON_ERROR_STOP=1", "--single-transaction",
		"--dbname", u, "--file", dumpPath)
	cmd.Env = env
	var stderr strings.Builder
	cmd.Stderr = &stderr
	cmd.Stdout = io.Discard
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("backup: loading the dump into PostgreSQL failed: %s", firstLine(stderr.String(), err))
	}
	return nil
}

func firstLine(s string, err error) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if s == "" {
		return err.Error()
	}
	return s
}

// pgURL returns the URL without its password and an environment carrying it.
func pgURL(rawURL string) (string, []string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", nil, errors.New("backup: the database URL cannot be parsed")
	}
	env := os.Environ()
	if u.User != nil {
		if pw, ok := u.User.Password(); ok {
			env = append(env, "PGPASSWORD="+pw)
		}
		u.User = url.User(u.User.Username())
	}
	return u.String(), env, nil
}

var majorRE = regexp.MustCompile(`\) (\d+)`)

// checkPGTool refuses a client tool of another major version than the
// server: a dump by an older pg_dump can miss what a newer server has.
func checkPGTool(ctx context.Context, d *db.DB, tool string) error {
	path, err := exec.LookPath(tool)
	if err != nil {
		return fmt.Errorf("backup: %s is not installed; install the PostgreSQL client of the server's version (scripts/ensure-pgdump.sh)", tool)
	}
	out, err := exec.CommandContext(ctx, path, "--version").Output()
	if err != nil {
		return fmt.Errorf("backup: %s --version: %w", tool, err)
	}
	m := majorRE.FindSubmatch(out)
	if m == nil {
		return fmt.Errorf("backup: cannot read the version of %s", tool)
	}
	client, _ := strconv.Atoi(string(m[1]))
	var num string
	if err := d.Read(ctx, func(tx *db.Tx) error { return tx.QueryRow(ctx, `SHOW server_version_num`).Scan(&num) }); err != nil {
		return fmt.Errorf("backup: read the server's version: %w", err)
	}
	n, _ := strconv.Atoi(num)
	if server := n / 10000; server != client {
		return fmt.Errorf("backup: %s is version %d but the server is PostgreSQL %d; install the client of the server's version", tool, client, server)
	}
	return nil
}

// bufferedFile opens a file for chunking.
func bufferedFile(path string) (*os.File, *bufio.Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	return f, bufio.NewReaderSize(f, 1<<20), nil
}
