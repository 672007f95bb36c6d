package bulkfile_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/frontdesk/frontdesk/internal/identity/bulkfile"
)

var exported = []identity.ExportRow{
	{Email: "lan@example.com", Name: "Nguyễn Văn Lan", Phone: "+84912345678", Locale: "vi"},
	{Email: "eve@example.com", Name: "=HYPERLINK(\"http://evil.example\",\"click\")", Locale: "en"},
	{Email: "quote@example.com", Name: "'=already quoted", Locale: "en"},
	{Email: "at@example.com", Name: "@SUM(A1)", Phone: "+33612345678", Locale: "zh"},
	{Email: "-minus@example.com", Name: "Smith, \"Bob\"", Locale: "en"},
	{Email: "staff@example.com", Locale: "en", Roles: []string{"agent", "supervisor"}},
}

// An export reads back as it was written, in both formats, and a CSV
// export never holds a cell a spreadsheet would run.
func TestWriteRoundTrip(t *testing.T) {
	for _, f := range []bulkfile.Format{bulkfile.CSV, bulkfile.JSONL} {
		var buf bytes.Buffer
		w := bulkfile.NewWriter(&buf, f)
		for _, a := range exported {
			if err := w.Write(a); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		if strings.Contains(out, "password_hash") || strings.Contains(out, "send_invite") {
			t.Errorf("%v export names a secret or an instruction:\n%s", f, out)
		}
		if f == bulkfile.CSV {
			if !strings.HasPrefix(out, "email,name,phone,locale,role\n") {
				t.Errorf("CSV header: %q", out)
			}
			for _, cell := range []string{`"'=HYPERLINK(""http://evil.example"",""click"")"`, "'+84912345678", "'@SUM(A1)", "''=already quoted", "'-minus@example.com"} {
				if !strings.Contains(out, cell) {
					t.Errorf("CSV lacks escaped cell %s:\n%s", cell, out)
				}
			}
		} else if !strings.Contains(out, `"name":"=HYPERLINK(\"http://evil.example\",\"click\")"`) {
			t.Errorf("JSONL changed a value:\n%s", out)
		}
		valid, problems, fatal := readAll(t, out, bulkfile.Options{Format: bulkfile.Auto})
		if len(problems) > 0 || len(fatal) > 0 || len(valid) != len(exported) {
			t.Fatalf("%v read back: %d rows, %v %v\n%s", f, len(valid), problems, fatal, out)
		}
		for i, a := range exported {
			got := identity.ExportRow{Email: valid[i].Email, Name: valid[i].Name, Phone: valid[i].Phone, Locale: valid[i].Locale, Roles: valid[i].Roles}
			if fmt.Sprint(got) != fmt.Sprint(a) {
				t.Errorf("%v row %d: got %+v, want %+v", f, i, got, a)
			}
		}
	}
}

func TestWriteEmptyCSVHasHeader(t *testing.T) {
	var buf bytes.Buffer
	w := bulkfile.NewWriter(&buf, bulkfile.Auto)
	if err := w.Flush(); err != nil || buf.String() != "email,name,phone,locale,role\n" {
		t.Fatalf("%q %v", buf.String(), err)
	}
}
