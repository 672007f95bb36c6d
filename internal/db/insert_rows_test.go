package db_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/db/dbtest"
)

// InsertRows writes every row, across as many statements as the parameter
// limit needs (7,000 rows of 3 values are 21,000 parameters: four
// statements), and an empty list writes nothing.
func TestInsertRows(t *testing.T) {
	d := dbtest.OpenWith(t, dbtest.Options{NoMigrate: true})
	ctx := context.Background()
	const rows = 7000
	err := d.Write(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, "CREATE TABLE bulk_rows (id TEXT PRIMARY KEY, n INTEGER NOT NULL, label TEXT)"); err != nil {
			return err
		}
		if err := tx.InsertRows(ctx, "INSERT INTO bulk_rows (id, n, label) VALUES ", 3, nil, ""); err != nil {
			return err
		}
		args := make([]any, 0, rows*3)
		for i := range rows {
			args = append(args, fmt.Sprintf("r%05d", i), i, "row")
		}
		return tx.InsertRows(ctx, "INSERT INTO bulk_rows (id, n, label) VALUES ", 3, args, " ON CONFLICT DO NOTHING")
	})
	if err != nil {
		t.Fatal(err)
	}
	var n, sum int
	err = d.Read(ctx, func(tx *db.Tx) error {
		return tx.QueryRow(ctx, "SELECT COUNT(*), SUM(n) FROM bulk_rows").Scan(&n, &sum)
	})
	if err != nil || n != rows || sum != rows*(rows-1)/2 {
		t.Fatalf("%d rows, sum %d (%v); want %d, %d", n, sum, err, rows, rows*(rows-1)/2)
	}
}
