package arch

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/frontdesk/frontdesk"

// TestDependencyDirection checks every package of the module, with the
// imports of its tests, against the table.
func TestDependencyDirection(t *testing.T) {
	graph := moduleGraph(t)
	for _, want := range []string{"internal/db", "internal/identity", "internal/app", "cmd/frontdesk"} {
		if _, ok := graph[want]; !ok {
			t.Fatalf("go list found no %s; the graph is incomplete: %v", want, slices.Sorted(maps.Keys(graph)))
		}
	}
	for _, line := range check(rules, graph) {
		t.Error(line)
	}
}

// moduleGraph lists the module's packages and, for each, the packages of the
// module that it or its tests import directly.
func moduleGraph(t *testing.T) map[string][]string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to list the packages: %v", err)
	}
	// -e: a package with a broken embed pattern (assets not built) still
	// lists its imports.
	cmd := exec.Command(goTool, "list", "-e", "-json=ImportPath,Imports,TestImports,XTestImports", module+"/...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.Bytes())
	}
	graph := make(map[string][]string)
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p struct {
			ImportPath                         string
			Imports, TestImports, XTestImports []string
		}
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("reading go list: %v", err)
		}
		pkg, ok := strings.CutPrefix(p.ImportPath, module+"/")
		if !ok {
			continue
		}
		var imports []string
		for _, imp := range slices.Concat(p.Imports, p.TestImports, p.XTestImports) {
			if rel, ok := strings.CutPrefix(imp, module+"/"); ok && rel != pkg && !slices.Contains(imports, rel) {
				imports = append(imports, rel)
			}
		}
		graph[pkg] = imports
	}
	return graph
}

// TestCheck proves on made-up graphs that each rule of the table bites.
func TestCheck(t *testing.T) {
	tests := []struct {
		name  string
		graph map[string][]string
		want  string // a substring of the only violation; "" for none
	}{
		{"today's shape", map[string][]string{
			"cmd/frontdesk":                  {"internal/app"},
			"internal/app":                   {"internal/web", "internal/web/server", "internal/assist", "internal/db"},
			"internal/web/server":            {"internal/web", "internal/web/portal", "internal/web/live", "internal/identity"},
			"internal/web/portal":            {"internal/web", "internal/web/portal/forms", "internal/support", "internal/db"},
			"internal/web/portal/forms":      nil,
			"internal/web/live":              {"internal/web", "internal/bus"},
			"internal/web":                   {"internal/identity", "internal/csvsafe"},
			"internal/assist":                {"internal/access", "internal/support", "internal/identity", "internal/assist/assisttest"},
			"internal/assist/assisttest":     nil,
			"internal/support":               {"internal/kb", "internal/identity", "internal/audit"},
			"internal/access":                {"internal/identity"},
			"internal/identity":              {"internal/identity/identitytest", "internal/db", "internal/audit"},
			"internal/identity/identitytest": {"internal/identity", "internal/db/dbtest"},
			"internal/kb":                    {"internal/textfold"},
			"internal/audit":                 {"internal/db", "internal/keyring", "internal/csvsafe"},
			"internal/db":                    nil,
			"internal/db/dbtest":             {"internal/db"},
			"e2e":                            {"internal/app", "internal/web/portal"},
		}, ""},
		{"shared service imports a feature", map[string][]string{
			"internal/audit": {"internal/identity"}, "internal/identity": nil,
		}, "internal/audit (shared service) must not import internal/identity"},
		{"shared service imports web", map[string][]string{
			"internal/notify": {"internal/web"}, "internal/web": nil,
		}, "internal/notify (shared service) must not import internal/web"},
		{"feature imports web", map[string][]string{
			"internal/kb": {"internal/web"}, "internal/web": nil,
		}, "internal/kb (feature of rank 1) must not import internal/web"},
		{"feature test helper imports app", map[string][]string{
			"internal/identity/identitytest": {"internal/app"}, "internal/app": nil,
		}, "must not import internal/app"},
		{"feature imports a higher feature (cycle against the table)", map[string][]string{
			"internal/identity": {"internal/assist"}, "internal/assist": {"internal/identity"},
		}, "internal/identity (feature of rank 1) must not import internal/assist (feature of rank 3)"},
		{"features of one rank", map[string][]string{
			"internal/mfa": {"internal/access"}, "internal/access": nil,
		}, "internal/mfa (feature of rank 2) must not import internal/access (feature of rank 2)"},
		{"web areas import each other", map[string][]string{
			"internal/web/portal": {"internal/web/console"}, "internal/web/console": nil,
		}, "internal/web/portal (web area) must not import internal/web/console"},
		{"toolkit imports an area", map[string][]string{
			"internal/web": {"internal/web/api"}, "internal/web/api": nil,
		}, "internal/web (web toolkit) must not import internal/web/api (web area)"},
		{"area imports the server", map[string][]string{
			"internal/web/live/relay": {"internal/web/server"}, "internal/web/server": nil,
		}, "internal/web/live/relay (web area) must not import internal/web/server"},
		{"internal imports cmd", map[string][]string{
			"internal/app": {"cmd/frontdesk"}, "cmd/frontdesk": nil,
		}, "internal/app (app) must not import cmd/frontdesk (command)"},
		{"package in no row", map[string][]string{
			"internal/newroom": {"internal/db"}, "internal/db": nil,
		}, "internal/newroom is in no row"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := check(rules, tt.graph)
			if tt.want == "" {
				if len(got) != 0 {
					t.Fatalf("violations: %q", got)
				}
				return
			}
			if len(got) != 1 || !strings.Contains(got[0], tt.want) {
				t.Fatalf("violations %q, want one containing %q", got, tt.want)
			}
		})
	}
}

func TestMatchMostSpecific(t *testing.T) {
	for pkg, want := range map[string]string{
		"internal/web":               "internal/web/...",
		"internal/web/render":        "internal/web/...",
		"internal/web/portal":        "internal/web/portal/...",
		"internal/web/portal/forms":  "internal/web/portal/...",
		"internal/webhook":           "",
		"internal/identity/bulkfile": "internal/identity/...",
	} {
		r, ok := match(rules, pkg)
		got := ""
		if ok {
			got = r.pattern
		}
		if got != want {
			t.Errorf("match(%q) = %q, want %q", pkg, got, want)
		}
	}
}
