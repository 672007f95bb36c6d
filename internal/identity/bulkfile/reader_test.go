package bulkfile_test

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/frontdesk/frontdesk/internal/identity/bulkfile"
)

const (
	argonHash  = "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$V0l9Zw2bI0nOz8DoaU1vQ2c6oVYj1uD2pTQ4sG9s3yI"
	bcryptHash = "$2b$04$abcdefghijklmnopqrstuuYm0bUgh6KjUK3mFNTQ8Dz3o5g8Fczmq"
	pbkdfHash  = "pbkdf2-sha256$1000$c2FsdHNhbHQ$KxJ0zA0x3IEGZsA5CEeU2O8Jp8YyG0cz8yQ6aS3Qdkw"
)

// readAll reads a whole file and returns the valid rows, the problems of
// invalid rows and the problems that stopped the file.
func readAll(t *testing.T, content string, o bulkfile.Options) (valid []identity.ImportRow, problems, fatal []identity.RowError) {
	t.Helper()
	r := bulkfile.NewReader(strings.NewReader(content), o)
	for {
		row, err := r.Next()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			fatal = rowErrors(t, err)
			if _, err := r.Next(); !errors.Is(err, io.EOF) {
				t.Fatalf("Next after a file problem: %v, want io.EOF", err)
			}
			return
		}
		if len(row.Problems) == 0 {
			valid = append(valid, row)
		}
		problems = append(problems, row.Problems...)
	}
}

func rowErrors(t *testing.T, err error) []identity.RowError {
	t.Helper()
	var out []identity.RowError
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	for _, e := range errs {
		var re *identity.RowError
		if !errors.As(e, &re) {
			t.Fatalf("file error %v is not a RowError", e)
		}
		out = append(out, *re)
	}
	return out
}

func TestReadGoodCSV(t *testing.T) {
	file := "\xEF\xBB\xBFEmail, name ,phone,locale,role,password_hash,send_invite\r\n" +
		"lan@Example.COM,Nguyễn Văn Lan,+84 912 345 678,vi-VN,,,\r\n" +
		"\r\n" +
		`"bob@example.com","Smith, ""Bob"" Jr.",'+33612345678,en,,` + bcryptHash + ",false\n" +
		"staff@example.com,,,,Agent supervisor,,TRUE\n" +
		"wei@example.com,'=Wei,,zh,,\"" + argonHash + "\",\n" +
		"p@example.com,,,,,  " + pbkdfHash + " ,true" // no final newline
	valid, problems, fatal := readAll(t, file, bulkfile.Options{})
	if len(problems) > 0 || len(fatal) > 0 {
		t.Fatalf("problems %v, fatal %v", problems, fatal)
	}
	want := []identity.ImportRow{
		{Line: 2, Email: "lan@example.com", Name: "Nguyễn Văn Lan", Phone: "+84912345678", Locale: "vi"},
		{Line: 4, Email: "bob@example.com", Name: "Smith, \"Bob\" Jr.", Phone: "+33612345678", Locale: "en", PasswordHash: bcryptHash},
		{Line: 5, Email: "staff@example.com", Locale: "en", Roles: []string{"agent", "supervisor"}, SendInvite: true},
		{Line: 6, Email: "wei@example.com", Name: "=Wei", Locale: "zh", PasswordHash: argonHash},
		{Line: 7, Email: "p@example.com", Locale: "en", PasswordHash: pbkdfHash, SendInvite: true},
	}
	if len(valid) != len(want) {
		t.Fatalf("got %d rows, want %d: %+v", len(valid), len(want), valid)
	}
	for i := range want {
		if fmt.Sprint(valid[i]) != fmt.Sprint(want[i]) {
			t.Errorf("row %d:\n got %+v\nwant %+v", i, valid[i], want[i])
		}
	}
	if !valid[0].Invite() || valid[1].Invite() || !valid[2].Staff() || !valid[4].Invite() {
		t.Error("Invite/Staff wrong")
	}
}

