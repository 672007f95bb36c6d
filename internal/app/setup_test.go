package app

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// First run: `serve` on an empty data directory prints a setup link to the
// terminal (standard output) and logs only that it did, with its expiry;
// the link's secret is in no log line (ASVS 6.3.2, 16.2.5). The link opens
// the setup page. Once a staff account exists, a restart prints no link.
func TestServePrintsSetupLinkOnce(t *testing.T) {
	c := newCLI(t)
	c.vars["FRONTDESK_LOG_LEVEL"] = "debug"
	c.vars["FRONTDESK_MIGRATE"] = "true" // a fresh PostgreSQL database starts empty
	cfg, err := ParseConfig(nil, func(k string) string { return c.vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	var out, logs bytes.Buffer
	inst, err := Start(context.Background(), cfg, Env{Getenv: func(k string) string { return c.vars[k] }, Stdout: &out, Stderr: &logs})
	if err != nil {
		t.Fatalf("start: %v\n%s", err, logs.String())
	}
	m := regexp.MustCompile(`(http://\S+)/setup/([A-Za-z0-9_-]{40,})`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no setup link on standard output: %q", out.String())
	}
	link, secret := m[0], m[2]
	res, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), `id="setup-form"`) {
		t.Fatalf("the link opens %d", res.StatusCode)
	}
	if bad, _ := http.Get(m[1] + "/setup/" + strings.Repeat("A", len(secret))); bad.StatusCode != http.StatusNotFound {
		t.Fatalf("a wrong link: %d", bad.StatusCode)
	}
	inst.Stop()
	if !strings.Contains(logs.String(), "first-run setup link printed to the terminal") {
		t.Errorf("the log does not say a link was printed:\n%s", logs.String())
	}
	// The request log names the route pattern; the path (with the secret)
	// must not be logged either.
	if strings.Contains(logs.String(), secret) {
		t.Fatalf("the setup secret is in the log:\n%s", logs.String())
	}

	// With a staff account, a restart prints nothing.
	pw := filepath.Join(t.TempDir(), "pw")
	os.WriteFile(pw, []byte("Plum orbit lantern velvet 7!\n"), 0o600)
	if code, _, stderr := c.run("admin", "create", "--email", "root@acme.example", "--password-file", pw, "--role", "administrator,agent"); code != 0 {
		t.Fatalf("admin create: %s", stderr)
	}
	out.Reset()
	inst, err = Start(context.Background(), cfg, Env{Getenv: func(k string) string { return c.vars[k] }, Stdout: &out, Stderr: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Stop()
	if strings.Contains(out.String(), "/setup/") {
		t.Fatalf("a link after setup: %q", out.String())
	}
}
