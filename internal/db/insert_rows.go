package db

import (
	"context"
	"strings"
)

// maxParams bounds the parameters of one statement, well under SQLite's
// 32,766 and PostgreSQL's 65,535.
const maxParams = 6000

// InsertRows runs prefix + "(?, …), (?, …)" + suffix for args, cols values
// a row, in as few statements as the parameter limit allows: the bulk
// import's and bulk loaders' multi-row inserts. prefix ends with "VALUES ".
func (tx *Tx) InsertRows(ctx context.Context, prefix string, cols int, args []any, suffix string) error {
	row := "(?" + strings.Repeat(", ?", cols-1) + ")"
	per := max(1, maxParams/cols)
	for start := 0; start < len(args); start += per * cols {
		chunk := args[start:min(start+per*cols, len(args))]
		n := len(chunk) / cols
		if _, err := tx.Exec(ctx, prefix+row+strings.Repeat(", "+row, n-1)+suffix, chunk...); err != nil {
			return err
		}
	}
	return nil
}
