package bulkfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/frontdesk/frontdesk/internal/csvsafe"
	"github.com/frontdesk/frontdesk/internal/identity"
)

// The CSV dialect is RFC 4180: comma-separated, values optionally in
// double quotes (a quote inside doubled), a quoted value may span lines,
// CRLF or LF line endings, blank lines skipped, an optional UTF-8
// byte-order mark (spreadsheets write one). encoding/csv is not used
// because it can neither bound a row's length nor say which column of a
// row is wrong in a way that survives the next row.

// readHeader reads the header row and maps its columns to fields. Every
// problem of the header is returned, joined: without a usable header no
// row can be read.
func (r *Reader) readHeader() error {
	fields, start, problem, err := r.readRecord()
	if errors.Is(err, io.EOF) {
		return fileError(max(r.line, 1), "the file is empty; its first line must be the header (email,name,phone,locale,role,password_hash,send_invite)")
	}
	if err != nil {
		return err
	}
	if problem != "" {
		return &identity.RowError{Line: start, Field: "header", Reason: problem}
	}
	var errs []error
	seen := make(map[int]bool)
	r.cols = make([]int, len(fields))
	for i, f := range fields {
		name := strings.ToLower(strings.TrimSpace(f))
		idx := fieldIndex(name)
		r.cols[i] = idx
		switch {
		case !utf8.ValidString(name):
			errs = append(errs, &identity.RowError{Line: start, Field: "header", Reason: "invalid UTF-8"})
		case name == "":
			errs = append(errs, &identity.RowError{Line: start, Field: fmt.Sprintf("column %d", i+1), Reason: "empty column name"})
		case idx < 0:
			errs = append(errs, &identity.RowError{Line: start, Field: columnLabel(name),
				Reason: "unknown column (the columns are " + strings.Join(fieldNames[:], ", ") + ")"})
		case seen[idx]:
			errs = append(errs, &identity.RowError{Line: start, Field: name, Reason: "duplicate column"})
		}
		seen[idx] = true
	}
	if !seen[fEmail] {
		errs = append(errs, &identity.RowError{Line: start, Field: "email", Reason: "required column missing (is the file comma-separated, with a header row?)"})
	}
	return errors.Join(errs...)
}

// columnLabel shows an unknown column name safely: short, and quoted
// when it holds anything but plain characters.
func columnLabel(name string) string {
	if name == "" {
		return `""`
	}
	if len(name) > 40 {
		name = name[:40] + "…"
	}
	for _, c := range name {
		if c < ' ' || c == 0x7f || c == utf8.RuneError {
			return strconv.Quote(name)
		}
	}
	return name
}

// readCSVRow reads the next data row.
func (r *Reader) readCSVRow() (rawRow, error) {
	fields, start, problem, err := r.readRecord()
	if err != nil {
		return rawRow{}, err
	}
	raw := rawRow{line: start}
	if problem != "" {
		raw.problem("row", problem)
		return raw, nil
	}
	if len(fields) != len(r.cols) {
		raw.problem("row", fmt.Sprintf("has %d values but the header has %d columns", len(fields), len(r.cols)))
		return raw, nil
	}
	for i, f := range fields {
		idx := r.cols[i]
		if !utf8.ValidString(f) {
			raw.problem(fieldNames[idx], "invalid UTF-8")
			continue
		}
		raw.vals[idx] = unescapeCell(f)
	}
	return raw, nil
}

// readRecord reads the next non-blank record, which may span lines when
// a quoted value holds a line break. problem describes a malformed or
// over-long record, which is consumed.
func (r *Reader) readRecord() (fields []string, start int, problem string, err error) {
	var rec []byte
	for {
		line, err := r.readLine()
		switch {
		case errors.Is(err, errLineTooLong):
			if rec == nil {
				start = r.line
			}
			return nil, start, r.tooLong(), nil
		case errors.Is(err, io.EOF):
			if rec == nil {
				return nil, 0, "", io.EOF
			}
			return nil, start, "malformed CSV: a quoted value is not closed", nil
		case err != nil:
			return nil, 0, "", err
		}
		if rec == nil {
			if len(bytes.TrimSpace(line)) == 0 {
				continue
			}
			start = r.line
			rec = append([]byte(nil), line...)
		} else {
			if len(rec)+1+len(line) > r.opts.MaxLineBytes {
				return nil, start, r.tooLong(), nil
			}
			rec = append(append(rec, '\n'), line...)
		}
		fields, problem, open := splitCSV(rec)
		if !open {
			return fields, start, problem, nil
		}
	}
}

// splitCSV splits one record. open is true when a quoted value is still
// open at the end: the record continues on the next line.
func splitCSV(rec []byte) (fields []string, problem string, open bool) {
	i := 0
	for {
		if i < len(rec) && rec[i] == '"' {
			i++
			var b []byte
			for {
				j := bytes.IndexByte(rec[i:], '"')
				if j < 0 {
					return nil, "", true
				}
				b = append(b, rec[i:i+j]...)
				i += j + 1
				if i < len(rec) && rec[i] == '"' {
					b = append(b, '"')
					i++
					continue
				}
				break
			}
			fields = append(fields, string(b))
			if i == len(rec) {
				return fields, "", false
			}
			if rec[i] != ',' {
				return nil, "malformed CSV: text after a closing quote", false
			}
			i++
			continue
		}
		j := bytes.IndexByte(rec[i:], ',')
		f := rec[i:]
		if j >= 0 {
			f = rec[i : i+j]
		}
		if bytes.IndexByte(f, '"') >= 0 {
			return nil, "malformed CSV: a quote inside an unquoted value", false
		}
		fields = append(fields, string(f))
		if j < 0 {
			return fields, "", false
		}
		i += j + 1
	}
}

// The CSV cells of an export go through csvsafe, which puts a single
// quote before a value that starts like a formula (= + - @ tab CR). To
// make that reversible, a value that already starts with quotes followed
// by such a character gets one more quote; the reader drops one quote
// from any cell of that shape. A spreadsheet user who typed '+8491… to
// keep the plus sign gets +8491… too.

// formulaAfterQuotes reports whether s, after its leading single quotes,
// starts with a character a spreadsheet reads as a formula.
func formulaAfterQuotes(s string) bool {
	s = strings.TrimLeft(s, "'")
	return s != "" && strings.IndexByte("=+-@\t\r", s[0]) >= 0
}

// escapeCell is csvsafe.Cell made reversible by unescapeCell.
func escapeCell(s string) string {
	if s != "" && s[0] == '\'' && formulaAfterQuotes(s) {
		return "'" + s
	}
	return csvsafe.Cell(s)
}

// unescapeCell undoes escapeCell.
func unescapeCell(s string) string {
	if len(s) >= 2 && s[0] == '\'' && formulaAfterQuotes(s[1:]) {
		return s[1:]
	}
	return s
}
