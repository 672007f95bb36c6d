package assist

import (
	"context"
	"crypto/hmac"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/consent"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/support"
)

// Invitation is what both sides see before the customer consents: the
// agent's signed identity card, the verification code and what the
// customer's policy allows.
type Invitation struct {
	Session *Session   `json:"session"`
	Card    SignedCard `json:"card"`
	Code    string     `json:"code"`
}

// Invite asks the customer of a conversation into a session with the agent.
// The web layer checks assist:start; the service checks it again, and
// checks the customer's plan (professional and up) and the agent's
// identity card. A conversation has at most one open session.
func (s *Service) Invite(ctx context.Context, agentID, conversationID string) (*Invitation, error) {
	ok, err := s.hasPermission(ctx, agentID, permStart)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrForbidden // ASVS 8.2.1: deny by default, behind the route's own check
	}
	conv, err := s.openConversation(ctx, conversationID)
	if err != nil {
		return nil, err
	}
	if conv.Contact.AccountID == "" {
		return nil, ErrNoCustomer
	}
	name, err := s.o.Desk.AgentName(ctx, agentID)
	if err != nil {
		return nil, err
	}
	if name == "" {
		return nil, ErrNoProfile
	}
	var inv *Invitation
	var denied error
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		denied = nil
		prof, err := s.profile(ctx, tx, agentID)
		if err != nil {
			return err
		}
		customer := conv.Contact.AccountID
		pol, err := s.admit(ctx, tx, customer, "assist.invite", conversationID, actorFor(ctx, agentID, audit.ActorStaff))
		if pol == nil {
			denied = ErrPlan
			return err
		}
		recording, err := s.recordingAllowed(ctx, tx, customer, pol)
		if err != nil {
			return err
		}
		now := tx.Now()
		id, salt := newID(), newSalt()
		expires := now.Add(s.o.InviteTTL)
		card, err := s.signCard(Card{Version: 1, SessionID: id, AgentID: agentID, Name: name, StaffNumber: prof.StaffNumber,
			Department: prof.Department, Photo: prof.Photo, IssuedAt: now.Truncate(time.Second),
			ExpiresAt: expires.Add(pol.MaxDuration).Truncate(time.Second).Add(time.Second)})
		if err != nil {
			return err
		}
		cardJSON, err := json.Marshal(card)
		if err != nil {
			return err
		}
		code := s.deriveCode(id, salt)
		if _, err := tx.Exec(ctx, `INSERT INTO assist_sessions (id, kind, conversation_id, customer_id, agent_id, state, max_level, recording,
			max_duration_s, idle_timeout_s, masked_selectors, card, code_salt, code_hash, created_at, invite_expires_at)
			VALUES (?, 'assist', ?, ?, ?, 'invited', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			id, conversationID, customer, agentID, pol.MaxLevel, recording, int64(pol.MaxDuration/time.Second), int64(pol.IdleTimeout/time.Second),
			strings.Join(pol.MaskSelectors, "\n"), string(cardJSON), salt, s.codeHash(id, code), now, expires); err != nil {
			return err
		}
		sess, err := s.load(ctx, tx, id, false)
		if err != nil {
			return err
		}
		if err := s.timeline(ctx, tx, id, "invited", "", PartyAgent); err != nil {
			return err
		}
		sess.Card = &card
		inv = &Invitation{Session: sess, Card: card, Code: code}
		return s.auditEvent(ctx, tx, sess, "assist.invite", s.agentActor(ctx, sess), audit.Success,
			map[string]any{"max_level": pol.MaxLevel, "recording": recording, "recording_policy": pol.Recording,
				"max_duration_s": int64(pol.MaxDuration / time.Second)})
	})
	if err != nil {
		return nil, err
	}
	if denied != nil {
		return nil, denied
	}
	s.announce(ctx, inv.Session, s.stateControl(inv.Session, inv.Session.CreatedAt))
	return inv, nil
}

// recordingAllowed reports whether a new session may be recorded: the
// policy asks for it and the customer consents to the recording of remote
// assistance in the consent ledger. Without a ledger nothing is recorded.
func (s *Service) recordingAllowed(ctx context.Context, tx *db.Tx, customer string, pol *Policy) (bool, error) {
	if !pol.Recording || s.o.Consents == nil {
		return false, nil
	}
	return s.o.Consents.HasIn(ctx, tx, customer, consent.AssistRecording)
}

// openConversation returns a conversation a session may start on: one
// that exists (else ErrNotFound) and is neither closed nor merged (else
// ErrState, with the conversation, so that callers check who may know
// first).
func (s *Service) openConversation(ctx context.Context, id string) (*support.Conversation, error) {
	conv, err := s.o.Desk.Get(ctx, id, false)
	if errors.Is(err, support.ErrNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	if conv.Status == support.StatusClosed || conv.MergedInto != "" {
		return conv, ErrState
	}
	return conv, nil
}

// admit returns the policy of a new session on a conversation, inside tx.
// A conversation with an open session is ErrBusy. When the customer's
// plan does not include remote assistance, admit records the refusal as
// action (outcome denied, committed with tx) and returns a nil policy and
// a nil error.
func (s *Service) admit(ctx context.Context, tx *db.Tx, customer, action, convID string, actor *audit.Actor) (*Policy, error) {
	pol, err := s.effective(ctx, tx, customer)
	if err != nil {
		return nil, err
	}
	if !pol.Allowed {
		return nil, s.o.Audit.Record(ctx, tx, audit.Event{Action: action, Target: "conversation:" + convID, Outcome: audit.Denied, Actor: actor,
			Details: map[string]any{"reason": "plan", "plan": pol.Plan, "customer": customer}})
	}
	var n int
	if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM assist_sessions WHERE conversation_id = ? AND state <> 'ended'", convID).Scan(&n); err != nil {
		return nil, err
	}
	if n > 0 {
		return nil, ErrBusy
	}
	return pol, nil
}

// InvitationOf returns a session's invitation again (after a reload) to
// its customer or its agent, with the code derived afresh.
func (s *Service) InvitationOf(ctx context.Context, sessionID string, viewer Actor) (*Invitation, error) {
	sess, err := s.read(ctx, sessionID, true)
	if err != nil {
		return nil, err
	}
	if party(sess, viewer) == "" || sess.Kind != KindAssist || sess.Card == nil {
		return nil, ErrNotFound
	}
	if sess.State == StateEnded {
		return nil, ErrEnded
	}
	return &Invitation{Session: sess, Card: *sess.Card, Code: s.deriveCode(sess.ID, sess.codeSalt)}, nil
}

// CheckCode reports whether code is the session's verification code, for
// an agent who types the digits the customer reads out.
func (s *Service) CheckCode(ctx context.Context, sessionID, code string) (bool, error) {
	var hash []byte
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		return tx.QueryRow(ctx, "SELECT code_hash FROM assist_sessions WHERE id = ?", sessionID).Scan(&hash)
	})
	if err != nil {
		return false, errors.Join(ErrNotFound, err)
	}
	return hash != nil && hmac.Equal(hash, s.codeHash(sessionID, code)), nil
}

// Accept records the customer's consent to a level ("" means view, the
// default offered). It starts an invited session, resumes a paused one
// (consent again after a dropped connection) and raises an active one: a
// higher level is only ever reached through this call. A level above what
// the customer's policy allows now is refused. GDPR 7(1): each consent is
// a timeline event and an audit entry with its level and recording.
func (s *Service) Accept(ctx context.Context, sessionID, customerID, level string) (*Session, error) {
	if level == "" {
		level = LevelView
	}
	if rank(level) == 0 {
		return nil, invalid("level", "view, guided or control")
	}
	return s.change(ctx, sessionID, func(tx *db.Tx, sess *Session, fx *effects) error {
		if sess.CustomerID != customerID {
			return ErrNotFound // ASVS 8.2.2
		}
		if sess.Kind != KindAssist {
			return ErrState
		}
		now := tx.Now()
		switch {
		case sess.State == StateEnded:
			return ErrEnded
		case sess.State == StateInvited && !now.Before(*sess.InviteExpiresAt):
			fx.result = ErrExpired
			return s.end(ctx, tx, sess, EndExpired, nil, fx)
		case sess.EndsAt != nil && !now.Before(*sess.EndsAt):
			fx.result = ErrEnded
			return s.end(ctx, tx, sess, EndMaxDuration, nil, fx)
		}
		pol, err := s.effective(ctx, tx, customerID)
		if err != nil {
			return err
		}
		max := lower(sess.MaxLevel, pol.MaxLevel)
		if !pol.Allowed || rank(level) > rank(max) {
			fx.result = ErrLevel
			if !pol.Allowed {
				fx.result = ErrPlan
			}
			return s.auditEvent(ctx, tx, sess, "assist.consent", s.customerActor(ctx, sess), audit.Denied,
				map[string]any{"level": level, "max_level": max, "plan": pol.Plan})
		}
		previous, before := sess.Level, sess.State
		set := "state = 'active', level = ?, max_level = ?, paused_at = NULL, last_activity_at = ?, idle_at = ?"
		args := []any{level, max, now, now.Add(sess.IdleTimeout)}
		if sess.StartedAt == nil {
			ends := now.Add(sess.MaxDuration)
			warn := ends.Add(-warnBefore(sess.MaxDuration, s.o.WarnBefore))
			set += ", started_at = ?, ends_at = ?, warn_at = ?"
			args = append(args, now, ends, warn)
			sess.StartedAt, sess.EndsAt = &now, &ends
		}
		if _, err := tx.Exec(ctx, "UPDATE assist_sessions SET "+set+" WHERE id = ?", append(args, sess.ID)...); err != nil {
			return err
		}
		sess.State, sess.Level, sess.MaxLevel, sess.PausedAt, sess.LastActivityAt = StateActive, level, max, nil, &now
		event := "consent"
		if before == StatePaused {
			event = "resumed"
		}
		if sess.LevelSeq, err = s.timelineSeq(ctx, tx, sess.ID, event, level, PartyCustomer); err != nil {
			return err
		}
		fx.control(s.stateControl(sess, now))
		return s.auditEvent(ctx, tx, sess, "assist.consent", s.customerActor(ctx, sess), audit.Success,
			map[string]any{"level": level, "previous": previous, "state_before": before, "recording": sess.Recording, "max_level": max})
	})
}

// warnBefore is how long before the end the warning goes out: five
// minutes, or a fifth of a shorter session.
func warnBefore(max, want time.Duration) time.Duration {
	return min(want, max/5)
}

// LowerLevel lowers the level at the customer's request, at any time.
func (s *Service) LowerLevel(ctx context.Context, sessionID, customerID, level string) (*Session, error) {
	return s.change(ctx, sessionID, func(tx *db.Tx, sess *Session, fx *effects) error {
		if sess.CustomerID != customerID {
			return ErrNotFound
		}
		if sess.State != StateActive && sess.State != StatePaused {
			return ErrState
		}
		if rank(level) == 0 || rank(level) >= rank(sess.Level) {
			return invalid("level", "a level below the current one; raising it needs a new consent")
		}
		if _, err := tx.Exec(ctx, "UPDATE assist_sessions SET level = ? WHERE id = ?", level, sess.ID); err != nil {
			return err
		}
		previous := sess.Level
		sess.Level = level
		var err error
		if sess.LevelSeq, err = s.timelineSeq(ctx, tx, sess.ID, "lowered", level, PartyCustomer); err != nil {
			return err
		}
		fx.control(s.stateControl(sess, tx.Now()))
		return s.auditEvent(ctx, tx, sess, "assist.level", s.customerActor(ctx, sess), audit.Success,
			map[string]any{"from": previous, "to": level})
	})
}

// RequestLevel is the agent asking for a higher level: the customer's
// page shows the request, and only their Accept raises the level.
func (s *Service) RequestLevel(ctx context.Context, sessionID, agentID, level string) error {
	_, err := s.change(ctx, sessionID, func(tx *db.Tx, sess *Session, fx *effects) error {
		if sess.AgentID != agentID {
			return ErrNotFound
		}
		if sess.State != StateActive {
			return ErrState
		}
		if rank(level) <= rank(sess.Level) {
			return invalid("level", "a level above the current one")
		}
		if rank(level) > rank(sess.MaxLevel) {
			return ErrLevel
		}
		if err := s.timeline(ctx, tx, sess.ID, "level_requested", level, PartyAgent); err != nil {
			return err
		}
		c := s.stateControl(sess, tx.Now())
		c.Type, c.Requested = ControlLevelRequest, level
		fx.control(c)
		return s.auditEvent(ctx, tx, sess, "assist.level_request", s.agentActor(ctx, sess), audit.Success,
			map[string]any{"from": sess.Level, "requested": level})
	})
	return err
}

// Drop pauses an active session when the customer's connection is lost:
// nothing is shared or applied until the customer consents again with
// Accept. The web layer calls it when the customer's socket closes
// without a Stop.
func (s *Service) Drop(ctx context.Context, sessionID, customerID string) error {
	_, err := s.change(ctx, sessionID, func(tx *db.Tx, sess *Session, fx *effects) error {
		if sess.CustomerID != customerID {
			return ErrNotFound
		}
		if sess.State != StateActive || sess.Kind != KindAssist {
			return nil
		}
		now := tx.Now()
		if _, err := tx.Exec(ctx, "UPDATE assist_sessions SET state = 'paused', paused_at = ?, idle_at = ? WHERE id = ?",
			now, now.Add(sess.IdleTimeout), sess.ID); err != nil {
			return err
		}
		sess.State, sess.PausedAt = StatePaused, &now
		if err := s.timeline(ctx, tx, sess.ID, "paused", sess.Level, PartyCustomer); err != nil {
			return err
		}
		fx.control(s.stateControl(sess, now))
		return s.auditEvent(ctx, tx, sess, "assist.pause", s.customerActor(ctx, sess), audit.Success, map[string]any{"level": sess.Level})
	})
	return err
}
