package privacy

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/backup"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/identity"
	pd "github.com/frontdesk/frontdesk/internal/personaldata"
)

// Erasure sources, as the audit entry records them.
const (
	SourceClosure  = "closure"
	SourceOperator = "operator"
	SourceRequest  = "request"
)

// Erased reports what an erasure did.
type Erased struct {
	AccountID string         `json:"account_id"`
	Rows      map[string]int `json:"rows"`     // table → rows deleted
	Held      map[string]int `json:"held"`     // table → rows kept under a legal hold
	Files     int            `json:"files"`    // files deleted (exports, outbox, archives)
	Ledgered  bool           `json:"ledgered"` // written into the erasure ledger
}

// Erase erases a customer now: their files, every row the registry lists
// for them (rows named by an active legal hold are first copied under the
// hold's own key), their data key (crypto-shredding what stays: audit
// payloads, backups), the mail in the outbox addressed to them; the
// erasure ledger and the audit trail record it in the same transaction.
// The audit chain still verifies. It fails with identity.ErrNotFound for
// an account that does not exist (or was erased already). // GDPR 17
func (s *Service) Erase(ctx context.Context, accountID, source string) (*Erased, error) {
	b, err := s.eraseBatch(ctx, []string{accountID}, source)
	if err != nil {
		return nil, err
	}
	if len(b.Accounts) == 0 {
		return nil, fmt.Errorf("privacy: erase %s: %w", accountID, identity.ErrNotFound)
	}
	return &Erased{AccountID: accountID, Rows: b.Rows, Held: b.Held, Files: b.Files, Ledgered: true}, nil
}

// ErasedBatch reports what EraseMany did: the accounts erased, those that
// no longer existed, and the rows and files of them all.
type ErasedBatch struct {
	Accounts []string       `json:"accounts"`
	Missing  []string       `json:"missing,omitempty"` // not found: erased before, or never there
	Rows     map[string]int `json:"rows"`              // table → rows deleted
	Held     map[string]int `json:"held"`              // table → rows kept under a legal hold
	Files    int            `json:"files"`
}

