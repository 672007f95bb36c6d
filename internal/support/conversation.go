package support

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"
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

// Start opens a conversation: the contact (found or created), the first
// message, the SLA due times, and the search tokens, in one transaction.
func (s *Service) Start(ctx context.Context, n NewConversation) (*Conversation, error) {
	var out *Conversation
	err := s.db.Write(ctx, func(tx *db.Tx) error {
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
	return out, nil
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
	var subjectCT []byte
	if n.Subject != "" {
		subjectCT = key.Seal([]byte(n.Subject), []byte("conversations.subject:"+id))
	}
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

// NewMessage is a message or note added to a conversation.
type NewMessage struct {
	Kind     string
	AuthorID string // the agent or bot; "" for the customer
	ClientID string // makes a re-sent message a no-op
	Body     string
}

// Post adds a message to a conversation and returns it; dup is true when a
// message with the same client id was already there (it is returned, and
// nothing changes). A customer's message reopens a pending or resolved
// conversation; the first agent message is the first response.
func (s *Service) Post(ctx context.Context, conversationID string, m NewMessage) (msg *Message, dup bool, err error) {
	if !slices.Contains([]string{KindCustomer, KindAgent, KindBot, KindSystem, KindNote}, m.Kind) {
		return nil, false, invalid("kind", "unknown kind of message")
	}
	body, err := checkBody(m.Body)
	if err != nil {
		return nil, false, err
	}
	if len(m.ClientID) > 64 {
		return nil, false, invalid("client_id", "at most 64 characters")
	}
	var c *Conversation
	var job *mailJob
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		var subject string
		job = nil
		c, subject, err = s.load(ctx, tx, conversationID, true)
		if err != nil {
			return err
		}
		if c.Status == StatusClosed {
			return ErrClosed
		}
		msg, dup, err = s.post(ctx, tx, c, subject, m.Kind, m.AuthorID, m.ClientID, body)
		if err != nil || dup || m.Kind != KindAgent {
			return err
		}
		name, err := s.agentName(ctx, tx, m.AuthorID)
		if err != nil {
			return err
		}
		job, err = s.replyMail(ctx, tx, c, msg, name)
		return err
	})
	if err != nil {
		return nil, false, err
	}
	if !dup {
		s.publish(ctx, conversationID, "message", msg)
	}
	if job != nil {
		s.sendMail(ctx, *job)
	}
	if !dup && m.Kind == KindAgent && c.Channel == ChannelMessaging {
		s.deliverOutgoing(ctx, conversationID, msg)
	}
	return msg, dup, nil
}

// post writes a message inside tx and updates the conversation's counters
// and status.
func (s *Service) post(ctx context.Context, tx *db.Tx, c *Conversation, subject, kind, author, clientID, body string) (*Message, bool, error) {
	if clientID != "" {
		if m, err := s.messageByClientID(ctx, tx, c.ID, clientID); err == nil {
			return m, true, nil
		} else if !errors.Is(err, sql.ErrNoRows) {
			return nil, false, err
		}
	}
	key, err := s.keys.DataKey(ctx, tx, subject)
	if err != nil {
		return nil, false, err
	}
	now := tx.Now()
	m := &Message{ID: newID(), Kind: kind, AuthorID: author, ClientID: clientID, Body: body, CreatedAt: now}
	if err := tx.QueryRow(ctx, "SELECT COALESCE(MAX(seq), 0) + 1 FROM conversation_messages WHERE conversation_id = ?", c.ID).Scan(&m.Seq); err != nil {
		return nil, false, err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO conversation_messages (conversation_id, seq, id, kind, author_id, client_id, body_sealed, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, c.ID, m.Seq, m.ID, kind, nullable(author), nullable(clientID),
		key.Seal([]byte(body), []byte("conversation_messages.body:"+m.ID)), now); err != nil {
		return nil, false, err
	}
	status := c.Status
	if kind == KindCustomer && (status == StatusPending || status == StatusResolved) {
		status = StatusOpen
	}
	firstResponse := kind == KindAgent && c.FirstResponseAt == nil
	q := "UPDATE conversations SET message_count = message_count + 1, updated_at = ?, status = ?"
	args := []any{now, status}
	if kind != KindNote && kind != KindSystem {
		q += ", last_message_at = ?"
		args = append(args, now)
	}
	if firstResponse {
		q += ", first_response_at = ?"
		args = append(args, now)
		c.FirstResponseAt = &now
	}
	if status == StatusOpen && c.Status == StatusResolved {
		q += ", resolved_at = NULL"
	}
	q += " WHERE id = ?"
	args = append(args, c.ID)
	if _, err := tx.Exec(ctx, q, args...); err != nil {
		return nil, false, err
	}
	c.Status = status
	if kind != KindNote {
		if err := s.indexText(ctx, tx, c.ID, body); err != nil {
			return nil, false, err
		}
	}
	return m, false, nil
}

func (s *Service) messageByClientID(ctx context.Context, tx *db.Tx, convID, clientID string) (*Message, error) {
	rows, err := tx.Query(ctx, "SELECT "+messageColumns+" FROM conversation_messages WHERE conversation_id = ? AND client_id = ?", convID, clientID)
	if err != nil {
		return nil, err
	}
	ms, err := s.scanMessages(ctx, tx, rows)
	if err != nil {
		return nil, err
	}
	if len(ms) == 0 {
		return nil, sql.ErrNoRows
	}
	return &ms[0], nil
}

const messageColumns = "id, seq, kind, author_id, client_id, body_sealed, created_at"

// scanMessages reads rows of messageColumns, closes them and opens the
// messages' bodies.
func (s *Service) scanMessages(ctx context.Context, tx *db.Tx, rows *sql.Rows) ([]Message, error) {
	type sealedMessage struct {
		Message
		body []byte
	}
	list, err := db.Collect(rows, nil, func(row db.Scanner) (m sealedMessage, err error) {
		var author, client sql.NullString
		err = row.Scan(&m.ID, &m.Seq, &m.Kind, &author, &client, &m.body, &m.CreatedAt)
		m.AuthorID, m.ClientID, m.CreatedAt = author.String, client.String, m.CreatedAt.UTC()
		return m, err
	})
	if err != nil {
		return nil, err
	}
	sealed := make([][]byte, len(list))
	for i, m := range list {
		sealed[i] = m.body
	}
	if err := s.keys.Warm(ctx, tx, sealed...); err != nil {
		return nil, err
	}
	var out []Message
	for _, m := range list {
		pt, err := s.keys.Open(ctx, tx, m.body, []byte("conversation_messages.body:"+m.ID))
		if err != nil {
			return nil, err
		}
		m.Message.Body = string(pt)
		out = append(out, m.Message)
	}
	return out, nil
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

// MessagesAfter returns the messages after seq (not notes), for a client
// catching up after a reconnect.
func (s *Service) MessagesAfter(ctx context.Context, id string, seq int) ([]Message, error) {
	var out []Message
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, "SELECT "+messageColumns+" FROM conversation_messages WHERE conversation_id = ? AND seq > ? AND kind <> 'note' ORDER BY seq LIMIT 500", id, seq)
		if err != nil {
			return err
		}
		out, err = s.scanMessages(ctx, tx, rows)
		return err
	})
	return out, err
}