func TestReadGoodJSONL(t *testing.T) {
	file := `{"email":"lan@example.com","name":"Lan","phone":null,"locale":"vi","send_invite":true}` + "\n" +
		"   \n" +
		`{"email":"bob@example.com","password_hash":"` + bcryptHash + `","send_invite":"false","role":""}` + "\r\n" +
		`  {"email":"x@example.com","name":"<Tom & Jerry>"}  `
	for _, f := range []bulkfile.Format{bulkfile.Auto, bulkfile.JSONL} {
		valid, problems, fatal := readAll(t, file, bulkfile.Options{Format: f})
		if len(problems) > 0 || len(fatal) > 0 || len(valid) != 3 {
			t.Fatalf("format %v: %+v %v %v", f, valid, problems, fatal)
		}
		if v := valid[0]; v.Line != 1 || v.Name != "Lan" || v.Locale != "vi" || !v.SendInvite {
			t.Errorf("row 1: %+v", v)
		}
		if v := valid[1]; v.Line != 3 || v.PasswordHash != bcryptHash || v.SendInvite || v.Staff() {
			t.Errorf("row 2: %+v", v)
		}
		if v := valid[2]; v.Line != 4 || v.Name != "<Tom & Jerry>" {
			t.Errorf("row 3: %+v", v)
		}
	}
}

func TestFormatOf(t *testing.T) {
	for name, want := range map[string]bulkfile.Format{"a.csv": bulkfile.CSV, "B.JSONL": bulkfile.JSONL, "c.ndjson": bulkfile.JSONL, "d.txt": bulkfile.Auto, "e": bulkfile.Auto} {
		if got := bulkfile.FormatOf(name); got != want {
			t.Errorf("FormatOf(%q) = %v, want %v", name, got, want)
		}
	}
	if f, err := bulkfile.ParseFormat("JSONL"); err != nil || f != bulkfile.JSONL {
		t.Error("ParseFormat jsonl")
	}
	if _, err := bulkfile.ParseFormat("xlsx"); err == nil {
		t.Error("ParseFormat xlsx accepted")
	}
}

const header = "email,name,phone,locale,role,password_hash,send_invite\n"

// Every kind of invalid row is reported with its line, field and reason,
// and the rows around it are still read.
func TestReadInvalidRows(t *testing.T) {
	long := strings.Repeat("x", 300)
	cases := []struct {
		name, row, field, reason string
	}{
		{"missing email", ",Lan,,,,,", "email", "required"},
		{"invalid email", "not-an-address,,,,,,", "email", "not a valid e-mail address"},
		{"non-ASCII email", "lân@example.com,,,,,,", "email", "only addresses in ASCII"},
		{"invalid phone", "a@example.com,,0912345678,,,,", "phone", "E.164"},
		{"invalid locale", "a@example.com,,,fr,,,", "locale", "not one of en, vi, zh"},
		{"unknown role", "a@example.com,,,,wizard,,", "role", `unknown role wizard`},
		{"malformed role", "a@example.com,,,,'=cmd,,", "role", `unknown role =cmd`},
		{"unsupported hash", "a@example.com,,,,,$1$md5$abc,", "password_hash", "unsupported hash format"},
		{"malformed bcrypt", "a@example.com,,,,,$2b$04$short,", "password_hash", "unsupported hash format"},
		{"bad boolean", "a@example.com,,,,,,yes", "send_invite", "not true or false"},
		{"long name", "a@example.com," + long + ",,,,,", "name", "longer than 200 characters"},
		{"control character", "a@example.com,\"Lan\x07\",,,,,", "name", "control characters"},
		{"too few values", "a@example.com,Lan", "row", "has 2 values but the header has 7 columns"},
		{"too many values", "a@example.com,,,,,,,extra", "row", "has 8 values"},
		{"bare quote", "a@example.com,La\"n,,,,,", "row", "a quote inside an unquoted value"},
		{"text after quote", "a@example.com,\"Lan\"x,,,,,", "row", "text after a closing quote"},
		{"invalid UTF-8", "a@example.com,L\xffan,,,,,", "name", "invalid UTF-8"},
		{"row too long", "a@example.com," + strings.Repeat("y", 2000) + ",,,,,", "row", "row too long"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			file := header + "first@example.com,,,,,,\n" + c.row + "\nlast@example.com,,,,,,\n"
			valid, problems, fatal := readAll(t, file, bulkfile.Options{MaxLineBytes: 1024, ValidRole: func(r string) bool { return r == "agent" }})
			if len(fatal) > 0 {
				t.Fatalf("fatal: %v", fatal)
			}
			if len(valid) != 2 || valid[0].Line != 2 || valid[1].Line != 4 {
				t.Fatalf("valid rows around it: %+v", valid)
			}
			if len(problems) == 0 {
				t.Fatal("no problem reported")
			}
			p := problems[0]
			if p.Line != 3 || p.Field != c.field || !strings.Contains(p.Reason, c.reason) {
				t.Fatalf("problem = %+v, want line 3, %s, %q", p, c.field, c.reason)
			}
			if strings.Contains(p.Error(), "first@") || strings.Contains(p.Reason, "0912345678") {
				t.Errorf("a reason repeats a value: %v", p)
			}
		})
	}
}