// EraseMany erases several customers as Erase does, a batch at a time
// (Options.EraseBatch): one transaction per batch, one DELETE per table of
// the registry for the whole batch, one audit entry and one ledger entry
// per account, and the outbox read once per batch. The batch is smaller on
// SQLite (25) than on PostgreSQL (100): SQLite has one writer, and every
// sign-in waits for it while a batch's transaction holds it; 25 accounts
// hold it for tens of milliseconds, and after each batch the erasure
// waits half as long again (Options.EraseYield), so that customers signing in
// meanwhile wait little (docs/benchmarks.md, "Erasure of 10,000
// accounts"). What the closure sweep and the
// inactive-account retention run. An account that does not exist is
// reported in Missing, not as an error. On an error, the batches before
// it are erased and reported; the failed batch changed nothing in the
// database. // GDPR 17
func (s *Service) EraseMany(ctx context.Context, accountIDs []string, source string) (*ErasedBatch, error) {
	out := &ErasedBatch{Rows: map[string]int{}, Held: map[string]int{}}
	seen := make(map[string]bool, len(accountIDs))
	ids := make([]string, 0, len(accountIDs))
	for _, id := range accountIDs {
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	size := max(1, s.o.EraseBatch)
	for start := 0; start < len(ids); start += size {
		t0 := time.Now()
		b, err := s.eraseBatch(ctx, ids[start:min(start+size, len(ids))], source)
		if err != nil {
			return out, err
		}
		if s.o.EraseYield > 0 {
			if err := sleep(ctx, time.Duration(s.o.EraseYield*float64(time.Since(t0)))); err != nil {
				return out, err
			}
		}
		out.Accounts = append(out.Accounts, b.Accounts...)
		out.Missing = append(out.Missing, b.Missing...)
		for t, n := range b.Rows {
			out.Rows[t] += n
		}
		for t, n := range b.Held {
			out.Held[t] += n
		}
		out.Files += b.Files
	}
	return out, nil
}

// sleep waits for d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// eraseBatch erases the accounts of ids (distinct, at most a batch) in one
// transaction.
func (s *Service) eraseBatch(ctx context.Context, ids []string, source string) (*ErasedBatch, error) {
	out := &ErasedBatch{Rows: map[string]int{}, Held: map[string]int{}}
	var needles, exportIDs []string
	err := s.o.DB.Read(ctx, func(tx *db.Tx) error {
		out.Accounts, out.Missing, needles = out.Accounts[:0], out.Missing[:0], needles[:0]
		for _, id := range ids {
			a, err := s.o.Accounts.AccountIn(ctx, tx, id)
			if errors.Is(err, identity.ErrNotFound) {
				out.Missing = append(out.Missing, id)
				continue
			}
			if err != nil {
				return err
			}
			out.Accounts = append(out.Accounts, id)
			for _, v := range []string{a.Email, a.Phone} {
				if v != "" {
					needles = append(needles, strings.ToLower(v))
				}
			}
		}
		if len(out.Accounts) == 0 {
			return nil
		}
		rows, err := tx.Query(ctx, `SELECT id FROM privacy_exports WHERE account_id IN (`+params(len(out.Accounts))+`)`, anys(out.Accounts)...)
		exportIDs, err = db.Collect(rows, err, db.Value[string])
		return err
	})
	if err != nil || len(out.Accounts) == 0 {
		return out, err
	}
	for _, id := range out.Accounts {
		for _, p := range s.o.Participants {
			if err := p.EraseFiles(ctx, id); err != nil {
				return out, fmt.Errorf("privacy: erase files: %w", err)
			}
		}
	}
	alone := len(out.Accounts) == 1
	batchID := ""
	if !alone {
		batchID = newID()
	}
	err = s.o.DB.Write(ctx, func(tx *db.Tx) error {
		clear(out.Rows)
		clear(out.Held)
		held, err := s.holding(ctx, tx, out.Accounts)
		if err != nil {
			return err
		}
		heldBy := map[string]map[string]int{}
		for _, id := range held {
			heldBy[id] = map[string]int{}
			if err := s.hold(ctx, tx, id, heldBy[id]); err != nil {
				return err
			}
			for t, n := range heldBy[id] {
				out.Held[t] += n
			}
		}
		if err := s.eraseRows(ctx, tx, out.Accounts, out.Rows); err != nil {
			return err
		}
		subjects := make([]string, len(out.Accounts))
		for i, id := range out.Accounts {
			subjects[i] = subject(id)
		}
		if err := s.o.Keys.DestroyMany(ctx, tx, subjects); err != nil {
			return err
		}
		if err := backup.RecordErasures(ctx, tx, subjects); err != nil {
			return err
		}
		if source == SourceClosure {
			if err := s.requestDone(ctx, tx, "account_id IN ("+params(len(out.Accounts))+") AND kind = 'erasure' AND channel = 'portal'",
				RequestFulfilled, "closure_erased", anys(out.Accounts)...); err != nil {
				return err
			}
		}
		for _, id := range out.Accounts {
			details := map[string]any{"source": source, "held": heldBy[id]}
			if heldBy[id] == nil {
				details["held"] = map[string]int{}
			}
			if alone {
				details["rows"] = out.Rows
			} else {
				details["batch"] = batchID // the rows are counted for the batch, in its own entry
			}
			if err := s.o.Audit.Record(ctx, tx, audit.Event{Action: "privacy.erase", Target: "account:" + id, Details: details}); err != nil {
				return err
			}
		}
		if alone {
			return nil
		}
		return s.o.Audit.Record(ctx, tx, audit.Event{Action: "privacy.erase.batch", Target: "erasure_batch:" + batchID,
			Details: map[string]any{"source": source, "accounts": len(out.Accounts), "rows": out.Rows, "held": out.Held}})
	})
	if err != nil {
		return nil, err
	}
	for _, id := range exportIDs {
		for _, suffix := range []string{"", ".part"} {
			if os.Remove(s.exportPath(id)+suffix) == nil {
				out.Files++
			}
		}
	}
	n, err := s.scrubOutbox(needles)
	out.Files += n
	if err != nil {
		return out, fmt.Errorf("privacy: erased, but the outbox was not fully cleared: %w", err)
	}
	s.log.Info("customers erased", "accounts", len(out.Accounts), "source", source, "files", out.Files)
	return out, nil
}

// holding returns the accounts of ids that have an active legal hold.
func (s *Service) holding(ctx context.Context, tx *db.Tx, ids []string) ([]string, error) {
	rows, err := tx.Query(ctx, `SELECT DISTINCT account_id FROM privacy_holds WHERE released_at IS NULL AND until_at > ? AND account_id IN (`+
		params(len(ids))+`) ORDER BY account_id`, append([]any{tx.Now()}, anys(ids)...)...)
	return db.Collect(rows, err, db.Value[string])
}

// eraseRows deletes the customers' rows from every table whose rule is
// Delete, in reverse registry order (children before the rows they point
// to), one statement per table for all of accountIDs.
func (s *Service) eraseRows(ctx context.Context, tx *db.Tx, accountIDs []string, counts map[string]int) error {
	tables := s.o.Registry.Personal()
	args := anys(accountIDs)
	for i := len(tables) - 1; i >= 0; i-- {
		t := tables[i]
		if t.EraseRule() != pd.Delete {
			continue
		}
		cond, err := subjectIn(t.Subject, len(accountIDs))
		if err != nil {
			return fmt.Errorf("privacy: erase %s (declared by %s): %w", t.Name, t.Owner, err)
		}
		res, err := tx.Exec(ctx, "DELETE FROM "+t.Name+" WHERE "+cond, args...)
		if err != nil {
			return fmt.Errorf("privacy: erase %s (declared by %s): %w", t.Name, t.Owner, err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			counts[t.Name] += int(n)
		}
	}
	return nil
}

// subjectIn turns a table's subject condition, written for one account
// ("account_id = ?", "subject = 'account:' || ?", or such a comparison
// inside a sub-select), into one for n accounts: the comparison with its
// single parameter becomes an IN list of n ("account_id IN (?, ?)"). A
// condition of another shape is an error, which the registry's test
// catches for every declared table.
func subjectIn(cond string, n int) (string, error) {
	q := strings.IndexByte(cond, '?')
	if q < 0 || strings.Count(cond, "?") != 1 {
		return "", fmt.Errorf("the subject condition %q must have exactly one parameter", cond)
	}
	eq := strings.LastIndexByte(cond[:q], '=')
	if eq < 0 || strings.ContainsAny(cond[eq+1:q], "()=<>") {
		return "", fmt.Errorf("the subject condition %q does not compare its parameter with =", cond)
	}
	if n == 1 {
		return cond, nil
	}
	item := strings.TrimSpace(cond[eq+1:q] + "?") // "?" or "'account:' || ?"
	list := item + strings.Repeat(", "+item, n-1)
	return cond[:eq] + "IN (" + list + ")" + cond[q+1:], nil
}

// params returns n comma-separated placeholders.
func params(n int) string { return "?" + strings.Repeat(", ?", n-1) }

func anys(ids []string) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}

// ReplayHook returns the erasure hook for internal/backup's
// ReplayErasures: in a restored database, it deletes again the rows of an
// erased customer that the backup brought back (their key is destroyed by
// then, and the hook runs in the replay's transaction).
func ReplayHook(r *Registry) backup.ErasureHook {
	s := &Service{o: Options{Registry: r}}
	return func(ctx context.Context, tx *db.Tx, subj string) error {
		accountID, ok := strings.CutPrefix(subj, "account:")
		if !ok {
			return nil
		}
		return s.eraseRows(ctx, tx, []string{accountID}, map[string]int{})
	}
}

// scrubOutbox deletes the outbox files (e-mails, text messages) that
// mention any of needles (the erased customers' e-mail addresses and phone
// numbers, in lower case), reading the outbox once. A mail still being
// written (".NAME.*.tmp", renamed when whole) is waited for and read once
// it has its name, for a moment at most; a file another process removed
// meanwhile is no error.
func (s *Service) scrubOutbox(needles []string) (int, error) {
	if len(needles) == 0 {
		return 0, nil
	}
	dir := filepath.Join(s.o.DataDir, "outbox")
	n := 0
	var errs []error
	seen := map[string]bool{}
	for attempt := 0; ; attempt++ {
		entries, err := os.ReadDir(dir)
		if errors.Is(err, os.ErrNotExist) {
			return n, errors.Join(errs...)
		}
		if err != nil {
			return n, errors.Join(append(errs, err)...)
		}
		writing := false
		for _, e := range entries {
			name := e.Name()
			if e.IsDir() || seen[name] {
				continue
			}
			if strings.HasPrefix(name, ".") && strings.HasSuffix(name, ".tmp") {
				writing = true
				continue
			}
			seen[name] = true
			p := filepath.Join(dir, name)
			hit, err := mentions(p, needles)
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			if err != nil {
				errs = append(errs, err)
				continue
			}
			if hit {
				if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
					errs = append(errs, err)
					continue
				}
				n++
			}
		}
		if !writing || attempt == 40 {
			return n, errors.Join(errs...)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// mentions reports whether the file's text contains any needle (lower
// case), reading it a line at a time.
func mentions(path string, needles []string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for sc.Scan() {
		line := strings.ToLower(sc.Text())
		for _, n := range needles {
			if strings.Contains(line, n) {
				return true, nil
			}
		}
	}
	return false, sc.Err()
}

// heldAAD binds a held row to its hold and position.
func heldAAD(holdID, seq any) []byte {
	return []byte(fmt.Sprintf("privacy_held_rows.row:%v:%v", holdID, seq))
}

// hold copies, before erasure, the rows each active legal hold of the
// customer names, sealed under the hold's own data key, counting them by
// table in counts.
func (s *Service) hold(ctx context.Context, tx *db.Tx, accountID string, counts map[string]int) error {
	rows, err := tx.Query(ctx, `SELECT id, tables FROM privacy_holds WHERE account_id = ? AND released_at IS NULL AND until_at > ?`,
		accountID, tx.Now())
	holds, err := db.Collect(rows, err, func(r db.Scanner) (h [2]string, err error) {
		err = r.Scan(&h[0], &h[1])
		return h, err
	})
	if err != nil || len(holds) == 0 {
		return err
	}
	key, err := s.o.Keys.DataKey(ctx, tx, subject(accountID))
	if err != nil {
		return err
	}
	for _, h := range holds {
		holdKey, err := s.o.Keys.DataKey(ctx, tx, "hold:"+h[0])
		if err != nil {
			return err
		}
		var seq int
		if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(seq), 0) FROM privacy_held_rows WHERE hold_id = ?`, h[0]).Scan(&seq); err != nil {
			return err
		}
		for _, name := range strings.Split(h[1], ",") {
			t, ok := s.o.Registry.Table(strings.TrimSpace(name))
			if !ok || t.Subject == "" {
				continue
			}
			var kept []pd.Row
			if err := eachRow(ctx, tx, t, accountID, key, func(_ []string, r pd.Row) error {
				kept = append(kept, r)
				return nil
			}); err != nil {
				return err
			}
			for _, r := range kept {
				b, err := json.Marshal(r)
				if err != nil {
					return err
				}
				seq++
				if _, err := tx.Exec(ctx, `INSERT INTO privacy_held_rows (hold_id, seq, table_name, row_sealed) VALUES (?, ?, ?, ?)`,
					h[0], seq, t.Name, holdKey.Seal(b, heldAAD(h[0], seq))); err != nil {
					return err
				}
				counts[t.Name]++
			}
		}
	}
	return nil
}
