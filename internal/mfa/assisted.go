package mfa

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/identity"
)

// Support-assisted recovery of a lost second factor (ASVS 6.4.4). The
// customer files a request; staff with the recovery permission record on
// it how they proved the customer's identity, then approve (in pci a
// second, different staff member co-approves). Approval starts a
// cool-off during which every verified address of the account is told,
// with a link that cancels; after it the factors are reset, every
// session ends and the customer must enrol again. No step lets staff see
// or set a password or a factor, and every step is an audit entry.

// Errors of the recovery workflow.
var (
	// ErrRecoveryState is an action the request's status does not allow.
	ErrRecoveryState = errors.New("mfa: the recovery request is not in a state that allows this")
	// ErrSelfAction refuses staff acting on their own account's request,
	// or co-approving their own approval (separation of duties).
	ErrSelfAction = errors.New("mfa: you cannot act on this request yourself")
	// ErrChecklistIncomplete refuses approval before the identity checks.
	ErrChecklistIncomplete = errors.New("mfa: record at least two different identity checks first")
)

// Checklist items: what staff verified. Method says how, Note what they saw.
var Checklist = []string{
	"id_document",          // government ID matched against the account's name
	"video_call",           // face-to-face on video with the ID
	"callback_known_phone", // called back on a number on file before the request
	"account_details",      // details only the holder knows (recent activity, products)
	"in_branch",            // seen in person
	"other",
}

// Request statuses.
const (
	RecoveryOpen      = "open"
	RecoveryApproved  = "approved" // cooling off
	RecoveryCancelled = "cancelled"
	RecoveryRejected  = "rejected"
	RecoveryCompleted = "completed"
)

// minChecks is how many different checklist items approval needs.
const minChecks = 2

// RecoveryCheck is one identity check recorded on a request.
type RecoveryCheck struct {
	Item    string    `json:"item"`
	Method  string    `json:"method"`
	Note    string    `json:"note,omitempty"`
	StaffID string    `json:"staff_id"`
	At      time.Time `json:"at"`
}

// RecoveryRequest is a request as staff see it.
type RecoveryRequest struct {
	ID              string          `json:"id"`
	AccountID       string          `json:"account_id"`
	Email           string          `json:"email"`
	Name            string          `json:"name,omitempty"`
	Status          string          `json:"status"`
	Message         string          `json:"message,omitempty"`
	CreatedAt       time.Time       `json:"created_at"`
	ApprovedBy      string          `json:"approved_by,omitempty"`
	ApprovedAt      *time.Time      `json:"approved_at,omitempty"`
	CoApprovedBy    string          `json:"co_approved_by,omitempty"`
	CoApprovedAt    *time.Time      `json:"co_approved_at,omitempty"`
	CoolOffUntil    *time.Time      `json:"cooloff_until,omitempty"`
	ClosedBy        string          `json:"closed_by,omitempty"`
	ClosedAt        *time.Time      `json:"closed_at,omitempty"`
	Reason          string          `json:"reason,omitempty"`
	NeedsCoApproval bool            `json:"needs_co_approval"`
	Checks          []RecoveryCheck `json:"checks"`
	// The risk engine's verdict on who filed it ("" without the engine):
	// a step_up or block needs a second approver whatever the profile.
	RiskDecision string   `json:"risk_decision,omitempty"`
	RiskRule     string   `json:"risk_rule,omitempty"`
	RiskSignals  []string `json:"risk_signals,omitempty"`
}

// HighRisk reports whether the risk engine challenged or blocked the
// request when it was filed.
func (r RecoveryRequest) HighRisk() bool {
	return r.RiskDecision == identity.RiskStepUp || r.RiskDecision == identity.RiskBlock
}

func messageAAD(id string) []byte { return []byte("recovery_requests.message:" + id) }
func noteAAD(id string) []byte    { return []byte("recovery_checks.note:" + id) }

// FileRecovery records a customer's request to recover an account whose
// second factor is lost. The answer is the same whether or not the
// e-mail belongs to an account; only the owner's address hears of it.
func (s *Service) FileRecovery(ctx context.Context, email, message, ip string) error {
	message = strings.TrimSpace(message)
	if len([]rune(message)) > 2000 {
		return &identity.FieldError{Field: "message", Code: "too_long", Message: "Keep the message under 2,000 characters.", Max: 2000}
	}
	if _, err := identity.NormalizeEmail(email); err != nil {
		return err
	}
	var notices []identity.Notice
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		notices = nil
		wait, err := identity.Quota(ctx, tx, s.policy.ThrottleWindow, map[string]int{"recovery:ip:" + ip: s.policy.ResetsPerIP})
		if err != nil {
			return err
		}
		if wait > 0 {
			return &RateLimitedError{RetryAfter: wait, Reason: "recovery"}
		}
		a, err := s.id.FindByEmail(ctx, tx, email)
		if err != nil || a == nil || a.Status != identity.StatusActive {
			return err
		}
		var open int
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM recovery_requests WHERE account_id = ? AND status IN ('open', 'approved')", a.ID).Scan(&open); err != nil {
			return err
		}
		if open > 0 {
			return nil // one at a time; the first is being worked
		}
		// The risk engine judges who files it; the agent sees its verdict,
		// and a challenged or blocked one needs a second approver.
		v, err := s.id.RiskAt(ctx, tx, a.ID, identity.StageRecovery, "recovery_requested", ip, audit.OriginFrom(ctx).UserAgent)
		if err != nil {
			return err
		}
		var decision, rule, signals string
		if v != nil {
			decision, rule, signals = v.Decision, v.Rule, strings.Join(v.Signals, ",")
		}
		id := newID()
		var sealed []byte
		if message != "" {
			dk, err := s.keys.DataKey(ctx, tx, subject(a.ID))
			if err != nil {
				return err
			}
			sealed = dk.Seal([]byte(message), messageAAD(id))
		}
		if _, err := tx.Exec(ctx, `INSERT INTO recovery_requests (id, account_id, status, message_sealed, created_at, risk_decision, risk_rule, risk_signals)
			VALUES (?, ?, 'open', ?, ?, ?, ?, ?)`, id, a.ID, sealed, tx.Now(), decision, rule, signals); err != nil {
			return err
		}
		var details map[string]any
		if v != nil {
			details = map[string]any{"risk": map[string]any{"decision": decision, "rule": rule, "signals": signals}}
		}
		if err := s.audit.Record(ctx, tx, audit.Event{Action: "recovery.request", Target: "recovery:" + id, Subject: subject(a.ID), Details: details}); err != nil {
			return err
		}
		n, err := s.id.NoticeFor(ctx, tx, a.ID, "recovery_requested", identity.NoticeArgs{})
		notices = append(notices, n)
		return err
	})
	if err != nil {
		return err
	}
	s.id.Send(ctx, notices)
	return nil
}

