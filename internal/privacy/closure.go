package privacy

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"os"
	"time"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/identity"
)

// Closure is an account waiting out its cool-off before erasure.
type Closure struct {
	RequestedAt time.Time `json:"requested_at"`
	ClosesAt    time.Time `json:"closes_at"`
}

func tokenHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// Close starts closing a customer's account: it is erased when the
// cool-off ends unless the customer cancels, from a signed-in page or the
// mailed link (single use). Staff accounts are closed by an administrator.
// // GDPR 17
func (s *Service) Close(ctx context.Context, accountID string) (*Closure, error) {
	return s.close(ctx, accountID, "customer")
}

// close starts a closure; source says who asked ("customer", or
// "retention" for an inactive account whose owner was warned).
func (s *Service) close(ctx context.Context, accountID, source string) (*Closure, error) {
	var c *Closure
	var notices []identity.Notice
	err := s.o.DB.Write(ctx, func(tx *db.Tx) error {
		a, err := s.o.Accounts.AccountIn(ctx, tx, accountID)
		if err != nil {
			return err
		}
		if a.Kind != "customer" {
			return ErrStaffAccount
		}
		b := make([]byte, 32)
		rand.Read(b)
		token := base64.RawURLEncoding.EncodeToString(b)
		c = &Closure{RequestedAt: tx.Now(), ClosesAt: tx.Now().Add(s.o.CoolOff)}
		res, err := tx.Exec(ctx, `INSERT INTO privacy_closures (account_id, requested_at, closes_at, cancel_hash) VALUES (?, ?, ?, ?)
			ON CONFLICT (account_id) DO NOTHING`, accountID, c.RequestedAt, c.ClosesAt, tokenHash(token))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrClosing
		}
		n, err := s.o.Accounts.NoticeFor(ctx, tx, accountID, "closure_scheduled", identity.NoticeArgs{
			URL: s.o.BaseURL + "/account/closure/cancel?token=" + token, When: c.ClosesAt})
		if err != nil {
			return err
		}
		notices = append(notices, n)
		if _, err := s.portalRequest(ctx, tx, accountID, KindErasure, ""); err != nil {
			return err
		}
		return s.o.Audit.Record(ctx, tx, audit.Event{Action: "privacy.closure.request", Target: "account:" + accountID,
			Details: map[string]any{"closes_at": c.ClosesAt, "source": source}})
	})
	if err != nil {
		return nil, err
	}
	s.o.Accounts.Send(ctx, notices)
	return c, nil
}

// ClosureOf returns the account's pending closure, or nil.
func (s *Service) ClosureOf(ctx context.Context, accountID string) (*Closure, error) {
	var c *Closure
	err := s.o.DB.Read(ctx, func(tx *db.Tx) error {
		var r Closure
		err := tx.QueryRow(ctx, `SELECT requested_at, closes_at FROM privacy_closures WHERE account_id = ?`, accountID).
			Scan(&r.RequestedAt, &r.ClosesAt)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		r.RequestedAt, r.ClosesAt = r.RequestedAt.UTC(), r.ClosesAt.UTC()
		c = &r
		return err
	})
	return c, err
}

// CancelClosure keeps the account of a signed-in customer.
func (s *Service) CancelClosure(ctx context.Context, accountID string) error {
	return s.cancel(ctx, `account_id = ?`, accountID)
}

// CancelClosureByToken keeps the account whose closure e-mail's link this
// is; the link works once.
func (s *Service) CancelClosureByToken(ctx context.Context, token string) error {
	if token == "" {
		return ErrNotClosing
	}
	return s.cancel(ctx, `cancel_hash = ?`, tokenHash(token))
}

