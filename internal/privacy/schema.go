package privacy

import (
	"context"
	"fmt"
	"regexp"
	"sort"

	"github.com/frontdesk/frontdesk/internal/db"
)

// Gap is a table or column of the schema that the registry does not declare.
type Gap struct {
	Table  string
	Column string // empty when the whole table is undeclared
	// Migration names the migration file that adds it, when it can be told.
	Migration string
}

// String tells a developer what is missing and where to declare it.
func (g Gap) String() string {
	from := ""
	if g.Migration != "" {
		from = " (added by " + g.Migration + ")"
	}
	if g.Column == "" {
		return fmt.Sprintf("table %s%s is not in the personal-data registry: declare it in the PersonalData() function "+
			"of the package that owns it (its personaldata.go), listing every column as personal (with a category) or Other, "+
			"and make sure internal/app/personaldata.go lists that package; see docs/architecture.md \"Declaring personal data\"", g.Table, from)
	}
	return fmt.Sprintf("column %s.%s%s is not classified in the personal-data registry: add it to the Personal map (with a category) "+
		"or to Other in the declaration of table %s (the PersonalData() function in the owning package's personaldata.go); "+
		"see docs/architecture.md \"Declaring personal data\"", g.Table, g.Column, from, g.Table)
}

// Columns reads the schema of a database: table name to its column names.
// SQLite's full-text shadow tables and hidden columns are left out: they are
// the search engine's storage for a declared virtual table.
func Columns(ctx context.Context, d *db.DB) (map[string][]string, error) {
	q := `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()`
	if d.Dialect() == db.SQLite {
		q = `SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_xinfo(m.name) p
			WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND p.hidden <> 1`
	}
	out := map[string][]string{}
	err := d.Read(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, q)
		pairs, err := db.Collect(rows, err, func(r db.Scanner) (p [2]string, err error) {
			err = r.Scan(&p[0], &p[1])
			return p, err
		})
		for _, p := range pairs {
			out[p[0]] = append(out[p[0]], p[1])
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("privacy: read schema: %w", err)
	}
	if d.Dialect() == db.SQLite {
		if err := dropShadows(ctx, d, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// dropShadows removes SQLite's FTS5 shadow tables (name_data, name_idx…)
// of each virtual table from schema.
func dropShadows(ctx context.Context, d *db.DB, schema map[string][]string) error {
	return d.Read(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, `SELECT name FROM sqlite_master WHERE type = 'table' AND upper(sql) LIKE 'CREATE VIRTUAL TABLE%'`)
		virtual, err := db.Collect(rows, err, db.Value[string])
		for _, v := range virtual {
			for _, suffix := range []string{"_data", "_idx", "_config", "_docsize", "_content"} {
				delete(schema, v+suffix)
			}
		}
		return err
	})
}

// Unclassified compares a database's schema with the registry and returns
// every table and column nobody declared, naming the migration that adds it.
func Unclassified(ctx context.Context, d *db.DB, r *Registry) ([]Gap, error) {
	schema, err := Columns(ctx, d)
	if err != nil {
		return nil, err
	}
	where := migrationIndex(d.Dialect())
	var gaps []Gap
	for table, cols := range schema {
		decl, ok := r.Table(table)
		if !ok {
			gaps = append(gaps, Gap{Table: table, Migration: where[table]})
			continue
		}
		known := decl.Columns()
		for _, c := range cols {
			if _, ok := known[c]; !ok {
				gaps = append(gaps, Gap{Table: table, Column: c, Migration: where[table+"."+c]})
			}
		}
	}
	sort.Slice(gaps, func(i, j int) bool {
		if gaps[i].Table != gaps[j].Table {
			return gaps[i].Table < gaps[j].Table
		}
		return gaps[i].Column < gaps[j].Column
	})
	return gaps, nil
}

var (
	createRe = regexp.MustCompile(`(?is)CREATE\s+(?:VIRTUAL\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)\s*(?:USING\s+\w+\s*)?\((.*?)\n\)`)
	alterRe  = regexp.MustCompile(`(?i)ALTER\s+TABLE\s+(\w+)\s+ADD\s+COLUMN\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)`)
	colRe    = regexp.MustCompile(`(?m)^\s*(\w+)\s+\w`)
)

// migrationIndex maps "table" and "table.column" to the migration file that
// creates them, read from the embedded migrations. It is a best effort for
// the message only: whatever it cannot tell stays out.
func migrationIndex(d db.Dialect) map[string]string {
	out := map[string]string{}
	ms, err := db.Migrations(d)
	if err != nil {
		return out
	}
	for _, m := range ms {
		file := fmt.Sprintf("internal/db/migrations/%s/%04d_%s.sql", d, m.Version, m.Name)
		for _, c := range createRe.FindAllStringSubmatch(m.SQL, -1) {
			out[c[1]] = file
			for _, col := range colRe.FindAllStringSubmatch(c[2], -1) {
				out[c[1]+"."+col[1]] = file
			}
		}
		for _, a := range alterRe.FindAllStringSubmatch(m.SQL, -1) {
			out[a[1]+"."+a[2]] = file
		}
	}
	return out
}
