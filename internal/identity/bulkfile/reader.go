// Package bulkfile reads and writes the bulk account files of API.md
// ("Bulk account files"): CSV with a header row, or JSON Lines, with the
// fields email, name, phone, locale, role, password_hash and send_invite.
//
// A Reader streams rows one at a time, normalised with identity's rules;
// every invalid row comes back with each of its problems (line, field,
// reason), so an operator can fix a whole file in one pass. Problems that
// make the rest of the file meaningless — a bad CSV header, a file over a
// limit — end the stream with an error holding *identity.RowError values.
// Values of personal fields never appear in a reason.
package bulkfile

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/frontdesk/frontdesk/internal/identity"
)

// Format is a bulk file format.
type Format int

// The formats. Auto detects the format from the content: JSON Lines when
// the first non-blank byte is '{', CSV otherwise.
const (
	Auto Format = iota
	CSV
	JSONL
)

func (f Format) String() string {
	switch f {
	case CSV:
		return "csv"
	case JSONL:
		return "jsonl"
	}
	return "auto"
}

// FormatOf returns the format a file name's extension names (.csv,
// .jsonl, .ndjson, any case), or Auto.
func FormatOf(name string) Format {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv":
		return CSV
	case ".jsonl", ".ndjson":
		return JSONL
	}
	return Auto
}

// ParseFormat reads "csv", "jsonl" or "ndjson".
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(s) {
	case "csv":
		return CSV, nil
	case "jsonl", "ndjson":
		return JSONL, nil
	}
	return Auto, fmt.Errorf("unknown format %q: use csv or jsonl", s)
}

// Default limits.
const (
	DefaultMaxLineBytes = 16 << 10 // a row: e-mail, name, phone and a 4 KiB hash fit easily
	DefaultMaxRows      = 1_000_000
	DefaultMaxFileBytes = 1 << 30
)

// Options adjust a Reader. Zero values mean the defaults.
type Options struct {
	Format       Format
	MaxLineBytes int   // longest row, in bytes (a quoted CSV value may span lines)
	MaxRows      int   // more data rows than this stop the file
	MaxFileBytes int64 // a larger file stops at this size
	// ValidRole reports whether a staff role exists. Nil accepts any
	// well-formed role name; the import refuses unknown ones later.
	ValidRole func(string) bool
}

// Reader reads a bulk file row by row. It keeps one row and the set of
// e-mails seen (16 bytes each, to report duplicates) in memory.
type Reader struct {
	opts   Options
	in     *limitReader
	br     *bufio.Reader
	format Format
	line   int // physical lines read
	rows   int
	cols   []int // CSV: field index of each column
	ncols  int
	seen   map[[16]byte]int // e-mail → line of its first row
	begun  bool
	done   bool
}

// NewReader returns a Reader of r.
func NewReader(r io.Reader, o Options) *Reader {
	if o.MaxLineBytes <= 0 {
		o.MaxLineBytes = DefaultMaxLineBytes
	}
	if o.MaxRows <= 0 {
		o.MaxRows = DefaultMaxRows
	}
	if o.MaxFileBytes <= 0 {
		o.MaxFileBytes = DefaultMaxFileBytes
	}
	in := &limitReader{r: r, max: o.MaxFileBytes}
	return &Reader{opts: o, in: in, br: bufio.NewReaderSize(in, o.MaxLineBytes+2), format: o.Format, seen: make(map[[16]byte]int)}
}

var _ identity.ImportSource = (*Reader)(nil)

// Format returns the file's format, detected by the first call to Next
// when the options asked for Auto.
func (r *Reader) Format() Format { return r.format }

// Next returns the next data row, valid or with its Problems, or io.EOF
// after the last. A file-level problem is returned once as an error
// holding *identity.RowError values; Next then returns io.EOF.
func (r *Reader) Next() (identity.ImportRow, error) {
	if r.done {
		return identity.ImportRow{}, io.EOF
	}
	row, err := r.next()
	if err != nil {
		r.done = true
	}
	return row, err
}

func (r *Reader) next() (identity.ImportRow, error) {
	if !r.begun {
		r.begun = true
		if err := r.begin(); err != nil {
			return identity.ImportRow{}, err
		}
	}
	var raw rawRow
	var err error
	if r.format == JSONL {
		raw, err = r.readJSON()
	} else {
		raw, err = r.readCSVRow()
	}
	if err != nil {
		return identity.ImportRow{}, err
	}
	r.rows++
	if r.rows > r.opts.MaxRows {
		return identity.ImportRow{}, fileError(raw.line, fmt.Sprintf("more than %d rows; split the file", r.opts.MaxRows))
	}
	return r.validate(raw), nil
}

// begin skips a byte-order mark, detects the format and reads the CSV
// header.
func (r *Reader) begin() error {
	if b, _ := r.br.Peek(3); bytes.Equal(b, []byte("\xEF\xBB\xBF")) {
		r.br.Discard(3)
	}
	if r.format == Auto {
		r.format = CSV
		for i := 1; ; i++ {
			b, err := r.br.Peek(i)
			if len(b) < i || err != nil {
				break
			}
			if c := b[i-1]; c != ' ' && c != '\t' && c != '\r' && c != '\n' {
				if c == '{' {
					r.format = JSONL
				}
				break
			}
			if i >= r.opts.MaxLineBytes {
				break
			}
		}
	}
	if r.format == CSV {
		return r.readHeader()
	}
	return nil
}

// errLineTooLong marks a physical line over the limit, consumed.
var errLineTooLong = errors.New("line too long")

// readLine returns the next physical line without its line ending.
func (r *Reader) readLine() ([]byte, error) {
	line, err := r.br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		r.line++
		for errors.Is(err, bufio.ErrBufferFull) {
			_, err = r.br.ReadSlice('\n')
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, r.readError(err)
		}
		return nil, errLineTooLong
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, r.readError(err)
	}
	if len(line) == 0 && err != nil {
		return nil, io.EOF
	}
	r.line++
	line = bytes.TrimSuffix(line, []byte("\n"))
	line = bytes.TrimSuffix(line, []byte("\r"))
	if len(line) > r.opts.MaxLineBytes {
		return nil, errLineTooLong
	}
	return line, nil
}

func (r *Reader) readError(err error) error {
	if errors.Is(err, errTooLarge) {
		return fileError(r.line+1, fmt.Sprintf("larger than %d bytes; split the file", r.opts.MaxFileBytes))
	}
	return err
}

func (r *Reader) tooLong() string {
	return fmt.Sprintf("row too long (more than %d bytes)", r.opts.MaxLineBytes)
}

// fileError is a problem that stops the file.
func fileError(line int, reason string) error {
	return &identity.RowError{Line: line, Field: "file", Reason: reason}
}

// errTooLarge is returned by limitReader past its limit.
var errTooLarge = errors.New("file too large")

// limitReader fails with errTooLarge when r holds more than max bytes.
type limitReader struct {
	r   io.Reader
	n   int64
	max int64
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.n >= l.max {
		var one [1]byte
		n, err := io.ReadFull(l.r, one[:])
		if n > 0 {
			return 0, errTooLarge
		}
		if errors.Is(err, io.ErrUnexpectedEOF) {
			err = io.EOF
		}
		return 0, err
	}
	if rest := l.max - l.n; int64(len(p)) > rest {
		p = p[:rest]
	}
	n, err := l.r.Read(p)
	l.n += int64(n)
	return n, err
}
