package app

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/frontdesk/frontdesk/internal/support"
)

// Backup, list, verify, drill and restore from the command line; the
// restored copy signs in an account made before the backup and shows its
// conversation, and a refused restore says why in one sentence. // ASVS 14.2.3
func TestBackupCommandsRestoreAServingCopy(t *testing.T) {
	c := newCLI(t)
	ctx := context.Background()
	c.vars["FRONTDESK_ARGON2_MEMORY"] = "4MiB"
	c.vars["FRONTDESK_ARGON2_TIME"] = "1"
	c.vars["FRONTDESK_MIGRATE"] = "true"
	repoDir := t.TempDir()
	c.vars["FRONTDESK_BACKUP_TARGET"] = "file://" + repoDir
	if code, _, stderr := c.run("migrate"); code != 0 {
		t.Fatalf("migrate: %s", stderr)
	}
	const email, password = "lan@acme.example", "Plum orbit lantern velvet 7!"
	cfg, err := ParseConfig(nil, func(k string) string { return c.vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	sys, err := openSystem(ctx, cfg, newLogger(cfg, &bytes.Buffer{}), needCurrent)
	if err != nil {
		t.Fatal(err)
	}
	acct, err := sys.id.CreateAdmin(ctx, email, password)
	if err != nil {
		t.Fatal(err)
	}
	conv, err := sys.desk.Start(ctx, support.NewConversation{Who: support.Who{AccountID: acct.ID, Email: email, Name: "Lan"},
		Channel: support.ChannelEmail, Subject: "card", Body: "my card was stolen at the canary market"})
	if err != nil {
		t.Fatal(err)
	}
	sys.close()

	code, stdout, stderr := c.run("backup")
	if code != 0 || !strings.Contains(stdout, "(full)") {
		t.Fatalf("backup: %d %s %s", code, stdout, stderr)
	}
	code, stdout, stderr = c.run("backup")
	if code != 0 || !strings.Contains(stdout, "(incremental)") {
		t.Fatalf("second backup: %d %s %s", code, stdout, stderr)
	}
	code, stdout, _ = c.run("backup", "list")
	if code != 0 || strings.Count(stdout, "\n") != 3 || !strings.Contains(stdout, "incremental") {
		t.Fatalf("list: %d\n%s", code, stdout)
	}
	if code, stdout, stderr = c.run("backup", "verify"); code != 0 || !strings.Contains(stdout, "verified") {
		t.Fatalf("verify: %d %s %s", code, stdout, stderr)
	}
	if code, stdout, stderr = c.run("backup", "drill"); code != 0 || !strings.Contains(stdout, "RTO") {
		t.Fatalf("drill: %d %s %s", code, stdout, stderr)
	}
	d := c.open()
	for _, action := range []string{"backup.backup", "backup.verify", "backup.drill"} {
		if n := c.count(d, "SELECT COUNT(*) FROM audit_log WHERE action = ?", action); n == 0 {
			t.Errorf("no audit entry %s", action)
		}
	}

	// The machine is lost: a new data directory with only the keys.
	to := newCLI(t)
	for k, v := range c.vars {
		if k != "FRONTDESK_DATA_DIR" && k != "FRONTDESK_DATABASE_URL" {
			to.vars[k] = v
		}
	}
	to.vars["FRONTDESK_BACKUP_IDENTITY_FILE"] = filepath.Join(c.vars["FRONTDESK_DATA_DIR"], "keys", "backup-age.key")
	dir := to.vars["FRONTDESK_DATA_DIR"]
	code, _, stderr = to.run("restore", "latest", "--to", dir)
	if code != 1 || !strings.Contains(stderr, "needs the audit signing key") || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
		t.Fatalf("restore without keys: %d %q", code, stderr)
	}
	for _, f := range []string{"master.key", "audit-ed25519.key"} {
		if err := copyKey(filepath.Join(c.vars["FRONTDESK_DATA_DIR"], "keys", f), filepath.Join(dir, "keys", f)); err != nil {
			t.Fatal(err)
		}
	}
	code, stdout, stderr = to.run("restore", "latest", "--to", dir)
	if code != 0 || !strings.Contains(stdout, "audit chain intact") {
		t.Fatalf("restore: %d %s %s", code, stdout, stderr)
	}
	inst := to.start()
	for pw, want := range map[string]int{password: 0, "wrong " + password: http.StatusUnauthorized} {
		body, _ := json.Marshal(map[string]string{"email": email, "password": pw})
		resp, err := http.Post(inst.URL()+"/api/v1/sessions", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if ok := resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusCreated; (want == 0) != ok || (want != 0 && resp.StatusCode != want) {
			t.Errorf("sign-in on the restored copy with password %q: %d", pw, resp.StatusCode)
		}
	}
	got, err := inst.sys.desk.Get(ctx, conv.ID, false)
	if err != nil || len(got.Messages) == 0 || got.Messages[0].Body != "my card was stolen at the canary market" {
		t.Fatalf("the restored copy's conversation: %v %+v", err, got)
	}
	if code, _, stderr = to.run("restore", "latest", "--to", dir); code != 1 || !strings.Contains(stderr, "not empty") {
		t.Fatalf("a second restore into the same place: %d %s", code, stderr)
	}
	if entries, _ := os.ReadDir(repoDir); len(entries) == 0 {
		t.Fatal("the repository is empty")
	}
}

// keys export seals the keys a restore needs under a passphrase; the file
// opens with age and holds the master key, byte for byte.
func TestKeysExport(t *testing.T) {
	c := newCLI(t)
	if code, _, stderr := c.run("migrate"); code != 0 {
		t.Fatalf("migrate: %s", stderr)
	}
	out := filepath.Join(t.TempDir(), "keys.age")
	pass := filepath.Join(t.TempDir(), "pass")
	os.WriteFile(pass, []byte("short\n"), 0o600)
	if code, _, stderr := c.run("keys", "export", "--out", out, "--passphrase-file", pass); code != 1 || !strings.Contains(stderr, "16 characters") {
		t.Fatalf("short passphrase: %d %s", code, stderr)
	}
	os.WriteFile(pass, []byte("correct horse battery staple\n"), 0o600)
	code, stdout, stderr := c.run("keys", "export", "--out", out, "--passphrase-file", pass)
	if code != 0 || !strings.Contains(stdout, "master.key") {
		t.Fatalf("export: %d %s %s", code, stdout, stderr)
	}
	sealed, _ := os.ReadFile(out)
	master, _ := os.ReadFile(filepath.Join(c.vars["FRONTDESK_DATA_DIR"], "keys", "master.key"))
	if bytes.Contains(sealed, bytes.TrimSpace(master)) {
		t.Fatal("the master key is in the export in clear")
	}
	id, err := age.NewScryptIdentity("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	r, err := age.Decrypt(bytes.NewReader(sealed), id)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(r)
	h, err := tr.Next()
	if err != nil || h.Name != "master.key" {
		t.Fatalf("first file %v %v", h, err)
	}
	got, _ := io.ReadAll(tr)
	if !bytes.Equal(got, master) {
		t.Fatal("the exported master key differs")
	}
	if code, _, _ := c.run("keys", "export", "--out", out, "--passphrase-file", pass); code != 1 {
		t.Fatal("an existing file was overwritten")
	}
}
