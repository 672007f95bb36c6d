package support_test

import (
	"testing"

	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/support"
)

// A conversation written with the exported sealing helpers, as
// bench/backup's seeder writes them (its own multi-row SQL), is one the
// desk reads like a started one: it opens with its contact, subject and
// message, it is the customer's in the portal's list, and the inbox search
// finds it by a word of its subject or of its message.
func TestSealedConversationReadsLikeAStartedOne(t *testing.T) {
	f := newFixture(t)
	lan := f.Register("lan@example.com")
	const contactID, convID, msgID = "c0000000000000000000000000000001", "d0000000000000000000000000000001", "e0000000000000000000000000000001"
	err := f.D.Write(ctx, func(tx *db.Tx) error {
		keySubject := "account:" + lan.ID
		keys, err := f.Keys.DataKeys(ctx, tx, []string{keySubject})
		if err != nil {
			return err
		}
		key := keys[keySubject]
		now := tx.Now()
		email, name := support.SealContact(key, contactID, "lan@example.com", "Lan Phạm")
		if _, err := tx.Exec(ctx, `INSERT INTO support_contacts (id, account_id, email_index, email_sealed, name_sealed, key_subject, locale, created_at)
			VALUES (?, ?, NULL, ?, ?, ?, 'vi', ?)`, contactID, lan.ID, email, name, keySubject, now); err != nil {
			return err
		}
		first, resolve, err := f.svc.DueTimes(ctx, tx, support.PriorityNormal, now)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO conversations (id, contact_id, channel, status, priority, language, subject_sealed,
			created_at, updated_at, last_message_at, first_response_due, resolution_due, message_count)
			VALUES (?, ?, 'email', 'open', 'normal', 'vi', ?, ?, ?, ?, ?, ?, 1)`,
			convID, contactID, support.SealSubject(key, convID, "Thẻ bị khóa"), now, now, now, first, resolve); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO conversation_messages (conversation_id, seq, id, kind, body_sealed, created_at)
			VALUES (?, 1, ?, 'customer', ?, ?)`, convID, msgID, support.SealBody(key, msgID, "My card was swallowed by the cash machine"), now); err != nil {
			return err
		}
		tokens := append(f.svc.SearchTokens("Thẻ bị khóa"), f.svc.SearchTokens("My card was swallowed by the cash machine")...)
		for _, tok := range tokens {
			if _, err := tx.Exec(ctx, "INSERT INTO conversation_search (token, conversation_id) VALUES (?, ?) ON CONFLICT DO NOTHING", tok, convID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	c, err := f.svc.Get(ctx, convID, false)
	if err != nil {
		t.Fatal(err)
	}
	if c.Subject != "Thẻ bị khóa" || c.Contact.AccountID != lan.ID || c.Contact.Email != "lan@example.com" || c.Contact.Name != "Lan Phạm" ||
		len(c.Messages) != 1 || c.Messages[0].Body != "My card was swallowed by the cash machine" || c.FirstResponseDue == nil {
		t.Fatalf("conversation %+v", c)
	}
	mine, err := f.svc.ConversationsOf(ctx, lan.ID, 10)
	if err != nil || len(mine) != 1 || mine[0].ID != convID {
		t.Fatalf("the customer's conversations: %+v %v", mine, err)
	}
	for _, q := range []string{"swallowed", "khoa"} {
		list, err := f.svc.List(ctx, support.Filter{Query: q})
		if err != nil || len(list) != 1 || list[0].ID != convID {
			t.Fatalf("search %q: %+v %v", q, list, err)
		}
	}
	// A reply through the desk continues it: seq 2, the same key.
	if _, _, err := f.svc.Post(ctx, convID, support.NewMessage{Kind: support.KindCustomer, Body: "Still waiting"}); err != nil {
		t.Fatal(err)
	}
	if c, err := f.svc.Get(ctx, convID, false); err != nil || len(c.Messages) != 2 || c.Messages[1].Seq != 2 {
		t.Fatalf("after a reply: %+v %v", c, err)
	}
}
