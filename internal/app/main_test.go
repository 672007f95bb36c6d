package app

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/db/dbtest"
)

// cli runs the command line against one data directory and database.
type cli struct {
	t    *testing.T
	vars map[string]string
}

func newCLI(t *testing.T) *cli {
	dbURL, dir := dbtest.URL(t)
	return &cli{t: t, vars: map[string]string{
		"FRONTDESK_DATA_DIR":     dir,
		"FRONTDESK_DATABASE_URL": dbURL,
		"FRONTDESK_ADDR":         "127.0.0.1:0",
		"FRONTDESK_LOG_LEVEL":    "warn",
	}}
}

func (c *cli) run(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = Main(context.Background(), args, Env{Getenv: func(k string) string { return c.vars[k] }, Stdout: &out, Stderr: &errb})
	return code, out.String(), errb.String()
}

func (c *cli) postgres() bool { return strings.HasPrefix(c.vars["FRONTDESK_DATABASE_URL"], "postgres") }

func (c *cli) open() *db.DB {
	d, err := db.Open(context.Background(), db.Options{URL: c.vars["FRONTDESK_DATABASE_URL"], DataDir: c.vars["FRONTDESK_DATA_DIR"]})
	if err != nil {
		c.t.Fatal(err)
	}
	c.t.Cleanup(func() { d.Close() })
	return d
}

func (c *cli) start() *Instance {
	cfg, err := ParseConfig(nil, func(k string) string { return c.vars[k] })
	if err != nil {
		c.t.Fatal(err)
	}
	var logs bytes.Buffer
	inst, err := Start(context.Background(), cfg, Env{Getenv: func(k string) string { return c.vars[k] }, Stdout: &logs, Stderr: &logs})
	if err != nil {
		c.t.Fatalf("start: %v\n%s", err, logs.String())
	}
	c.t.Cleanup(func() { inst.Stop() })
	return inst
}

func TestUsageAndUnknownCommand(t *testing.T) {
	c := newCLI(t)
	if code, _, stderr := c.run(); code != 0 || !strings.Contains(stderr, "audit verify") {
		t.Fatalf("no args: %d %s", code, stderr)
	}
	if code, _, stderr := c.run("frobnicate"); code != 2 || !strings.Contains(stderr, `unknown command "frobnicate"`) {
		t.Fatalf("unknown: %d %s", code, stderr)
	}
	code, _, stderr := c.run("serve", "--help")
	if code != 0 || !strings.Contains(stderr, "FRONTDESK_DATABASE_URL or FRONTDESK_DATABASE_URL_FILE") {
		t.Fatalf("serve --help: %d %s", code, stderr)
	}
	if code, _, stderr := c.run("serve", "--policy-profile", "lax"); code != 2 || !strings.Contains(stderr, "must be default or pci") {
		t.Fatalf("bad flag value: %d %s", code, stderr)
	}
}

func TestServeRefusesOutdatedPostgresSchema(t *testing.T) {
	c := newCLI(t)
	if !c.postgres() {
		// The embedded SQLite database migrates itself instead.
		c.start()
		if code, out, _ := c.run("migrate"); code != 0 || !strings.Contains(out, "sqlite schema is at version") {
			t.Fatalf("migrate: %d %s", code, out)
		}
		return
	}
	code, _, stderr := c.run("serve")
	if code != 1 || !strings.Contains(stderr, "schema is outdated") || !strings.Contains(stderr, "frontdesk migrate") {
		t.Fatalf("serve on an empty PostgreSQL database: %d %s", code, stderr)
	}
	if code, out, stderr := c.run("migrate"); code != 0 || !strings.Contains(out, "postgres schema is at version") {
		t.Fatalf("migrate: %d %s %s", code, out, stderr)
	}
	inst := c.start()
	resp, err := http.Get(inst.URL() + "/readyz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("readyz after migrate: %v %v", resp, err)
	}
	resp.Body.Close()
}

