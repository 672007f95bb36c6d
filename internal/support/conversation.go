package support

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/identity"
)

// Conversation is one thread with a contact.
type Conversation struct {
	ID               string     `json:"id"`
	Contact          Contact    `json:"contact"`
	Channel          string     `json:"channel"`
	Status           string     `json:"status"`
	Priority         string     `json:"priority"`
	Category         string     `json:"category,omitempty"`
	TeamID           string     `json:"team_id,omitempty"`
	AssigneeID       string     `json:"assignee_id,omitempty"`
	Language         string     `json:"language"`
	Subject          string     `json:"subject,omitempty"`
	MergedInto       string     `json:"merged_into,omitempty"`
	Tags             []string   `json:"tags"`
	CreatedAt        time.Time  `json:"created_at"`
	UpdatedAt        time.Time  `json:"updated_at"`
	LastMessageAt    time.Time  `json:"last_message_at"`
	FirstResponseAt  *time.Time `json:"first_response_at,omitempty"`
	FirstResponseDue *time.Time `json:"first_response_due,omitempty"`
	ResolutionDue    *time.Time `json:"resolution_due,omitempty"`
	ResolvedAt       *time.Time `json:"resolved_at,omitempty"`
	Breached         bool       `json:"sla_breached"`
	MessageCount     int        `json:"message_count"`
	Messages         []Message  `json:"messages,omitempty"`
}

// Message is one message or internal note.
type Message struct {
	ID        string    `json:"id"`
	Seq       int       `json:"seq"`
	Kind      string    `json:"kind"`
	AuthorID  string    `json:"author_id,omitempty"`
	ClientID  string    `json:"client_id,omitempty"`
	Body      string    `json:"body"`
	CreatedAt time.Time `json:"created_at"`
}

// NewConversation starts a conversation with its first message.
type NewConversation struct {
	Who      Who
	Channel  string
	Subject  string
	Body     string
	ClientID string // the first message's client id, if the client sends one
	Priority string // "" means normal
	Category string
	TeamID   string
	Kind     string // of the first message: customer (default), or agent for an outbound conversation or a logged call
	AuthorID string // the agent, for Kind agent
	// IP, for a visitor who is not signed in, limits how many
	// conversations one address starts (VisitorStartsPerHour).
	IP string
	// Acknowledge e-mails the contact the conversation's reference once
	// it is saved (the contact page).
	Acknowledge bool
}

// VisitorStartsPerHour bounds the conversations visitors who are not
// signed in start from one IP address in an hour.
const VisitorStartsPerHour = 10

// RateLimitedError says to wait before starting another conversation.
type RateLimitedError struct{ RetryAfter time.Duration }

func (e *RateLimitedError) Error() string {
	return "support: too many new conversations; retry after " + e.RetryAfter.String()
}

func checkBody(body string) (string, error) {
	body = strings.TrimSpace(body)
	switch {
	case body == "":
		return "", invalid("body", "write a message")
	case !utf8.ValidString(body):
		return "", invalid("body", "not valid UTF-8 text")
	case utf8.RuneCountInString(body) > MaxBody:
		return "", invalid("body", "at most 20,000 characters")
	}
	return body, nil
}

// writeWithContact runs fn, which finds or creates a contact, in a write
// transaction, and runs it again when a concurrent transaction created the
// same contact first (two first conversations of one customer at once): the
// unique index refuses the second insert, and the retry finds the contact.
// Everything fn did the first time was rolled back with it.
func (s *Service) writeWithContact(ctx context.Context, fn func(tx *db.Tx) error) error {
	var err error
	for range 3 {
		if err = s.db.Write(ctx, fn); !db.IsUniqueViolation(err) {
			return err
		}
	}
	return err
}

// Start opens a conversation: the contact (found or created), the first
// message, the SLA due times, and the search tokens, in one transaction.
func (s *Service) Start(ctx context.Context, n NewConversation) (*Conversation, error) {
	var out *Conversation
	err := s.writeWithContact(ctx, func(tx *db.Tx) error {
		if n.IP != "" && n.Who.AccountID == "" {
			wait, err := identity.Quota(ctx, tx, time.Hour, map[string]int{"support:ip:" + n.IP: VisitorStartsPerHour})
			if err != nil {
				return err
			}
			if wait > 0 {
				return &RateLimitedError{RetryAfter: wait}
			}
		}
		var err error
		out, _, err = s.startIn(ctx, tx, n)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.publish(ctx, out.ID, "conversation", out)
	if n.Acknowledge {
		if job := s.ackMail(out); job != nil {
			s.sendMail(ctx, *job)
		}
	}
	return out, nil
}

// subjectFrom makes a subject of a first message that came without one
// (a chat, a message from an app): its first line, cut at a word after
// about 60 characters.
func subjectFrom(body string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(body), "\n")
	// Control characters (a NUL or an escape a client sent along) are no
	// part of a name: they count as spaces, and a line of nothing else
	// gives no subject at all.
	line = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, line)
	line = strings.Join(strings.Fields(line), " ")
	const max = 60
	if utf8.RuneCountInString(line) <= max {
		return line
	}
	r := []rune(line)
	cut := max
	for i := max; i > max/2; i-- {
		if r[i] == ' ' {
			cut = i
			break
		}
	}
	return strings.TrimRight(string(r[:cut]), " ,.;:") + "…"
}

