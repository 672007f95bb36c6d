package assist

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
)

// Agent actions.
const (
	ActionPointer   = "pointer"   // the agent's cursor on the customer's page
	ActionHighlight = "highlight" // outline an element
	ActionAnnotate  = "annotate"  // draw on an overlay
	ActionClick     = "click"
	ActionScroll    = "scroll"
	ActionType      = "type"
)

// Actions lists every agent action, guided ones first.
var Actions = []string{ActionPointer, ActionHighlight, ActionAnnotate, ActionClick, ActionScroll, ActionType}

// Allowed reports whether an agent action is allowed at a level: nothing at
// view; pointer, highlight and annotate at guided; also click, scroll and
// type at control. The customer's script applies the same table before it
// touches the page; the server refuses (and counts) what the level does
// not allow, so neither side has to trust the other.
func Allowed(level, action string) bool {
	switch action {
	case ActionPointer, ActionHighlight, ActionAnnotate:
		return rank(level) >= rank(LevelGuided)
	case ActionClick, ActionScroll, ActionType:
		return rank(level) >= rank(LevelControl)
	}
	return false
}

// targetsField reports whether an action reaches into an element: those
// are refused on masked nodes.
func targetsField(action string) bool { return action == ActionClick || action == ActionType }

// Action is one agent action. Target is the rrweb node id it aims at (0
// for none); Data is opaque to the server for click, scroll and type
// (coordinates, the text to type) and relayed and recorded as given; the
// guided kinds' data is checked and reduced to its fields (checkData).
//
// Level and LevelSeq are set by Act, never taken from the agent: the
// level the gate allowed the action under and the consent that set it
// (Session.LevelSeq). The customer's script learns of level changes on the
// control subject and of actions on a2c, two subscriptions that the bus
// does not order against each other; with LevelSeq it holds an action
// stamped with a consent it has not seen yet until that consent's state
// arrives, and applies nothing above the level it knows the customer
// consented to (docs/remote-assistance.md).
type Action struct {
	Kind     string          `json:"kind"`
	Target   int             `json:"target,omitempty"`
	Data     json.RawMessage `json:"data,omitempty"`
	Level    string          `json:"level,omitempty"`
	LevelSeq int64           `json:"level_seq,omitempty"`
}

// MaxActionData bounds an action's data.
const MaxActionData = 16 << 10

// Act gates an agent action at the session's current level and, when it
// passes, relays it to the customer's page and records it. It refuses an
// action above the level (ErrNotAllowed) or a click or typing aimed at a
// masked node (ErrMasked), and counts both for the report; the first
// refusal of each kind is an audit entry (ASVS 16.3.2). Masking is
// enforced in the customer's browser, which never sends masked values and
// never applies an action to a masked field; the server can only compare
// the target with the masked node ids the customer's script reported
// (ReportMasked).
func (s *Service) Act(ctx context.Context, sessionID, agentID string, a Action) error {
	if !slices.Contains(Actions, a.Kind) {
		return invalid("kind", "an agent action: "+strings.Join(Actions, ", "))
	}
	if len(a.Data) > MaxActionData || (len(a.Data) > 0 && !json.Valid(a.Data)) {
		return invalid("data", "JSON of at most 16 KiB")
	}
	data, err := checkData(a)
	if err != nil {
		return err
	}
	a.Data, a.Level, a.LevelSeq = data, "", 0
	var rec bool
	var customer string
	_, err = s.change(ctx, sessionID, func(tx *db.Tx, sess *Session, fx *effects) error {
		if sess.AgentID != agentID || sess.Kind != KindAssist {
			return ErrNotFound
		}
		now := tx.Now()
		if err := liveState(sess, now); err != nil {
			return err
		}
		refusal := error(nil)
		if !Allowed(sess.Level, a.Kind) {
			refusal = ErrNotAllowed
		} else if targetsField(a.Kind) && a.Target != 0 {
			masked, err := s.isMasked(ctx, tx, sess.ID, a.Target)
			if err != nil {
				return err
			}
			if masked {
				refusal = ErrMasked
			}
		}
		first, err := s.count(ctx, tx, sess.ID, a.Kind, refusal == nil)
		if err != nil {
			return err
		}
		rec, customer = sess.Recording, sess.CustomerID
		a.Level, a.LevelSeq = sess.Level, sess.LevelSeq
		if refusal == nil {
			// Only what passes counts as activity: refused attempts do not
			// keep a session alive.
			_, err := tx.Exec(ctx, "UPDATE assist_sessions SET last_activity_at = ?, idle_at = ? WHERE id = ?", now, now.Add(sess.IdleTimeout), sess.ID)
			return err
		}
		fx.result = refusal
		if !first {
			return nil
		}
		return s.auditEvent(ctx, tx, sess, "assist.action_refused", s.agentActor(ctx, sess), audit.Denied,
			map[string]any{"action": a.Kind, "level": sess.Level, "masked": errors.Is(refusal, ErrMasked)})
	})
	if err != nil {
		return err
	}
	b, err := json.Marshal(a)
	if err != nil {
		return err
	}
	if err := s.relay(ctx, sessionID, customer, ChannelActions, b); err != nil {
		return err
	}
	if rec {
		s.record(ctx, sessionID, customer, Entry{At: s.now(), Kind: EntryAction, Party: PartyAgent, Data: b})
	}
	return nil
}

