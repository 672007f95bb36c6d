package e2e

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/frontdesk/frontdesk/internal/app"
)

// The console's Backups page: settings:manage only (an agent gets 403),
// a warning while no backup or drill has succeeded and while backups stay
// on the server's disk, the last backup once one is made; seen in three
// languages at two widths. // ASVS 8.2.1
func TestBackupsConsolePage(t *testing.T) {
	fd := Start(t, fastHashing)
	admin := fd.staffSession(t, "admin@acme.example", "administrator")
	agent := fd.staffSession(t, "agent@acme.example", "agent")
	if s, _ := fd.consoleRequest(t, "GET", "/console/backups", agent, nil); s != http.StatusForbidden {
		t.Fatalf("agent: %d, want 403", s)
	}
	s, body := fd.consoleRequest(t, "GET", "/console/backups", admin, nil)
	page := string(body)
	if s != http.StatusOK || !strings.Contains(page, `id="backup-problem"`) || !strings.Contains(page, "No backup has succeeded yet") ||
		!strings.Contains(page, `id="backup-local"`) || !strings.Contains(page, `id="nav-backups"`) {
		t.Fatalf("before any backup: %d\n%s", s, page)
	}
	vars := map[string]string{"FRONTDESK_DATA_DIR": fd.DataDir, "FRONTDESK_DATABASE_URL": fd.DatabaseURL, "FRONTDESK_LOG_LEVEL": "warn"}
	var out bytes.Buffer
	if code := app.Main(context.Background(), []string{"backup"}, app.Env{Getenv: func(k string) string { return vars[k] }, Stdout: &out, Stderr: &out}); code != 0 {
		t.Fatalf("backup: %s", out.String())
	}
	_, body = fd.consoleRequest(t, "GET", "/console/backups", admin, nil)
	page = string(body)
	if !strings.Contains(page, "No restore drill has succeeded yet") || strings.Contains(page, `id="last-backup">Never`) || !strings.Contains(page, "succeeded") {
		t.Fatalf("after a backup:\n%s", page)
	}
	ctx := fd.browserAs(t, admin)
	checkPage(t, ctx, fd.URL+"/console/backups", "console-backups")
}

// The backups' warning is a banner on every console page for staff who
// manage settings, and on none for those who do not.
func TestBackupBannerOnConsolePages(t *testing.T) {
	fd := Start(t, fastHashing)
	admin := fd.staffSession(t, "admin@acme.example", "administrator")
	sup := fd.staffSession(t, "sup@acme.example", "supervisor")
	_, body := fd.consoleRequest(t, "GET", "/console/staff", admin, nil)
	if !strings.Contains(string(body), `id="backup-problem"`) || !strings.Contains(string(body), "No backup has succeeded yet") {
		t.Fatalf("no backup banner for the administrator:\n%s", body)
	}
	_, body = fd.consoleRequest(t, "GET", "/console/inbox", sup, nil)
	if strings.Contains(string(body), `id="backup-problem"`) {
		t.Fatal("a supervisor, who cannot manage settings, sees the backup banner")
	}
}
