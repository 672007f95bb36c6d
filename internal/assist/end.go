package assist

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/support"
)

// Outcomes an agent gives a session.
const (
	OutcomeResolved    = "resolved"
	OutcomeNotResolved = "not_resolved"
	OutcomeFollowUp    = "follow_up"
)

// Outcomes lists the outcomes.
var Outcomes = []string{OutcomeResolved, OutcomeNotResolved, OutcomeFollowUp}

// Closing is the agent's summary and outcome of a session, for the report.
type Closing struct {
	Summary string
	Outcome string
}

// MaxSummary bounds the agent's summary, in characters.
const MaxSummary = 2000

func checkClosing(c *Closing) error {
	c.Summary = strings.TrimSpace(c.Summary)
	if utf8.RuneCountInString(c.Summary) > MaxSummary || !utf8.ValidString(c.Summary) {
		return invalid("summary", "at most 2,000 characters")
	}
	if !slices.Contains(Outcomes, c.Outcome) {
		return invalid("outcome", "resolved, not_resolved or follow_up")
	}
	return nil
}

// Stop ends a session at the request of its customer or its agent, in any
// state: the customer's Stop is always honoured. The agent may give the
// summary and outcome at the same time. Stopping an ended session is a
// no-op.
func (s *Service) Stop(ctx context.Context, sessionID string, by Actor, closing *Closing) (*Session, error) {
	if closing != nil {
		if err := checkClosing(closing); err != nil {
			return nil, err
		}
	}
	return s.change(ctx, sessionID, func(tx *db.Tx, sess *Session, fx *effects) error {
		p := party(sess, by)
		if p == "" {
			return ErrNotFound // ASVS 8.2.2
		}
		if sess.State == StateEnded {
			return nil
		}
		if closing != nil && p != PartyAgent {
			return invalid("summary", "only the agent summarises a session")
		}
		if closing != nil {
			if err := s.saveClosing(ctx, tx, sess, *closing); err != nil {
				return err
			}
		}
		reason, actor := EndCustomer, s.customerActor(ctx, sess)
		switch {
		case p == PartyCustomer && sess.State == StateInvited:
			reason = EndDeclined
		case p == PartyAgent && sess.State == StateInvited:
			reason, actor = EndWithdrawn, s.agentActor(ctx, sess)
		case p == PartyAgent:
			reason, actor = EndAgent, s.agentActor(ctx, sess)
		}
		if err := s.auditEvent(ctx, tx, sess, "assist.stop", actor, audit.Success, map[string]any{"by": p, "state_before": sess.State}); err != nil {
			return err
		}
		return s.end(ctx, tx, sess, reason, actor, fx)
	})
}

func (s *Service) saveClosing(ctx context.Context, tx *db.Tx, sess *Session, c Closing) error {
	var sealed []byte
	if c.Summary != "" {
		key, err := s.keys.DataKey(ctx, tx, customerSubject(sess.CustomerID))
		if err != nil {
			return err
		}
		sealed = key.Seal([]byte(c.Summary), []byte("assist_sessions.summary:"+sess.ID))
	}
	_, err := tx.Exec(ctx, "UPDATE assist_sessions SET summary_sealed = ?, outcome = ? WHERE id = ?", sealed, c.Outcome, sess.ID)
	sess.Outcome = c.Outcome
	return err
}

// end moves a session to ended inside tx: the timeline, the audit entry,
// and (after the commit) the control message, the recording's flush, the
// report and the survey. actor nil means the system (a timeout).
func (s *Service) end(ctx context.Context, tx *db.Tx, sess *Session, reason string, actor *audit.Actor, fx *effects) error {
	now := tx.Now()
	started := sess.StartedAt != nil
	if _, err := tx.Exec(ctx, `UPDATE assist_sessions SET state = 'ended', ended_at = ?, end_reason = ?, report_due = ?, warn_at = NULL, idle_at = NULL
		WHERE id = ?`, now, reason, started, sess.ID); err != nil {
		return err
	}
	for _, q := range []string{"DELETE FROM assist_tickets WHERE session_id = ?", "DELETE FROM assist_masked_nodes WHERE session_id = ?"} {
		if _, err := tx.Exec(ctx, q, sess.ID); err != nil {
			return err
		}
	}
	by := PartySystem
	if actor == nil {
		actor = &audit.Actor{Kind: audit.ActorSystem}
	} else if actor.ID == sess.CustomerID {
		by = PartyCustomer
	} else {
		by = PartyAgent
	}
	if err := s.timeline(ctx, tx, sess.ID, "ended", sess.Level, by); err != nil {
		return err
	}
	var secs int64
	if started {
		secs = int64(now.Sub(*sess.StartedAt) / time.Second)
	}
	sess.State, sess.EndedAt, sess.EndReason = StateEnded, &now, reason
	c := s.stateControl(sess, now)
	c.Reason, c.Survey = reason, started && sess.Kind == KindAssist
	fx.control(c)
	fx.ended = true
	return s.auditEvent(ctx, tx, sess, "assist.end", actor, audit.Success, map[string]any{"reason": reason, "duration_s": secs, "level": sess.Level})
}

