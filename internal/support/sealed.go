package support

import (
	"context"
	"time"

	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/keyring"
	"github.com/frontdesk/frontdesk/internal/textfold"
)

// The sealed columns and search tokens of contacts, conversations and
// messages, exactly as Start and the replies write them. The desk's own
// paths use them, and so does a loader that writes conversations in bulk
// outside this package (bench/backup's seeder), so that what it writes
// opens, lists and is found like a conversation started through Start.

// SealContact seals a contact's e-mail and name (nil when empty) with key,
// the data key of the contact's key subject ("account:ID" for a customer
// account's contact).
func SealContact(key *keyring.DataKey, contactID, email, name string) (emailSealed, nameSealed []byte) {
	if email != "" {
		emailSealed = key.Seal([]byte(email), []byte("support_contacts.email:"+contactID))
	}
	if name != "" {
		nameSealed = key.Seal([]byte(name), []byte("support_contacts.name:"+contactID))
	}
	return emailSealed, nameSealed
}

// SealSubject seals a conversation's subject (nil when empty).
func SealSubject(key *keyring.DataKey, convID, subject string) []byte {
	if subject == "" {
		return nil
	}
	return key.Seal([]byte(subject), []byte("conversations.subject:"+convID))
}

// SealBody seals a message's body.
func SealBody(key *keyring.DataKey, messageID, body string) []byte {
	return key.Seal([]byte(body), []byte("conversation_messages.body:"+messageID))
}

// SearchTokens are the conversation_search tokens of a subject or a
// message's text, without repeats.
func (s *Service) SearchTokens(text string) [][]byte {
	terms := textfold.Terms(text, 2, maxTermsPerText)
	out := make([][]byte, len(terms))
	for i, t := range terms {
		out[i] = s.term(t)
	}
	return out
}

// DueTimes are the first-response and resolution deadlines of a
// conversation of priority opened at start, from the desk's SLA targets
// and business hours.
func (s *Service) DueTimes(ctx context.Context, tx *db.Tx, priority string, start time.Time) (first, resolve time.Time, err error) {
	return s.dueTimes(ctx, tx, priority, start)
}
