package app

import (
	"context"
	"strings"
	"testing"

	"github.com/frontdesk/frontdesk/internal/db/dbtest"
	"github.com/frontdesk/frontdesk/internal/privacy"
)

// TestEveryColumnIsDeclared fails when a migration adds a table or column
// that the personal-data registry does not classify, and says where to
// declare it. // GDPR 30
func TestEveryColumnIsDeclared(t *testing.T) {
	reg, err := Registry()
	if err != nil {
		t.Fatal(err)
	}
	d := dbtest.Open(t)
	gaps, err := privacy.Unclassified(context.Background(), d, reg)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, g := range gaps {
		lines = append(lines, g.String())
	}
	if len(lines) > 0 {
		t.Errorf("%d undeclared on %s:\n%s", len(lines), d.Dialect(), strings.Join(lines, "\n"))
	}
}

// TestUnclassifiedColumnIsCaught adds a column and a table the registry
// does not know, and expects the check to name both and their place.
func TestUnclassifiedColumnIsCaught(t *testing.T) {
	reg, err := Registry()
	if err != nil {
		t.Fatal(err)
	}
	d := dbtest.Open(t)
	ctx := context.Background()
	for _, stmt := range []string{
		`ALTER TABLE accounts ADD COLUMN favourite_colour TEXT`,
		`CREATE TABLE pet_names (id TEXT PRIMARY KEY, name TEXT)`,
	} {
		if err := d.Maintain(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	gaps, err := privacy.Unclassified(ctx, d, reg)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, g := range gaps {
		got = append(got, g.String())
	}
	all := strings.Join(got, "\n")
	for _, want := range []string{"column accounts.favourite_colour", "table pet_names", "PersonalData()", "Declaring personal data"} {
		if !strings.Contains(all, want) {
			t.Errorf("the gaps do not mention %q:\n%s", want, all)
		}
	}
	if len(gaps) != 2 {
		t.Errorf("want exactly 2 gaps, got %d:\n%s", len(gaps), all)
	}
}
