package support

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/frontdesk/frontdesk/internal/db"
)

// Phone: agents log the calls they take or make — direction, number,
// duration, notes and outcome — on a conversation, or start a
// conversation from a call. The number and the notes are personal data,
// sealed with the contact's key.

// Call directions and outcomes.
var (
	CallDirections = []string{"inbound", "outbound"}
	CallOutcomes   = []string{"solved", "follow_up", "no_answer", "voicemail", "transferred"}
)

// Call is one logged phone call.
type Call struct {
	ID             string    `json:"id"`
	ConversationID string    `json:"conversation_id"`
	AgentID        string    `json:"agent_id"`
	Direction      string    `json:"direction"`
	Number         string    `json:"number,omitempty"`
	Duration       int       `json:"duration_seconds"`
	Outcome        string    `json:"outcome"`
	Notes          string    `json:"notes,omitempty"`
	CreatedAt      time.Time `json:"created_at"`
}

func checkCall(c *Call) error {
	c.Number, c.Notes = strings.TrimSpace(c.Number), strings.TrimSpace(c.Notes)
	switch {
	case !slices.Contains(CallDirections, c.Direction):
		return invalid("direction", "inbound or outbound")
	case !slices.Contains(CallOutcomes, c.Outcome):
		return invalid("outcome", "unknown outcome")
	case c.Duration < 0 || c.Duration > 24*3600:
		return invalid("duration", "between 0 seconds and a day")
	case len(c.Number) > 32 || strings.ContainsFunc(c.Number, func(r rune) bool { return !strings.ContainsRune("+0123456789 ()-.", r) }):
		return invalid("number", "a phone number such as +84 912 345 678")
	case utf8.RuneCountInString(c.Notes) > MaxBody || !utf8.ValidString(c.Notes):
		return invalid("notes", "at most 20,000 characters")
	}
	return nil
}

// LogCall records a call on a conversation. The call's notes are also a
// system message in the thread, so the conversation reads in order.
func (s *Service) LogCall(ctx context.Context, c Call) (*Call, error) {
	if err := checkCall(&c); err != nil {
		return nil, err
	}
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		conv, subject, err := s.load(ctx, tx, c.ConversationID, true)
		if err != nil {
			return err
		}
		return s.logCall(ctx, tx, conv, subject, &c)
	})
	if err != nil {
		return nil, err
	}
	s.publish(ctx, c.ConversationID, "call", map[string]string{"id": c.ID})
	return &c, nil
}

func (s *Service) logCall(ctx context.Context, tx *db.Tx, conv *Conversation, subject string, c *Call) error {
	key, err := s.keys.DataKey(ctx, tx, subject)
	if err != nil {
		return err
	}
	c.ID, c.CreatedAt, c.ConversationID = newID(), tx.Now(), conv.ID
	var number, notes []byte
	if c.Number != "" {
		number = key.Seal([]byte(c.Number), []byte("support_calls.number:"+c.ID))
	}
	if c.Notes != "" {
		notes = key.Seal([]byte(c.Notes), []byte("support_calls.notes:"+c.ID))
	}
	if _, err := tx.Exec(ctx, `INSERT INTO support_calls (id, conversation_id, agent_id, direction, number_sealed, duration_s, outcome, notes_sealed, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, c.ID, conv.ID, c.AgentID, c.Direction, number, c.Duration, c.Outcome, notes, c.CreatedAt); err != nil {
		return err
	}
	text := "Phone call (" + c.Direction + ", " + (time.Duration(c.Duration) * time.Second).String() + ", " + strings.ReplaceAll(c.Outcome, "_", " ") + ")"
	if c.Notes != "" {
		text += ": " + c.Notes
	}
	if _, _, err := s.post(ctx, tx, conv, subject, KindSystem, c.AgentID, "", text); err != nil {
		return err
	}
	if c.Direction == "outbound" && conv.FirstResponseAt == nil {
		// Calling the customer back is a response.
		if _, err := tx.Exec(ctx, "UPDATE conversations SET first_response_at = ? WHERE id = ? AND first_response_at IS NULL", c.CreatedAt, conv.ID); err != nil {
			return err
		}
	}
	return nil
}

// StartFromCall opens a conversation on the phone channel from a call an
// agent took (or made), with the call logged in it.
func (s *Service) StartFromCall(ctx context.Context, who Who, subject string, c Call) (*Conversation, error) {
	if err := checkCall(&c); err != nil {
		return nil, err
	}
	conv, err := s.Start(ctx, NewConversation{Who: who, Channel: ChannelPhone, Subject: subject, Body: "Conversation started from a phone call.", Kind: KindSystem, AuthorID: c.AgentID})
	if err != nil {
		return nil, err
	}
	c.ConversationID = conv.ID
	if _, err := s.LogCall(ctx, c); err != nil {
		return nil, err
	}
	return conv, nil
}

// Calls lists a conversation's calls, oldest first.
func (s *Service) Calls(ctx context.Context, convID string) ([]Call, error) {
	out := []Call{}
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		out = out[:0]
		rows, err := tx.Query(ctx, `SELECT id, agent_id, direction, number_sealed, duration_s, outcome, notes_sealed, created_at
			FROM support_calls WHERE conversation_id = ? ORDER BY created_at, id`, convID)
		type row struct {
			c             Call
			number, notes []byte
		}
		list, err := db.Collect(rows, err, func(sc db.Scanner) (r row, err error) {
			err = sc.Scan(&r.c.ID, &r.c.AgentID, &r.c.Direction, &r.number, &r.c.Duration, &r.c.Outcome, &r.notes, &r.c.CreatedAt)
			r.c.ConversationID, r.c.CreatedAt = convID, r.c.CreatedAt.UTC()
			return r, err
		})
		if err != nil {
			return err
		}
		for _, r := range list {
			for _, f := range []struct {
				ct  []byte
				aad string
				dst *string
			}{{r.number, "support_calls.number:", &r.c.Number}, {r.notes, "support_calls.notes:", &r.c.Notes}} {
				if len(f.ct) == 0 {
					continue
				}
				pt, err := s.keys.Open(ctx, tx, f.ct, []byte(f.aad+r.c.ID))
				if err != nil {
					return err
				}
				*f.dst = string(pt)
			}
			out = append(out, r.c)
		}
		return nil
	})
	return out, err
}
