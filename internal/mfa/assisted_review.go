package mfa

import (
	"context"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/identity"
)

// RecordCheck records one identity check on an open request.
func (s *Service) RecordCheck(ctx context.Context, staffID, id, item, method, note string) error {
	if !contains(Checklist, item) {
		return &identity.FieldError{Field: "item", Code: "invalid_item", Message: "Choose an item of the checklist: " + strings.Join(Checklist, ", ") + "."}
	}
	method, note = strings.TrimSpace(method), strings.TrimSpace(note)
	if method == "" || len([]rune(method)) > 200 {
		return &identity.FieldError{Field: "method", Code: "invalid_method", Message: "Say in up to 200 characters how you verified it."}
	}
	if len([]rune(note)) > 2000 {
		return &identity.FieldError{Field: "note", Code: "too_long", Message: "Keep the note under 2,000 characters.", Max: 2000}
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		r, err := s.loadRequest(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if r.AccountID == staffID {
			return ErrSelfAction
		}
		if r.Status != RecoveryOpen {
			return ErrRecoveryState
		}
		cid := newID()
		var sealed []byte
		if note != "" {
			dk, err := s.keys.DataKey(ctx, tx, subject(r.AccountID))
			if err != nil {
				return err
			}
			sealed = dk.Seal([]byte(note), noteAAD(cid))
		}
		if _, err := tx.Exec(ctx, "INSERT INTO recovery_checks (id, request_id, staff_id, item, method, note_sealed, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
			cid, id, staffID, item, method, sealed, tx.Now()); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, audit.Event{Action: "recovery.check", Target: "recovery:" + id, Subject: subject(r.AccountID),
			Details: map[string]any{"item": item, "by": staffID}, Personal: map[string]any{"method": method}})
	})
}

// ApproveRecovery approves a request whose checklist is complete. Under
// co-approval the first approval waits for a second, different staff
// member; the last approval starts the cool-off and tells every verified
// address of the account, with a link that cancels.
func (s *Service) ApproveRecovery(ctx context.Context, staffID, id string) (*RecoveryRequest, error) {
	var notices []identity.Notice
	var texts []delivery
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		notices, texts = nil, nil
		r, err := s.loadRequest(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if r.AccountID == staffID {
			return ErrSelfAction
		}
		if r.Status != RecoveryOpen {
			return ErrRecoveryState
		}
		items := map[string]bool{}
		for _, c := range r.Checks {
			items[c.Item] = true
		}
		if len(items) < minChecks {
			return ErrChecklistIncomplete
		}
		now := tx.Now()
		if r.NeedsCoApproval && r.ApprovedBy == "" {
			if _, err := tx.Exec(ctx, "UPDATE recovery_requests SET approved_by = ?, approved_at = ? WHERE id = ?", staffID, now, id); err != nil {
				return err
			}
			return s.audit.Record(ctx, tx, audit.Event{Action: "recovery.approve", Target: "recovery:" + id, Subject: subject(r.AccountID),
				Details: map[string]any{"by": staffID, "awaiting_co_approval": true}})
		}
		if r.ApprovedBy == staffID {
			return ErrSelfAction // the co-approver must be someone else (PCI 8.2.2 / separation of duties)
		}
		token := newSecret()
		until := now.Add(s.policy.RecoveryCoolOff)
		q := "UPDATE recovery_requests SET status = 'approved', approved_by = ?, approved_at = ?, cooloff_until = ?, cancel_hash = ? WHERE id = ?"
		args := []any{staffID, now, until, hashToken(token), id}
		if r.ApprovedBy != "" {
			q = "UPDATE recovery_requests SET status = 'approved', co_approved_by = ?, co_approved_at = ?, cooloff_until = ?, cancel_hash = ? WHERE id = ?"
		}
		if _, err := tx.Exec(ctx, q, args...); err != nil {
			return err
		}
		if err := s.audit.Record(ctx, tx, audit.Event{Action: "recovery.approve", Target: "recovery:" + id, Subject: subject(r.AccountID),
			Details: map[string]any{"by": staffID, "cooloff_until": until.UTC().Format(time.RFC3339)}}); err != nil {
			return err
		}
		link := s.base + "/recovery/cancel?token=" + token
		n, err := s.id.NoticeFor(ctx, tx, r.AccountID, "recovery_approved", identity.NoticeArgs{URL: link, When: now,
			Minutes: int(s.policy.RecoveryCoolOff / time.Minute)})
		if err != nil {
			return err
		}
		notices = append(notices, n)
		if s.sms != nil {
			phones, err := s.phones(ctx, tx, r.AccountID)
			if err != nil {
				return err
			}
			for _, ph := range phones {
				texts = append(texts, delivery{channel: kindSMS, to: ph,
					text: s.issuer + ": a request to reset your sign-in methods was approved. If it was not you, cancel it now: " + link})
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.id.Send(ctx, notices)
	for i := range texts {
		if err := s.deliver(ctx, &texts[i]); err != nil {
			s.log.WarnContext(ctx, "recovery notice SMS not sent", "request", id)
		}
	}
	return s.RecoveryRequest(ctx, id)
}

// phones returns every verified phone of the account.
func (s *Service) phones(ctx context.Context, tx *db.Tx, accountID string) ([]string, error) {
	rows, err := tx.Query(ctx, "SELECT id, secret_sealed FROM mfa_factors WHERE account_id = ? AND kind = 'sms' AND confirmed_at IS NOT NULL", accountID)
	fs, err := db.Collect(rows, err, scanSealedSecret)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, x := range fs {
		p, err := s.keys.Open(ctx, tx, x.sealed, seedAAD(x.id))
		if err != nil {
			return nil, err
		}
		out = append(out, string(p))
	}
	return out, nil
}

// RejectRecovery closes an open request without changing the account.
func (s *Service) RejectRecovery(ctx context.Context, staffID, id, reason string) error {
	reason = strings.TrimSpace(reason)
	if reason == "" || len([]rune(reason)) > 500 {
		return &identity.FieldError{Field: "reason", Code: "invalid_reason", Message: "Give the reason in up to 500 characters."}
	}
	var notices []identity.Notice
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		notices = nil
		r, err := s.loadRequest(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if r.AccountID == staffID {
			return ErrSelfAction
		}
		if r.Status != RecoveryOpen && r.Status != RecoveryApproved {
			return ErrRecoveryState
		}
		if _, err := tx.Exec(ctx, "UPDATE recovery_requests SET status = 'rejected', closed_by = ?, closed_at = ?, reason = ? WHERE id = ?",
			staffID, tx.Now(), reason, id); err != nil {
			return err
		}
		if err := s.audit.Record(ctx, tx, audit.Event{Action: "recovery.reject", Target: "recovery:" + id, Subject: subject(r.AccountID),
			Details: map[string]any{"by": staffID}, Personal: map[string]any{"reason": reason}}); err != nil {
			return err
		}
		n, err := s.id.NoticeFor(ctx, tx, r.AccountID, "recovery_rejected", identity.NoticeArgs{})
		notices = append(notices, n)
		return err
	})
	if err != nil {
		return err
	}
	s.id.Send(ctx, notices)
	return nil
}