func TestReadSeveralProblemsInOneRow(t *testing.T) {
	_, problems, _ := readAll(t, header+",,123,xx,,nohash,maybe\n", bulkfile.Options{})
	var fields []string
	for _, p := range problems {
		fields = append(fields, p.Field)
	}
	if want := []string{"email", "phone", "locale", "password_hash", "send_invite"}; !slices.Equal(fields, want) {
		t.Fatalf("fields = %v, want %v", fields, want)
	}
}

func TestReadDuplicateEmail(t *testing.T) {
	file := header + "lan@example.com,,,,,,\nbob@example.com,,,,,,\nLAN@EXAMPLE.com,,,,,,\n"
	valid, problems, _ := readAll(t, file, bulkfile.Options{})
	if len(valid) != 2 || len(problems) != 1 || problems[0].Line != 4 || problems[0].Field != "email" ||
		problems[0].Reason != "same e-mail address as line 2" {
		t.Fatalf("valid %+v, problems %+v", valid, problems)
	}
}

// A quoted value may span lines; the row is reported at its first line
// and the next row keeps its own line number.
func TestReadMultiLineValue(t *testing.T) {
	valid, problems, _ := readAll(t, header+"a@example.com,\"Lan\nNguyen\",,,,,\nb@example.com,,,,,,\n", bulkfile.Options{})
	if len(valid) != 1 || valid[0].Line != 4 || len(problems) != 1 || problems[0].Line != 2 || problems[0].Field != "name" {
		t.Fatalf("valid %+v, problems %+v", valid, problems)
	}
}

func TestReadUnterminatedQuote(t *testing.T) {
	valid, problems, _ := readAll(t, header+"a@example.com,,,,,,\nb@example.com,\"Lan,,,,,\nc@example.com,,,,,,\n", bulkfile.Options{})
	if len(valid) != 1 || len(problems) != 1 || problems[0].Line != 3 || !strings.Contains(problems[0].Reason, "not closed") {
		t.Fatalf("valid %+v, problems %+v", valid, problems)
	}
}