// frontdesk audit verify exits 0 on an intact chain and 1, naming the first
// broken sequence number, after any row is changed (ASVS 16.4.2).
func TestAuditVerifyCommand(t *testing.T) {
	c := newCLI(t)
	c.vars["FRONTDESK_MIGRATE"] = "true"
	c.vars["FRONTDESK_KB_STARTER"] = "off" // the starter articles' saves would be entries too
	inst := c.start()
	// Start and stop are audit entries: schema.migrate, system.start, the
	// first-run setup link (no staff account yet), system.stop.
	inst.Stop()
	code, out, stderr := c.run("audit", "verify")
	if code != 0 || !strings.Contains(out, "audit chain intact: 4 entries") {
		t.Fatalf("intact: %d %q %q", code, out, stderr)
	}
	code, out, _ = c.run("audit", "export")
	if code != 0 || strings.Count(out, "\n") != 4 || !strings.Contains(out, `"action":"system.start"`) {
		t.Fatalf("export: %d %s", code, out)
	}
	if code, _, stderr := c.run("audit", "export", "--since", "yesterday"); code != 2 || !strings.Contains(stderr, "--since") {
		t.Fatalf("bad --since: %d %s", code, stderr)
	}
	d := c.open()
	ctx := context.Background()
	err := d.Write(ctx, func(tx *db.Tx) error {
		stmts := []string{`DROP TRIGGER audit_log_no_update`}
		if tx.Dialect() == db.Postgres {
			stmts = []string{`ALTER TABLE audit_log DISABLE TRIGGER USER`}
		}
		stmts = append(stmts, `UPDATE audit_log SET target = 'elsewhere' WHERE seq = 2`)
		for _, s := range stmts {
			if _, err := tx.Exec(ctx, s); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	code, _, stderr = c.run("audit", "verify")
	if code != 1 || !strings.Contains(stderr, "audit chain broken at sequence 2") {
		t.Fatalf("tampered: %d %q", code, stderr)
	}
}

// ASVS 11.2.2: keys rotate runs while a server is up and everything stays readable.
func TestKeysRotateCommand(t *testing.T) {
	c := newCLI(t)
	c.vars["FRONTDESK_MIGRATE"] = "true"
	inst := c.start()
	for i := 0; i < 3; i++ {
		err := inst.sys.db.Write(context.Background(), func(tx *db.Tx) error {
			dk, err := inst.sys.keys.DataKey(context.Background(), tx, fmt.Sprintf("account:%d", i))
			_ = dk
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	code, out, stderr := c.run("keys", "rotate")
	if code != 0 || !strings.Contains(out, "4 data keys re-wrapped") {
		t.Fatalf("rotate: %d %q %q", code, out, stderr)
	}
	// The running server still opens and creates keys.
	err := inst.sys.db.Write(context.Background(), func(tx *db.Tx) error {
		if _, err := inst.sys.keys.DataKey(context.Background(), tx, "account:1"); err != nil {
			return err
		}
		_, err := inst.sys.keys.DataKey(context.Background(), tx, "account:new")
		return err
	})
	if err != nil {
		t.Fatalf("server after rotation: %v", err)
	}
	inst.Stop()
	if code, out, stderr := c.run("audit", "verify"); code != 0 {
		t.Fatalf("verify after rotation: %d %s %s", code, out, stderr)
	}
	_, out, _ = c.run("audit", "export")
	if !strings.Contains(out, `"action":"keys.rotate"`) {
		t.Fatal("rotation not audited")
	}
}

func TestMailTestWritesToOutbox(t *testing.T) {
	c := newCLI(t)
	c.vars["FRONTDESK_ORG_NAME"] = "Acme Bank"
	if code, _, stderr := c.run("mail", "test"); code != 2 || !strings.Contains(stderr, "--to is required") {
		t.Fatalf("without --to: %d %s", code, stderr)
	}
	if code, _, stderr := c.run("mail", "test", "--to", "not an address"); code != 2 || !strings.Contains(stderr, "is not an e-mail address") {
		t.Fatalf("bad --to: %d %s", code, stderr)
	}
	if code, _, stderr := c.run("migrate"); code != 0 {
		t.Fatalf("migrate: %s", stderr)
	}
	code, stdout, stderr := c.run("mail", "test", "--to", "Ops <ops@example.com>", "--locale", "vi")
	if code != 0 || !strings.Contains(stdout, "sent via outbox") {
		t.Fatalf("mail test: %d %s %s", code, stdout, stderr)
	}
	files, err := filepath.Glob(filepath.Join(c.vars["FRONTDESK_DATA_DIR"], "outbox", "*.eml"))
	if err != nil || len(files) != 1 {
		t.Fatalf("outbox holds %v (%v), want one message", files, err)
	}
	raw, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if got := msg.Header.Get("To"); !strings.Contains(got, "ops@example.com") {
		t.Fatalf("To = %q", got)
	}
	if !strings.Contains(msg.Header.Get("Message-Id"), "@localhost>") || !strings.Contains(stdout, msg.Header.Get("Message-Id")) {
		t.Fatalf("Message-ID %q not reported in %q", msg.Header.Get("Message-Id"), stdout)
	}
	if !strings.Contains(string(raw), "http://127.0.0.1:0/contact") {
		t.Fatalf("support link missing from message:\n%s", raw)
	}
	// The send is audited without the recipient's address.
	var details string
	err = c.open().Read(context.Background(), func(tx *db.Tx) error {
		return tx.QueryRow(context.Background(), "SELECT details FROM audit_log WHERE action = 'mail.test'").Scan(&details)
	})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(details, "example.com") || strings.Contains(details, "ops@") {
		t.Fatalf("audit details %s", details)
	}
}

// ASVS 6.3.2: the first administrator is created on purpose, with a
// password read from a file and checked against the policy.
func TestAdminCreate(t *testing.T) {
	c := newCLI(t)
	if code, _, stderr := c.run("migrate"); code != 0 {
		t.Fatalf("migrate: %s", stderr)
	}
	if code, _, stderr := c.run("admin", "create", "--email", "root@acme.example"); code != 2 || !strings.Contains(stderr, "--password-file are required") {
		t.Fatalf("without a password file: %d %s", code, stderr)
	}
	weak := filepath.Join(t.TempDir(), "weak")
	os.WriteFile(weak, []byte("admin\n"), 0o600)
	if code, _, stderr := c.run("admin", "create", "--email", "root@acme.example", "--password-file", weak); code != 1 || !strings.Contains(stderr, "password") {
		t.Fatalf("weak password: %d %s", code, stderr)
	}
	good := filepath.Join(t.TempDir(), "good")
	os.WriteFile(good, []byte("Plum orbit lantern velvet 7!\n"), 0o600)
	code, stdout, stderr := c.run("admin", "create", "--email", "root@acme.example", "--password-file", good)
	if code != 0 || !strings.Contains(stdout, "staff account root@acme.example created with role administrator") {
		t.Fatalf("admin create: %d %s %s", code, stdout, stderr)
	}
	if code, _, stderr := c.run("admin", "create", "--email", "ROOT@acme.example", "--password-file", good); code != 1 || !strings.Contains(stderr, "already exists") {
		t.Fatalf("duplicate: %d %s", code, stderr)
	}
}

// "assist archive" refuses a negative or malformed --older-than (exit 2,
// nothing archived) and, on a database with nothing ended, archives
// nothing with the retention or with 0s.
func TestAssistArchiveCommand(t *testing.T) {
	c := newCLI(t)
	if code, _, _ := c.run("migrate"); code != 0 {
		t.Fatalf("migrate: exit %d", code)
	}
	for _, bad := range []string{"-1h", "soon"} {
		code, out, errOut := c.run("assist", "archive", "--older-than", bad)
		if code != 2 || out != "" || !strings.Contains(errOut, "older-than") {
			t.Fatalf("--older-than %s: exit %d, %q %q", bad, code, out, errOut)
		}
	}
	for _, args := range [][]string{{"assist", "archive"}, {"assist", "archive", "--older-than", "0s"}} {
		code, out, errOut := c.run(args...)
		if code != 0 || !strings.Contains(out, "0 session recordings archived") {
			t.Fatalf("%v: exit %d, %q %q", args, code, out, errOut)
		}
	}
}
