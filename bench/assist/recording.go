package main

import (
	"context"
	"time"

	"github.com/frontdesk/frontdesk/internal/db"
)

// recorded is what the server stored of the sessions' recordings.
type recorded struct {
	sessions  int
	bytes     int64
	span      time.Duration // summed over sessions, first to last entry
	perMinute float64       // stored bytes per minute of one session
}

// readRecorded sums the sealed chunks of every session in the server's
// database (opened beside the server, as "frontdesk" commands do).
func readRecorded(ctx context.Context, url, dataDir string) (recorded, error) {
	var r recorded
	d, err := db.Open(ctx, db.Options{URL: url, DataDir: dataDir})
	if err != nil {
		return r, err
	}
	defer d.Close()
	err = d.Read(ctx, func(tx *db.Tx) error {
		// Chunk by chunk: SQLite gives aggregates of timestamps as text.
		rows, err := tx.Query(ctx, `SELECT session_id, LENGTH(data_sealed), first_at, last_at FROM assist_chunks`)
		if err != nil {
			return err
		}
		defer rows.Close()
		type span struct{ first, last time.Time }
		spans := map[string]*span{}
		for rows.Next() {
			var id string
			var n int64
			var first, last time.Time
			if err := rows.Scan(&id, &n, &first, &last); err != nil {
				return err
			}
			r.bytes += n
			sp := spans[id]
			if sp == nil {
				spans[id] = &span{first, last}
				continue
			}
			if first.Before(sp.first) {
				sp.first = first
			}
			if last.After(sp.last) {
				sp.last = last
			}
		}
		r.sessions = len(spans)
		for _, sp := range spans {
			r.span += sp.last.Sub(sp.first)
		}
		return rows.Err()
	})
	if r.span > 0 {
		r.perMinute = float64(r.bytes) / r.span.Minutes()
	}
	return r, err
}
