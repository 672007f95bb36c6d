package e2e

import (
	"encoding/json"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/frontdesk/frontdesk/internal/web"
	"github.com/frontdesk/frontdesk/internal/web/openapi"
)

// The OpenAPI document lists every route of the JSON API and nothing
// else: a route added without an entry, or an entry left behind by a
// removed route, fails here with the route and the file to edit.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	fd := Start(t, fastHashing)
	ops := openapi.Operations()
	mounted := map[string]web.Route{}
	for _, rt := range fd.Routes() {
		if !openapi.Documented(rt) {
			continue
		}
		mounted[rt.Pattern] = rt
		if _, ok := ops[rt.Pattern]; !ok {
			t.Errorf("route %q (permission %s) is not in the OpenAPI document: add an entry %q to %s (summary, body and result fields; see the Op type in internal/web/openapi/openapi.go)",
				rt.Pattern, rt.Permission, rt.Pattern, openapi.FileFor(rt.Pattern))
		}
	}
	for _, pattern := range slices.Sorted(maps.Keys(ops)) {
		if _, ok := mounted[pattern]; !ok {
			t.Errorf("the OpenAPI document has %q but no route serves it: remove its entry from %s, or mount the route", pattern, openapi.FileFor(pattern))
		}
	}
	if len(mounted) < 70 {
		t.Fatalf("only %d API routes mounted: the instance is missing services", len(mounted))
	}

	// The served document is OpenAPI 3.1 and agrees with the table.
	r := fd.call(t, "GET", "/api/v1/openapi.json", "", nil)
	if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("GET /api/v1/openapi.json: %d %s", r.Status, r.Header.Get("Content-Type"))
	}
	var doc struct {
		OpenAPI string                               `json:"openapi"`
		Paths   map[string]map[string]map[string]any `json:"paths"`
		Comps   struct {
			Schemas map[string]any `json:"schemas"`
		} `json:"components"`
	}
	r.decode(t, &doc)
	if doc.OpenAPI != "3.1.0" {
		t.Fatalf("openapi %q", doc.OpenAPI)
	}
	served := 0
	param := regexp.MustCompile(`\{([a-z_]+)\}`)
	for path, methods := range doc.Paths {
		for method, op := range methods {
			served++
			pattern := strings.ToUpper(method) + " " + path
			rt, ok := mounted[pattern]
			if !ok {
				t.Errorf("served %s has no route", pattern)
				continue
			}
			if op["x-permission"] != rt.Permission || op["summary"] == "" || op["responses"] == nil {
				t.Errorf("%s: permission %v (route says %s), summary %q", pattern, op["x-permission"], rt.Permission, op["summary"])
			}
			// Every path parameter is declared.
			declared := map[string]bool{}
			ps, _ := op["parameters"].([]any)
			for _, p := range ps {
				if m, _ := p.(map[string]any); m["in"] == "path" {
					declared[m["name"].(string)] = true
				}
			}
			for _, m := range param.FindAllStringSubmatch(path, -1) {
				if !declared[m[1]] {
					t.Errorf("%s: path parameter %s is not declared", pattern, m[1])
				}
			}
		}
	}
	if served != len(mounted) {
		t.Errorf("served %d operations for %d routes", served, len(mounted))
	}
	// Every $ref points at a component.
	for _, ref := range regexp.MustCompile(`"#/components/schemas/([A-Za-z]+)"`).FindAllStringSubmatch(string(r.Body), -1) {
		if _, ok := doc.Comps.Schemas[ref[1]]; !ok {
			t.Errorf("$ref to missing schema %s", ref[1])
		}
	}
	if !json.Valid(r.Body) {
		t.Fatal("not JSON")
	}
}