// RecoveryRequests lists requests with status ("" for open and
// approved), oldest first.
func (s *Service) RecoveryRequests(ctx context.Context, status string) ([]RecoveryRequest, error) {
	var out []RecoveryRequest
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		out = []RecoveryRequest{}
		q, args := "SELECT id FROM recovery_requests WHERE status IN ('open', 'approved') ORDER BY created_at, id LIMIT 500", []any{}
		if status != "" {
			q, args = "SELECT id FROM recovery_requests WHERE status = ? ORDER BY created_at, id LIMIT 500", []any{status}
		}
		rows, err := tx.Query(ctx, q, args...)
		ids, err := db.Collect(rows, err, db.Value[string])
		if err != nil {
			return err
		}
		for _, id := range ids {
			r, err := s.loadRequest(ctx, tx, id, false)
			if err != nil {
				return err
			}
			out = append(out, *r)
		}
		return nil
	})
	return out, err
}

// RecoveryRequest returns one request with its checks.
func (s *Service) RecoveryRequest(ctx context.Context, id string) (*RecoveryRequest, error) {
	var out *RecoveryRequest
	err := s.db.Read(ctx, func(tx *db.Tx) (err error) {
		out, err = s.loadRequest(ctx, tx, id, false)
		return err
	})
	return out, err
}

func (s *Service) loadRequest(ctx context.Context, tx *db.Tx, id string, lock bool) (*RecoveryRequest, error) {
	r := &RecoveryRequest{ID: id, NeedsCoApproval: s.policy.RecoveryCoApproval, Checks: []RecoveryCheck{}}
	var msg []byte
	var approvedBy, coBy, closedBy sql.NullString
	var approvedAt, coAt, coolOff, closedAt sql.NullTime
	var signals string
	q := `SELECT account_id, status, message_sealed, created_at, approved_by, approved_at, co_approved_by, co_approved_at,
		cooloff_until, closed_by, closed_at, reason, risk_decision, risk_rule, risk_signals FROM recovery_requests WHERE id = ?`
	if lock {
		q += tx.ForUpdate()
	}
	err := tx.QueryRow(ctx, q, id).Scan(&r.AccountID, &r.Status, &msg, &r.CreatedAt, &approvedBy, &approvedAt, &coBy, &coAt,
		&coolOff, &closedBy, &closedAt, &r.Reason, &r.RiskDecision, &r.RiskRule, &signals)
	if signals != "" {
		r.RiskSignals = strings.Split(signals, ",")
	}
	r.NeedsCoApproval = r.NeedsCoApproval || r.HighRisk()
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	r.CreatedAt = r.CreatedAt.UTC()
	r.ApprovedBy, r.CoApprovedBy, r.ClosedBy = approvedBy.String, coBy.String, closedBy.String
	r.ApprovedAt, r.CoApprovedAt, r.CoolOffUntil, r.ClosedAt = timePtr(approvedAt), timePtr(coAt), timePtr(coolOff), timePtr(closedAt)
	if a, err := s.id.AccountIn(ctx, tx, r.AccountID); err == nil {
		r.Email, r.Name = a.Email, a.Name
	} else if !errors.Is(err, identity.ErrNotFound) {
		return nil, err
	}
	if len(msg) > 0 {
		if pt, err := s.keys.Open(ctx, tx, msg, messageAAD(id)); err == nil {
			r.Message = string(pt)
		}
	}
	type sealedCheck struct {
		RecoveryCheck
		id   string
		note []byte
	}
	rows, err := tx.Query(ctx, "SELECT id, item, method, note_sealed, staff_id, at FROM recovery_checks WHERE request_id = ? ORDER BY at, id", id)
	checks, err := db.Collect(rows, err, func(row db.Scanner) (c sealedCheck, err error) {
		err = row.Scan(&c.id, &c.Item, &c.Method, &c.note, &c.StaffID, &c.At)
		c.At = c.At.UTC()
		return c, err
	})
	if err != nil {
		return nil, err
	}
	for _, c := range checks {
		if len(c.note) > 0 {
			if pt, err := s.keys.Open(ctx, tx, c.note, noteAAD(c.id)); err == nil {
				c.Note = string(pt)
			}
		}
		r.Checks = append(r.Checks, c.RecoveryCheck)
	}
	return r, nil
}

func timePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

func hashToken(t string) []byte {
	h := sha256.Sum256([]byte(t))
	return h[:]
}
