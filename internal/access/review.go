package access

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/fault"
)

// Access reviews (PCI 7.2.4): a campaign lists every staff member's
// roles; a reviewer who is not the grantee certifies or revokes each
// grant with a reason. Grants not decided by the deadline are revoked
// automatically. Campaigns start by hand or every ReviewEvery.

// Errors of reviews.
var (
	ErrReviewClosed = errors.New("access: the review is closed")
	ErrNoSuchItem   = fault.New(fault.ErrNotFound, "access: no such grant in the review")
	ErrReason       = errors.New("access: give a reason of at most 500 characters")
	ErrDecision     = errors.New("access: the decision is certify or revoke")
)

// Review is a campaign and its grants.
type Review struct {
	ID        string       `json:"id"`
	Status    string       `json:"status"`
	StartedBy string       `json:"started_by"`
	StartedAt time.Time    `json:"started_at"`
	Deadline  time.Time    `json:"deadline"`
	ClosedAt  *time.Time   `json:"closed_at,omitempty"`
	Items     []ReviewItem `json:"items"`
}

// ReviewItem is one grant under review.
type ReviewItem struct {
	AccountID string     `json:"account_id"`
	Role      string     `json:"role"`
	Decision  string     `json:"decision,omitempty"` // certified, revoked, expired
	Reviewer  string     `json:"reviewer,omitempty"`
	Reason    string     `json:"reason,omitempty"`
	DecidedAt *time.Time `json:"decided_at,omitempty"`
}

// StartReview opens a campaign over every current grant.
func (s *Service) StartReview(ctx context.Context, by string, deadline time.Duration) (string, error) {
	id := newID()
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, "INSERT INTO access_reviews (id, status, started_by, started_at, deadline) VALUES (?, 'open', ?, ?, ?)",
			id, by, tx.Now(), tx.Now().Add(deadline)); err != nil {
			return err
		}
		res, err := tx.Exec(ctx, `INSERT INTO access_review_items (review_id, account_id, role)
			SELECT ?, r.account_id, r.role FROM staff_roles r JOIN accounts a ON a.id = r.account_id WHERE a.status <> 'disabled'`, id)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		return s.audit.Record(ctx, tx, audit.Event{Action: "access.review.start", Target: "review:" + id,
			Details: map[string]any{"by": by, "grants": n, "deadline": tx.Now().Add(deadline).UTC().Format(time.RFC3339)}})
	})
	return id, err
}

// Reviews lists campaigns, newest first.
func (s *Service) Reviews(ctx context.Context) ([]Review, error) {
	var out []Review
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, "SELECT id, status, started_by, started_at, deadline, closed_at FROM access_reviews ORDER BY started_at DESC, id LIMIT 100")
		out, err = db.Collect(rows, err, scanReview)
		return err
	})
	return out, err
}

func scanReview(row db.Scanner) (Review, error) {
	var r Review
	var closed sql.NullTime
	if err := row.Scan(&r.ID, &r.Status, &r.StartedBy, &r.StartedAt, &r.Deadline, &closed); err != nil {
		return Review{}, err
	}
	r.StartedAt, r.Deadline = r.StartedAt.UTC(), r.Deadline.UTC()
	if closed.Valid {
		t := closed.Time.UTC()
		r.ClosedAt = &t
	}
	r.Items = []ReviewItem{}
	return r, nil
}

