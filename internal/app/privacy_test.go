package app

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/frontdesk/frontdesk/internal/support"
)

// "privacy erase" needs --yes off a terminal, names an unknown account
// clearly, erases by e-mail address, and leaves the audit chain intact.
// // GDPR 17
func TestPrivacyEraseCommand(t *testing.T) {
	c := newCLI(t)
	c.vars["FRONTDESK_MIGRATE"] = "true"
	c.vars["FRONTDESK_ARGON2_MEMORY"] = "4MiB"
	c.vars["FRONTDESK_ARGON2_TIME"] = "1"
	if code, _, stderr := c.run("migrate"); code != 0 {
		t.Fatalf("migrate: %s", stderr)
	}
	file := writeFile(t, "one.csv", "email,name,phone\nerase.me@example.com,Quillon Zephyrine,+84907771234\n")
	if code, _, stderr := c.run("accounts", "import", file); code != 0 {
		t.Fatalf("import: %s", stderr)
	}
	d := c.open()
	if code, _, stderr := c.run("privacy", "erase", "erase.me@example.com"); code != 2 || !strings.Contains(stderr, "--yes") {
		t.Fatalf("without --yes off a terminal: %d %s", code, stderr)
	}
	if n := c.count(d, "SELECT COUNT(*) FROM accounts"); n != 1 {
		t.Fatalf("refused erase changed something: %d accounts", n)
	}
	if code, _, stderr := c.run("privacy", "erase", "nobody@example.com", "--yes"); code != 1 || !strings.Contains(stderr, "no account nobody@example.com") {
		t.Fatalf("unknown account: %d %s", code, stderr)
	}
	code, stdout, stderr := c.run("privacy", "erase", "ERASE.me@example.com", "--yes")
	if code != 0 || !strings.Contains(stdout, "erased") || !strings.Contains(stdout, "data key destroyed") {
		t.Fatalf("erase: %d %s %s", code, stdout, stderr)
	}
	if n := c.count(d, "SELECT COUNT(*) FROM accounts"); n != 0 {
		t.Errorf("%d accounts left", n)
	}
	if n := c.count(d, "SELECT COUNT(*) FROM erasure_ledger"); n != 1 {
		t.Errorf("erasure ledger has %d lines, want 1", n)
	}
	if code, stdout, stderr := c.run("audit", "verify"); code != 0 {
		t.Fatalf("audit verify after erasure: %s %s", stdout, stderr)
	}
}

