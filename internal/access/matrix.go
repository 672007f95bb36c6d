package access

import (
	"encoding/json"
	"slices"
	"strings"
)

// MatrixJSON is the machine-readable role × permission matrix of the
// built-in roles, as docs/roles.json holds it.
func MatrixJSON() []byte {
	type role struct {
		Role        string   `json:"role"`
		Permissions []string `json:"permissions"`
	}
	out := struct {
		Permissions []string `json:"permissions"`
		Roles       []role   `json:"roles"`
	}{Permissions: Permissions}
	for _, r := range BuiltInRoles {
		out.Roles = append(out.Roles, role{Role: r, Permissions: Roles[r]})
	}
	b, _ := json.MarshalIndent(out, "", "  ")
	return append(b, '\n')
}

// MatrixMarkdown is the same matrix as a table, for docs/roles.md.
func MatrixMarkdown() string {
	var b strings.Builder
	b.WriteString("| permission |")
	for _, r := range BuiltInRoles {
		b.WriteString(" " + r + " |")
	}
	b.WriteString("\n|---|" + strings.Repeat("---|", len(BuiltInRoles)) + "\n")
	for _, p := range Permissions {
		b.WriteString("| `" + p + "` |")
		for _, r := range BuiltInRoles {
			if slices.Contains(Roles[r], p) {
				b.WriteString(" ✓ |")
			} else {
				b.WriteString("   |")
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}
