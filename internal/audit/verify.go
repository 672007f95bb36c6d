package audit

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/frontdesk/frontdesk/internal/db"
)

// Report is the result of Verify.
type Report struct {
	Entries     int64
	Checkpoints int
	// FirstBroken is the first sequence number whose entry is missing,
	// altered, inserted or out of order; 0 when the chain is intact.
	FirstBroken int64
	// Problem says what is wrong at FirstBroken.
	Problem string
}

// OK reports whether the chain is intact.
func (r Report) OK() bool { return r.FirstBroken == 0 }

func (r *Report) fail(seq int64, format string, args ...any) {
	if r.FirstBroken == 0 || seq < r.FirstBroken {
		r.FirstBroken = seq
		r.Problem = fmt.Sprintf(format, args...)
	}
}

const entryColumns = `seq, at, actor_id, actor_kind, actor_session, action, target, outcome,
	source_ip, user_agent, request_id, subject, details, personal, personal_digest, prev_hash, hash`

// scanEntries calls fn for each entry matching where, in order; limit > 0
// caps their number.
func scanEntries(ctx context.Context, tx *db.Tx, where string, args []any, limit int, fn func(*Entry) error) error {
	q := `SELECT ` + entryColumns + ` FROM audit_log ` + where + ` ORDER BY seq`
	if limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", limit)
	}
	rows, err := tx.Query(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("audit: read entries: %w", err)
	}
	defer rows.Close()
	// Entries stream through fn one at a time rather than through
	// db.Collect: a verification reads the whole chain, millions of rows.
	// One Entry for all rows: fn must not keep the pointer.
	var e Entry
	for rows.Next() {
		if e, err = scanEntry(rows); err != nil {
			return fmt.Errorf("audit: read entry: %w", err)
		}
		if err := fn(&e); err != nil {
			return err
		}
	}
	return rows.Err()
}

type checkpoint struct {
	seq       int64
	hash      []byte
	keyID     string
	signature []byte
}

// Verify walks the whole chain and the signed checkpoints. It detects an
// entry modified, deleted, inserted or moved (the chain breaks there), a
// chain rewritten from some point on (a signed checkpoint no longer matches),
// and a cut tail (a checkpoint or the head points past the last entry).
// progress, if set, is called every 100,000 entries.
func Verify(ctx context.Context, d *db.DB, signer *Signer, progress func(n int64)) (Report, error) {
	var r Report
	err := d.Read(ctx, func(tx *db.Tx) error {
		cps, err := readCheckpoints(ctx, tx)
		if err != nil {
			return err
		}
		r.Checkpoints = len(cps)
		bySeq := make(map[int64]checkpoint, len(cps))
		for _, cp := range cps {
			if !signer.verify(cp.keyID, cp.seq, cp.hash, cp.signature) {
				r.fail(cp.seq, "checkpoint at %d has a signature that does not verify with the audit signing key", cp.seq)
			}
			bySeq[cp.seq] = cp
		}
		var headSeq int64
		var headHash []byte
		if err := tx.QueryRow(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&headSeq, &headHash); err != nil {
			return fmt.Errorf("audit: read chain head: %w", err)
		}

		want := int64(1)
		prev := make([]byte, 32)
		err = scanEntries(ctx, tx, "", nil, 0, func(e *Entry) error {
			r.Entries++
			if progress != nil && r.Entries%100_000 == 0 {
				progress(r.Entries)
			}
			switch {
			case e.Seq != want:
				r.fail(want, "entry %d is missing (the next entry is %d)", want, e.Seq)
			case !bytes.Equal(e.PrevHash, prev):
				r.fail(e.Seq, "entry %d does not follow entry %d (inserted, deleted or reordered)", e.Seq, e.Seq-1)
			case !bytes.Equal(e.computeHash(), e.Hash):
				r.fail(e.Seq, "entry %d was modified (its hash does not match its content)", e.Seq)
			case e.PersonalDigest != nil && e.Personal != nil && !bytes.Equal(personalDigest(e.Personal), e.PersonalDigest):
				r.fail(e.Seq, "entry %d's personal details were modified (they do not match the digest the chain holds)", e.Seq)
			}
			if cp, ok := bySeq[e.Seq]; ok && !bytes.Equal(cp.hash, e.Hash) {
				r.fail(e.Seq, "entry %d differs from the signed checkpoint (the chain was rewritten up to here)", e.Seq)
			}
			prev = e.Hash
			want = e.Seq + 1
			if r.FirstBroken != 0 && r.FirstBroken < e.Seq {
				return errStop
			}
			return nil
		})
		if err != nil && err != errStop {
			return err
		}
		if r.FirstBroken != 0 {
			return nil
		}
		last := want - 1
		if len(cps) > 0 && cps[len(cps)-1].seq > last {
			r.fail(last+1, "entries after %d are missing: a signed checkpoint covers up to %d", last, cps[len(cps)-1].seq)
		}
		if headSeq != last || (last > 0 && !bytes.Equal(headHash, prev)) {
			r.fail(min(headSeq, last)+1, "the chain ends at %d but its head says %d", last, headSeq)
		}
		return nil
	})
	return r, err
}

type stopError struct{}

func (stopError) Error() string { return "stop" }

var errStop error = stopError{}

func readCheckpoints(ctx context.Context, tx *db.Tx) ([]checkpoint, error) {
	rows, err := tx.Query(ctx, `SELECT seq, hash, key_id, signature FROM audit_checkpoints ORDER BY seq`)
	cps, err := db.Collect(rows, err, func(row db.Scanner) (cp checkpoint, err error) {
		err = row.Scan(&cp.seq, &cp.hash, &cp.keyID, &cp.signature)
		return cp, err
	})
	if err != nil {
		return nil, fmt.Errorf("audit: read checkpoints: %w", err)
	}
	return cps, nil
}

// LastCheckpoint returns the time of the newest checkpoint, for /metrics.
func LastCheckpoint(ctx context.Context, tx *db.Tx) (time.Time, error) {
	var t time.Time
	err := tx.QueryRow(ctx, `SELECT at FROM audit_checkpoints ORDER BY seq DESC LIMIT 1`).Scan(&t)
	return t, db.NotFound(err)
}
