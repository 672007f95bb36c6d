// Command import measures `frontdesk accounts import`: it writes a CSV of
// N customer accounts whose passwords were hashed by another system
// (bcrypt, Argon2id and PBKDF2-SHA256, a third each, plus a few staff rows
// with a role), then runs the real command line (app.Main) on a fresh
// SQLite data directory or a fresh PostgreSQL database, and times it. A
// second run of the same file (every row skipped) is timed too.
//
// Hashing is not what is measured: a handful of hashes are computed once
// and reused, since the import stores hashes and never computes them.
//
//	go run ./bench/import -rows 100000
//	go run ./bench/import -rows 100000 -postgres 'postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable'
package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/csv"
	"encoding/hex"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/frontdesk/frontdesk/internal/app"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/password"
)

func main() {
	rows := flag.Int("rows", 100_000, "accounts in the file")
	staff := flag.Int("staff", 100, "of which staff rows with the agent role")
	batch := flag.Int("batch", 250, "accounts per transaction")
	pgURL := flag.String("postgres", "", "PostgreSQL server URL; a fresh database is created on it (and dropped)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the first import to this file")
	flag.Parse()
	if err := run(*rows, *staff, *batch, *pgURL, *cpuProfile); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(rows, staff, batch int, pgURL, cpuProfile string) error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "fd-import-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "accounts.csv")
	start := time.Now()
	if err := writeFile(file, rows, staff); err != nil {
		return err
	}
	fi, _ := os.Stat(file)
	fmt.Fprintf(os.Stderr, "wrote %d rows (%.1f MB) in %s\n", rows, float64(fi.Size())/1e6, time.Since(start).Round(time.Millisecond))

	dbURL := ""
	if pgURL != "" {
		name := "fd_bench_" + randomHex(6)
		admin, err := sql.Open("pgx", pgURL)
		if err != nil {
			return err
		}
		defer admin.Close()
		if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
			return err
		}
		defer admin.Exec("DROP DATABASE " + name + " WITH (FORCE)")
		u, _ := url.Parse(pgURL)
		u.Path = "/" + name
		dbURL = u.String()
	}
	vars := map[string]string{
		"FRONTDESK_DATA_DIR":     filepath.Join(dir, "data"),
		"FRONTDESK_DATABASE_URL": dbURL,
		"FRONTDESK_MIGRATE":      "true",
		"FRONTDESK_LOG_LEVEL":    "warn",
	}
	if code, out := cli(ctx, vars, "migrate"); code != 0 {
		return fmt.Errorf("migrate: %s", out)
	}
	args := []string{"accounts", "import", file, "--batch", strconv.Itoa(batch)}
	first, out, err := timed(ctx, vars, cpuProfile, args)
	if err != nil {
		return err
	}
	fmt.Fprint(os.Stderr, out)
	second, out2, err := timed(ctx, vars, "", args)
	if err != nil {
		return err
	}
	fmt.Fprint(os.Stderr, out2)
	if !strings.Contains(out, fmt.Sprintf("%d created", rows)) || !strings.Contains(out2, fmt.Sprintf("%d skipped", rows)) {
		return fmt.Errorf("unexpected result:\n%s\n%s", out, out2)
	}

	// Check what was written: every account, and an intact audit chain.
	d, err := db.Open(ctx, db.Options{URL: dbURL, DataDir: vars["FRONTDESK_DATA_DIR"]})
	if err != nil {
		return err
	}
	var n int
	err = d.Read(ctx, func(tx *db.Tx) error { return tx.QueryRow(ctx, "SELECT COUNT(*) FROM accounts").Scan(&n) })
	d.Close()
	if err != nil || n != rows {
		return fmt.Errorf("%d accounts after the import: %v", n, err)
	}
	vstart := time.Now()
	if code, out := cli(ctx, vars, "audit", "verify"); code != 0 {
		return fmt.Errorf("audit verify: %s", out)
	}
	dialect := "sqlite"
	if dbURL != "" {
		dialect = "postgres"
	}
	fmt.Printf("| %s | %d | %d | %s | %.0f rows/s | %s (all skipped) | %s/%s, %d CPUs |\n", dialect, rows, batch,
		first.Round(10*time.Millisecond), float64(rows)/first.Seconds(), second.Round(10*time.Millisecond),
		runtime.GOOS, runtime.GOARCH, runtime.NumCPU())
	fmt.Fprintf(os.Stderr, "audit verify of the whole chain: %s\n", time.Since(vstart).Round(time.Millisecond))
	return nil
}

