package backup

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/frontdesk/frontdesk/internal/db"
)

// Erasure is one line of the erasure ledger: a data-key subject (such as
// "account:<id>") whose key was destroyed, and when.
type Erasure struct {
	Subject  string    `json:"subject"`
	ErasedAt time.Time `json:"erased_at"`
}

// RecordErasure writes, in the caller's transaction, that subject's data key
// has been destroyed. Call it in the same transaction as keyring.Destroy:
// the ledger is copied into the backup repository apart from any backup and
// replayed after every restore, so that a backup taken before the erasure
// never brings the customer back. Recording a subject twice keeps the first
// time.
func RecordErasure(ctx context.Context, tx *db.Tx, subject string) error {
	return RecordErasures(ctx, tx, []string{subject})
}

// RecordErasures writes several erasures into the ledger, in multi-row
// inserts: what a batch of erasures needs.
func RecordErasures(ctx context.Context, tx *db.Tx, subjects []string) error {
	now := tx.Now()
	args := make([]any, 0, 2*len(subjects))
	for _, s := range subjects {
		if s == "" {
			return errors.New("backup: erasure of an empty subject")
		}
		args = append(args, s, now)
	}
	if err := tx.InsertRows(ctx, `INSERT INTO erasure_ledger (subject, erased_at) VALUES `, 2, args,
		` ON CONFLICT (subject) DO NOTHING`); err != nil {
		return fmt.Errorf("backup: record erasure: %w", err)
	}
	return nil
}

// Erasures returns the whole ledger, oldest first.
func Erasures(ctx context.Context, tx *db.Tx) ([]Erasure, error) {
	rows, err := tx.Query(ctx, `SELECT subject, erased_at FROM erasure_ledger ORDER BY erased_at, subject`)
	out, err := db.Collect(rows, err, func(r db.Scanner) (e Erasure, err error) {
		err = r.Scan(&e.Subject, &e.ErasedAt)
		e.ErasedAt = e.ErasedAt.UTC()
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("backup: read erasure ledger: %w", err)
	}
	return out, nil
}

// ErasureHook undoes, in a restored database, what a restore brought back of
// an erased subject. The restore calls every hook for every ledger line,
// inside one transaction, after the subject's data key has been destroyed
// again; a hook must therefore be idempotent. internal/privacy adds its own
// (files, search entries) through the wiring in app.
type ErasureHook func(ctx context.Context, tx *db.Tx, subject string) error

// KeyDestroyer is the part of the keyring a replay needs.
type KeyDestroyer interface {
	Destroy(ctx context.Context, tx *db.Tx, subject string) error
}

// ReplayErasures applies the ledger lines to a restored database: each
// subject's data key is destroyed (crypto-shredding every copy of its data
// the backup held), the hooks run, and the line is written into the restored
// ledger so that the next backup carries it too. It returns how many
// subjects it replayed.
func ReplayErasures(ctx context.Context, d *db.DB, keys KeyDestroyer, ledger []Erasure, hooks ...ErasureHook) (int, error) {
	if len(ledger) == 0 {
		return 0, nil
	}
	err := d.Write(ctx, func(tx *db.Tx) error {
		for _, e := range ledger {
			if err := keys.Destroy(ctx, tx, e.Subject); err != nil {
				return err
			}
			for _, h := range hooks {
				if err := h(ctx, tx, e.Subject); err != nil {
					return fmt.Errorf("backup: replay erasure of %s: %w", e.Subject, err)
				}
			}
			_, err := tx.Exec(ctx, `INSERT INTO erasure_ledger (subject, erased_at) VALUES (?, ?)
				ON CONFLICT (subject) DO NOTHING`, e.Subject, e.ErasedAt)
			if err != nil {
				return fmt.Errorf("backup: replay erasure ledger: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return len(ledger), nil
}

// mergeLedgers joins ledgers, keeping each subject once with its earliest
// time, ordered by time.
func mergeLedgers(ls ...[]Erasure) []Erasure {
	first := map[string]time.Time{}
	for _, l := range ls {
		for _, e := range l {
			if t, ok := first[e.Subject]; !ok || e.ErasedAt.Before(t) {
				first[e.Subject] = e.ErasedAt
			}
		}
	}
	out := make([]Erasure, 0, len(first))
	for s, t := range first {
		out = append(out, Erasure{Subject: s, ErasedAt: t})
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].ErasedAt.Equal(out[j].ErasedAt) {
			return out[i].ErasedAt.Before(out[j].ErasedAt)
		}
		return out[i].Subject < out[j].Subject
	})
	return out
}