// Change is a staff change to a conversation; empty fields stay as they
// are.
type Change struct {
	Status   string
	Priority string
	Category string // "-" clears it
	TeamID   string // "-" clears it
}

// Update applies a staff member's change, recomputing the SLA due times
// when the priority changes, and records it in the audit trail.
func (s *Service) Update(ctx context.Context, id string, ch Change) (*Conversation, error) {
	if ch.Status != "" && !slices.Contains(Statuses, ch.Status) {
		return nil, invalid("status", "unknown status")
	}
	if ch.Priority != "" && !slices.Contains(Priorities, ch.Priority) {
		return nil, invalid("priority", "unknown priority")
	}
	var out *Conversation
	var survey *mailJob
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		survey = nil
		c, _, err := s.load(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if c.MergedInto != "" {
			return invalid("conversation", "merged into another conversation")
		}
		now := tx.Now()
		details := map[string]any{}
		set, args := []string{"updated_at = ?"}, []any{now}
		if ch.Status != "" && ch.Status != c.Status {
			details["status"] = []string{c.Status, ch.Status}
			set, args = append(set, "status = ?"), append(args, ch.Status)
			switch ch.Status {
			case StatusResolved, StatusClosed:
				if c.ResolvedAt == nil {
					set, args = append(set, "resolved_at = ?"), append(args, now)
					c.ResolvedAt = &now
				}
			default:
				set = append(set, "resolved_at = NULL")
				c.ResolvedAt = nil
			}
			c.Status = ch.Status
		}
		if ch.Priority != "" && ch.Priority != c.Priority {
			details["priority"] = []string{c.Priority, ch.Priority}
			fr, res, err := s.dueTimes(ctx, tx, ch.Priority, c.CreatedAt)
			if err != nil {
				return err
			}
			set, args = append(set, "priority = ?", "first_response_due = ?", "resolution_due = ?"), append(args, ch.Priority, fr, res)
			c.Priority, c.FirstResponseDue, c.ResolutionDue = ch.Priority, &fr, &res
		}
		if ch.Category != "" {
			v := ch.Category
			if v == "-" {
				v = ""
			} else if err := s.checkCategory(ctx, tx, v); err != nil {
				return err
			}
			if v != c.Category {
				details["category"] = []string{c.Category, v}
				set, args = append(set, "category = ?"), append(args, nullable(v))
				c.Category = v
			}
		}
		if ch.TeamID != "" {
			v := ch.TeamID
			if v == "-" {
				v = ""
			} else if err := s.checkTeam(ctx, tx, v); err != nil {
				return err
			}
			if v != c.TeamID {
				details["team"] = []string{c.TeamID, v}
				set, args = append(set, "team_id = ?"), append(args, nullable(v))
				c.TeamID = v
			}
		}
		if len(details) == 0 {
			out = c
			return nil
		}
		if _, err := tx.Exec(ctx, "UPDATE conversations SET "+strings.Join(set, ", ")+" WHERE id = ?", append(args, id)...); err != nil {
			return err
		}
		c.UpdatedAt = now
		out = c
		if _, changed := details["status"]; changed && c.Status == StatusResolved {
			if survey, err = s.startSurvey(ctx, tx, c); err != nil {
				return err
			}
		}
		return s.audit.Record(ctx, tx, auditEvent("conversation.update", "conversation:"+id, details))
	})
	if err != nil {
		return nil, err
	}
	s.publish(ctx, id, "conversation", out)
	if survey != nil {
		s.sendMail(ctx, *survey)
	}
	return out, nil
}

