package arch

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// match returns the row of pkg (a path relative to the module): the one whose
// pattern matches it most specifically.
func match(table []row, pkg string) (row, bool) {
	var best row
	found := false
	for _, r := range table {
		base, tree := strings.CutSuffix(r.pattern, "/...")
		if pkg != base && !(tree && strings.HasPrefix(pkg, base+"/")) {
			continue
		}
		if !found || len(r.pattern) > len(best.pattern) {
			best, found = r, true
		}
	}
	return best, found
}

// check returns one line per package of graph that is in no row of table and
// per import that goes against it. graph maps each package of the module to
// the packages of the module it imports, paths relative to the module.
func check(table []row, graph map[string][]string) []string {
	var bad []string
	for _, pkg := range slices.Sorted(maps.Keys(graph)) {
		from, ok := match(table, pkg)
		if !ok {
			bad = append(bad, fmt.Sprintf("%s is in no row of the table in rules_test.go", pkg))
			continue
		}
		for _, imp := range graph[pkg] {
			to, ok := match(table, imp)
			if !ok {
				continue // reported as a package of its own
			}
			if allowed(from, to) {
				continue
			}
			bad = append(bad, fmt.Sprintf("%s (%s) must not import %s (%s)", pkg, describe(from), imp, describe(to)))
		}
	}
	return bad
}

func allowed(from, to row) bool {
	switch {
	case from.pattern == to.pattern:
		return true
	case to.level < from.level:
		return true
	case to.level == from.level:
		return sameLevel(from, to)
	}
	return false
}

func describe(r row) string {
	if r.level == feature {
		return fmt.Sprintf("%s of rank %d", levelNames[r.level], r.rank)
	}
	return levelNames[r.level]
}
