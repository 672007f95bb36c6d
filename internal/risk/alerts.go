package risk

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/fault"
	"github.com/frontdesk/frontdesk/internal/notify"
)

// The alert queue: security officers see alerts with their evidence,
// take them, add notes and resolve them; every step is an audit entry.

// Alert statuses.
const (
	StatusOpen     = "open"
	StatusAssigned = "assigned"
	StatusResolved = "resolved"
)

// Resolutions an alert can be closed with.
var Resolutions = []string{"legitimate", "policy_breach", "false_positive", "escalated"}

// Alert is one alert with its notes.
type Alert struct {
	ID, Rule, Severity, StaffID  string
	Evidence                     string // JSON
	Status, Assignee, Resolution string
	CreatedAt, UpdatedAt         time.Time
	Notes                        []Note
}

// Note is an analyst's note on an alert.
type Note struct {
	AuthorID string
	Body     string
	At       time.Time
}

// Errors of the alert queue.
var (
	ErrAlertClosed = fault.New(fault.ErrInvalid, "risk: the alert is already resolved")
	ErrSelfApprove = fault.New(fault.ErrInvalid, "risk: you cannot approve your own reveals")
)

func newID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// Alerts lists alerts, unresolved first, newest first within each.
func (e *Engine) Alerts(ctx context.Context, status string, limit int) ([]Alert, error) {
	var out []Alert
	err := e.db.Read(ctx, func(tx *db.Tx) error {
		q := "SELECT id, rule, severity, staff_id, evidence, status, assignee, resolution, created_at, updated_at FROM risk_alerts"
		var args []any
		if status != "" {
			q += " WHERE status = ?"
			args = append(args, status)
		}
		q += " ORDER BY CASE WHEN status = 'resolved' THEN 1 ELSE 0 END, created_at DESC, id LIMIT ?"
		rows, err := tx.Query(ctx, q, append(args, limit)...)
		out, err = db.Collect(rows, err, scanAlert)
		return err
	})
	return out, err
}

func scanAlert(r db.Scanner) (a Alert, err error) {
	err = r.Scan(&a.ID, &a.Rule, &a.Severity, &a.StaffID, &a.Evidence, &a.Status, &a.Assignee, &a.Resolution, &a.CreatedAt, &a.UpdatedAt)
	a.CreatedAt, a.UpdatedAt = a.CreatedAt.UTC(), a.UpdatedAt.UTC()
	return a, err
}

// Alert returns one alert with its notes.
func (e *Engine) Alert(ctx context.Context, id string) (*Alert, error) {
	var out *Alert
	err := e.db.Read(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, "SELECT id, rule, severity, staff_id, evidence, status, assignee, resolution, created_at, updated_at FROM risk_alerts WHERE id = ?", id)
		list, err := db.Collect(rows, err, scanAlert)
		if err != nil || len(list) == 0 {
			return err
		}
		out = &list[0]
		rows, err = tx.Query(ctx, "SELECT author_id, body, at FROM risk_alert_notes WHERE alert_id = ? ORDER BY at, id", id)
		out.Notes, err = db.Collect(rows, err, func(r db.Scanner) (n Note, err error) {
			err = r.Scan(&n.AuthorID, &n.Body, &n.At)
			n.At = n.At.UTC()
			return n, err
		})
		return err
	})
	if err == nil && out == nil {
		return nil, fault.ErrNotFound
	}
	return out, err
}

// step changes an open alert and audits it.
func (e *Engine) step(ctx context.Context, id, action string, details map[string]any, change func(tx *db.Tx) error) error {
	return e.db.Write(ctx, func(tx *db.Tx) error {
		var status string
		err := tx.QueryRow(ctx, "SELECT status FROM risk_alerts WHERE id = ?"+tx.ForUpdate(), id).Scan(&status)
		if errors.Is(err, sql.ErrNoRows) {
			return fault.ErrNotFound
		}
		if err != nil {
			return err
		}
		if status == StatusResolved {
			return ErrAlertClosed
		}
		if err := change(tx); err != nil {
			return err
		}
		return e.audit.Record(ctx, tx, audit.Event{Action: "security.alert." + action, Target: "alert:" + id, Details: details})
	})
}

// Assign gives the alert to staffID.
func (e *Engine) Assign(ctx context.Context, id, staffID string) error {
	return e.step(ctx, id, "assign", map[string]any{"assignee": staffID}, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, "UPDATE risk_alerts SET status = ?, assignee = ?, updated_at = ? WHERE id = ?", StatusAssigned, staffID, tx.Now(), id)
		return err
	})
}

