// Package privacy turns the personal-data registry (internal/personaldata)
// into the jobs of data protection: checking that the schema is fully
// declared, exporting a customer's data, closing accounts and erasing them,
// and describing the processing.
package privacy

import (
	"fmt"
	"sort"
	"strings"

	pd "github.com/frontdesk/frontdesk/internal/personaldata"
)

// Declared is one table of the registry with the package that owns it.
type Declared struct {
	Owner string
	pd.Table
}

// Registry is every package's declaration, in the order the wiring lists
// them: a package's tables after those of the packages it builds on.
type Registry struct {
	sets     []pd.Set
	tables   []Declared
	byName   map[string]int
	policies []DeclaredPolicy
}

// DeclaredPolicy is one retention policy with the package that owns it.
type DeclaredPolicy struct {
	Owner string
	pd.Policy
}

// Policies returns the retention policies in declaration order.
func (r *Registry) Policies() []DeclaredPolicy { return r.policies }

// Policy returns the retention policy of a class.
func (r *Registry) Policy(class string) (DeclaredPolicy, bool) {
	for _, p := range r.policies {
		if p.Class == class {
			return p, true
		}
	}
	return DeclaredPolicy{}, false
}

// Retained returns the tables a policy deletes from, children first (the
// reverse of declaration order), the policy's own table last when it names
// the policy.
func (r *Registry) Retained(class string) []Declared {
	var out []Declared
	for i := len(r.tables) - 1; i >= 0; i-- {
		if r.tables[i].Retain == class {
			out = append(out, r.tables[i])
		}
	}
	p, _ := r.Policy(class)
	for i, t := range out {
		if t.Name == p.Table {
			out = append(append(out[:i:i], out[i+1:]...), t)
			break
		}
	}
	return out
}

// NewRegistry checks the declarations and indexes them. A table declared
// twice, or a declaration that contradicts itself, is an error.
func NewRegistry(sets ...pd.Set) (*Registry, error) {
	r := &Registry{sets: sets, byName: map[string]int{}}
	var problems []string
	for _, s := range sets {
		problems = append(problems, s.Check()...)
		for _, t := range s.Tables {
			if i, dup := r.byName[t.Name]; dup {
				problems = append(problems, fmt.Sprintf("table %s is declared by both %s and %s", t.Name, r.tables[i].Owner, s.Owner))
				continue
			}
			r.byName[t.Name] = len(r.tables)
			r.tables = append(r.tables, Declared{Owner: s.Owner, Table: t})
		}
	}
	classes := map[string]bool{}
	for _, s := range sets {
		for _, p := range s.Policies {
			if classes[p.Class] {
				problems = append(problems, fmt.Sprintf("retention policy %s is declared twice", p.Class))
			}
			classes[p.Class] = true
			if _, ok := r.byName[p.Table]; !ok {
				problems = append(problems, fmt.Sprintf("%s: retention policy %s names undeclared table %s", s.Owner, p.Class, p.Table))
			}
			r.policies = append(r.policies, DeclaredPolicy{Owner: s.Owner, Policy: p})
		}
	}
	for _, t := range r.tables {
		if t.Retain != "" && !classes[t.Retain] {
			problems = append(problems, fmt.Sprintf("%s: table %s names undeclared retention policy %s", t.Owner, t.Name, t.Retain))
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("privacy: the personal-data registry is inconsistent:\n  %s", strings.Join(problems, "\n  "))
	}
	return r, nil
}

// Tables returns the declared tables in declaration order.
func (r *Registry) Tables() []Declared { return r.tables }

// Table returns the declaration of one table.
func (r *Registry) Table(name string) (Declared, bool) {
	i, ok := r.byName[name]
	if !ok {
		return Declared{}, false
	}
	return r.tables[i], true
}

// Files returns the declared kinds of files with their owners.
func (r *Registry) Files() []DeclaredFile {
	var out []DeclaredFile
	for _, s := range r.sets {
		for _, f := range s.Files {
			out = append(out, DeclaredFile{Owner: s.Owner, File: f})
		}
	}
	return out
}

// DeclaredFile is one kind of file with the package that owns it.
type DeclaredFile struct {
	Owner string
	pd.File
}

// Personal returns the tables that hold a customer's personal data, the ones
// export and erasure visit.
func (r *Registry) Personal() []Declared {
	var out []Declared
	for _, t := range r.tables {
		if t.Subject != "" {
			out = append(out, t)
		}
	}
	return out
}

// Owners returns the owning packages in declaration order.
func (r *Registry) Owners() []string {
	var out []string
	for _, s := range r.sets {
		out = append(out, s.Owner)
	}
	return out
}

// sortedColumns returns a table's declared columns in name order.
func sortedColumns(t pd.Table) []string {
	cols := t.Columns()
	out := make([]string, 0, len(cols))
	for c := range cols {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}
