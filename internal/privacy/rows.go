package privacy

import (
	"context"
	"encoding/base64"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/keyring"
	pd "github.com/frontdesk/frontdesk/internal/personaldata"
)

// unreadable stands for a sealed value this key cannot open (sealed with
// another subject's key, or damaged).
const unreadable = "(sealed; cannot be opened)"

// eachRow calls fn with every row of the customer in table t, its sealed
// columns opened with key and its credential columns left out. cols lists
// the columns fn gets, in the table's order. fn must not query the
// database: the rows are still being read.
func eachRow(ctx context.Context, tx *db.Tx, t Declared, accountID string, key *keyring.DataKey,
	fn func(cols []string, row pd.Row) error) error {
	rows, err := tx.Query(ctx, "SELECT * FROM "+t.Name+" WHERE "+t.Subject, accountID)
	if err != nil {
		return fmt.Errorf("privacy: read %s: %w", t.Name, err)
	}
	defer rows.Close()
	all, err := rows.Columns()
	if err != nil {
		return err
	}
	var cols []string
	for _, c := range all {
		if t.Personal[c] != pd.Credential {
			cols = append(cols, c)
		}
	}
	vals := make([]any, len(all))
	ptrs := make([]any, len(all))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		row := make(pd.Row, len(all))
		for i, c := range all {
			row[c] = vals[i]
		}
		out := make(pd.Row, len(cols))
		for _, c := range cols {
			out[c] = plain(row[c])
			if pd.Sealed(c) || (t.Personal[c] != pd.None && isSealedBlob(row[c])) {
				out[c] = openValue(key, row[c], t.SealedAAD(c, row))
			}
		}
		if err := fn(cols, out); err != nil {
			return err
		}
	}
	return rows.Err()
}

// isSealedBlob reports whether v looks like a keyring ciphertext (a sealed
// column whose name does not say so, such as login_events.sealed).
func isSealedBlob(v any) bool {
	b, ok := v.([]byte)
	if !ok {
		return false
	}
	_, err := keyring.CiphertextKeyID(b)
	return err == nil
}

// openValue opens a sealed value: text when it is text, bytes otherwise.
func openValue(key *keyring.DataKey, v any, aad []byte) any {
	b, ok := v.([]byte)
	if !ok || b == nil {
		return nil
	}
	if key == nil {
		return unreadable
	}
	pt, err := key.Open(b, aad)
	if err != nil {
		return unreadable
	}
	if utf8.Valid(pt) {
		return string(pt)
	}
	return pt
}

// plain turns a driver value into one JSON and CSV show well.
func plain(v any) any {
	switch x := v.(type) {
	case []byte:
		if utf8.Valid(x) {
			return string(x)
		}
		return x
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	}
	return v
}

// cell renders a value for CSV.
func cell(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case []byte:
		return base64.StdEncoding.EncodeToString(x)
	case string:
		return x
	}
	return fmt.Sprint(v)
}