// startIn checks n and opens its conversation inside tx, returning it with
// its first message and the contact's data-key subject.
func (s *Service) startIn(ctx context.Context, tx *db.Tx, n NewConversation) (*Conversation, string, error) {
	if !slices.Contains(Channels, n.Channel) {
		return nil, "", invalid("channel", "unknown channel")
	}
	if n.Priority == "" {
		n.Priority = PriorityNormal
	}
	if !slices.Contains(Priorities, n.Priority) {
		return nil, "", invalid("priority", "unknown priority")
	}
	if n.Kind == "" {
		n.Kind = KindCustomer
	}
	if n.Kind != KindCustomer && n.Kind != KindAgent && n.Kind != KindSystem {
		return nil, "", invalid("kind", "a conversation starts with the customer's message, an agent's or the system's")
	}
	n.Subject = strings.TrimSpace(n.Subject)
	if utf8.RuneCountInString(n.Subject) > MaxSubject || !utf8.ValidString(n.Subject) {
		return nil, "", invalid("subject", "at most 200 characters")
	}
	body, err := checkBody(n.Body)
	if err != nil {
		return nil, "", err
	}
	if n.Subject == "" {
		n.Subject = subjectFrom(body)
	}
	if len(n.ClientID) > 64 {
		return nil, "", invalid("client_id", "at most 64 characters")
	}
	contact, subject, err := s.contact(ctx, tx, n.Who)
	if err != nil {
		return nil, "", err
	}
	if n.Category != "" {
		if err := s.checkCategory(ctx, tx, n.Category); err != nil {
			return nil, "", err
		}
	}
	if n.TeamID != "" {
		if err := s.checkTeam(ctx, tx, n.TeamID); err != nil {
			return nil, "", err
		}
	}
	key, err := s.keys.DataKey(ctx, tx, subject)
	if err != nil {
		return nil, "", err
	}
	now := tx.Now()
	id := newID()
	frDue, resDue, err := s.dueTimes(ctx, tx, n.Priority, now)
	if err != nil {
		return nil, "", err
	}
	subjectCT := SealSubject(key, id, n.Subject)
	if _, err := tx.Exec(ctx, `INSERT INTO conversations (id, contact_id, channel, status, priority, category, team_id, language, subject_sealed,
		created_at, updated_at, last_message_at, first_response_due, resolution_due)
		VALUES (?, ?, ?, 'open', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		id, contact.ID, n.Channel, n.Priority, nullable(n.Category), nullable(n.TeamID), contact.Locale, subjectCT, now, now, now, frDue, resDue); err != nil {
		return nil, "", err
	}
	c := &Conversation{ID: id, Contact: *contact, Channel: n.Channel, Status: StatusOpen, Priority: n.Priority, Category: n.Category,
		TeamID: n.TeamID, Language: contact.Locale, Subject: n.Subject, Tags: []string{}, CreatedAt: now, UpdatedAt: now, LastMessageAt: now,
		FirstResponseDue: &frDue, ResolutionDue: &resDue}
	if err := s.indexText(ctx, tx, id, n.Subject); err != nil {
		return nil, "", err
	}
	first, _, err := s.post(ctx, tx, c, subject, n.Kind, n.AuthorID, n.ClientID, body)
	if err != nil {
		return nil, "", err
	}
	c.Messages, c.MessageCount = []Message{*first}, 1
	return c, subject, nil
}

const conversationColumns = `id, contact_id, channel, status, priority, category, team_id, assignee_id, language, subject_sealed, merged_into,
	created_at, updated_at, last_message_at, first_response_at, first_response_due, resolution_due, resolved_at, breached, message_count`

type conversationRow struct {
	c         Conversation
	contactID string
	subjectCT []byte
}

func scanConversation(row interface{ Scan(...any) error }) (*conversationRow, error) {
	var (
		r                                conversationRow
		category, team, assignee, merged sql.NullString
		firstAt, firstDue, resDue, resAt sql.NullTime
	)
	err := row.Scan(&r.c.ID, &r.contactID, &r.c.Channel, &r.c.Status, &r.c.Priority, &category, &team, &assignee, &r.c.Language, &r.subjectCT, &merged,
		&r.c.CreatedAt, &r.c.UpdatedAt, &r.c.LastMessageAt, &firstAt, &firstDue, &resDue, &resAt, &r.c.Breached, &r.c.MessageCount)
	if err != nil {
		return nil, err
	}
	r.c.Category, r.c.TeamID, r.c.AssigneeID, r.c.MergedInto = category.String, team.String, assignee.String, merged.String
	r.c.CreatedAt, r.c.UpdatedAt, r.c.LastMessageAt = r.c.CreatedAt.UTC(), r.c.UpdatedAt.UTC(), r.c.LastMessageAt.UTC()
	r.c.FirstResponseAt, r.c.FirstResponseDue, r.c.ResolutionDue, r.c.ResolvedAt = timePtr(firstAt), timePtr(firstDue), timePtr(resDue), timePtr(resAt)
	return &r, nil
}

func timePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// load reads a conversation with its contact and tags (not its messages)
// and returns its data-key subject.
func (s *Service) load(ctx context.Context, tx *db.Tx, id string, lock bool) (*Conversation, string, error) {
	q := "SELECT " + conversationColumns + " FROM conversations WHERE id = ?"
	if lock {
		q += tx.ForUpdate()
	}
	r, err := scanConversation(tx.QueryRow(ctx, q, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", ErrNotFound
	}
	if err != nil {
		return nil, "", err
	}
	c, err := s.complete(ctx, tx, r)
	if err != nil {
		return nil, "", err
	}
	var subject string
	if err := tx.QueryRow(ctx, "SELECT key_subject FROM support_contacts WHERE id = ?", r.contactID).Scan(&subject); err != nil {
		return nil, "", err
	}
	return c, subject, nil
}

// complete opens a row's subject and reads its contact and tags.
func (s *Service) complete(ctx context.Context, tx *db.Tx, r *conversationRow) (*Conversation, error) {
	c := r.c
	contact, err := s.contactByID(ctx, tx, r.contactID)
	if err != nil {
		return nil, err
	}
	c.Contact = *contact
	if len(r.subjectCT) > 0 {
		pt, err := s.keys.Open(ctx, tx, r.subjectCT, []byte("conversations.subject:"+c.ID))
		if err != nil {
			return nil, err
		}
		c.Subject = string(pt)
	}
	rows, err := tx.Query(ctx, "SELECT tag FROM conversation_tags WHERE conversation_id = ? ORDER BY tag", c.ID)
	if c.Tags, err = db.Collect(rows, err, db.Value[string]); err != nil {
		return nil, err
	}
	return &c, nil
}

// Get returns a conversation with its messages; internal notes only when
// notes is set (staff).
func (s *Service) Get(ctx context.Context, id string, notes bool) (*Conversation, error) {
	var out *Conversation
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		c, _, err := s.load(ctx, tx, id, false)
		if err != nil {
			return err
		}
		q := "SELECT " + messageColumns + " FROM conversation_messages WHERE conversation_id = ?"
		if !notes {
			q += " AND kind <> 'note'"
		}
		rows, err := tx.Query(ctx, q+" ORDER BY seq", id)
		if err != nil {
			return err
		}
		if c.Messages, err = s.scanMessages(ctx, tx, rows); err != nil {
			return err
		}
		out = c
		return nil
	})
	return out, err
}

// ConversationsOf lists a customer account's conversations, newest
// activity first, without messages.
func (s *Service) ConversationsOf(ctx context.Context, accountID string, limit int) ([]Conversation, error) {
	var contact string
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		return tx.QueryRow(ctx, "SELECT id FROM support_contacts WHERE account_id = ?", accountID).Scan(&contact)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return []Conversation{}, nil
	}
	if err != nil {
		return nil, err
	}
	return s.List(ctx, Filter{ContactID: contact, Limit: limit})
}

// auditEvent is a staff action on the desk. Details hold ids and states,
// never message text.
func auditEvent(action, target string, details map[string]any) audit.Event {
	return audit.Event{Action: action, Target: target, Details: details}
}

// publish sends a live update about a conversation to the nodes holding
// its connections: subject conv.<id>.<what>. Failures are logged: the
// database has the change, and clients catch up from it.
func (s *Service) publish(ctx context.Context, convID, what string, v any) {
	if s.bus == nil {
		return
	}
	b, err := json.Marshal(v)
	if err == nil {
		err = s.bus.Publish(ctx, "conv."+convID+"."+what, b)
	}
	if err != nil {
		s.log.WarnContext(ctx, "live update not published", "conversation", convID, "what", what, "error", err.Error())
	}
}
