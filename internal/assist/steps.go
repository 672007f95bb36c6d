package assist

import (
	"context"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
)

// StartSteps starts "record my steps" for a customer's own conversation:
// no agent, the same recorder, masking and banner, at most StepsLimit (10
// minutes, or less when the customer's policy is shorter). Starting it is
// the customer's consent; it is always recorded — that is its purpose —
// whatever the recording default of live sessions. The customer ends it
// with Stop; agents with assist:replay replay it from the conversation.
func (s *Service) StartSteps(ctx context.Context, customerID, conversationID string) (*Session, error) {
	conv, err := s.openConversation(ctx, conversationID)
	switch {
	case conv == nil:
		return nil, err
	case customerID == "" || conv.Contact.AccountID != customerID:
		return nil, ErrNotFound // ASVS 8.2.2: only one's own conversation
	case err != nil:
		return nil, err
	}
	var sess *Session
	var denied error
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		denied = nil
		pol, err := s.admit(ctx, tx, customerID, "assist.steps_start", conversationID, actorFor(ctx, customerID, audit.ActorCustomer))
		if pol == nil {
			denied = ErrPlan
			return err
		}
		now := tx.Now()
		limit := min(s.o.StepsLimit, pol.MaxDuration)
		ends := now.Add(limit)
		id := newID()
		if _, err := tx.Exec(ctx, `INSERT INTO assist_sessions (id, kind, conversation_id, customer_id, state, max_level, recording,
			max_duration_s, idle_timeout_s, masked_selectors, created_at, started_at, ends_at, warn_at, last_activity_at, idle_at)
			VALUES (?, 'steps', ?, ?, 'active', 'view', TRUE, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			id, conversationID, customerID, int64(limit/time.Second), int64(pol.IdleTimeout/time.Second), strings.Join(pol.MaskSelectors, "\n"),
			now, now, ends, ends.Add(-warnBefore(limit, s.o.WarnBefore)), now, now.Add(pol.IdleTimeout)); err != nil {
			return err
		}
		if sess, err = s.load(ctx, tx, id, false); err != nil {
			return err
		}
		if err := s.timeline(ctx, tx, id, "consent", "", PartyCustomer); err != nil {
			return err
		}
		return s.auditEvent(ctx, tx, sess, "assist.consent", s.customerActor(ctx, sess), audit.Success,
			map[string]any{"recording": true, "max_duration_s": int64(limit / time.Second)})
	})
	if err != nil {
		return nil, err
	}
	if denied != nil {
		return nil, denied
	}
	s.announce(ctx, sess, s.stateControl(sess, *sess.StartedAt))
	return sess, nil
}