// MaxNote is the longest annotation, in characters.
const MaxNote = 140

// checkData checks the data of the guided-level actions, which the
// customer's page shows, and returns it in its only accepted form: a
// pointer's data is its two coordinates, a note's its text of 1 to
// MaxNote characters (the page shows it as text, never as HTML), and a
// highlight has none. Anything else in the data is dropped, so what is
// relayed and recorded is bounded by the kind, not by MaxActionData.
func checkData(a Action) (json.RawMessage, error) {
	switch a.Kind {
	case ActionPointer:
		var d struct {
			X, Y *float64
		}
		if json.Unmarshal(a.Data, &d) != nil || d.X == nil || d.Y == nil {
			return nil, invalid("data", `a pointer's data is {"x": number, "y": number}`)
		}
		return json.Marshal(map[string]float64{"x": *d.X, "y": *d.Y})
	case ActionAnnotate:
		var d struct{ Text *string }
		if json.Unmarshal(a.Data, &d) != nil || d.Text == nil || strings.TrimSpace(*d.Text) == "" || utf8.RuneCountInString(*d.Text) > MaxNote {
			return nil, invalid("data", fmt.Sprintf(`a note's data is {"text": "…"} of 1 to %d characters`, MaxNote))
		}
		return json.Marshal(map[string]string{"text": *d.Text})
	case ActionHighlight:
		if d := strings.TrimSpace(string(a.Data)); d != "" && d != "null" && d != "{}" {
			return nil, invalid("data", "a highlight has no data")
		}
		return nil, nil
	}
	return a.Data, nil
}

// liveState refuses anything on a session that is not active, or that is
// past its maximum duration even before the sweep has ended it.
func liveState(sess *Session, now time.Time) error {
	switch sess.State {
	case StateActive:
	case StatePaused:
		return ErrPaused
	case StateEnded:
		return ErrEnded
	default:
		return ErrState
	}
	if sess.EndsAt != nil && !now.Before(*sess.EndsAt) {
		return ErrEnded
	}
	return nil
}

// count adds one allowed or refused action of a kind and reports whether
// it was the session's first refusal of that kind.
func (s *Service) count(ctx context.Context, tx *db.Tx, sessionID, kind string, allowed bool) (bool, error) {
	a, r := 1, 0
	if !allowed {
		a, r = 0, 1
	}
	var refused int
	err := tx.QueryRow(ctx, `INSERT INTO assist_action_counts (session_id, action, allowed, refused) VALUES (?, ?, ?, ?)
		ON CONFLICT (session_id, action) DO UPDATE SET allowed = assist_action_counts.allowed + excluded.allowed,
		refused = assist_action_counts.refused + excluded.refused RETURNING refused`, sessionID, kind, a, r).Scan(&refused)
	return !allowed && refused == 1, err
}

func (s *Service) isMasked(ctx context.Context, tx *db.Tx, sessionID string, node int) (bool, error) {
	var one int
	err := tx.QueryRow(ctx, "SELECT 1 FROM assist_masked_nodes WHERE session_id = ? AND node_id = ?", sessionID, node).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// MaxMaskedNodes bounds the masked node ids a session keeps.
const MaxMaskedNodes = 10_000

// ReportMasked replaces the rrweb node ids the customer's script masks on
// the current page (after each full snapshot, and when masked fields
// appear). Agent clicks and typing aimed at them are refused.
func (s *Service) ReportMasked(ctx context.Context, sessionID, customerID string, nodes []int) error {
	if len(nodes) > MaxMaskedNodes {
		return invalid("nodes", "at most 10,000 masked nodes")
	}
	uniq := map[int]bool{}
	for _, n := range nodes {
		if n <= 0 {
			return invalid("nodes", "node ids are positive")
		}
		uniq[n] = true
	}
	_, err := s.change(ctx, sessionID, func(tx *db.Tx, sess *Session, fx *effects) error {
		if sess.CustomerID != customerID {
			return ErrNotFound
		}
		if sess.State == StateEnded {
			return ErrEnded
		}
		if _, err := tx.Exec(ctx, "DELETE FROM assist_masked_nodes WHERE session_id = ?", sessionID); err != nil {
			return err
		}
		ids := make([]any, 0, 2*len(uniq))
		for n := range uniq {
			ids = append(ids, sessionID, n)
		}
		const batch = 400 // pairs a statement, well under every driver's parameter limit
		for start := 0; start < len(ids); start += 2 * batch {
			part := ids[start:min(start+2*batch, len(ids))]
			q := "INSERT INTO assist_masked_nodes (session_id, node_id) VALUES (?, ?)" + strings.Repeat(", (?, ?)", len(part)/2-1)
			if _, err := tx.Exec(ctx, q, part...); err != nil {
				return err
			}
		}
		return nil
	})
	return err
}