// SetTags replaces a conversation's tags (lower case, letters, digits, -
// and _, at most 20).
func (s *Service) SetTags(ctx context.Context, id string, tags []string) ([]string, error) {
	clean := []string{}
	for _, t := range tags {
		t = strings.ToLower(strings.TrimSpace(t))
		if t == "" || slices.Contains(clean, t) {
			continue
		}
		if utf8.RuneCountInString(t) > MaxTag || strings.ContainsFunc(t, func(r rune) bool {
			return !(r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r > 127 && r != 0xFFFD)
		}) {
			return nil, invalid("tags", "a tag has at most 40 letters, digits, - or _")
		}
		clean = append(clean, t)
	}
	if len(clean) > MaxTags {
		return nil, invalid("tags", "at most 20 tags")
	}
	slices.Sort(clean)
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		if _, _, err := s.load(ctx, tx, id, true); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM conversation_tags WHERE conversation_id = ?", id); err != nil {
			return err
		}
		for _, t := range clean {
			if _, err := tx.Exec(ctx, "INSERT INTO conversation_tags (conversation_id, tag) VALUES (?, ?)", id, t); err != nil {
				return err
			}
		}
		_, err := tx.Exec(ctx, "UPDATE conversations SET updated_at = ? WHERE id = ?", tx.Now(), id)
		return err
	})
	return clean, err
}

// Merge moves every message of from into into (after its own, in time
// order) and leaves from as a pointer to into. Both must be with the same
// contact, so no one's messages end up in someone else's thread.
func (s *Service) Merge(ctx context.Context, from, into string) error {
	if from == into {
		return invalid("into", "a conversation cannot be merged into itself")
	}
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		a, _, err := s.load(ctx, tx, from, true)
		if err != nil {
			return err
		}
		b, _, err := s.load(ctx, tx, into, true)
		if err != nil {
			return err
		}
		if a.MergedInto != "" || b.MergedInto != "" {
			return invalid("into", "already merged")
		}
		if a.Contact.ID != b.Contact.ID {
			return invalid("into", "only conversations with the same person can be merged")
		}
		var max int
		if err := tx.QueryRow(ctx, "SELECT COALESCE(MAX(seq), 0) FROM conversation_messages WHERE conversation_id = ?", into).Scan(&max); err != nil {
			return err
		}
		// Renumber after the target's messages, keeping their order.
		if _, err := tx.Exec(ctx, "UPDATE conversation_messages SET conversation_id = ?, seq = seq + ? WHERE conversation_id = ?", into, max, from); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO conversation_search (token, conversation_id)
			SELECT token, ? FROM conversation_search WHERE conversation_id = ? ON CONFLICT DO NOTHING`, into, from); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO conversation_tags (conversation_id, tag)
			SELECT ?, tag FROM conversation_tags WHERE conversation_id = ? ON CONFLICT DO NOTHING`, into, from); err != nil {
			return err
		}
		now := tx.Now()
		last := b.LastMessageAt
		if a.LastMessageAt.After(last) {
			last = a.LastMessageAt
		}
		if _, err := tx.Exec(ctx, `UPDATE conversations SET message_count = message_count + ?, last_message_at = ?, updated_at = ?,
			status = CASE WHEN status IN ('resolved', 'closed') AND ? = 'open' THEN 'open' ELSE status END WHERE id = ?`,
			a.MessageCount, last, now, a.Status, into); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE conversations SET merged_into = ?, status = 'closed', message_count = 0, updated_at = ? WHERE id = ?", into, now, from); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, auditEvent("conversation.merge", "conversation:"+into, map[string]any{"from": from}))
	})
	if err == nil {
		s.publish(ctx, from, "merged", map[string]string{"into": into})
		s.publish(ctx, into, "conversation", map[string]string{"id": into})
	}
	return err
}

func (s *Service) checkCategory(ctx context.Context, tx *db.Tx, id string) error {
	var archived bool
	err := tx.QueryRow(ctx, "SELECT archived FROM support_categories WHERE id = ?", id).Scan(&archived)
	if errors.Is(err, sql.ErrNoRows) || archived {
		return invalid("category", "unknown category")
	}
	return err
}

func (s *Service) checkTeam(ctx context.Context, tx *db.Tx, id string) error {
	var one int
	err := tx.QueryRow(ctx, "SELECT 1 FROM support_teams WHERE id = ?", id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return invalid("team", "unknown team")
	}
	return err
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
