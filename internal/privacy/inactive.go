package privacy

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/identity"
)

// Inactive accounts: when the business sets a period for the
// inactive_accounts class, a customer who has not signed in for that long
// less the warning (30 days by default) is warned by e-mail; signing in
// cancels the warning. If they stay away until the date in the warning,
// their account is closed through the ordinary closure (its own e-mail,
// the cool-off and its "keep my account" link), then erased.

// inactiveWarnable returns the condition selecting customers due a warning
// now: inactive for the period less the warning, not warned yet, not held.
func (s *Service) inactiveWarnable(p PolicyInEffect, now time.Time) (string, []any) {
	cutoff := now.Add(-time.Duration(p.Days-s.warnDays()) * 24 * time.Hour)
	cond, args := s.expired(p, cutoff, now, true)
	return cond + " AND NOT EXISTS (SELECT 1 FROM privacy_inactive_warnings w WHERE w.account_id = accounts.id)", args
}

// inactiveClosable returns the condition selecting warned customers whose
// date has come and who have not signed in since the warning.
func (s *Service) inactiveClosable(p PolicyInEffect, now time.Time) (string, []any) {
	cutoff := now.Add(-time.Duration(p.Days-s.warnDays()) * 24 * time.Hour)
	cond, args := s.expired(p, cutoff, now, true)
	return cond + " AND EXISTS (SELECT 1 FROM privacy_inactive_warnings w WHERE w.account_id = accounts.id AND w.closes_at <= ?" +
		" AND (" + p.Age + ") <= w.warned_at)", append(args, now)
}

// countInactive is the dry run of the inactive_accounts policy.
func (s *Service) countInactive(ctx context.Context, tx *db.Tx, p PolicyInEffect, now time.Time, rep *ClassReport) error {
	cond, args := s.inactiveWarnable(p, now)
	if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM accounts WHERE "+cond, args...).Scan(&rep.Warned); err != nil {
		return err
	}
	cond, args = s.inactiveClosable(p, now)
	if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM accounts WHERE "+cond, args...).Scan(&rep.Items); err != nil {
		return err
	}
	cutoff := now.Add(-time.Duration(p.Days-s.warnDays()) * 24 * time.Hour)
	all, allArgs := s.expired(p, cutoff, now, false)
	held, heldArgs := s.expired(p, cutoff, now, true)
	var n, m int
	if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM accounts WHERE "+all, allArgs...).Scan(&n); err != nil {
		return err
	}
	if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM accounts WHERE "+held, heldArgs...).Scan(&m); err != nil {
		return err
	}
	rep.Held = n - m
	if rep.Items > 0 {
		var err error
		if rep.Oldest, err = s.edgeAge(ctx, tx, p, cond, args, "ASC"); err != nil {
			return err
		}
		if rep.Newest, err = s.edgeAge(ctx, tx, p, cond, args, "DESC"); err != nil {
			return err
		}
	}
	return nil
}

// purgeInactive forgets the warnings of customers who came back, warns
// those due a warning and closes the accounts of those who did not come
// back by the date they were given.
func (s *Service) purgeInactive(ctx context.Context, p PolicyInEffect, holder string, run *RetentionRun, rep *ClassReport) error {
	err := s.o.DB.Write(ctx, func(tx *db.Tx) error {
		if err := s.renewRetentionLease(ctx, tx, holder); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `DELETE FROM privacy_inactive_warnings WHERE account_id IN (SELECT a.id FROM accounts a
			WHERE a.id = privacy_inactive_warnings.account_id AND a.last_active_at > privacy_inactive_warnings.warned_at)`)
		return err
	})
	if err != nil {
		return err
	}
	var counted bool
	if err := s.o.DB.Read(ctx, func(tx *db.Tx) error {
		var dry ClassReport
		err := s.countInactive(ctx, tx, p, tx.Now(), &dry)
		rep.Held, counted = dry.Held, err == nil
		return err
	}); err != nil || !counted {
		return err
	}
	// Warnings, a batch a transaction; the mail goes once it commits.
	for {
		var notices []identity.Notice
		err := s.o.DB.Write(ctx, func(tx *db.Tx) error {
			notices = nil
			if err := s.renewRetentionLease(ctx, tx, holder); err != nil {
				return err
			}
			cond, args := s.inactiveWarnable(p, tx.Now())
			rows, err := tx.Query(ctx, "SELECT id FROM accounts WHERE "+cond+" ORDER BY "+p.Age+" LIMIT "+fmt.Sprint(s.batch()), args...)
			ids, err := db.Collect(rows, err, db.Value[string])
			if err != nil || len(ids) == 0 {
				return err
			}
			closes := tx.Now().Add(time.Duration(s.warnDays()) * 24 * time.Hour)
			for _, id := range ids {
				if _, err := tx.Exec(ctx, `INSERT INTO privacy_inactive_warnings (account_id, warned_at, closes_at) VALUES (?, ?, ?)`,
					id, tx.Now(), closes); err != nil {
					return err
				}
				n, err := s.o.Accounts.NoticeFor(ctx, tx, id, "inactive_warning", identity.NoticeArgs{URL: s.o.BaseURL + "/signin", When: closes})
				if err != nil {
					return err
				}
				notices = append(notices, n)
				if err := s.o.Audit.Record(ctx, tx, audit.Event{Action: "privacy.retention.inactive_warning", Target: "account:" + id,
					Details: map[string]any{"closes_at": closes, "run": run.ID}}); err != nil {
					return err
				}
			}
			rep.Warned += len(ids)
			return s.saveRunReport(ctx, tx, run)
		})
		if err != nil {
			return err
		}
		if len(notices) == 0 {
			break
		}
		s.o.Accounts.Send(ctx, notices)
		if s.o.Retention.OnBatch != nil {
			s.o.Retention.OnBatch(p.Class, len(notices))
		}
	}
	// Closures, through the ordinary closure path.
	for {
		var ids []string
		var ages []any
		err := s.o.DB.Write(ctx, func(tx *db.Tx) error {
			if err := s.renewRetentionLease(ctx, tx, holder); err != nil {
				return err
			}
			cond, args := s.inactiveClosable(p, tx.Now())
			rows, err := tx.Query(ctx, "SELECT id, "+p.Age+" FROM accounts WHERE "+cond+" ORDER BY 2 LIMIT "+fmt.Sprint(s.batch()), args...)
			type item struct {
				id  string
				age any
			}
			items, err := db.Collect(rows, err, func(r db.Scanner) (it item, err error) {
				err = r.Scan(&it.id, &it.age)
				return it, err
			})
			ids, ages = nil, nil
			for _, it := range items {
				ids, ages = append(ids, it.id), append(ages, it.age)
			}
			return err
		})
		if err != nil {
			return err
		}
		if len(ids) == 0 {
			return nil
		}
		for i, id := range ids {
			if _, err := s.close(ctx, id, SourceRetention); err != nil && !errors.Is(err, ErrClosing) {
				return err
			}
			if err := s.o.DB.Write(ctx, func(tx *db.Tx) error {
				if _, err := tx.Exec(ctx, `DELETE FROM privacy_inactive_warnings WHERE account_id = ?`, id); err != nil {
					return err
				}
				t, err := dbTime(ages[i])
				if err != nil {
					return err
				}
				rep.saw(t)
				rep.Items++
				return s.saveRunReport(ctx, tx, run)
			}); err != nil {
				return err
			}
		}
		if s.o.Retention.OnBatch != nil {
			s.o.Retention.OnBatch(p.Class, len(ids))
		}
	}
}
