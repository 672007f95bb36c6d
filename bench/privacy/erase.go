package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/frontdesk/frontdesk/bench/internal/benchkit"
	"github.com/frontdesk/frontdesk/internal/app"
	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
	pd "github.com/frontdesk/frontdesk/internal/personaldata"
	"github.com/frontdesk/frontdesk/internal/privacy"
	"github.com/frontdesk/frontdesk/internal/support"
)

// runErase imports o.erase customers, gives each sign-in history and
// support conversations, and erases them all in one batch while clients
// sign in.
func runErase(e *env, o options) error {
	ctx := context.Background()
	inst, err := e.start()
	if err != nil {
		return err
	}
	defer inst.Stop()
	t0 := time.Now()
	if err := importAccounts(e, "erase", o.erase); err != nil {
		return err
	}
	svc, err := openServices(ctx, e.cfg, o.eraseBatch, o.eraseYield)
	if err != nil {
		return err
	}
	defer svc.close()
	var ids []string
	if err := svc.db.Read(ctx, func(tx *db.Tx) error {
		r, err := tx.Query(ctx, `SELECT id FROM accounts WHERE kind = 'customer'`)
		ids, err = db.Collect(r, err, db.Value[string])
		return err
	}); err != nil {
		return err
	}
	if len(ids) != o.erase {
		return fmt.Errorf("%d customers imported, not %d", len(ids), o.erase)
	}
	benchkit.Logf("%s: %d customers imported in %s (load %s)", e.dbName, len(ids), time.Since(t0).Round(time.Millisecond), benchkit.LoadAvg())
	emails, err := register(inst.URL(), e.work, o.accounts)
	if err != nil {
		return err
	}
	t0 = time.Now()
	if err := seedHistory(e.cfg, ids, o.erase*o.history, time.Now().Add(-30*24*time.Hour)); err != nil {
		return err
	}
	convs := 0
	if o.convsPerErased > 0 {
		err = benchkit.Parallel(len(ids)*o.convsPerErased, 4, func(i int) error {
			_, err := svc.desk.Start(ctx, support.NewConversation{Who: support.Who{AccountID: ids[i%len(ids)]}, Channel: support.ChannelPortal,
				Subject: fmt.Sprintf("Card %d declined", i), Body: fmt.Sprintf("My card was declined twice today at the same shop (ref %d).", i)})
			return err
		})
		if err != nil {
			return err
		}
		convs = len(ids) * o.convsPerErased
	}
	benchkit.Logf("%s: %d sign-in events and %d conversations seeded in %s (load %s)", e.dbName, o.erase*o.history, convs,
		time.Since(t0).Round(time.Millisecond), benchkit.LoadAvg())
	if svc.db.Dialect() == db.SQLite {
		if err := logScans(ctx, svc.db, ids[0]); err != nil {
			return err
		}
	}

	var mu sync.Mutex
	var each []time.Duration // one per call: an account, or the sweep's 100
	rows, erased := 0, 0
	size := 100 // what the closure sweep hands EraseMany; it erases them o.eraseBatch to a transaction
	if o.eraseBatch == 1 {
		size = 1
	}
	calls := (len(ids) + size - 1) / size
	cctx := audit.WithActor(ctx, audit.Actor{Kind: audit.ActorSystem, ID: "cli"})
	baseline, during, took, err := phases(inst.URL(), emails, o, func() error {
		return benchkit.Parallel(calls, o.eraseWorkers, func(i int) error {
			batch := ids[i*size : min((i+1)*size, len(ids))]
			t := time.Now()
			var n, deleted int
			if size == 1 {
				out, err := svc.privacy.Erase(cctx, batch[0], privacy.SourceOperator)
				if err != nil {
					return fmt.Errorf("erase %s: %w", batch[0], err)
				}
				n, deleted = 1, sum(out.Rows)
			} else {
				out, err := svc.privacy.EraseMany(cctx, batch, privacy.SourceOperator)
				if err != nil {
					return fmt.Errorf("erase a batch from %s: %w", batch[0], err)
				}
				n, deleted = len(out.Accounts), sum(out.Rows)
			}
			d := time.Since(t)
			mu.Lock()
			each = append(each, d)
			rows += deleted
			if erased/1000 != (erased+n)/1000 {
				benchkit.Logf("%d erased (load %s)", erased+n, benchkit.LoadAvg())
			}
			erased += n
			mu.Unlock()
			return nil
		})
	})
	if err != nil {
		return err
	}
	var left int
	if err := svc.db.Read(ctx, func(tx *db.Tx) error {
		return tx.QueryRow(ctx, `SELECT COUNT(*) FROM accounts WHERE kind = 'customer'`).Scan(&left)
	}); err != nil {
		return err
	}
	if left != o.accounts {
		return fmt.Errorf("%d customers left after the erasure, not the %d signing in", left, o.accounts)
	}
	fmt.Printf("| %s | accounts erased | rows deleted | erasure time | accounts/s | one call (%d account(s); transaction batch %s, yield %s) p50 / p99 | sign-ins | p50 | p99 | p99 / baseline |\n", e.dbName, size, batchName(o.eraseBatch), yieldName(o.eraseYield))
	fmt.Printf("|---|---|---|---|---|---|---|---|---|---|\n")
	fmt.Printf("| baseline (before + after) | | | | | | %d | %s | %s | |\n", len(baseline.lat), pct(baseline.lat, 50), pct(baseline.lat, 99))
	fmt.Printf("| during the erasure | %d | %d | %s | %.0f | %s / %s | %d | %s | %s | %s |\n", erased, rows, took.Round(time.Millisecond),
		float64(erased)/took.Seconds(), pct(each, 50), pct(each, 99), len(during.lat), pct(during.lat, 50), pct(during.lat, 99),
		ratio(during.lat, baseline.lat))
	return nil
}

