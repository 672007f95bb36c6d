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

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/backup"
	"github.com/frontdesk/frontdesk/internal/db"
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
// The audit chain still verifies. // GDPR 17
func (s *Service) Erase(ctx context.Context, accountID, source string) (*Erased, error) {
	var email, phone string
	var exportIDs []string
	err := s.o.DB.Read(ctx, func(tx *db.Tx) error {
		a, err := s.o.Accounts.AccountIn(ctx, tx, accountID)
		if err != nil {
			return err
		}
		email, phone = a.Email, a.Phone
		rows, err := tx.Query(ctx, `SELECT id FROM privacy_exports WHERE account_id = ?`, accountID)
		exportIDs, err = db.Collect(rows, err, db.Value[string])
		return err
	})
	if err != nil {
		return nil, err
	}
	out := &Erased{AccountID: accountID, Rows: map[string]int{}, Held: map[string]int{}}
	for _, p := range s.o.Participants {
		if err := p.EraseFiles(ctx, accountID); err != nil {
			return nil, fmt.Errorf("privacy: erase files: %w", err)
		}
	}
	err = s.o.DB.Write(ctx, func(tx *db.Tx) error {
		clear(out.Rows)
		clear(out.Held)
		if err := s.hold(ctx, tx, accountID, out); err != nil {
			return err
		}
		if err := s.eraseRows(ctx, tx, accountID, out.Rows); err != nil {
			return err
		}
		if err := s.o.Keys.Destroy(ctx, tx, subject(accountID)); err != nil {
			return err
		}
		if err := backup.RecordErasure(ctx, tx, subject(accountID)); err != nil {
			return err
		}
		out.Ledgered = true
		if source == SourceClosure {
			if err := s.requestDone(ctx, tx, "account_id = ? AND kind = 'erasure' AND channel = 'portal'", RequestFulfilled,
				"closure_erased", accountID); err != nil {
				return err
			}
		}
		return s.o.Audit.Record(ctx, tx, audit.Event{Action: "privacy.erase", Target: "account:" + accountID,
			Details: map[string]any{"source": source, "rows": out.Rows, "held": out.Held}})
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
	n, err := s.scrubOutbox(email, phone)
	out.Files += n
	if err != nil {
		return out, fmt.Errorf("privacy: erased, but the outbox was not fully cleared: %w", err)
	}
	s.log.Info("customer erased", "account", accountID, "source", source, "files", out.Files)
	return out, nil
}

// eraseRows deletes the customer's rows from every table whose rule is
// Delete, in reverse registry order: children before the rows they point to.
func (s *Service) eraseRows(ctx context.Context, tx *db.Tx, accountID string, counts map[string]int) error {
	tables := s.o.Registry.Personal()
	for i := len(tables) - 1; i >= 0; i-- {
		t := tables[i]
		if t.EraseRule() != pd.Delete {
			continue
		}
		res, err := tx.Exec(ctx, "DELETE FROM "+t.Name+" WHERE "+t.Subject, accountID)
		if err != nil {
			return fmt.Errorf("privacy: erase %s (declared by %s): %w", t.Name, t.Owner, err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			counts[t.Name] = int(n)
		}
	}
	return nil
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
		return s.eraseRows(ctx, tx, accountID, map[string]int{})
	}
}

// scrubOutbox deletes the outbox files (e-mails, text messages) addressed to
// the customer's e-mail address or phone number.
func (s *Service) scrubOutbox(email, phone string) (int, error) {
	dir := filepath.Join(s.o.DataDir, "outbox")
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	var needles []string
	for _, v := range []string{email, phone} {
		if v != "" {
			needles = append(needles, strings.ToLower(v))
		}
	}
	n := 0
	var errs []error
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		p := filepath.Join(dir, e.Name())
		hit, err := mentions(p, needles)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if hit {
			if err := os.Remove(p); err != nil {
				errs = append(errs, err)
				continue
			}
			n++
		}
	}
	return n, errors.Join(errs...)
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
// customer names, sealed under the hold's own data key.
func (s *Service) hold(ctx context.Context, tx *db.Tx, accountID string, out *Erased) error {
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
				out.Held[t.Name]++
			}
		}
	}
	return nil
}
