package assist

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/internal/db"
)

// Report is the resolution report of a session: who helped (with the
// identity card the customer was shown), the levels and when they
// changed, how long it lasted and why it ended, what the agent did and
// was refused, and the agent's summary and outcome.
type Report struct {
	SessionID      string         `json:"session_id"`
	Kind           string         `json:"kind"`
	ConversationID string         `json:"conversation_id"`
	Card           *Card          `json:"card,omitempty"`
	CardVerified   bool           `json:"card_verified"`
	Levels         []LevelSpan    `json:"levels"`
	StartedAt      *time.Time     `json:"started_at,omitempty"`
	EndedAt        *time.Time     `json:"ended_at,omitempty"`
	Duration       time.Duration  `json:"duration"`
	EndReason      string         `json:"end_reason"`
	Actions        map[string]int `json:"actions"`
	Refused        map[string]int `json:"refused"`
	Summary        string         `json:"summary,omitempty"`
	Outcome        string         `json:"outcome,omitempty"`
	Recording      bool           `json:"recording"`
	RecordedBytes  int64          `json:"recorded_bytes"`
}

// LevelSpan is a stretch of time at one level; pauses are gaps.
type LevelSpan struct {
	Level string    `json:"level"`
	From  time.Time `json:"from"`
	To    time.Time `json:"to"`
}

// Report builds a session's report (the web layer checks that the viewer
// may read the conversation).
func (s *Service) Report(ctx context.Context, sessionID string) (*Report, error) {
	var r *Report
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		sess, err := s.loadWithCard(ctx, tx, sessionID)
		if err != nil {
			return err
		}
		r = &Report{SessionID: sess.ID, Kind: sess.Kind, ConversationID: sess.ConversationID, StartedAt: sess.StartedAt, EndedAt: sess.EndedAt,
			EndReason: sess.EndReason, Outcome: sess.Outcome, Recording: sess.Recording, RecordedBytes: sess.RecordedBytes,
			Actions: map[string]int{}, Refused: map[string]int{}}
		if sess.Card != nil {
			r.Card, r.CardVerified = &sess.Card.Card, s.signatureValid(*sess.Card) // the card expires with its session
		}
		if sess.StartedAt != nil && sess.EndedAt != nil {
			r.Duration = sess.EndedAt.Sub(*sess.StartedAt)
		}
		if r.Levels, err = s.levelSpans(ctx, tx, sess); err != nil {
			return err
		}
		if err := s.actionCounts(ctx, tx, r); err != nil {
			return err
		}
		var sealed []byte
		if err := tx.QueryRow(ctx, "SELECT summary_sealed FROM assist_sessions WHERE id = ?", sessionID).Scan(&sealed); err != nil {
			return err
		}
		if sealed != nil {
			pt, err := s.keys.Open(ctx, tx, sealed, []byte("assist_sessions.summary:"+sessionID))
			if err != nil {
				return err
			}
			r.Summary = string(pt)
		}
		return nil
	})
	return r, err
}

func (s *Service) levelSpans(ctx context.Context, tx *db.Tx, sess *Session) ([]LevelSpan, error) {
	rows, err := tx.Query(ctx, "SELECT at, event, level FROM assist_timeline WHERE session_id = ? ORDER BY seq", sess.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	spans := []LevelSpan{}
	var open *LevelSpan
	closeAt := func(t time.Time) {
		if open != nil {
			open.To = t
			spans = append(spans, *open)
			open = nil
		}
	}
	for rows.Next() {
		var (
			at    time.Time
			event string
			level sql.NullString
		)
		if err := rows.Scan(&at, &event, &level); err != nil {
			return nil, err
		}
		at = at.UTC()
		switch event {
		case "consent", "resumed", "lowered":
			if open != nil && open.Level == level.String {
				continue
			}
			closeAt(at)
			open = &LevelSpan{Level: level.String, From: at}
		case "paused", "ended":
			closeAt(at)
		}
	}
	return spans, rows.Err()
}

func (s *Service) actionCounts(ctx context.Context, tx *db.Tx, r *Report) error {
	rows, err := tx.Query(ctx, "SELECT action, allowed, refused FROM assist_action_counts WHERE session_id = ?", r.SessionID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			action           string
			allowed, refused int
		)
		if err := rows.Scan(&action, &allowed, &refused); err != nil {
			return err
		}
		if allowed > 0 {
			r.Actions[action] = allowed
		}
		if refused > 0 {
			r.Refused[action] = refused
		}
	}
	return rows.Err()
}

// Text is the report as the system message posted to the conversation,
// in the conversation's language (en, vi or zh). Times are UTC.
func (r *Report) Text(lang string, retention time.Duration) string {
	t := reportText(lang)
	var b strings.Builder
	if r.Kind == KindSteps {
		fmt.Fprintf(&b, t.steps, shortDuration(r.Duration))
		return b.String()
	}
	b.WriteString(t.title + "\n")
	if c := r.Card; c != nil {
		fmt.Fprintf(&b, t.agent+"\n", c.Name, c.StaffNumber, c.Department)
		if r.CardVerified {
			b.WriteString(t.verified + "\n")
		}
	}
	if r.StartedAt != nil && r.EndedAt != nil {
		fmt.Fprintf(&b, t.when+"\n", r.StartedAt.Format("2006-01-02 15:04"), r.EndedAt.Format("15:04"), shortDuration(r.Duration), t.reason(r.EndReason))
	}
	var spans []string
	for _, sp := range r.Levels {
		spans = append(spans, fmt.Sprintf("%s %s–%s", t.level(sp.Level), sp.From.Format("15:04:05"), sp.To.Format("15:04:05")))
	}
	if len(spans) > 0 {
		b.WriteString(t.levels + strings.Join(spans, " · ") + "\n")
	}
	fmt.Fprintf(&b, t.actions+"\n", total(r.Actions), counts(r.Actions))
	if len(r.Refused) > 0 {
		fmt.Fprintf(&b, t.refused+"\n", total(r.Refused), counts(r.Refused))
	}
	if r.Recording {
		fmt.Fprintf(&b, t.recorded+"\n", int(retention/(24*time.Hour)))
	} else {
		b.WriteString(t.notRecorded + "\n")
	}
	b.WriteString(r.summaryText(lang))
	return strings.TrimRight(b.String(), "\n")
}

// summaryText is the outcome and summary lines (also posted on their own
// when the agent concludes after the report).
func (r *Report) summaryText(lang string) string {
	t := reportText(lang)
	var b strings.Builder
	if r.Outcome != "" {
		b.WriteString(t.outcome + t.outcomeName(r.Outcome) + "\n")
	}
	if r.Summary != "" {
		b.WriteString(t.summary + r.Summary + "\n")
	}
	if b.Len() == 0 {
		b.WriteString(t.noSummary + "\n")
	}
	return b.String()
}

func total(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

func counts(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, m[k])
	}
	if len(parts) == 0 {
		return "–"
	}
	return strings.Join(parts, ", ")
}

// shortDuration writes 45s, 12m 5s, 1h 3m.
func shortDuration(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm %ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dh %dm", int(d.Hours()), int(d.Minutes())%60)
}