func (s *Service) cancel(ctx context.Context, where string, arg any) error {
	return s.o.DB.Write(ctx, func(tx *db.Tx) error {
		var accountID string
		err := tx.QueryRow(ctx, `DELETE FROM privacy_closures WHERE `+where+` RETURNING account_id`, arg).Scan(&accountID)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotClosing
		}
		if err != nil {
			return err
		}
		if err := s.requestDone(ctx, tx, "account_id = ? AND kind = 'erasure' AND channel = 'portal'", RequestWithdrawn,
			"closure_cancelled", accountID); err != nil {
			return err
		}
		return s.o.Audit.Record(ctx, tx, audit.Event{Action: "privacy.closure.cancel", Target: "account:" + accountID})
	})
}

// Sweep does the periodic work: it erases the accounts whose cool-off
// ended — all of them, a batch of closures at a time, each account in a
// transaction of its own — removes expired exports' files, and builds
// exports left pending or abandoned by a builder that stopped. It returns
// how many accounts it erased. Run on one node at a time (every step is
// also safe to repeat).
func (s *Service) Sweep(ctx context.Context) (int, error) {
	var expired, waiting []string
	err := s.o.DB.Write(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, `SELECT id FROM privacy_exports WHERE status = ? AND expires_at <= ?`, ExportReady, tx.Now())
		if expired, err = db.Collect(rows, err, db.Value[string]); err != nil {
			return err
		}
		for _, id := range expired {
			if _, err := tx.Exec(ctx, `UPDATE privacy_exports SET status = ? WHERE id = ?`, ExportExpired, id); err != nil {
				return err
			}
		}
		rows, err = tx.Query(ctx, `SELECT id FROM privacy_exports WHERE status = ? OR (status = ? AND lease_until < ?)`,
			ExportPending, ExportBuilding, tx.Now())
		waiting, err = db.Collect(rows, err, db.Value[string])
		return err
	})
	if err != nil {
		return 0, err
	}
	for _, id := range expired {
		os.Remove(s.exportPath(id))
	}
	var errs []error
	for _, id := range waiting {
		errs = append(errs, s.Build(ctx, id))
	}
	n, err := s.eraseDue(ctx)
	return n, errors.Join(append(errs, err)...)
}

// eraseDue erases the accounts whose cool-off ended, oldest first, a
// batch of SweepBatch closures at a time until none is left (a sweep that
// took only one batch would erase 100 accounts a minute: 10,000 closures
// falling due together would wait hours), each batch erased together
// (EraseMany). An erasure that fails is not retried in this sweep.
func (s *Service) eraseDue(ctx context.Context) (int, error) {
	n := 0
	var errs []error
	failed := map[string]bool{}
	for ctx.Err() == nil {
		var due []string
		limit := s.o.SweepBatch + len(failed) // the failed ones come back: look past them
		err := s.o.DB.Read(ctx, func(tx *db.Tx) error {
			rows, err := tx.Query(ctx, `SELECT account_id FROM privacy_closures WHERE closes_at <= ? ORDER BY closes_at, account_id LIMIT ?`,
				tx.Now(), limit)
			due, err = db.Collect(rows, err, db.Value[string])
			return err
		})
		if err != nil {
			return n, errors.Join(append(errs, err)...)
		}
		var todo []string
		for _, id := range due {
			if !failed[id] {
				todo = append(todo, id)
			}
		}
		b, err := s.EraseMany(ctx, todo, SourceClosure)
		erased := len(b.Accounts)
		done := map[string]bool{}
		for _, id := range b.Accounts {
			done[id] = true
		}
		for _, id := range b.Missing { // another node erased it first
			failed[id], done[id] = true, true
		}
		if err != nil {
			// A batch that fails changes nothing: its accounts are erased one
			// by one, so that one account's fault holds back no other.
			for _, id := range todo {
				if done[id] {
					continue
				}
				if _, err := s.Erase(ctx, id, SourceClosure); err != nil {
					failed[id] = true
					if !errors.Is(err, identity.ErrNotFound) {
						errs = append(errs, err)
					}
					continue
				}
				erased++
			}
		}
		n += erased
		if len(due) < limit || erased == 0 {
			break
		}
	}
	return n, errors.Join(errs...)
}