func TestReadJSONLProblems(t *testing.T) {
	cases := []struct{ line, field, reason string }{
		{`["a@example.com"]`, "row", "not a JSON object"},
		{`{"email":"a@example.com",`, "row", "malformed JSON"},
		{`{"email":"a@example.com"} {}`, "row", "text after the JSON object"},
		{`{"email":"a@example.com","mail":"x"}`, "mail", "unknown field"},
		{`{"email":"a@example.com","email":"b@example.com"}`, "email", "appears twice"},
		{`{"email":"a@example.com","phone":84912345678}`, "phone", "must be a string"},
		{`{"email":"a@example.com","send_invite":1}`, "send_invite", "not true or false"},
		{`{"email":"a@example.com","send_invite":"oui"}`, "send_invite", "not true or false"},
		{"{\"email\":\"a@example.com\",\"name\":\"\xff\"}", "row", "invalid UTF-8"},
		{`{"name":"Lan"}`, "email", "required"},
	}
	for _, c := range cases {
		_, problems, fatal := readAll(t, `{"email":"first@example.com"}`+"\n"+c.line+"\n", bulkfile.Options{Format: bulkfile.JSONL})
		if len(fatal) > 0 || len(problems) == 0 {
			t.Errorf("%s: problems %v fatal %v", c.line, problems, fatal)
			continue
		}
		if p := problems[0]; p.Line != 2 || p.Field != c.field || !strings.Contains(p.Reason, c.reason) {
			t.Errorf("%s: problem %+v, want %s %q", c.line, p, c.field, c.reason)
		}
	}
}

// A header that cannot be read stops the file before any row: every
// problem of the header is reported.
func TestReadBadHeader(t *testing.T) {
	cases := []struct {
		file   string
		fields []string
	}{
		{"", []string{"file"}},
		{"\n\n", []string{"file"}},
		{"email,pasword_hash,name\na@example.com,x,y\n", []string{"pasword_hash"}},
		{"email,name,Name\n", []string{"name"}},
		{"name,phone\nLan,+84912345678\n", []string{"email"}},
		{"email;name;phone\na@example.com;Lan;\n", []string{"email;name;phone", "email"}},
		{"email,,name\n", []string{"column 2"}},
		{"email,\"name\n", []string{"header"}},
	}
	for _, c := range cases {
		valid, problems, fatal := readAll(t, c.file, bulkfile.Options{Format: bulkfile.CSV})
		var fields []string
		for _, p := range fatal {
			fields = append(fields, p.Field)
		}
		if len(valid) > 0 || len(problems) > 0 || !slices.Equal(fields, c.fields) {
			t.Errorf("%q: valid %v problems %v fatal %+v, want fields %v", c.file, valid, problems, fatal, c.fields)
		}
	}
}

func TestReadLimits(t *testing.T) {
	rows := header
	for i := range 5 {
		rows += fmt.Sprintf("u%d@example.com,,,,,,\n", i)
	}
	valid, _, fatal := readAll(t, rows, bulkfile.Options{MaxRows: 3})
	if len(valid) != 3 || len(fatal) != 1 || fatal[0].Line != 5 || fatal[0].Field != "file" || !strings.Contains(fatal[0].Reason, "more than 3 rows") {
		t.Fatalf("max rows: valid %d, fatal %+v", len(valid), fatal)
	}
	valid, _, fatal = readAll(t, rows, bulkfile.Options{MaxFileBytes: int64(len(header) + 40)})
	if len(valid) != 1 || len(fatal) != 1 || fatal[0].Field != "file" || !strings.Contains(fatal[0].Reason, "larger than") {
		t.Fatalf("max size: valid %d, fatal %+v", len(valid), fatal)
	}
	valid, _, fatal = readAll(t, rows, bulkfile.Options{MaxFileBytes: int64(len(rows))})
	if len(valid) != 5 || len(fatal) != 0 {
		t.Fatalf("exactly at the size limit: valid %d, fatal %+v", len(valid), fatal)
	}
	// A JSON line over the limit is one invalid row; the next still reads.
	file := `{"email":"a@example.com","name":"` + strings.Repeat("n", 100) + `"}` + "\n" + `{"email":"b@example.com"}`
	valid, problems, _ := readAll(t, file, bulkfile.Options{MaxLineBytes: 64})
	if len(valid) != 1 || len(problems) != 1 || problems[0].Line != 1 || !strings.Contains(problems[0].Reason, "row too long") {
		t.Fatalf("long JSON line: valid %+v problems %+v", valid, problems)
	}
}
