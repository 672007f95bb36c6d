package bulkfile_test

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"testing"

	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/frontdesk/frontdesk/internal/identity/bulkfile"
	"github.com/frontdesk/frontdesk/internal/password"
)

// FuzzParse reads arbitrary files: the reader never panics, every row is
// either valid or invalid (never both: each line is reported once), a
// valid row is normalised, and valid rows written as an export read back
// equal.
func FuzzParse(f *testing.F) {
	f.Add([]byte(header+"lan@example.com,Lan,+84912345678,vi,,,true\n"), uint8(0))
	f.Add([]byte(header+"\"a@example.com\",\"x\"\"y\",,,agent,"+bcryptHash+",\n,,,,,,\n"), uint8(1))
	f.Add([]byte("\xEF\xBB\xBFemail\r\n'=a@example.com\r\n\"b@example.com\r\n"), uint8(0))
	f.Add([]byte(`{"email":"a@example.com","send_invite":true,"role":"agent"}`+"\n{}\n[1]\n"), uint8(2))
	f.Add([]byte(`{"email":"a@example.com","password_hash":"`+pbkdfHash+`"}`), uint8(0))
	f.Add([]byte("email,email\n"), uint8(1))
	f.Fuzz(func(t *testing.T, data []byte, format uint8) {
		o := bulkfile.Options{Format: bulkfile.Format(format % 3), MaxLineBytes: 256, MaxRows: 50, MaxFileBytes: 4096}
		r := bulkfile.NewReader(bytes.NewReader(data), o)
		last := 0
		var valid []identity.ImportRow
		for {
			row, err := r.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				for _, p := range rowErrors(t, err) {
					if p.Line < 1 || p.Field == "" || p.Reason == "" {
						t.Fatalf("file problem %+v", p)
					}
				}
				if _, err := r.Next(); !errors.Is(err, io.EOF) {
					t.Fatalf("Next after a file problem: %v", err)
				}
				break
			}
			if row.Line <= last {
				t.Fatalf("line %d reported after line %d", row.Line, last)
			}
			last = row.Line
			for _, p := range row.Problems {
				if p.Line != row.Line || p.Field == "" || p.Reason == "" {
					t.Fatalf("problem %+v of row at line %d", p, row.Line)
				}
			}
			if len(row.Problems) == 0 {
				checkNormalised(t, row)
				valid = append(valid, row)
			}
		}
		var buf bytes.Buffer
		wf := bulkfile.Format(format%2 + 1)
		w := bulkfile.NewWriter(&buf, wf)
		for _, v := range valid {
			if err := w.Write(identity.ExportRow{Email: v.Email, Name: v.Name, Phone: v.Phone, Locale: v.Locale, Roles: v.Roles}); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		back := bulkfile.NewReader(&buf, bulkfile.Options{Format: wf})
		for i := 0; ; i++ {
			row, err := back.Next()
			if errors.Is(err, io.EOF) {
				if i != len(valid) {
					t.Fatalf("read back %d rows of %d", i, len(valid))
				}
				break
			}
			if err != nil || len(row.Problems) > 0 {
				t.Fatalf("read back row %d: %v %+v\n%s", i, err, row.Problems, buf.String())
			}
			v := valid[i]
			if row.Email != v.Email || row.Name != v.Name || row.Phone != v.Phone || row.Locale != v.Locale || !slices.Equal(row.Roles, v.Roles) {
				t.Fatalf("read back %+v, want %+v", row, v)
			}
		}
	})
}

func checkNormalised(t *testing.T, row identity.ImportRow) {
	t.Helper()
	if e, err := identity.NormalizeEmail(row.Email); err != nil || e != row.Email {
		t.Fatalf("valid row with e-mail %q", row.Email)
	}
	if n, err := identity.NormalizeName(row.Name); err != nil || n != row.Name {
		t.Fatalf("valid row with name %q", row.Name)
	}
	if p, err := identity.NormalizePhone(row.Phone); err != nil || p != row.Phone {
		t.Fatalf("valid row with phone %q", row.Phone)
	}
	if !slices.Contains(identity.Locales, row.Locale) {
		t.Fatalf("valid row with locale %q", row.Locale)
	}
	if row.PasswordHash != "" && !password.IsSupportedHash(row.PasswordHash) {
		t.Fatalf("valid row with hash %q", row.PasswordHash)
	}
}
