package support

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/keyring"
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
	tokens := s.SearchTokens(text)
	if len(tokens) == 0 {
		return nil
	}
	var b strings.Builder
	args := make([]any, 0, 2*len(tokens))
	b.WriteString("INSERT INTO conversation_search (token, conversation_id) VALUES ")
	for i, t := range tokens {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(?, ?)")
		args = append(args, t, convID)
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
	// Reference finds the conversation of a reference ("FD-1A2B3C4D").
	Reference string
	// Before continues a listing: the LastMessageAt and ID of the last
	// conversation of the previous page.
	BeforeAt time.Time
	BeforeID string
	Limit    int // default 50, at most 200
}

// candidateCap splits search words in two: a word in fewer conversations
// than this drives the query from its token rows (read at most this many,
// then order them); when every word of a query is more common than that,
// the conversations are read newest first and each is probed for the
// words, which stops after a page. Either way a page costs a few thousand
// index lookups at most when the words of a query are found together; the
// cost at the split, about sqrt(50 × conversations) lookups, is what the
// cap is chosen for (3,000 suits 200,000 conversations). Common words that
// are seldom found together are the slow case: the probes go on until a
// page is full or the conversations run out.
var candidateCap = 3000

// List returns conversations newest activity first, without messages.
func (s *Service) List(ctx context.Context, f Filter) ([]Conversation, error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	var tokens [][]byte
	if q := textfold.QueryTerms(f.Query); len(q) > 0 {
		if len(q) > 8 {
			q = q[:8]
		}
		for _, t := range q {
			tokens = append(tokens, s.term(t))
		}
	} else if strings.TrimSpace(f.Query) != "" {
		return []Conversation{}, nil
	}
	out := []Conversation{}
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		out = out[:0]
		query, args, err := listQuery(ctx, tx, f, tokens)
		if err != nil || query == "" {
			return err
		}
		rows, err := tx.Query(ctx, query, args...)
		list, err := db.Collect(rows, err, scanConversation)
		if err != nil {
			return err
		}
		out, err = s.completeAll(ctx, tx, list)
		return err
	})
	return out, err
}

// listQuery returns the statement listing f's page, or "" when a search
// word is in no conversation.
func listQuery(ctx context.Context, tx *db.Tx, f Filter, tokens [][]byte) (string, []any, error) {
	where, args := listWhere(f)
	from, fromArgs := "conversations c", []any(nil)
	if tx.Dialect() == db.SQLite {
		from += sqliteOrderIndex(f)
	}
	var probes [][]byte
	if len(tokens) > 0 {
		counts, err := termCounts(ctx, tx, tokens)
		if err != nil {
			return "", nil, err
		}
		order := make([]int, len(tokens))
		for i := range order {
			order[i] = i
		}
		// The rarest word first: it drives the query or is probed first.
		slices.SortStableFunc(order, func(a, b int) int { return counts[a] - counts[b] })
		if counts[order[0]] == 0 {
			return "", nil, nil
		}
		if counts[order[0]] < candidateCap {
			// The LIMIT keeps the subquery whole (neither database
			// flattens it) and CROSS JOIN keeps SQLite from reordering.
			from = fmt.Sprintf("(SELECT conversation_id FROM conversation_search WHERE token = ? LIMIT %d) s CROSS JOIN conversations c", candidateCap)
			fromArgs = []any{tokens[order[0]]}
			where = append(where, "c.id = s.conversation_id")
			order = order[1:]
		}
		for _, i := range order {
			probes = append(probes, tokens[i])
		}
	}
	// Probed on the candidate's id when there is one, so both databases
	// check the other words on the token index before reading the
	// conversation.
	probeOn := "c.id"
	if fromArgs != nil {
		probeOn = "s.conversation_id"
	}
	// PostgreSQL turns an EXISTS into a join, and with a word's count
	// misjudged (its statistics hold a few hundred common tokens out of
	// millions) it reads every row of a common word and sorts them all;
	// OFFSET 0 keeps the EXISTS a probe per row, as SQLite runs it.
	fence := ""
	if tx.Dialect() == db.Postgres {
		fence = " OFFSET 0"
	}
	for _, t := range probes {
		where = append(where, "EXISTS (SELECT 1 FROM conversation_search t WHERE t.token = ? AND t.conversation_id = "+probeOn+fence+")")
		args = append(args, t)
	}
	return "SELECT c." + strings.ReplaceAll(conversationColumns, ", ", ", c.") + " FROM " + from +
		" WHERE " + strings.Join(where, " AND ") + " ORDER BY c.last_message_at DESC, c.id DESC LIMIT ?", append(append(fromArgs, args...), f.Limit), nil
}

// sqliteOrderIndex names the index SQLite reads a listing in order from.
// Without statistics its planner takes an equality on status for
// selective and sorts every open conversation; these views are read
// newest first from an index in that order instead, until a page is full.
// An agent's, a team's or a contact's own index is left to the planner:
// those sets are small.
func sqliteOrderIndex(f Filter) string {
	switch {
	case f.AssigneeID != "" || f.TeamID != "" || f.ContactID != "":
		return ""
	case f.Status == "active":
		return " INDEXED BY conversations_active"
	case f.Category != "":
		return " INDEXED BY conversations_category"
	case f.Status != "":
		return " INDEXED BY conversations_inbox"
	}
	return " INDEXED BY conversations_recent"
}

// termCounts returns in how many conversations each search token is,
// counting only up to candidateCap, and stopping at a token in none.
func termCounts(ctx context.Context, tx *db.Tx, tokens [][]byte) ([]int, error) {
	counts := make([]int, len(tokens))
	for i, t := range tokens {
		if err := tx.QueryRow(ctx, fmt.Sprintf("SELECT COUNT(*) FROM (SELECT 1 FROM conversation_search WHERE token = ? LIMIT %d) x", candidateCap), t).Scan(&counts[i]); err != nil {
			return nil, err
		}
		if counts[i] == 0 {
			break
		}
	}
	return counts, nil
}

// listWhere is the filter's conditions on conversations c, search words
// aside.
func listWhere(f Filter) ([]string, []any) {
	where, args := []string{"c.merged_into IS NULL"}, []any{}
	switch f.Status {
	case "":
	case "active":
		// Written as the partial index conversations_active is.
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
	if f.Reference != "" {
		// The reference is the id's first eight hex digits: a range of ids.
		p := strings.ToLower(strings.TrimPrefix(f.Reference, "FD-"))
		where, args = append(where, "c.id >= ? AND c.id < ?"), append(args, p, p+"g")
	}
	if !f.BeforeAt.IsZero() {
		// A row value, which both databases read as one index range.
		where, args = append(where, "(c.last_message_at, c.id) < (?, ?)"), append(args, f.BeforeAt, f.BeforeID)
	}
	return where, args
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
			switch {
			case errors.Is(err, keyring.ErrKeyDestroyed):
				// The customer was erased and this conversation kept (a
				// legal hold): it is listed without its subject, and the
				// rest of the inbox is not lost with it.
			case err != nil:
				return nil, err
			default:
				c.Subject = string(pt)
			}
		}
		out = append(out, c)
	}
	return out, nil
}

func placeholders(n int) string { return "?" + strings.Repeat(", ?", n-1) }
