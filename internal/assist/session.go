package assist

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
)

// Session is one remote-assistance session or recording of steps.
type Session struct {
	ID             string `json:"id"`
	Kind           string `json:"kind"`
	ConversationID string `json:"conversation_id"`
	CustomerID     string `json:"customer_id"`
	AgentID        string `json:"agent_id,omitempty"`
	State          string `json:"state"`
	Level          string `json:"level,omitempty"` // "" until the customer consents
	// LevelSeq names the consent (or lowering) that set Level: the seq of
	// its timeline event, which only grows. Control messages and relayed
	// actions carry it, so the customer's script can order a level change
	// and an action that travel on different subjects (see Act).
	LevelSeq        int64         `json:"level_seq,omitempty"`
	MaxLevel        string        `json:"max_level"`
	Recording       bool          `json:"recording"`
	MaxDuration     time.Duration `json:"max_duration"`
	IdleTimeout     time.Duration `json:"idle_timeout"`
	MaskSelectors   []string      `json:"mask_selectors"`
	Card            *SignedCard   `json:"card,omitempty"`
	CreatedAt       time.Time     `json:"created_at"`
	InviteExpiresAt *time.Time    `json:"invite_expires_at,omitempty"`
	StartedAt       *time.Time    `json:"started_at,omitempty"`
	EndsAt          *time.Time    `json:"ends_at,omitempty"`
	WarnedAt        *time.Time    `json:"warned_at,omitempty"`
	LastActivityAt  *time.Time    `json:"last_activity_at,omitempty"`
	PausedAt        *time.Time    `json:"paused_at,omitempty"`
	EndedAt         *time.Time    `json:"ended_at,omitempty"`
	EndReason       string        `json:"end_reason,omitempty"`
	Outcome         string        `json:"outcome,omitempty"`
	RecordedBytes   int64         `json:"recorded_bytes"`
	RecordedEntries int64         `json:"recorded_entries"`
	Archived        bool          `json:"archived"`

	codeSalt []byte
	idleAt   *time.Time
	warnAt   *time.Time
	archive  string
}

// sessionColumns leave out the identity card, which may hold a photo: the
// hot paths (sharing, actions) do not parse it.
const sessionColumns = `id, kind, conversation_id, customer_id, agent_id, state, level, max_level, recording, max_duration_s, idle_timeout_s,
	masked_selectors, code_salt, created_at, invite_expires_at, started_at, ends_at, warn_at, warned_at, last_activity_at, idle_at,
	paused_at, ended_at, end_reason, outcome, recorded_bytes, recorded_entries, archive_path, archived_at, ` + levelSeqColumn

// levelSeqColumn is Session.LevelSeq: the timeline event of the latest
// consent or lowering, read with the row (the primary key of
// assist_timeline starts with session_id).
const levelSeqColumn = `(SELECT COALESCE(MAX(t.seq), 0) FROM assist_timeline t
	WHERE t.session_id = assist_sessions.id AND t.event IN ('consent', 'resumed', 'lowered'))`

func scanSession(row interface{ Scan(...any) error }, withCard bool) (*Session, error) {
	var (
		s                                                 Session
		agent, level, card, reason, outcome, archive      sql.NullString
		maxDur, idle                                      int64
		sels                                              string
		invite, started, ends, warn, warned, last, idleAt sql.NullTime
		paused, ended, archivedAt                         sql.NullTime
	)
	dest := []any{&s.ID, &s.Kind, &s.ConversationID, &s.CustomerID, &agent, &s.State, &level, &s.MaxLevel, &s.Recording, &maxDur, &idle,
		&sels, &s.codeSalt, &s.CreatedAt, &invite, &started, &ends, &warn, &warned, &last, &idleAt,
		&paused, &ended, &reason, &outcome, &s.RecordedBytes, &s.RecordedEntries, &archive, &archivedAt, &s.LevelSeq}
	if withCard {
		dest = append(dest, &card)
	}
	err := row.Scan(dest...)
	if err != nil {
		return nil, err
	}
	s.AgentID, s.Level, s.EndReason, s.Outcome, s.archive = agent.String, level.String, reason.String, outcome.String, archive.String
	s.MaxDuration, s.IdleTimeout = time.Duration(maxDur)*time.Second, time.Duration(idle)*time.Second
	s.MaskSelectors = splitLines(sels)
	s.CreatedAt = s.CreatedAt.UTC()
	s.InviteExpiresAt, s.StartedAt, s.EndsAt, s.warnAt, s.WarnedAt = timePtr(invite), timePtr(started), timePtr(ends), timePtr(warn), timePtr(warned)
	s.LastActivityAt, s.idleAt, s.PausedAt, s.EndedAt = timePtr(last), timePtr(idleAt), timePtr(paused), timePtr(ended)
	s.Archived = archivedAt.Valid
	if card.Valid {
		s.Card = &SignedCard{}
		if err := json.Unmarshal([]byte(card.String), s.Card); err != nil {
			return nil, err
		}
	}
	return &s, nil
}

func timePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

// load reads a session without its card, locking its row for the rest
// of tx when lock is set.
func (s *Service) load(ctx context.Context, tx *db.Tx, id string, lock bool) (*Session, error) {
	q := "SELECT " + sessionColumns + " FROM assist_sessions WHERE id = ?"
	if lock {
		q += tx.ForUpdate()
	}
	sess, err := scanSession(tx.QueryRow(ctx, q, id), false)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	return sess, err
}

// read loads a session outside any transaction, with its card when card
// is set.
func (s *Service) read(ctx context.Context, id string, card bool) (*Session, error) {
	var sess *Session
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		var err error
		if card {
			sess, err = s.loadWithCard(ctx, tx, id)
		} else {
			sess, err = s.load(ctx, tx, id, false)
		}
		return err
	})
	return sess, err
}

// loadWithCard reads a session with its identity card.
func (s *Service) loadWithCard(ctx context.Context, tx *db.Tx, id string) (*Session, error) {
	sess, err := scanSession(tx.QueryRow(ctx, "SELECT "+sessionColumns+", card FROM assist_sessions WHERE id = ?", id), true)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	return sess, err
}

// ids runs a query of one text column and returns its values.
func (s *Service) ids(ctx context.Context, query string, args ...any) ([]string, error) {
	var out []string
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, query, args...)
		out, err = db.Collect(rows, err, db.Value[string])
		return err
	})
	return out, err
}

func (s *Service) list(ctx context.Context, where string, args ...any) ([]Session, error) {
	var out []Session
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, "SELECT "+sessionColumns+", card FROM assist_sessions WHERE "+where, args...)
		out, err = db.Collect(rows, err, func(row db.Scanner) (Session, error) {
			sess, err := scanSession(row, true)
			if err != nil {
				return Session{}, err
			}
			return *sess, nil
		})
		return err
	})
	return out, err
}

// Get returns a session to one of its parties: its customer, its agent,
// or staff with assist:replay. Others get ErrNotFound (ASVS 8.2.2).
func (s *Service) Get(ctx context.Context, id string, viewer Actor) (*Session, error) {
	sess, err := s.read(ctx, id, true)
	if err != nil {
		return nil, err
	}
	if party(sess, viewer) != "" {
		return sess, nil
	}
	if ok, err := s.hasPermission(ctx, viewer.AccountID, permReplay); err != nil || !ok || !viewer.Staff {
		return nil, errors.Join(ErrNotFound, err)
	}
	return sess, nil
}

// party names the viewer's side of a session, or "".
func party(sess *Session, v Actor) string {
	switch {
	case v.AccountID == "":
		return ""
	case !v.Staff && v.AccountID == sess.CustomerID:
		return PartyCustomer
	case v.Staff && v.AccountID == sess.AgentID:
		return PartyAgent
	}
	return ""
}

// Open lists a customer's sessions that have not ended, newest first, for
// the portal's and widget's banner and invitation.
func (s *Service) Open(ctx context.Context, customerID string) ([]Session, error) {
	return s.list(ctx, "customer_id = ? AND state <> 'ended' ORDER BY created_at DESC LIMIT 20", customerID)
}

