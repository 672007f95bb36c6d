package db

import (
	"database/sql"
	"fmt"
)

// Scanner is what *sql.Row and *sql.Rows have in common, so one scan
// function serves both a look-up of one row and a list. It is an alias so
// that the scan functions the packages already write, taking
// interface{ Scan(...any) error }, fit it as they are.
type Scanner = interface{ Scan(dest ...any) error }

// Collect reads every row of a query through scan and closes the rows. It
// takes the two results of Tx.Query as they come:
//
//	rows, err := tx.Query(ctx, "SELECT … WHERE account_id = ?", id)
//	list, err := db.Collect(rows, err, scanThing)
//
// The error of the query, of a scan, or of the rows (rows.Err) is returned
// wrapped. A query without rows gives an empty slice, not nil, so that a
// list encodes as [] in JSON.
func Collect[T any](rows *sql.Rows, err error, scan func(Scanner) (T, error)) ([]T, error) {
	if err != nil {
		return nil, fmt.Errorf("db: query: %w", err)
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("db: read row: %w", err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: read rows: %w", err)
	}
	return out, nil
}

// Value scans a row of one column into a T, for lists of one column:
//
//	ids, err := db.Collect(rows, err, db.Value[string])
func Value[T any](row Scanner) (T, error) {
	var v T
	err := row.Scan(&v)
	return v, err
}