// AddNote adds an analyst's note (1 to 2,000 characters).
func (e *Engine) AddNote(ctx context.Context, id, authorID, body string) error {
	body = strings.TrimSpace(body)
	if body == "" || utf8.RuneCountInString(body) > 2000 {
		return &fault.Invalid{Field: "note", Reason: "Write a note of 1 to 2,000 characters."}
	}
	return e.step(ctx, id, "note", nil, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO risk_alert_notes (id, alert_id, author_id, body, at) VALUES (?, ?, ?, ?, ?)", newID(), id, authorID, body, tx.Now())
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, "UPDATE risk_alerts SET updated_at = ? WHERE id = ?", tx.Now(), id)
		return err
	})
}

// Resolve closes the alert with one of Resolutions.
func (e *Engine) Resolve(ctx context.Context, id, staffID, resolution string) error {
	ok := false
	for _, r := range Resolutions {
		ok = ok || r == resolution
	}
	if !ok {
		return &fault.Invalid{Field: "resolution", Reason: "Choose how the alert was resolved."}
	}
	return e.step(ctx, id, "resolve", map[string]any{"resolution": resolution, "by": staffID}, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, "UPDATE risk_alerts SET status = ?, resolution = ?, assignee = CASE WHEN assignee = '' THEN ? ELSE assignee END, updated_at = ? WHERE id = ?",
			StatusResolved, resolution, staffID, tx.Now(), id)
		return err
	})
}

// ApprovalFor is how long a second approver's permission lasts.
const ApprovalFor = time.Hour

// ApproveReveals lets staffID reveal past the hourly cap for ApprovalFor,
// on the word of approverID (never the same person).
func (e *Engine) ApproveReveals(ctx context.Context, staffID, approverID string) (time.Time, error) {
	if staffID == approverID {
		return time.Time{}, ErrSelfApprove
	}
	var until time.Time
	err := e.db.Write(ctx, func(tx *db.Tx) error {
		var kind string
		err := tx.QueryRow(ctx, "SELECT kind FROM accounts WHERE id = ?", staffID).Scan(&kind)
		if errors.Is(err, sql.ErrNoRows) || kind != "staff" {
			return fault.ErrNotFound
		}
		if err != nil {
			return err
		}
		until = tx.Now().Add(ApprovalFor)
		if _, err := tx.Exec(ctx, "INSERT INTO risk_reveal_approvals (staff_id, approved_by, approved_at, expires_at) VALUES (?, ?, ?, ?)",
			staffID, approverID, tx.Now(), until); err != nil {
			return err
		}
		return e.audit.Record(ctx, tx, audit.Event{Action: "security.reveal.approve", Target: "account:" + staffID,
			Details: map[string]any{"until": until.UTC().Format(time.RFC3339)}})
	})
	return until, err
}

// SendAlerts e-mails the alerts not yet sent to the security contacts and
// returns how many went out. Each alert is claimed before sending, so
// several nodes never send one twice.
func (e *Engine) SendAlerts(ctx context.Context) (int, error) {
	if e.mail == nil || len(e.contacts) == 0 {
		return 0, nil
	}
	var batch []Alert
	err := e.db.Write(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, `UPDATE risk_alerts SET mailed_at = ? WHERE id IN (SELECT id FROM risk_alerts WHERE mailed_at IS NULL ORDER BY created_at LIMIT 50)
			RETURNING id, rule, severity, staff_id, evidence, status, assignee, resolution, created_at, updated_at`, tx.Now())
		batch, err = db.Collect(rows, err, scanAlert)
		return err
	})
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, a := range batch {
		for _, to := range e.contacts {
			msg := notify.Message{To: mail.Address{Address: to}, Template: "notice", Locale: "en", Data: map[string]any{
				"Title":      fmt.Sprintf("Security alert (%s): %s", a.Severity, a.Rule),
				"Body":       fmt.Sprintf("A %s-severity staff monitoring alert was raised on %s by the rule %q.\n\nEvidence: %s\n\nOpen the alert queue to assign and resolve it.", a.Severity, a.CreatedAt.Format("2006-01-02 15:04 UTC"), a.Rule, a.Evidence),
				"ActionURL":  e.base + "/console/security/alerts/" + a.ID,
				"ActionText": "Open the alert",
			}}
			if _, err := e.mail.Send(ctx, msg); err != nil {
				e.log.WarnContext(ctx, "security alert e-mail not sent", "alert", a.ID, "error", err)
				continue
			}
			sent++
		}
	}
	return sent, nil
}