// OfCustomer lists a customer's sessions, newest first (the portal's list
// of recordings to replay).
func (s *Service) OfCustomer(ctx context.Context, customerID string, limit int) ([]Session, error) {
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	return s.list(ctx, "customer_id = ? ORDER BY created_at DESC LIMIT ?", customerID, limit)
}

// OfConversation lists a conversation's sessions, newest first, for the
// console (the web layer checks conversations:read).
func (s *Service) OfConversation(ctx context.Context, convID string) ([]Session, error) {
	return s.list(ctx, "conversation_id = ? ORDER BY created_at DESC LIMIT 200", convID)
}

// effects are what a change does after its transaction commits: control
// messages to publish, and the end's follow-up.
type effects struct {
	sess     *Session
	controls []Control
	ended    bool
	result   error // returned to the caller after the commit (a recorded refusal)
}

func (fx *effects) control(c Control) { fx.controls = append(fx.controls, c) }

// change locks a session, runs fn in the same transaction and, once it
// has committed, carries out the effects fn queued.
func (s *Service) change(ctx context.Context, id string, fn func(tx *db.Tx, sess *Session, fx *effects) error) (*Session, error) {
	var fx *effects
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		sess, err := s.load(ctx, tx, id, true)
		if err != nil {
			return err
		}
		fx = &effects{sess: sess}
		return fn(tx, sess, fx)
	})
	s.shared.forget(id) // Share reads the session again
	if err != nil {
		return nil, err
	}
	s.apply(ctx, fx)
	return fx.sess, fx.result
}

// apply publishes the controls and, after an end, flushes the recording
// and posts the report.
func (s *Service) apply(ctx context.Context, fx *effects) {
	for _, c := range fx.controls {
		s.announce(ctx, fx.sess, c)
	}
	if fx.ended {
		s.finish(ctx, fx.sess.ID)
	}
}

// timeline appends an event to the session's timeline.
func (s *Service) timeline(ctx context.Context, tx *db.Tx, sessionID, event, level, actor string) error {
	_, err := s.timelineSeq(ctx, tx, sessionID, event, level, actor)
	return err
}

// timelineSeq appends an event to the session's timeline and returns its seq.
func (s *Service) timelineSeq(ctx context.Context, tx *db.Tx, sessionID, event, level, actor string) (int64, error) {
	var lv any
	if level != "" {
		lv = level
	}
	var seq int64
	err := tx.QueryRow(ctx, `INSERT INTO assist_timeline (session_id, seq, at, event, level, actor)
		VALUES (?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM assist_timeline WHERE session_id = ?), ?, ?, ?, ?) RETURNING seq`,
		sessionID, sessionID, tx.Now(), event, lv, actor).Scan(&seq)
	return seq, err
}

// record writes a session's audit entry. Details hold ids, levels and
// reasons only, never what was on the page.
func (s *Service) auditEvent(ctx context.Context, tx *db.Tx, sess *Session, action string, actor *audit.Actor, outcome string, details map[string]any) error {
	if details == nil {
		details = map[string]any{}
	}
	details["conversation"], details["kind"], details["customer"] = sess.ConversationID, sess.Kind, sess.CustomerID
	return s.o.Audit.Record(ctx, tx, audit.Event{Action: action, Target: "assist_session:" + sess.ID, Outcome: outcome, Actor: actor, Details: details})
}

func (s *Service) customerActor(ctx context.Context, sess *Session) *audit.Actor {
	return actorFor(ctx, sess.CustomerID, audit.ActorCustomer)
}

func (s *Service) agentActor(ctx context.Context, sess *Session) *audit.Actor {
	return actorFor(ctx, sess.AgentID, audit.ActorStaff)
}

func (s *Service) stateControl(sess *Session, now time.Time) Control {
	return Control{Type: ControlState, SessionID: sess.ID, State: sess.State, Level: sess.Level, LevelSeq: sess.LevelSeq, MaxLevel: sess.MaxLevel, At: now}
}
