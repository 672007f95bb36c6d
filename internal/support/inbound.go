package support

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/mailin"
)

// Incoming e-mail. Each message fetched from the desk's mailbox becomes a
// customer message: appended to the conversation its In-Reply-To or
// References name (one of our replies, or an earlier message of theirs),
// or a new e-mail conversation. Rules:
//
//   - The sender's address is not authenticated, so an e-mail
//     conversation is with a visitor contact, never linked to a customer
//     account by its From header: an agent who wants the account searches
//     for it and checks the identity before acting on it.
//   - The quoted previous message is cut from a reply; the text is capped
//     at MaxBody characters (the rest is noted as cut).
//   - Attachments are kept, sealed with the contact's key (up to
//     MaxAttachmentBytes each, MaxAttachments per message); parts left out
//     are listed in a system note.
//   - Automatic mail (auto-replies, bounces, lists) never starts a
//     conversation and is never answered: when it belongs to a thread it
//     becomes a system note, so the agent sees that a reply bounced.
//   - The same Message-ID delivered twice is stored once.

// Limits on kept attachments.
const (
	MaxAttachmentBytes = 10 << 20
	MaxAttachments     = 20
	maxEmailBytes      = 25 << 20
)

// InboundResult says what became of an e-mail.
type InboundResult struct {
	ConversationID string
	MessageID      string
	Started        bool // a new conversation
	Duplicate      bool // already stored
	Ignored        bool // automatic mail outside any thread
}

// IngestEmail stores one raw RFC 5322 message.
func (s *Service) IngestEmail(ctx context.Context, raw []byte) (InboundResult, error) {
	var res InboundResult
	m, err := mailin.Parse(bytes.NewReader(raw), maxEmailBytes)
	tooLarge := errors.Is(err, mailin.ErrTooLarge)
	if err != nil && !tooLarge {
		return res, err
	}
	from := m.From
	if len(m.ReplyTo) > 0 {
		from = m.ReplyTo[0]
	}
	email, err := normalizeEmail(from.Address)
	if err != nil {
		if m.AutoSubmitted {
			res.Ignored = true
			return res, nil
		}
		return res, invalid("from", "the sender has no usable address")
	}
	body := strings.TrimSpace(mailin.StripQuoted(m.Text))
	var notes []string
	switch {
	case tooLarge:
		body = "(e-mail over 25 MB: not kept)"
	case body == "" && len(m.Attachments) > 0:
		body = "(attachments only)"
	case body == "":
		body = "(empty e-mail)"
	}
	if utf8.RuneCountInString(body) > MaxBody {
		body = string([]rune(body)[:MaxBody-40]) + "\n[… the rest of the e-mail was cut]"
	}
	var keep []mailin.Attachment
	for _, a := range m.Attachments {
		switch {
		case len(a.Data) > MaxAttachmentBytes:
			notes = append(notes, "left out "+safeName(a.Filename)+": over 10 MB")
		case len(keep) >= MaxAttachments:
			notes = append(notes, "left out "+safeName(a.Filename)+": too many attachments")
		default:
			keep = append(keep, a)
		}
	}
	for _, sk := range m.Skipped {
		notes = append(notes, "left out "+safeName(sk.Filename)+": "+sk.Reason)
	}
	clientID := ""
	if m.MessageID != "" {
		h := sha256.Sum256([]byte(m.MessageID))
		clientID = "mail-" + hex.EncodeToString(h[:20])
	}
	refs := append([]string{m.InReplyTo}, reversed(m.References)...)

	var msg *Message
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		res, msg = InboundResult{}, nil
		if m.MessageID != "" {
			// Delivered before (a second fetch, or the same mail in two
			// mailboxes): nothing to do.
			var seen string
			err := tx.QueryRow(ctx, "SELECT conversation_id FROM conversation_email WHERE message_id = ? AND inbound = TRUE", strings.Trim(m.MessageID, "<>")).Scan(&seen)
			if err == nil {
				res.ConversationID, res.Duplicate = seen, true
				return nil
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		c, subject, err := s.threadOf(ctx, tx, refs)
		if err != nil {
			return err
		}
		if m.AutoSubmitted {
			if c == nil {
				res.Ignored = true
				return nil
			}
			subj := m.Subject
			if utf8.RuneCountInString(subj) > 150 {
				subj = string([]rune(subj)[:150])
			}
			msg, res.Duplicate, err = s.post(ctx, tx, c, subject, KindSystem, "", clientID, "Automatic e-mail received (auto-reply or delivery failure): "+subj)
			res.ConversationID = c.ID
			return err
		}
		if c == nil {
			c, subject, err = s.startEmail(ctx, tx, email, from.Name, m.Subject, body)
			if err != nil {
				return err
			}
			res.Started = true
		}
		res.ConversationID = c.ID
		if !res.Started {
			if msg, res.Duplicate, err = s.post(ctx, tx, c, subject, KindCustomer, "", clientID, body); err != nil || res.Duplicate {
				return err
			}
		} else {
			msg, err = s.firstMessage(ctx, tx, c.ID)
			if err != nil {
				return err
			}
			if clientID != "" {
				if _, err := tx.Exec(ctx, "UPDATE conversation_messages SET client_id = ? WHERE id = ?", clientID, msg.ID); err != nil {
					return err
				}
			}
		}
		if err := s.keepAttachments(ctx, tx, c, subject, msg.ID, keep); err != nil {
			return err
		}
		if len(notes) > 0 {
			if _, _, err := s.post(ctx, tx, c, subject, KindSystem, "", "", strings.Join(notes, "\n")); err != nil {
				return err
			}
		}
		if m.MessageID != "" {
			_, err = tx.Exec(ctx, "INSERT INTO conversation_email (message_id, conversation_id, inbound, created_at) VALUES (?, ?, TRUE, ?) ON CONFLICT DO NOTHING",
				strings.Trim(m.MessageID, "<>"), c.ID, tx.Now())
		}
		return err
	})
	if err != nil {
		return InboundResult{}, err
	}
	if msg != nil {
		res.MessageID = msg.ID
		if !res.Duplicate {
			s.publish(ctx, res.ConversationID, "message", msg)
		}
	}
	return res, nil
}

