package bulkfile

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"io"
	"strings"

	"github.com/frontdesk/frontdesk/internal/identity"
)

// exportFields are the columns an export writes: every field but the
// password hash (a secret) and send_invite (an instruction, not data).
var exportFields = []string{"email", "name", "phone", "locale", "role"}

// Writer writes accounts in a bulk file format that Reader reads back.
// CSV cells are escaped with csvsafe, so a spreadsheet never runs one as
// a formula; Reader undoes the escape (see escapeCell).
type Writer struct {
	format Format
	buf    *bufio.Writer
	csv    *csv.Writer
	json   *json.Encoder
	header bool
}

var _ identity.ExportSink = (*Writer)(nil)

// NewWriter returns a Writer of format f (Auto means CSV) to w. Call
// Flush at the end.
func NewWriter(w io.Writer, f Format) *Writer {
	out := &Writer{format: f, buf: bufio.NewWriterSize(w, 64<<10)}
	if f == JSONL {
		out.json = json.NewEncoder(out.buf)
		out.json.SetEscapeHTML(false)
	} else {
		out.format = CSV
		out.csv = csv.NewWriter(out.buf)
	}
	return out
}

// jsonRow is the JSON Lines form of a row; every member is always there.
type jsonRow struct {
	Email  string `json:"email"`
	Name   string `json:"name"`
	Phone  string `json:"phone"`
	Locale string `json:"locale"`
	Role   string `json:"role"`
}

// Write writes one account.
func (w *Writer) Write(a identity.ExportRow) error {
	role := strings.Join(a.Roles, " ")
	if w.format == JSONL {
		return w.json.Encode(jsonRow{Email: a.Email, Name: a.Name, Phone: a.Phone, Locale: a.Locale, Role: role})
	}
	if err := w.writeHeader(); err != nil {
		return err
	}
	row := []string{a.Email, a.Name, a.Phone, a.Locale, role}
	for i := range row {
		row[i] = escapeCell(row[i])
	}
	return w.csv.Write(row)
}

func (w *Writer) writeHeader() error {
	if w.header {
		return nil
	}
	w.header = true
	return w.csv.Write(exportFields)
}

// Flush writes what is buffered; a CSV export without accounts still gets
// its header row.
func (w *Writer) Flush() error {
	if w.csv != nil {
		if err := w.writeHeader(); err != nil {
			return err
		}
		w.csv.Flush()
		if err := w.csv.Error(); err != nil {
			return err
		}
	}
	return w.buf.Flush()
}
