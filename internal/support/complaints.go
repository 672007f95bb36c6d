package support

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/identity"
)

// Complaints: a customer complains about how a conversation (or, later, a
// remote-assistance session) went, naming it by id and time. Complaints
// are not conversations: they go to supervisors (desk:manage), have their
// own due time (ComplaintDue, counted in wall-clock time: a regulator's
// clock does not stop at weekends) and are resolved with a written
// answer. The text is sealed with the contact's key.

// ComplaintDue is how long the desk has to answer a complaint.
const ComplaintDue = 5 * 24 * time.Hour

// Complaint is one complaint.
type Complaint struct {
	ID             string     `json:"id"`
	Contact        Contact    `json:"contact"`
	ConversationID string     `json:"conversation_id,omitempty"`
	AssistID       string     `json:"assist_id,omitempty"`
	OccurredAt     *time.Time `json:"occurred_at,omitempty"`
	Body           string     `json:"body"`
	Status         string     `json:"status"`
	AssigneeID     string     `json:"assignee_id,omitempty"`
	DueAt          time.Time  `json:"due_at"`
	Resolution     string     `json:"resolution,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
	ResolvedAt     *time.Time `json:"resolved_at,omitempty"`
	Overdue        bool       `json:"overdue"`
}

// NewComplaint is what a customer files.
type NewComplaint struct {
	Who            Who
	ConversationID string // must be the same contact's conversation
	AssistID       string
	OccurredAt     time.Time
	Body           string
	IP             string // a visitor's address, for the same limit as new conversations
}

// FileComplaint records a complaint and returns it.
func (s *Service) FileComplaint(ctx context.Context, n NewComplaint) (*Complaint, error) {
	body, err := checkBody(n.Body)
	if err != nil {
		return nil, err
	}
	if len(n.AssistID) > 64 {
		return nil, invalid("assist_id", "not a session id")
	}
	var out *Complaint
	err = s.writeWithContact(ctx, func(tx *db.Tx) error {
		if n.IP != "" && n.Who.AccountID == "" {
			wait, err := identity.Quota(ctx, tx, time.Hour, map[string]int{"support:ip:" + n.IP: VisitorStartsPerHour})
			if err != nil {
				return err
			}
			if wait > 0 {
				return &RateLimitedError{RetryAfter: wait}
			}
		}
		contact, subject, err := s.contact(ctx, tx, n.Who)
		if err != nil {
			return err
		}
		if n.ConversationID != "" {
			c, _, err := s.load(ctx, tx, n.ConversationID, false)
			if errors.Is(err, ErrNotFound) || err == nil && c.Contact.ID != contact.ID {
				return invalid("conversation_id", "not one of your conversations")
			}
			if err != nil {
				return err
			}
		}
		key, err := s.keys.DataKey(ctx, tx, subject)
		if err != nil {
			return err
		}
		now := tx.Now()
		out = &Complaint{ID: newID(), Contact: *contact, ConversationID: n.ConversationID, AssistID: n.AssistID, Body: body,
			Status: "open", DueAt: now.Add(ComplaintDue), CreatedAt: now}
		var occurred any
		if !n.OccurredAt.IsZero() {
			t := n.OccurredAt.UTC()
			out.OccurredAt, occurred = &t, t
		}
		if _, err := tx.Exec(ctx, `INSERT INTO support_complaints (id, contact_id, conversation_id, assist_id, occurred_at, body_sealed, status, due_at, created_at)
			VALUES (?, ?, ?, ?, ?, ?, 'open', ?, ?)`, out.ID, contact.ID, nullable(n.ConversationID), nullable(n.AssistID), occurred,
			key.Seal([]byte(body), []byte("support_complaints.body:"+out.ID)), out.DueAt, now); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, auditEvent("complaint.file", "complaint:"+out.ID, map[string]any{"conversation": n.ConversationID, "assist": n.AssistID}))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Complaints lists complaints, open ones first by due time.
func (s *Service) Complaints(ctx context.Context, status string) ([]Complaint, error) {
	out := []Complaint{}
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		out = out[:0]
		q, args := "SELECT id FROM support_complaints", []any{}
		if status != "" {
			q, args = q+" WHERE status = ?", append(args, status)
		}
		rows, err := tx.Query(ctx, q+" ORDER BY status, due_at, id LIMIT 500", args...)
		ids, err := db.Collect(rows, err, db.Value[string])
		if err != nil {
			return err
		}
		for _, id := range ids {
			c, err := s.complaint(ctx, tx, id)
			if err != nil {
				return err
			}
			out = append(out, *c)
		}
		return nil
	})
	return out, err
}

// Complaint returns one complaint.
func (s *Service) Complaint(ctx context.Context, id string) (*Complaint, error) {
	var out *Complaint
	err := s.db.Read(ctx, func(tx *db.Tx) (err error) {
		out, err = s.complaint(ctx, tx, id)
		return err
	})
	return out, err
}

func (s *Service) complaint(ctx context.Context, tx *db.Tx, id string) (*Complaint, error) {
	var (
		c                      Complaint
		contactID              string
		conv, assist, assignee sql.NullString
		occurred, resolved     sql.NullTime
		body, resolution       []byte
	)
	err := tx.QueryRow(ctx, `SELECT id, contact_id, conversation_id, assist_id, occurred_at, body_sealed, status, assignee_id, due_at, resolution_sealed, created_at, resolved_at
		FROM support_complaints WHERE id = ?`, id).Scan(&c.ID, &contactID, &conv, &assist, &occurred, &body, &c.Status, &assignee, &c.DueAt, &resolution, &c.CreatedAt, &resolved)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	contact, err := s.contactByID(ctx, tx, contactID)
	if err != nil {
		return nil, err
	}
	c.Contact, c.ConversationID, c.AssistID, c.AssigneeID = *contact, conv.String, assist.String, assignee.String
	c.OccurredAt, c.ResolvedAt, c.DueAt, c.CreatedAt = timePtr(occurred), timePtr(resolved), c.DueAt.UTC(), c.CreatedAt.UTC()
	for _, f := range []struct {
		ct  []byte
		aad string
		dst *string
	}{{body, "support_complaints.body:", &c.Body}, {resolution, "support_complaints.resolution:", &c.Resolution}} {
		if len(f.ct) == 0 {
			continue
		}
		pt, err := s.keys.Open(ctx, tx, f.ct, []byte(f.aad+c.ID))
		if err != nil {
			return nil, err
		}
		*f.dst = string(pt)
	}
	c.Overdue = c.Status == "open" && tx.Now().After(c.DueAt)
	return &c, nil
}

// ResolveComplaint closes a complaint with the written answer given to
// the customer, by a supervisor.
func (s *Service) ResolveComplaint(ctx context.Context, id, by, resolution string) error {
	resolution = strings.TrimSpace(resolution)
	if resolution == "" || utf8.RuneCountInString(resolution) > MaxBody {
		return invalid("resolution", "write the answer given to the customer")
	}
	var job *mailJob
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		job = nil
		var status, contactID string
		err := tx.QueryRow(ctx, "SELECT status, contact_id FROM support_complaints WHERE id = ?"+tx.ForUpdate(), id).Scan(&status, &contactID)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if status != "open" {
			return invalid("status", "the complaint is already resolved")
		}
		var subject string
		if err := tx.QueryRow(ctx, "SELECT key_subject FROM support_contacts WHERE id = ?", contactID).Scan(&subject); err != nil {
			return err
		}
		key, err := s.keys.DataKey(ctx, tx, subject)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE support_complaints SET status = 'resolved', assignee_id = ?, resolution_sealed = ?, resolved_at = ? WHERE id = ?",
			by, key.Seal([]byte(resolution), []byte("support_complaints.resolution:"+id)), tx.Now(), id); err != nil {
			return err
		}
		contact, err := s.contactByID(ctx, tx, contactID)
		if err != nil {
			return err
		}
		if contact.Email != "" {
			// The answer goes to the customer in writing.
			t := deskText(contact.Locale)
			job = &mailJob{msg: noticeMail(&Conversation{Contact: *contact, Language: contact.Locale}, t.complaintTitle, resolution, "", "")}
		}
		return s.audit.Record(ctx, tx, auditEvent("complaint.resolve", "complaint:"+id, nil))
	})
	if err == nil && job != nil {
		s.sendMail(ctx, *job)
	}
	return err
}
