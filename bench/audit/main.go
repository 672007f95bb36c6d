// Command audit measures the audit trail: append throughput inside
// transactions of a given size, and the time `frontdesk audit verify` needs
// for the whole chain. It runs on a fresh SQLite file, or on a fresh
// PostgreSQL database created (and dropped) under -postgres.
//
//	go run ./bench/audit -entries 1000000
//	go run ./bench/audit -entries 1000000 -postgres 'postgres://postgres:postgres@127.0.0.1:5432/postgres?sslmode=disable'
package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/keyring"
)

func main() {
	entries := flag.Int("entries", 1_000_000, "entries to append")
	batch := flag.Int("batch", 100, "entries per transaction")
	subjects := flag.Int("subjects", 10_000, "distinct subjects whose data keys seal personal details")
	pgURL := flag.String("postgres", "", "PostgreSQL server URL; a fresh database is created on it")
	flag.Parse()
	if err := run(*entries, *batch, *subjects, *pgURL); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(entries, batch, subjects int, pgURL string) error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "fd-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	dbURL := ""
	if pgURL != "" {
		name := "fd_bench_" + randomHex(6)
		admin, err := sql.Open("pgx", pgURL)
		if err != nil {
			return err
		}
		defer admin.Close()
		if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
			return err
		}
		defer admin.Exec("DROP DATABASE " + name + " WITH (FORCE)")
		u, _ := url.Parse(pgURL)
		u.Path = "/" + name
		dbURL = u.String()
	}
	d, err := db.Open(ctx, db.Options{URL: dbURL, DataDir: dir})
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Migrate(ctx, nil); err != nil {
		return err
	}
	keys, err := keyring.New(ctx, d, keyring.Options{MasterKeyFile: filepath.Join(dir, "master.key"), Create: true})
	if err != nil {
		return err
	}
	signer, err := audit.LoadSigner(filepath.Join(dir, "audit.key"))
	if err != nil {
		return err
	}
	log := audit.New(keys, signer, audit.Options{CheckpointEvery: 1000})
	actx := audit.WithOrigin(audit.WithActor(ctx, audit.Actor{ID: "staff-42", Kind: audit.ActorStaff, SessionHash: "9f86d081884c7d65"}),
		audit.Origin{IP: "203.0.113.7", UserAgent: "Mozilla/5.0 (X11; Linux x86_64) bench", RequestID: "bench"})

	// Create the subjects' data keys first: account creation, not audit, pays for them.
	for i := 0; i < subjects; i += 500 {
		err := d.Write(ctx, func(tx *db.Tx) error {
			for j := i; j < min(i+500, subjects); j++ {
				if _, err := keys.DataKey(ctx, tx, fmt.Sprintf("account:%d", j)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}

	start := time.Now()
	for i := 0; i < entries; i += batch {
		err := d.Write(actx, func(tx *db.Tx) error {
			for j := i; j < min(i+batch, entries); j++ {
				subject := fmt.Sprintf("account:%d", j%subjects)
				ev := audit.Event{Action: "account.unlock", Target: subject, Subject: subject,
					Details: map[string]any{"reason": "customer called", "ticket": j}}
				if j%2 == 0 { // half the entries carry sealed personal details
					ev.Personal = map[string]any{"email": "customer@example.com"}
				}
				if err := log.Record(actx, tx, ev); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		if (i/batch)%1000 == 0 && i > 0 {
			fmt.Fprintf(os.Stderr, "appended %d…\n", i)
		}
	}
	appendDur := time.Since(start)

	start = time.Now()
	r, err := audit.Verify(ctx, d, signer, nil)
	if err != nil {
		return err
	}
	verifyDur := time.Since(start)
	if !r.OK() || r.Entries != int64(entries) {
		return fmt.Errorf("verify: %+v", r)
	}
	fmt.Printf("| %s | %d | %d | %.0f entries/s (%s) | %s | %s/%s, %d CPUs |\n",
		d.Dialect(), entries, batch, float64(entries)/appendDur.Seconds(), appendDur.Round(time.Millisecond),
		verifyDur.Round(time.Millisecond), runtime.GOOS, runtime.GOARCH, runtime.NumCPU())
	return nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
