// Package openapi describes the whole JSON API as an OpenAPI 3.1 document,
// served at GET /api/v1/openapi.json. Each route of the API tree has one
// entry in Operations, written by hand beside its area's others (the
// ops_*.go files); a test (e2e/openapi_test.go) fails when a route has no
// entry or an entry has no route, and says which and where.
package openapi

import (
	"encoding/json"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/frontdesk/frontdesk/internal/web"
)

// Op documents one route. Fields of bodies, queries and results are
// written "name:type", with a trailing "!" when required; a type is
// string, integer, boolean, object, date-time, []string, #Component or
// []#Component.
type Op struct {
	Summary string
	Query   []string
	Body    []string
	Status  int      // the success status
	Result  []string // the success body's fields; none for an empty body
	// Media is the success body's content type when it is not JSON
	// (several separated by commas).
	Media string
}

// groups are the areas' tables, each keyed by route pattern ("GET /api/v1/x").
var groups = map[string]map[string]Op{
	"accounts": accountOps,
	"mfa":      mfaOps,
	"support":  supportOps,
	"admin":    adminOps,
	"server":   serverOps,
	"privacy":  privacyOps,
	"consent":  consentOps,
}

// Operations returns every documented route.
func Operations() map[string]Op {
	out := map[string]Op{}
	for _, g := range groups {
		maps.Copy(out, g)
	}
	return out
}

// FileFor names the file that documents routes like pattern, for the
// test's message.
func FileFor(pattern string) string {
	_, path, _ := strings.Cut(pattern, " ")
	switch {
	case strings.HasPrefix(path, "/api/v1/admin/"):
		return "internal/web/openapi/ops_admin.go"
	case strings.Contains(path, "/mfa") || strings.Contains(path, "passkey") || strings.Contains(path, "reauth") || strings.Contains(path, "recovery"):
		return "internal/web/openapi/ops_mfa.go"
	case strings.HasPrefix(path, "/api/v1/account/export") || strings.HasPrefix(path, "/api/v1/account/closure") || pattern == "DELETE /api/v1/account":
		return "internal/web/openapi/ops_privacy.go"
	case strings.Contains(path, "/kb/") || strings.Contains(path, "/messaging/") || strings.Contains(path, "/support"):
		return "internal/web/openapi/ops_support.go"
	}
	return "internal/web/openapi/ops_accounts.go (or a new ops_<area>.go listed in groups in openapi.go)"
}

// Documented reports whether rt is a route of the JSON API that must be
// documented: the API tree, with a method (the catch-all 404 has none).
func Documented(rt web.Route) bool {
	method, path, ok := strings.Cut(rt.Pattern, " ")
	return rt.Tree == web.API && ok && method != "" && strings.HasPrefix(path, "/")
}

var param = regexp.MustCompile(`\{([a-z_]+)\}`)

// Document renders the OpenAPI 3.1 document of the routes given (their
// permissions go into each operation's security and x-permission).
func Document(routes []web.Route, serverURL string) []byte {
	perms := map[string]string{}
	for _, rt := range routes {
		if Documented(rt) {
			perms[rt.Pattern] = rt.Permission
		}
	}
	ops := Operations()
	paths := map[string]map[string]any{}
	for _, pattern := range slices.Sorted(maps.Keys(ops)) {
		perm, mounted := perms[pattern]
		if !mounted {
			continue
		}
		op := ops[pattern]
		method, path, _ := strings.Cut(pattern, " ")
		if paths[path] == nil {
			paths[path] = map[string]any{}
		}
		paths[path][strings.ToLower(method)] = operation(method, path, perm, op)
	}
	doc := map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{"title": "Frontdesk JSON API", "version": "1",
			"description": "Accounts and sessions, second factors, recovery, the help centre, and the admin API for automation. " +
				"Errors are always {\"error\":{\"code\",\"message\",\"field?\",\"request_id\"}}. See docs/api.md and docs/admin-api.md."},
		"servers":    []any{map[string]any{"url": serverURL}},
		"paths":      paths,
		"components": components(),
	}
	b, _ := json.MarshalIndent(doc, "", "  ")
	return b
}

func operation(method, path, perm string, op Op) map[string]any {
	out := map[string]any{
		"operationId":  operationID(method, path),
		"summary":      op.Summary,
		"tags":         []string{tag(path)},
		"x-permission": perm,
	}
	if perm == web.Public {
		out["security"] = []any{}
	} else {
		out["security"] = []any{map[string]any{"bearer": []string{}}}
	}
	var params []any
	for _, m := range param.FindAllStringSubmatch(path, -1) {
		params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
	}
	for _, q := range op.Query {
		name, s, req := field(q)
		params = append(params, map[string]any{"name": name, "in": "query", "required": req, "schema": s})
	}
	if len(params) > 0 {
		out["parameters"] = params
	}
	if len(op.Body) > 0 {
		out["requestBody"] = map[string]any{"required": true, "content": map[string]any{
			"application/json": map[string]any{"schema": object(op.Body)}}}
	}
	status := op.Status
	if status == 0 {
		status = http.StatusOK
	}
	ok := map[string]any{"description": http.StatusText(status)}
	switch {
	case op.Media != "":
		content := map[string]any{}
		for _, m := range strings.Split(op.Media, ",") {
			content[strings.TrimSpace(m)] = map[string]any{"schema": map[string]any{"type": "string"}}
		}
		ok["content"] = content
	case len(op.Result) > 0:
		ok["content"] = map[string]any{"application/json": map[string]any{"schema": object(op.Result)}}
	}
	out["responses"] = map[string]any{strconv.Itoa(status): ok, "default": map[string]any{"$ref": "#/components/responses/Error"}}
	return out
}

func operationID(method, path string) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(method))
	for _, part := range strings.FieldsFunc(strings.TrimPrefix(path, "/api/v1"), func(r rune) bool { return r == '/' || r == '-' || r == '.' }) {
		part = strings.Trim(part, "{}")
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

func tag(path string) string {
	parts := strings.Split(strings.TrimPrefix(path, "/api/v1/"), "/")
	if parts[0] == "admin" && len(parts) > 1 {
		return "admin " + parts[1]
	}
	return parts[0]
}

// field parses "name:type!" into its name, schema and whether required.
func field(spec string) (string, map[string]any, bool) {
	req := strings.HasSuffix(spec, "!")
	spec = strings.TrimSuffix(spec, "!")
	name, typ, _ := strings.Cut(spec, ":")
	return name, schema(typ), req
}

func schema(typ string) map[string]any {
	switch {
	case strings.HasPrefix(typ, "[]"):
		return map[string]any{"type": "array", "items": schema(typ[2:])}
	case strings.HasPrefix(typ, "#"):
		return map[string]any{"$ref": "#/components/schemas/" + typ[1:]}
	case typ == "date-time":
		return map[string]any{"type": "string", "format": "date-time"}
	case typ == "":
		return map[string]any{"type": "string"}
	}
	return map[string]any{"type": typ}
}

// object is a JSON object schema of fields.
func object(fields []string) map[string]any {
	props := map[string]any{}
	var req []string
	for _, f := range fields {
		name, s, r := field(f)
		props[name] = s
		if r {
			req = append(req, name)
		}
	}
	out := map[string]any{"type": "object", "properties": props}
	if len(req) > 0 {
		out["required"] = req
	}
	return out
}
