package support

import (
	"context"
	"database/sql"
	"errors"

	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/keyring"
)

// Conversations started before subjects were taken from the first message
// have none, and the inbox called them "(no subject)". NameOldConversations
// gives each the subject a new conversation would get: the first line of
// its first customer message (of its first message when the customer has
// not written, as for a logged call), sealed with the same contact's data
// key as every subject. It runs once in the background at each start and
// reads only the conversations still without a subject (a partial index
// holds them): after the first run, those whose customer was erased (the
// key is destroyed, nothing can be read, nothing is written) and those
// whose first message has no words. Nothing marks a conversation as tried:
// a row either gets a real subject or stays as it was (docs/architecture.md).

// subjectBatch is how many conversations one transaction of
// NameOldConversations reads.
const subjectBatch = 200

// NameOldConversations names the conversations that have no subject and
// returns how many it named. Each batch is one transaction with one audit
// entry (support.subjects_named) that counts, never quotes, what it wrote.
func (s *Service) NameOldConversations(ctx context.Context) (int, error) {
	named, after := 0, ""
	for {
		var n, seen int
		var last string
		err := s.db.Write(ctx, func(tx *db.Tx) error {
			n, seen, last = 0, 0, after
			type row struct{ id, keySubject string }
			rows, err := tx.Query(ctx, `SELECT c.id, k.key_subject FROM conversations c JOIN support_contacts k ON k.id = c.contact_id
				WHERE c.subject_sealed IS NULL AND c.id > ? ORDER BY c.id LIMIT ?`, after, subjectBatch)
			list, err := db.Collect(rows, err, func(r db.Scanner) (x row, err error) {
				err = r.Scan(&x.id, &x.keySubject)
				return x, err
			})
			if err != nil {
				return err
			}
			for _, c := range list {
				seen, last = seen+1, c.id
				subject, err := s.firstLine(ctx, tx, c.id)
				if errors.Is(err, keyring.ErrKeyDestroyed) || subject == "" && err == nil {
					continue // an erased customer's kept conversation, or nothing to name it by
				}
				if err != nil {
					return err
				}
				key, err := s.keys.DataKey(ctx, tx, c.keySubject)
				if errors.Is(err, keyring.ErrKeyDestroyed) {
					continue
				}
				if err != nil {
					return err
				}
				ct := key.Seal([]byte(subject), []byte("conversations.subject:"+c.id))
				res, err := tx.Exec(ctx, "UPDATE conversations SET subject_sealed = ? WHERE id = ? AND subject_sealed IS NULL", ct, c.id)
				if err != nil {
					return err
				}
				if k, _ := res.RowsAffected(); k == 0 {
					continue // named meanwhile by another node
				}
				if err := s.indexText(ctx, tx, c.id, subject); err != nil {
					return err
				}
				n++
			}
			if n == 0 {
				return nil
			}
			return s.audit.Record(ctx, tx, auditEvent("support.subjects_named", "conversations", map[string]any{"count": n}))
		})
		if err != nil {
			return named, err
		}
		named, after = named+n, last
		if seen < subjectBatch {
			return named, nil
		}
	}
}

// firstLine is the subject the conversation's first customer message
// gives (its first message's, when the customer has not written; never an
// internal note's), or "" when that message has no words.
func (s *Service) firstLine(ctx context.Context, tx *db.Tx, convID string) (string, error) {
	var id string
	var body []byte
	err := tx.QueryRow(ctx, `SELECT id, body_sealed FROM conversation_messages WHERE conversation_id = ? AND kind <> 'note'
		ORDER BY CASE WHEN kind = 'customer' THEN 0 ELSE 1 END, seq LIMIT 1`, convID).Scan(&id, &body)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	pt, err := s.keys.Open(ctx, tx, body, []byte("conversation_messages.body:"+id))
	if err != nil {
		return "", err
	}
	return subjectFrom(string(pt)), nil
}
