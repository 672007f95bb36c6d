package privacy

import (
	"encoding/csv"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/frontdesk/frontdesk/internal/csvsafe"
	pd "github.com/frontdesk/frontdesk/internal/personaldata"
)

// Activity is one line of the record of processing (GDPR 30): a table or
// kind of file that holds personal data, as its owner declared it.
type Activity struct {
	Owner, Where, Purpose, Basis, Subjects, Retention, Erasure string
	Categories                                                 []string
}

// Record lists the processing activities of the registry, owners in
// declaration order, tables in name order within each.
func (r *Registry) Record() []Activity {
	var out []Activity
	for _, s := range r.sets {
		tables := append([]pd.Table(nil), s.Tables...)
		sort.Slice(tables, func(i, j int) bool { return tables[i].Name < tables[j].Name })
		for _, t := range tables {
			if len(t.Personal) == 0 {
				continue
			}
			subjects := "customers and staff (by account)"
			if t.Subject == "" {
				subjects = "not linked to an account"
			}
			out = append(out, Activity{Owner: s.Owner, Where: "table " + t.Name, Purpose: t.Purpose, Basis: string(t.Basis),
				Subjects: subjects, Retention: t.Retention, Erasure: string(t.EraseRule()), Categories: categories(t)})
		}
		for _, f := range s.Files {
			out = append(out, Activity{Owner: s.Owner, Where: "files " + f.Pattern, Purpose: f.Purpose, Basis: string(f.Basis),
				Subjects: "customers", Retention: f.Retention, Erasure: f.Erasure, Categories: []string{string(f.Category)}})
		}
	}
	return out
}

func categories(t pd.Table) []string {
	seen := map[pd.Category]bool{}
	for _, c := range t.Personal {
		seen[c] = true
	}
	var out []string
	for _, c := range pd.Categories {
		if seen[c] {
			out = append(out, string(c))
		}
	}
	return out
}

var recordHeader = []string{"owner", "where", "purpose", "legal basis", "categories", "data subjects", "retention", "erasure"}

// WriteRecord writes the record of processing as Markdown ("md") or CSV
// ("csv"); settings (name → value) describe the configuration in force and
// head the Markdown. // GDPR 30
func (r *Registry) WriteRecord(w io.Writer, format string, settings [][2]string) error {
	acts := r.Record()
	switch format {
	case "csv":
		cw := csv.NewWriter(w)
		cw.Write(recordHeader)
		for _, a := range acts {
			cw.Write(csvsafe.Row([]string{a.Owner, a.Where, a.Purpose, a.Basis, strings.Join(a.Categories, " "), a.Subjects, a.Retention, a.Erasure}))
		}
		cw.Flush()
		return cw.Error()
	case "md", "markdown":
		fmt.Fprintf(w, "# Record of processing activities\n\nGenerated from the personal-data registry (GDPR article 30).\n\n")
		if len(settings) > 0 {
			fmt.Fprintf(w, "## Configuration in force\n\n| setting | value |\n|---|---|\n")
			for _, s := range settings {
				fmt.Fprintf(w, "| %s | %s |\n", mdCell(s[0]), mdCell(s[1]))
			}
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "## Activities\n\n| %s |\n|%s\n", strings.Join(recordHeader, " | "), strings.Repeat("---|", len(recordHeader)))
		for _, a := range acts {
			cells := []string{a.Owner, "`" + strings.TrimPrefix(strings.TrimPrefix(a.Where, "table "), "files ") + "`", a.Purpose, a.Basis,
				strings.Join(a.Categories, ", "), a.Subjects, a.Retention, a.Erasure}
			for i := range cells {
				cells[i] = mdCell(cells[i])
			}
			fmt.Fprintf(w, "| %s |\n", strings.Join(cells, " | "))
		}
		return nil
	}
	return fmt.Errorf("privacy: unknown record format %q (md or csv)", format)
}

// mdCell keeps a value inside its Markdown table cell.
func mdCell(s string) string {
	return strings.NewReplacer("|", "\\|", "\n", " ").Replace(s)
}

// Record lists the processing activities of the service's registry.
func (s *Service) Record() []Activity { return s.o.Registry.Record() }

// RecordSettings returns the configuration the record starts with.
func (s *Service) RecordSettings() [][2]string { return s.o.RecordSettings }

// WriteRecord writes the record of processing with the configuration in
// force, as the command "frontdesk privacy record" does. // GDPR 30
func (s *Service) WriteRecord(w io.Writer, format string) error {
	return s.o.Registry.WriteRecord(w, format, s.o.RecordSettings)
}
