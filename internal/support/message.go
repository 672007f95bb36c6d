package support

import (
	"context"
	"database/sql"
	"errors"
	"slices"

	"github.com/frontdesk/frontdesk/internal/db"
)

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
		SealBody(key, m.ID, body), now); err != nil {
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
