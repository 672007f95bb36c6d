package app

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/frontdesk/frontdesk/internal/db"
)

func (c *cli) count(d *db.DB, query string, args ...any) int {
	c.t.Helper()
	var n int
	err := d.Read(context.Background(), func(tx *db.Tx) error {
		return tx.QueryRow(context.Background(), query, args...).Scan(&n)
	})
	if err != nil {
		c.t.Fatal(err)
	}
	return n
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// frontdesk accounts import reports every invalid row as "line N: field:
// reason", imports the valid ones and exits 1; a dry run changes nothing
// and exits 0 when every row is valid; the export holds no secret.
func TestAccountsImportAndExport(t *testing.T) {
	c := newCLI(t)
	c.vars["FRONTDESK_MIGRATE"] = "true"
	c.vars["FRONTDESK_ARGON2_MEMORY"] = "4MiB"
	c.vars["FRONTDESK_ARGON2_TIME"] = "1"
	if code, _, stderr := c.run("migrate"); code != 0 {
		t.Fatalf("migrate: %s", stderr)
	}
	d := c.open()
	hash, _ := bcrypt.GenerateFromPassword([]byte("legacy password 1"), bcrypt.MinCost)

	bad := writeFile(t, "bad.csv", "email,name,phone,role,password_hash,send_invite\n"+
		"lan@example.com,Lan,+84912345678,,"+string(hash)+",\n"+
		"not-an-address,Bob,,,,\n"+
		"agent@example.com,,,agent,,true\n"+
		"x@example.com,,0912,,,maybe\n"+
		"y@example.com,,,wizard,,\n")
	code, stdout, stderr := c.run("accounts", "import", bad)
	for _, want := range []string{
		"line 3: email: not a valid e-mail address\n",
		"line 5: phone: not an international (E.164) number",
		"line 5: send_invite: not true or false\n",
		"line 6: role: unknown role wizard\n",
		"3 invalid rows; fix them",
		"imported 5 rows in",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q", want)
		}
	}
	if code != 1 || !strings.Contains(stdout, "5 rows: 2 created, 0 skipped (an account with the e-mail exists), 3 invalid; 1 invitations sent") {
		t.Fatalf("import of a bad file: %d\n%s\n%s", code, stdout, stderr)
	}
	if n := c.count(d, "SELECT COUNT(*) FROM staff_roles WHERE role = 'agent' AND granted_by = 'import'"); n != 1 {
		t.Fatalf("%d agent grants", n)
	}

	// Fixed file, flags after FILE: a dry run says what would happen.
	good := writeFile(t, "good.csv", "email,name,role\nlan@example.com,Lan,\nbob@example.com,Bob,\nagent@example.com,,agent\n")
	accounts, entries := c.count(d, "SELECT COUNT(*) FROM accounts"), c.count(d, "SELECT COUNT(*) FROM audit_log")
	code, stdout, stderr = c.run("accounts", "import", good, "--dry-run")
	if code != 0 || !strings.Contains(stdout, "dry run of "+good+": 3 rows: 1 would be created, 2 skipped") || !strings.Contains(stdout, "nothing was changed") {
		t.Fatalf("dry run: %d\n%s\n%s", code, stdout, stderr)
	}
	if c.count(d, "SELECT COUNT(*) FROM accounts") != accounts || c.count(d, "SELECT COUNT(*) FROM audit_log") != entries {
		t.Fatal("the dry run changed the database")
	}
	if code, _, _ := c.run("accounts", "import", "--dry-run", bad); code != 1 {
		t.Fatalf("dry run of a bad file: exit %d, want 1", code)
	}
	if code, stdout, stderr = c.run("accounts", "import", good); code != 0 || !strings.Contains(stdout, "1 created, 2 skipped") {
		t.Fatalf("import of the fixed file: %d\n%s\n%s", code, stdout, stderr)
	}

	// A header that cannot be read stops everything before a change.
	typo := writeFile(t, "typo.csv", "email,pasword_hash\nnew@example.com,x\n")
	code, _, stderr = c.run("accounts", "import", typo)
	if code != 1 || !strings.Contains(stderr, "line 1: pasword_hash: unknown column") || !strings.Contains(stderr, "nothing was changed") {
		t.Fatalf("bad header: %d %s", code, stderr)
	}
	if code, _, stderr := c.run("accounts", "import"); code != 2 || !strings.Contains(stderr, "name one FILE") {
		t.Fatalf("no file: %d %s", code, stderr)
	}

	for _, format := range []string{"csv", "jsonl"} {
		out := filepath.Join(t.TempDir(), "accounts.out")
		code, stdout, stderr = c.run("accounts", "export", out, "--format", format)
		if code != 0 || !strings.Contains(stdout, "exported 3 accounts to "+out) {
			t.Fatalf("export %s: %d %s %s", format, code, stdout, stderr)
		}
		fi, err := os.Stat(out)
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("export file mode: %v %v", fi, err)
		}
		b, _ := os.ReadFile(out)
		if strings.Contains(string(b), "$2") || !strings.Contains(string(b), "'+84912345678") == (format == "csv") || !strings.Contains(string(b), "agent@example.com") {
			t.Fatalf("export %s:\n%s", format, b)
		}
		in := out + "." + format
		os.Rename(out, in)
		if code, stdout, _ := c.run("accounts", "import", in); code != 0 || !strings.Contains(stdout, "3 rows: 0 created, 3 skipped") {
			t.Fatalf("export %s imported back: %d %s", format, code, stdout)
		}
	}
	if n := c.count(d, "SELECT COUNT(*) FROM audit_log WHERE action = 'accounts.import' AND details LIKE ?", "%sha256:%"); n != 4 {
		t.Fatalf("%d import summaries with the file digest, want 4", n)
	}
	if n := c.count(d, "SELECT COUNT(*) FROM audit_log WHERE action = 'accounts.export'"); n != 2 {
		t.Fatalf("%d export entries", n)
	}
	if code, out, stderr := c.run("audit", "verify"); code != 0 {
		t.Fatalf("audit verify: %s %s", out, stderr)
	}
}

// The progress bar redraws one line with the rate and the time left on a
// terminal, and prints plain lines every few seconds elsewhere.
func TestProgress(t *testing.T) {
	var buf strings.Builder
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	p := &progress{w: &buf, tty: true, total: 1000, verb: "imported", start: now, last: now, every: 200 * time.Millisecond,
		now: func() time.Time { return now }}
	now = now.Add(100 * time.Millisecond)
	p.update(50) // too soon: nothing drawn
	now = now.Add(9900 * time.Millisecond)
	p.update(250)
	if got := buf.String(); got != "\r\033[K[#######.......................]  25% 250/1000 rows  25 rows/s  ETA 30s" {
		t.Fatalf("bar: %q", got)
	}
	buf.Reset()
	p.tty = false
	now = now.Add(30 * time.Second)
	p.update(1000)
	p.done(1000)
	if got := buf.String(); got != "imported 1000 of 1000 rows (25 rows/s, about 0s left)\nimported 1000 rows in 40s (25 rows/s)\n" {
		t.Fatalf("lines: %q", got)
	}
	if fmtDuration(3725*time.Second) != "1:02:05" || fmtDuration(125*time.Second) != "2:05" || fmtDuration(1500*time.Microsecond) != "2ms" {
		t.Fatal("fmtDuration")
	}
}