// Conclude gives the summary and outcome of a session that ended without
// them (the customer stopped it, or it timed out). The report already
// posted gets the summary as an addendum.
func (s *Service) Conclude(ctx context.Context, sessionID, agentID string, c Closing) error {
	if err := checkClosing(&c); err != nil {
		return err
	}
	var addendum bool
	var convID string
	_, err := s.change(ctx, sessionID, func(tx *db.Tx, sess *Session, fx *effects) error {
		if sess.AgentID != agentID || sess.Kind != KindAssist {
			return ErrNotFound
		}
		if sess.State != StateEnded || sess.Outcome != "" {
			return ErrState
		}
		var due bool
		if err := tx.QueryRow(ctx, "SELECT report_due FROM assist_sessions WHERE id = ?", sess.ID).Scan(&due); err != nil {
			return err
		}
		addendum, convID = !due && sess.StartedAt != nil, sess.ConversationID
		if err := s.saveClosing(ctx, tx, sess, c); err != nil {
			return err
		}
		return s.auditEvent(ctx, tx, sess, "assist.conclude", s.agentActor(ctx, sess), audit.Success, map[string]any{"outcome": c.Outcome})
	})
	if err != nil || !addendum {
		return err
	}
	rep, err := s.Report(ctx, sessionID)
	if err != nil {
		return err
	}
	_, _, err = s.o.Desk.Post(ctx, convID, support.NewMessage{Kind: support.KindSystem, ClientID: "assist-summary-" + sessionID,
		Body: rep.summaryText(s.convLanguage(ctx, convID))})
	if errors.Is(err, support.ErrClosed) {
		return nil
	}
	return err
}

// finish follows an end: this node's recording buffer is flushed, then
// the report is posted (once, by whichever node claims it), the survey
// started, and the conversation's messages of the session's time added
// to its recording.
func (s *Service) finish(ctx context.Context, sessionID string) {
	if err := s.flushSession(ctx, sessionID); err != nil {
		s.log.ErrorContext(ctx, "assist recording not flushed", "session", sessionID, "error", err.Error())
	}
	if err := s.postReport(ctx, sessionID); err != nil {
		s.log.ErrorContext(ctx, "assist report not posted; it is retried", "session", sessionID, "error", err.Error())
	}
}

func (s *Service) postReport(ctx context.Context, sessionID string) error {
	claimed := false
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, "UPDATE assist_sessions SET report_due = FALSE WHERE id = ? AND report_due", sessionID)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		claimed = n == 1
		return nil
	})
	if err != nil || !claimed {
		return err
	}
	rep, err := s.Report(ctx, sessionID)
	if err == nil {
		_, _, err = s.o.Desk.Post(ctx, rep.ConversationID, support.NewMessage{Kind: support.KindSystem, ClientID: "assist-report-" + sessionID,
			Body: rep.Text(s.convLanguage(ctx, rep.ConversationID), s.o.Retention)})
	}
	if errors.Is(err, support.ErrClosed) {
		s.log.WarnContext(ctx, "assist report not posted: the conversation is closed", "session", sessionID)
		return nil
	}
	if err != nil {
		if uerr := s.db.Write(ctx, func(tx *db.Tx) error {
			_, err := tx.Exec(ctx, "UPDATE assist_sessions SET report_due = TRUE WHERE id = ?", sessionID)
			return err
		}); uerr != nil {
			err = errors.Join(err, uerr)
		}
		return err
	}
	if rep.Kind == KindAssist {
		if err := s.o.Desk.RequestSurvey(ctx, rep.ConversationID); err != nil {
			s.log.WarnContext(ctx, "survey not started after remote assistance", "session", sessionID, "error", err.Error())
		}
	}
	if rep.Recording {
		if err := s.recordChat(ctx, sessionID); err != nil {
			s.log.WarnContext(ctx, "chat not added to the recording", "session", sessionID, "error", err.Error())
		}
	}
	return nil
}

func (s *Service) convLanguage(ctx context.Context, convID string) string {
	c, err := s.o.Desk.Get(ctx, convID, false)
	if err != nil {
		return "en"
	}
	return c.Language
}
