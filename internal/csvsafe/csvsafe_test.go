package csvsafe_test

import (
	"strings"
	"testing"

	"github.com/frontdesk/frontdesk/internal/csvsafe"
)

func TestCell(t *testing.T) {
	cases := []struct{ in, want string }{
		{"", ""},
		{"account.unlock", "account.unlock"},
		{"=HYPERLINK(\"http://evil.example\",\"x\")", "'=HYPERLINK(\"http://evil.example\",\"x\")"},
		{"+33 6 12 34 56 78", "'+33 6 12 34 56 78"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\t=1", "'\t=1"},
		{"\r=1", "'\r=1"},
		{"a=1", "a=1"},
		{" =1", " =1"},
		{"'=1", "'=1"},
		{"Trần Thị Bình", "Trần Thị Bình"},
	}
	for _, c := range cases {
		if got := csvsafe.Cell(c.in); got != c.want {
			t.Errorf("Cell(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestRow(t *testing.T) {
	got := csvsafe.Row([]string{"ok", "=1", "@x"})
	want := []string{"ok", "'=1", "'@x"}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("Row = %q, want %q", got, want)
		}
	}
}

func FuzzCell(f *testing.F) {
	for _, s := range []string{"", "=1", "+1", "plain", "\t", "'"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := csvsafe.Cell(s)
		if got != s && got != "'"+s {
			t.Fatalf("Cell(%q) = %q: only a leading quote may be added", s, got)
		}
		if got != "" && strings.ContainsRune("=+-@\t\r", rune(got[0])) {
			t.Fatalf("Cell(%q) = %q still starts a formula", s, got)
		}
	})
}