// threadOf finds the conversation a reply belongs to, following merges;
// nil when none, or when it is closed (a new message starts a new one).
func (s *Service) threadOf(ctx context.Context, tx *db.Tx, ids []string) (*Conversation, string, error) {
	var clean []any
	for _, id := range ids {
		if id = strings.Trim(strings.TrimSpace(id), "<>"); id != "" && len(id) <= 250 {
			clean = append(clean, id)
		}
	}
	if len(clean) == 0 {
		return nil, "", nil
	}
	if len(clean) > 50 {
		clean = clean[:50]
	}
	var convID string
	err := tx.QueryRow(ctx, "SELECT conversation_id FROM conversation_email WHERE message_id IN ("+placeholders(len(clean))+") ORDER BY created_at DESC LIMIT 1", clean...).Scan(&convID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", err
	}
	for range 5 {
		c, subject, err := s.load(ctx, tx, convID, true)
		if err != nil {
			return nil, "", err
		}
		if c.MergedInto == "" {
			if c.Status == StatusClosed {
				return nil, "", nil
			}
			return c, subject, nil
		}
		convID = c.MergedInto
	}
	return nil, "", nil
}

// startEmail opens an e-mail conversation inside tx (Start without its own
// transaction).
func (s *Service) startEmail(ctx context.Context, tx *db.Tx, email, name, subjectLine, body string) (*Conversation, string, error) {
	subjectLine = strings.TrimSpace(subjectLine)
	if utf8.RuneCountInString(subjectLine) > MaxSubject {
		subjectLine = string([]rune(subjectLine)[:MaxSubject])
	}
	if utf8.RuneCountInString(name) > 200 {
		name = string([]rune(name)[:200])
	}
	return s.startIn(ctx, tx, NewConversation{Who: Who{Email: email, Name: name, Locale: guessLanguage(subjectLine + " " + body)},
		Channel: ChannelEmail, Subject: subjectLine, Body: body, Kind: KindCustomer})
}