// timed runs the command line once and returns its wall time.
func timed(ctx context.Context, vars map[string]string, cpuProfile string, args []string) (time.Duration, string, error) {
	stop := func() {}
	if cpuProfile != "" {
		var err error
		if stop, err = startProfile(cpuProfile); err != nil {
			return 0, "", err
		}
	}
	start := time.Now()
	code, out := cli(ctx, vars, args...)
	d := time.Since(start)
	stop()
	if code != 0 {
		return 0, out, fmt.Errorf("%s: exit %d\n%s", strings.Join(args, " "), code, out)
	}
	return d, out, nil
}

var blankLine = regexp.MustCompile(`(?m)^\s*\n`)

func cli(ctx context.Context, vars map[string]string, args ...string) (int, string) {
	var out bytes.Buffer
	code := app.Main(ctx, args, app.Env{Getenv: func(k string) string { return vars[k] }, Stdout: &out, Stderr: &out})
	return code, blankLine.ReplaceAllString(out.String(), "")
}

// writeFile writes the CSV: realistic Vietnamese, Chinese and English
// names, E.164 phone numbers, the three locales, and one of a few
// precomputed hashes per row.
func writeFile(path string, rows, staff int) error {
	hashes, err := legacyHashes()
	if err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	bw := bufio.NewWriterSize(f, 1<<20)
	w := csv.NewWriter(bw)
	w.Write([]string{"email", "name", "phone", "locale", "role", "password_hash", "send_invite"})
	family := []string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Smith", "Johnson", "Wang", "Li", "Zhang"}
	middle := []string{"Văn", "Thị", "Hữu", "Minh", "Ngọc", "", ""}
	given := []string{"An", "Bình", "Chi", "Dũng", "Hà", "Hùng", "Lan", "Linh", "Mai", "Nam", "Phúc", "Quân", "Thảo", "Trang", "Tuấn", "Yến", "Emma", "Oliver", "Wei", "Fang"}
	locales := []string{"vi", "en", "zh", "vi"}
	for i := range rows {
		name := family[i%len(family)] + " " + middle[(i/7)%len(middle)] + " " + given[(i/3)%len(given)]
		role := ""
		if i < staff {
			role = "agent"
		}
		w.Write([]string{
			fmt.Sprintf("customer%06d@example.com", i),
			strings.Join(strings.Fields(name), " "),
			fmt.Sprintf("+8491%07d", i),
			locales[i%len(locales)],
			role,
			hashes[i%len(hashes)],
			"false",
		})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// legacyHashes makes two hashes of each supported kind, as a previous
// system would have stored them.
func legacyHashes() ([]string, error) {
	var out []string
	for i := range 2 {
		pw := fmt.Sprintf("legacy password %d", i)
		b, err := bcrypt.GenerateFromPassword([]byte(pw), 10)
		if err != nil {
			return nil, err
		}
		out = append(out, "$2b$"+strings.TrimPrefix(string(b), "$2a$"))
		a, err := password.Hash(pw, password.DefaultParams)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
		salt := make([]byte, 16)
		rand.Read(salt)
		key, err := pbkdf2.Key(sha256.New, pw, salt, 600_000, 32)
		if err != nil {
			return nil, err
		}
		out = append(out, fmt.Sprintf("pbkdf2-sha256$600000$%s$%s", base64.StdEncoding.EncodeToString(salt), base64.StdEncoding.EncodeToString(key)))
	}
	return out, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
