package support

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/textfold"
)

// Search tokens: keyed hashes of the folded words of subjects and
// messages (not internal notes), and of pairs of neighbouring Chinese
// characters, so agents find "dang nhap" in "đăng nhập" and "密码" in
// "忘记密码怎么办" without the database holding the text.

// maxTermsPerText bounds the tokens one message adds.
const maxTermsPerText = 200

func (s *Service) term(t string) []byte { return s.keys.BlindIndex("support-search", t) }

func (s *Service) indexText(ctx context.Context, tx *db.Tx, convID, text string) error {
	terms := textfold.Terms(text, 2, maxTermsPerText)
	if len(terms) == 0 {
		return nil
	}
	var b strings.Builder
	args := make([]any, 0, 2*len(terms))
	b.WriteString("INSERT INTO conversation_search (token, conversation_id) VALUES ")
	for i, t := range terms {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(?, ?)")
		args = append(args, s.term(t), convID)
	}
	b.WriteString(" ON CONFLICT DO NOTHING")
	_, err := tx.Exec(ctx, b.String(), args...)
	return err
}

// Filter selects an inbox view. Empty fields do not filter.
type Filter struct {
	Status     string // one status; "active" for open and pending
	AssigneeID string // "none" for unassigned
	TeamID     string
	Category   string
	Channel    string
	Tag        string
	Breached   bool
	ContactID  string
	Query      string // words that must all appear (subject or messages)
	// Before continues a listing: the LastMessageAt and ID of the last
	// conversation of the previous page.
	BeforeAt time.Time
	BeforeID string
	Limit    int // default 50, at most 200
}

// List returns conversations newest activity first, without messages.
func (s *Service) List(ctx context.Context, f Filter) ([]Conversation, error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	where, args := []string{"c.merged_into IS NULL"}, []any{}
	switch f.Status {
	case "":
	case "active":
		where = append(where, "c.status IN ('open', 'pending')")
	default:
		where, args = append(where, "c.status = ?"), append(args, f.Status)
	}
	switch f.AssigneeID {
	case "":
	case "none":
		where = append(where, "c.assignee_id IS NULL")
	default:
		where, args = append(where, "c.assignee_id = ?"), append(args, f.AssigneeID)
	}
	for _, eq := range []struct{ col, v string }{{"c.team_id", f.TeamID}, {"c.category", f.Category}, {"c.channel", f.Channel}, {"c.contact_id", f.ContactID}} {
		if eq.v != "" {
			where, args = append(where, eq.col+" = ?"), append(args, eq.v)
		}
	}
	if f.Tag != "" {
		where, args = append(where, "EXISTS (SELECT 1 FROM conversation_tags g WHERE g.conversation_id = c.id AND g.tag = ?)"), append(args, strings.ToLower(f.Tag))
	}
	if f.Breached {
		where = append(where, "c.breached = TRUE")
	}
	if !f.BeforeAt.IsZero() {
		where, args = append(where, "(c.last_message_at < ? OR (c.last_message_at = ? AND c.id < ?))"), append(args, f.BeforeAt, f.BeforeAt, f.BeforeID)
	}
	from, joinArgs := "conversations c", []any{}
	if q := textfold.QueryTerms(f.Query); len(q) > 0 {
		if len(q) > 8 {
			q = q[:8]
		}
		// Every term must match: one join per term on the token index.
		for i, t := range q {
			alias := fmt.Sprintf("s%d", i)
			from += " JOIN conversation_search " + alias + " ON " + alias + ".conversation_id = c.id AND " + alias + ".token = ?"
			joinArgs = append(joinArgs, s.term(t))
		}
	} else if strings.TrimSpace(f.Query) != "" {
		return []Conversation{}, nil
	}
	args = append(joinArgs, args...)
	args = append(args, f.Limit)
	out := []Conversation{}
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		out = out[:0]
		rows, err := tx.Query(ctx, "SELECT c."+strings.ReplaceAll(conversationColumns, ", ", ", c.")+" FROM "+from+
			" WHERE "+strings.Join(where, " AND ")+" ORDER BY c.last_message_at DESC, c.id DESC LIMIT ?", args...)
		if err != nil {
			return err
		}
		var list []*conversationRow
		for rows.Next() {
			r, err := scanConversation(rows)
			if err != nil {
				rows.Close()
				return err
			}
			list = append(list, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		list2, err := s.completeAll(ctx, tx, list)
		out = list2
		return err
	})
	return out, err
}

// completeAll is complete for a page of rows: subjects opened with their
// keys loaded in one query, contacts and tags read in one query each.
func (s *Service) completeAll(ctx context.Context, tx *db.Tx, list []*conversationRow) ([]Conversation, error) {
	out := make([]Conversation, 0, len(list))
	if len(list) == 0 {
		return out, nil
	}
	ids, contactIDs := make([]any, 0, len(list)), make([]any, 0, len(list))
	seen := map[string]bool{}
	for _, r := range list {
		ids = append(ids, r.c.ID)
		if !seen[r.contactID] {
			seen[r.contactID] = true
			contactIDs = append(contactIDs, r.contactID)
		}
	}
	contacts, err := s.contactsByID(ctx, tx, contactIDs)
	if err != nil {
		return nil, err
	}
	tags := map[string][]string{}
	rows, err := tx.Query(ctx, "SELECT conversation_id, tag FROM conversation_tags WHERE conversation_id IN ("+placeholders(len(ids))+") ORDER BY tag", ids...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id, t string
		if err := rows.Scan(&id, &t); err != nil {
			rows.Close()
			return nil, err
		}
		tags[id] = append(tags[id], t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var sealed [][]byte
	for _, r := range list {
		sealed = append(sealed, r.subjectCT)
	}
	if err := s.keys.Warm(ctx, tx, sealed...); err != nil {
		return nil, err
	}
	for _, r := range list {
		c := r.c
		if ct := contacts[r.contactID]; ct != nil {
			c.Contact = *ct
		}
		c.Tags = tags[c.ID]
		if c.Tags == nil {
			c.Tags = []string{}
		}
		if len(r.subjectCT) > 0 {
			pt, err := s.keys.Open(ctx, tx, r.subjectCT, []byte("conversations.subject:"+c.ID))
			if err != nil {
				return nil, err
			}
			c.Subject = string(pt)
		}
		out = append(out, c)
	}
	return out, nil
}

func placeholders(n int) string { return "?" + strings.Repeat(", ?", n-1) }
