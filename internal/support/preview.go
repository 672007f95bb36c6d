package support

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/keyring"
)

// Preview is the last message of a conversation as the inbox's list shows
// it: who wrote it and its first words. Internal notes are not previews.
type Preview struct {
	Kind      string
	Text      string // at most PreviewLength characters, on one line
	CreatedAt time.Time
}

// PreviewLength is how many characters of the last message a list shows.
const PreviewLength = 140

// Previews returns the last message (not a note) of each conversation of
// ids that has one, opened and cut to a line.
func (s *Service) Previews(ctx context.Context, ids []string) (map[string]Preview, error) {
	out := map[string]Preview{}
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	type sealed struct {
		conv, id, kind string
		body           []byte
		at             time.Time
	}
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		// The primary key (conversation_id, seq) finds each last seq.
		rows, err := tx.Query(ctx, `SELECT m.conversation_id, m.id, m.kind, m.body_sealed, m.created_at FROM conversation_messages m
			WHERE m.conversation_id IN (`+placeholders(len(ids))+`) AND m.seq = (SELECT MAX(x.seq) FROM conversation_messages x
				WHERE x.conversation_id = m.conversation_id AND x.kind <> 'note')`, args...)
		list, err := db.Collect(rows, err, func(row db.Scanner) (m sealed, err error) {
			err = row.Scan(&m.conv, &m.id, &m.kind, &m.body, &m.at)
			return m, err
		})
		if err != nil {
			return err
		}
		cts := make([][]byte, len(list))
		for i, m := range list {
			cts[i] = m.body
		}
		if err := s.keys.Warm(ctx, tx, cts...); err != nil {
			return err
		}
		for _, m := range list {
			pt, err := s.keys.Open(ctx, tx, m.body, []byte("conversation_messages.body:"+m.id))
			if errors.Is(err, keyring.ErrKeyDestroyed) {
				continue // an erased customer's kept conversation: no preview
			}
			if err != nil {
				return err
			}
			out[m.conv] = Preview{Kind: m.kind, Text: previewText(string(pt)), CreatedAt: m.at.UTC()}
		}
		return nil
	})
	return out, err
}

// previewText is text on one line, cut to PreviewLength characters.
func previewText(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= PreviewLength {
		return s
	}
	return string([]rune(s)[:PreviewLength-1]) + "…"
}

// ViewCounts are the active conversations of the inbox's views.
type ViewCounts struct {
	Mine, Unassigned, Active, Breached int
}

// Counts counts the active (open and pending) conversations of the
// inbox's views for agent me, in one pass over the active ones.
func (s *Service) Counts(ctx context.Context, me string) (ViewCounts, error) {
	var v ViewCounts
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		var mine, unassigned, breached sql.NullInt64
		err := tx.QueryRow(ctx, `SELECT COUNT(*),
			SUM(CASE WHEN c.assignee_id = ? THEN 1 ELSE 0 END),
			SUM(CASE WHEN c.assignee_id IS NULL THEN 1 ELSE 0 END),
			SUM(CASE WHEN c.breached = TRUE THEN 1 ELSE 0 END)
			FROM conversations c WHERE c.merged_into IS NULL AND c.status IN ('open', 'pending')`, me).Scan(&v.Active, &mine, &unassigned, &breached)
		v.Mine, v.Unassigned, v.Breached = int(mine.Int64), int(unassigned.Int64), int(breached.Int64)
		return err
	})
	return v, err
}