func (s *Service) firstMessage(ctx context.Context, tx *db.Tx, convID string) (*Message, error) {
	rows, err := tx.Query(ctx, "SELECT "+messageColumns+" FROM conversation_messages WHERE conversation_id = ? ORDER BY seq LIMIT 1", convID)
	if err != nil {
		return nil, err
	}
	ms, err := s.scanMessages(ctx, tx, rows)
	if err != nil {
		return nil, err
	}
	if len(ms) == 0 {
		return nil, ErrNotFound
	}
	return &ms[0], nil
}

// keepAttachments stores a message's attachments sealed with the
// contact's key.
func (s *Service) keepAttachments(ctx context.Context, tx *db.Tx, c *Conversation, subject, messageID string, list []mailin.Attachment) error {
	if len(list) == 0 {
		return nil
	}
	key, err := s.keys.DataKey(ctx, tx, subject)
	if err != nil {
		return err
	}
	for _, a := range list {
		id := newID()
		ctype := a.ContentType
		if ctype == "" || len(ctype) > 100 {
			ctype = "application/octet-stream"
		}
		if _, err := tx.Exec(ctx, `INSERT INTO conversation_attachments (id, conversation_id, message_id, filename_sealed, content_type, size, data_sealed, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, id, c.ID, messageID, key.Seal([]byte(safeName(a.Filename)), []byte("conversation_attachments.filename:"+id)),
			ctype, len(a.Data), key.Seal(a.Data, []byte("conversation_attachments.data:"+id)), tx.Now()); err != nil {
			return err
		}
	}
	return nil
}

// safeName is a file name fit to show: no path, no control characters.
func safeName(n string) string {
	if i := strings.LastIndexAny(n, `/\`); i >= 0 {
		n = n[i+1:]
	}
	n = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, n)
	if n == "" {
		return "attachment"
	}
	if utf8.RuneCountInString(n) > 120 {
		n = string([]rune(n)[:120])
	}
	return n
}

func reversed(s []string) []string {
	out := make([]string, len(s))
	for i := range s {
		out[i] = s[len(s)-1-i]
	}
	return out
}

// guessLanguage picks the conversation's language from its text: Chinese
// characters, Vietnamese letters, else English.
func guessLanguage(text string) string {
	han, viet := 0, 0
	for _, r := range text {
		switch {
		case unicode.Is(unicode.Han, r):
			han++
		case strings.ContainsRune("ăâđêôơưĂÂĐÊÔƠƯạảãấầẩẫậắằẳẵặẹẻẽếềểễệịỉĩọỏõốồổỗộớờởỡợụủũứừửữựỳỵỷỹ", r):
			viet++
		}
	}
	switch {
	case han > 0 && han >= viet:
		return "zh"
	case viet > 0:
		return "vi"
	}
	return "en"
}

// Fetcher reads unseen messages from the desk's mailbox (mailin.Fetcher).
type Fetcher interface {
	Fetch(ctx context.Context, handle func(raw []byte, uid uint32) error) (int, error)
}

// FetchMail ingests the mailbox's unseen messages when this node holds
// the mailbox lease (taken for lease, renewed at each call), so two nodes
// never read the same mailbox at once. A message that cannot become a
// conversation (no usable sender) is logged and marked read; any other
// failure leaves it unread for the next fetch.
func (s *Service) FetchMail(ctx context.Context, f Fetcher, node string, lease time.Duration) (int, error) {
	var held bool
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		now := tx.Now()
		res, err := tx.Exec(ctx, `UPDATE support_settings SET mail_lease_owner = ?, mail_lease_until = ?
			WHERE id = 1 AND (mail_lease_owner IS NULL OR mail_lease_owner = ? OR mail_lease_until < ?)`, node, now.Add(lease), node, now)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		held = n == 1
		return err
	})
	if err != nil || !held {
		return 0, err
	}
	return f.Fetch(ctx, func(raw []byte, uid uint32) error {
		_, err := s.IngestEmail(ctx, raw)
		if errors.Is(err, ErrInvalid) {
			s.log.WarnContext(ctx, "support e-mail not usable; marked read", "uid", uid, "error", err.Error())
			return nil
		}
		return err
	})
}
