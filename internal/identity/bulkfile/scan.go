package bulkfile

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"

	"github.com/frontdesk/frontdesk/internal/identity"
)

// Summary is what a first pass over a bulk file found, before anything
// is imported: the number of data rows (for a progress bar), the problems
// of invalid rows, the file-level problems that make the whole file
// unusable (a bad header, a limit exceeded), and the file's SHA-256 for
// the audit trail.
type Summary struct {
	Rows     int
	Problems []identity.RowError
	Fatal    []identity.RowError
	Digest   string
}

// Scan reads a whole file once. Its error is an I/O error only: problems
// of the file itself are in Summary.Fatal.
func Scan(in io.Reader, o Options) (Summary, error) {
	var s Summary
	h := sha256.New()
	r := NewReader(io.TeeReader(in, h), o)
	for {
		row, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if s.Fatal = Problems(err); len(s.Fatal) == 0 {
				return s, err
			}
			break
		}
		s.Rows++
		s.Problems = append(s.Problems, row.Problems...)
	}
	s.Digest = hex.EncodeToString(h.Sum(nil))
	return s, nil
}

// Problems returns the row errors err holds (a file-level error of Next
// joins one per problem).
func Problems(err error) []identity.RowError {
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	var out []identity.RowError
	for _, e := range errs {
		var re *identity.RowError
		if errors.As(e, &re) {
			out = append(out, *re)
		}
	}
	return out
}