// A backup taken before an erasure and restored after it does not bring
// the customer back: the ledger replay destroys their key again and
// privacy's hook deletes the rows the backup held. // GDPR 17
func TestRestoreAfterErasureKeepsCustomerErased(t *testing.T) {
	c := newCLI(t)
	ctx := context.Background()
	c.vars["FRONTDESK_ARGON2_MEMORY"] = "4MiB"
	c.vars["FRONTDESK_ARGON2_TIME"] = "1"
	c.vars["FRONTDESK_MIGRATE"] = "true"
	c.vars["FRONTDESK_BACKUP_TARGET"] = "file://" + t.TempDir()
	if code, _, stderr := c.run("migrate"); code != 0 {
		t.Fatalf("migrate: %s", stderr)
	}
	cfg, err := ParseConfig(nil, func(k string) string { return c.vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	sys, err := openSystem(ctx, cfg, newLogger(cfg, &bytes.Buffer{}), needCurrent)
	if err != nil {
		t.Fatal(err)
	}
	canary, err := sys.id.CreateAdmin(ctx, "canary@acme.example", "Plum orbit lantern velvet 7!")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sys.desk.Start(ctx, support.NewConversation{Who: support.Who{AccountID: canary.ID}, Channel: support.ChannelEmail,
		Subject: "card", Body: "canary text in a conversation"}); err != nil {
		t.Fatal(err)
	}
	sys.close()
	code, stdout, stderr := c.run("backup")
	if code != 0 {
		t.Fatalf("backup: %s %s", stdout, stderr)
	}
	before := strings.Fields(stdout)[1]
	if code, stdout, stderr := c.run("privacy", "erase", canary.ID, "--yes"); code != 0 {
		t.Fatalf("erase: %s %s", stdout, stderr)
	}
	if code, stdout, stderr := c.run("backup"); code != 0 { // carries the ledger to the repository
		t.Fatalf("second backup: %s %s", stdout, stderr)
	}

	to := newCLI(t)
	for k, v := range c.vars {
		if k != "FRONTDESK_DATA_DIR" && k != "FRONTDESK_DATABASE_URL" {
			to.vars[k] = v
		}
	}
	to.vars["FRONTDESK_BACKUP_IDENTITY_FILE"] = filepath.Join(c.vars["FRONTDESK_DATA_DIR"], "keys", "backup-age.key")
	dir := to.vars["FRONTDESK_DATA_DIR"]
	for _, f := range []string{"master.key", "audit-ed25519.key"} {
		if err := copyKey(filepath.Join(c.vars["FRONTDESK_DATA_DIR"], "keys", f), filepath.Join(dir, "keys", f)); err != nil {
			t.Fatal(err)
		}
	}
	code, stdout, stderr = to.run("restore", before, "--to", dir)
	if code != 0 || !strings.Contains(stdout, "1 erasures replayed") {
		t.Fatalf("restore of the backup from before the erasure: %d %s %s", code, stdout, stderr)
	}
	d := to.open()
	for q, want := range map[string]int{
		"SELECT COUNT(*) FROM accounts WHERE id = ?":                                         0,
		"SELECT COUNT(*) FROM support_contacts WHERE account_id = ?":                         0,
		"SELECT COUNT(*) FROM data_keys WHERE subject = 'account:' || ? AND wrapped IS NULL": 1,
	} {
		if n := to.count(d, q, canary.ID); n != want {
			t.Errorf("%s: %d, want %d", q, n, want)
		}
	}
	if n := to.count(d, "SELECT COUNT(*) FROM conversation_messages"); n != 0 {
		t.Errorf("%d messages came back with the backup", n)
	}
}

// "privacy record" prints the record of processing with the configuration
// in force, and refuses an unknown format. // GDPR 30
func TestPrivacyRecordCommand(t *testing.T) {
	c := newCLI(t)
	c.vars["FRONTDESK_CLOSURE_COOLOFF_DAYS"] = "21"
	code, stdout, stderr := c.run("privacy", "record")
	if code != 0 || !strings.Contains(stdout, "# Record of processing activities") || !strings.Contains(stdout, "| Account closure cool-off | 21 days |") ||
		!strings.Contains(stdout, "`accounts`") {
		t.Fatalf("record: %d %s %s", code, stdout, stderr)
	}
	if code, stdout, _ := c.run("privacy", "record", "--format", "csv"); code != 0 || !strings.HasPrefix(stdout, "owner,where,") {
		t.Fatalf("csv: %d %s", code, stdout)
	}
	if code, _, stderr := c.run("privacy", "record", "--format", "pdf"); code != 2 || !strings.Contains(stderr, "md or csv") {
		t.Fatalf("unknown format: %d %s", code, stderr)
	}
}

// "privacy retention": the dry run lists the policies and changes nothing,
// a bad override is refused before anything runs, the purge and its report
// are listed by --runs, and the audit chain verifies. // GDPR 5(1)(e)
func TestPrivacyRetentionCommand(t *testing.T) {
	c := newCLI(t)
	c.vars["FRONTDESK_MIGRATE"] = "true"
	if code, _, stderr := c.run("migrate"); code != 0 {
		t.Fatalf("migrate: %s", stderr)
	}
	d := c.open()
	c.vars["FRONTDESK_RETENTION"] = "chats=30"
	if code, _, stderr := c.run("privacy", "retention", "--dry-run"); code != 2 || !strings.Contains(stderr, `"chats" is not a retention class`) {
		t.Fatalf("unknown class: %d %s", code, stderr)
	}
	if n := c.count(d, "SELECT COUNT(*) FROM privacy_retention_runs"); n != 0 {
		t.Fatalf("a refused command recorded %d runs", n)
	}
	c.vars["FRONTDESK_RETENTION"] = "sign_in_history=90,inactive_accounts=400"
	code, stdout, stderr := c.run("privacy", "retention", "--dry-run")
	if code != 0 || !strings.Contains(stdout, "sign_in_history") || !strings.Contains(stdout, "90 days") ||
		!strings.Contains(stdout, "(default 365)") || !strings.Contains(stdout, "dry run (nothing changed)") {
		t.Fatalf("dry run: %d %s %s", code, stdout, stderr)
	}
	if code, stdout, stderr = c.run("privacy", "retention"); code != 0 || !strings.Contains(stdout, "purge by cli") {
		t.Fatalf("purge: %d %s %s", code, stdout, stderr)
	}
	if code, stdout, stderr = c.run("privacy", "retention", "--runs", "5"); code != 0 || strings.Count(stdout, " by cli ") != 2 {
		t.Fatalf("runs: %d %s %s", code, stdout, stderr)
	}
	if code, _, stderr = c.run("privacy", "retention", "--runs", "-1"); code != 2 || !strings.Contains(stderr, "--runs") {
		t.Fatalf("bad --runs: %d %s", code, stderr)
	}
	if code, stdout, stderr := c.run("audit", "verify"); code != 0 {
		t.Fatalf("audit verify: %s %s", stdout, stderr)
	}
}