func batchName(n int) string {
	if n == 0 {
		return "the default"
	}
	return fmt.Sprint(n)
}

func yieldName(y float64) string {
	switch {
	case y == 0:
		return "the default"
	case y < 0:
		return "none"
	}
	return fmt.Sprint(y)
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// importAccounts imports n customers named prefix-N@example.com through
// `frontdesk accounts import`: names and phones sealed with each
// customer's key, as in production. The password hash is bcrypt (as
// imported from another system), computed once.
func importAccounts(e *env, prefix string, n int) error {
	hash, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.MinCost)
	if err != nil {
		return err
	}
	file := filepath.Join(e.work, prefix+"-accounts.csv")
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	w := csv.NewWriter(bw)
	w.Write([]string{"email", "name", "phone", "locale", "password_hash"})
	family := []string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Smith", "Wang", "Li", "Zhang"}
	given := []string{"An", "Bình", "Chi", "Dũng", "Hà", "Lan", "Mai", "Emma", "Wei", "Fang"}
	locales := []string{"vi", "en", "zh", "vi"}
	for i := range n {
		w.Write([]string{fmt.Sprintf("%s-%06d@example.com", prefix, i), family[i%len(family)] + " " + given[(i/7)%len(given)],
			fmt.Sprintf("+8491%07d", i), locales[i%4], string(hash)})
	}
	w.Flush()
	if err := bw.Flush(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	_, err = e.cli("accounts", "import", file, "--batch", "2000")
	return err
}

// logScans logs the erasure deletes SQLite would run as a full scan of a
// table (SCAN without an index): each erasure would read the whole table.
func logScans(ctx context.Context, d *db.DB, accountID string) error {
	reg, err := app.Registry()
	if err != nil {
		return err
	}
	return d.Read(ctx, func(tx *db.Tx) error {
		for _, t := range reg.Personal() {
			if t.EraseRule() != pd.Delete {
				continue
			}
			rows, err := tx.Query(ctx, "EXPLAIN QUERY PLAN DELETE FROM "+t.Name+" WHERE "+t.Subject, accountID)
			if err != nil {
				return fmt.Errorf("plan of %s: %w", t.Name, err)
			}
			var scans []string
			for rows.Next() {
				var id, parent, notused int
				var detail string
				if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
					rows.Close()
					return err
				}
				if strings.HasPrefix(detail, "SCAN ") {
					scans = append(scans, detail)
				}
			}
			rows.Close()
			if len(scans) > 0 {
				benchkit.Logf("erasure of %s scans: %s", t.Name, strings.Join(scans, "; "))
			}
		}
		return nil
	})
}