// GetReview returns a campaign with its grants.
func (s *Service) GetReview(ctx context.Context, id string) (*Review, error) {
	var out *Review
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		r, err := scanReview(tx.QueryRow(ctx, "SELECT id, status, started_by, started_at, deadline, closed_at FROM access_reviews WHERE id = ?", id))
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNoSuchItem
		}
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT account_id, role, decision, reviewer_id, reason, decided_at FROM access_review_items
			WHERE review_id = ? ORDER BY account_id, role`, id)
		if r.Items, err = db.Collect(rows, err, scanReviewItem); err != nil {
			return err
		}
		out = &r
		return nil
	})
	return out, err
}

func scanReviewItem(row db.Scanner) (ReviewItem, error) {
	var it ReviewItem
	var decision, reviewer sql.NullString
	var at sql.NullTime
	if err := row.Scan(&it.AccountID, &it.Role, &decision, &reviewer, &it.Reason, &at); err != nil {
		return ReviewItem{}, err
	}
	it.Decision, it.Reviewer = decision.String, reviewer.String
	if at.Valid {
		t := at.Time.UTC()
		it.DecidedAt = &t
	}
	return it, nil
}

// Decide certifies or revokes one grant of an open campaign. The
// reviewer cannot decide on their own grants.
func (s *Service) Decide(ctx context.Context, reviewer, reviewID, accountID, role, decision, reason string) error {
	reason = strings.TrimSpace(reason)
	if reason == "" || len([]rune(reason)) > 500 {
		return ErrReason
	}
	if decision != "certify" && decision != "revoke" {
		return ErrDecision
	}
	if reviewer == accountID {
		return ErrSelfGrant
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		var status string
		var deadline time.Time
		err := tx.QueryRow(ctx, "SELECT status, deadline FROM access_reviews WHERE id = ?"+tx.ForUpdate(), reviewID).Scan(&status, &deadline)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNoSuchItem
		}
		if err != nil {
			return err
		}
		if status != "open" || !tx.Now().Before(deadline) {
			return ErrReviewClosed
		}
		stored := "certified"
		if decision == "revoke" {
			stored = "revoked"
		}
		res, err := tx.Exec(ctx, `UPDATE access_review_items SET decision = ?, reviewer_id = ?, reason = ?, decided_at = ?
			WHERE review_id = ? AND account_id = ? AND role = ? AND decision IS NULL`, stored, reviewer, reason, tx.Now(), reviewID, accountID, role)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNoSuchItem
		}
		if decision == "revoke" {
			if err := s.Revoke(ctx, tx, accountID, role, reviewer, "access review: "+reason); err != nil {
				return err
			}
		}
		return s.audit.Record(ctx, tx, audit.Event{Action: "access.review." + decision, Target: "account:" + accountID,
			Details: map[string]any{"review": reviewID, "role": role, "by": reviewer, "reason": reason}})
	})
}

// CloseDueReviews revokes every grant left undecided in campaigns past
// their deadline and closes them. It returns how many grants it revoked.
func (s *Service) CloseDueReviews(ctx context.Context) (int, error) {
	revoked := 0
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		revoked = 0
		rows, err := tx.Query(ctx, "SELECT id FROM access_reviews WHERE status = 'open' AND deadline <= ?", tx.Now())
		ids, err := db.Collect(rows, err, db.Value[string])
		if err != nil {
			return err
		}
		for _, id := range ids {
			items, err := tx.Query(ctx, "SELECT account_id, role FROM access_review_items WHERE review_id = ? AND decision IS NULL", id)
			pending, err := db.Collect(items, err, func(row db.Scanner) (p [2]string, err error) {
				err = row.Scan(&p[0], &p[1])
				return p, err
			})
			if err != nil {
				return err
			}
			for _, p := range pending {
				if err := s.Revoke(ctx, tx, p[0], p[1], "system", "access review deadline passed"); err != nil {
					return err
				}
				if _, err := tx.Exec(ctx, "UPDATE access_review_items SET decision = 'expired', decided_at = ? WHERE review_id = ? AND account_id = ? AND role = ?",
					tx.Now(), id, p[0], p[1]); err != nil {
					return err
				}
				revoked++
			}
			if _, err := tx.Exec(ctx, "UPDATE access_reviews SET status = 'closed', closed_at = ? WHERE id = ?", tx.Now(), id); err != nil {
				return err
			}
			if err := s.audit.Record(ctx, tx, audit.Event{Action: "access.review.close", Target: "review:" + id, Actor: &audit.Actor{Kind: "system"},
				Details: map[string]any{"expired_grants": len(pending)}}); err != nil {
				return err
			}
		}
		return nil
	})
	return revoked, err
}

// StartDueReview starts a campaign when the last one (or, before the
// first, the oldest grant) is older than every: 6 months by default, 3 in
// pci. With no grants there is nothing to review. It reports whether it
// started one.
func (s *Service) StartDueReview(ctx context.Context, every, deadline time.Duration) (bool, error) {
	var since sql.NullTime
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		err := tx.QueryRow(ctx, "SELECT started_at FROM access_reviews ORDER BY started_at DESC LIMIT 1").Scan(&since)
		if errors.Is(err, sql.ErrNoRows) {
			err = tx.QueryRow(ctx, "SELECT granted_at FROM staff_roles ORDER BY granted_at LIMIT 1").Scan(&since)
		}
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		return err
	})
	if err != nil || !since.Valid || s.db.Now().Sub(since.Time) < every {
		return false, err
	}
	_, err = s.StartReview(ctx, "system", deadline)
	return err == nil, err
}
