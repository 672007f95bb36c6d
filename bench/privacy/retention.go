package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/bench/internal/benchkit"
	"github.com/frontdesk/frontdesk/internal/app"
	"github.com/frontdesk/frontdesk/internal/db"
)

// runRetention seeds o.rows expired sign-in events and purges them with
// `frontdesk privacy retention` while clients sign in.
func runRetention(e *env, o options) error {
	inst, err := e.start()
	if err != nil {
		return err
	}
	defer inst.Stop()
	emails, err := register(inst.URL(), e.work, o.accounts)
	if err != nil {
		return err
	}
	t0 := time.Now()
	if err := seedHistory(e.cfg, nil, o.rows, time.Now().Add(-400*24*time.Hour)); err != nil {
		return err
	}
	benchkit.Logf("%s: %d expired sign-in events seeded in %s (load %s)", e.dbName, o.rows, time.Since(t0).Round(time.Millisecond), benchkit.LoadAvg())

	var out bytes.Buffer
	baseline, during, took, err := phases(inst.URL(), emails, o, func() error {
		code := app.Main(context.Background(), []string{"privacy", "retention"}, app.Env{Getenv: e.getenv, Stdout: &out, Stderr: os.Stderr})
		if code != 0 {
			return fmt.Errorf("the purge failed (%d): %s", code, out.String())
		}
		return nil
	})
	if err != nil {
		return err
	}
	purged := 0
	for _, line := range strings.Split(out.String(), "\n") {
		if f := strings.Fields(line); len(f) > 2 && f[0] == "sign_in_history" {
			fmt.Sscan(f[1], &purged)
		}
	}
	if purged != o.rows {
		return fmt.Errorf("the purge removed %d rows, not the %d seeded:\n%s", purged, o.rows, out.String())
	}
	fmt.Printf("| %s | rows purged | purge time | rows/s | sign-ins | p50 | p99 | p99 / baseline |\n|---|---|---|---|---|---|---|---|\n", e.dbName)
	fmt.Printf("| baseline (before + after) | | | | %d | %s | %s | |\n", len(baseline.lat), pct(baseline.lat, 50), pct(baseline.lat, 99))
	fmt.Printf("| during the purge | %d | %s | %.0f | %d | %s | %s | %s |\n", purged, took.Round(time.Millisecond),
		float64(purged)/took.Seconds(), len(during.lat), pct(during.lat, 50), pct(during.lat, 99), ratio(during.lat, baseline.lat))
	return nil
}

// seedHistory inserts rows sign-in events dated from at on, one a second,
// spread over the accounts ids (every account when ids is nil), 1,000 a
// statement and 20 statements a transaction.
func seedHistory(cfg app.Config, ids []string, rows int, at time.Time) error {
	ctx := context.Background()
	d, err := db.Open(ctx, db.Options{URL: cfg.DatabaseURL, DataDir: cfg.DataDir})
	if err != nil {
		return err
	}
	defer d.Close()
	if ids == nil {
		if err := d.Read(ctx, func(tx *db.Tx) error {
			r, err := tx.Query(ctx, `SELECT id FROM accounts`)
			ids, err = db.Collect(r, err, db.Value[string])
			return err
		}); err != nil {
			return err
		}
	}
	const perStmt, perTx = 1000, 20
	for start := 0; start < rows; start += perStmt * perTx {
		err := d.Write(ctx, func(tx *db.Tx) error {
			for s := start; s < min(rows, start+perStmt*perTx); s += perStmt {
				n := min(perStmt, rows-s)
				args := make([]any, 0, 4*n)
				for i := range n {
					b := make([]byte, 16)
					rand.Read(b)
					args = append(args, hex.EncodeToString(b), ids[(s+i)%len(ids)], at.Add(time.Duration(s+i)*time.Second), "success")
				}
				q := `INSERT INTO login_events (id, account_id, at, result) VALUES ` + strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?), ", n), ", ")
				if _, err := tx.Exec(ctx, q, args...); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}
