package support

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/frontdesk/frontdesk/internal/db"
)

// After the answer. When a conversation is resolved the customer is asked
// to rate the help (1–5 and a comment): inline on the portal's
// conversation page (and in the chat widget), and by e-mail with a link
// whose token is stored hashed. Some days later (FollowUpAfter) a
// follow-up asks whether the problem stayed solved; "no" reopens the
// conversation with a system message. A conversation resolved twice is
// surveyed once; the answers can be given once each.

// Survey is a conversation's satisfaction survey as the customer sees it.
type Survey struct {
	ConversationID string     `json:"conversation_id"`
	Subject        string     `json:"subject,omitempty"`
	Language       string     `json:"language"`
	Score          int        `json:"score,omitempty"`
	Comment        string     `json:"comment,omitempty"`
	AnsweredAt     *time.Time `json:"answered_at,omitempty"`
	FollowUpSent   bool       `json:"follow_up_sent"`
	StayedSolved   *bool      `json:"stayed_solved,omitempty"`
}

// ErrSurveyAnswered refuses a second answer.
var ErrSurveyAnswered = errors.New("support: this survey was already answered")

func surveyToken() (token string, hash []byte) {
	b := make([]byte, 32)
	rand.Read(b)
	token = base64.RawURLEncoding.EncodeToString(b)
	h := sha256.Sum256([]byte(token))
	return token, h[:]
}

func tokenHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// startSurvey records the survey of a conversation just resolved and
// returns its e-mail (nil without an address, or when one was sent
// before).
func (s *Service) startSurvey(ctx context.Context, tx *db.Tx, c *Conversation) (*mailJob, error) {
	var one int
	err := tx.QueryRow(ctx, "SELECT 1 FROM support_surveys WHERE conversation_id = ?", c.ID).Scan(&one)
	if err == nil {
		return nil, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	token, hash := surveyToken()
	now := tx.Now()
	if _, err := tx.Exec(ctx, "INSERT INTO support_surveys (conversation_id, token_hash, sent_at, followup_due) VALUES (?, ?, ?, ?)",
		c.ID, hash, now, now.Add(s.followUp)); err != nil {
		return nil, err
	}
	if c.Contact.Email == "" {
		return nil, nil
	}
	t := deskText(c.Language)
	return &mailJob{msg: noticeMail(c, t.surveyTitle, t.surveyBody, s.base+"/survey?token="+token, t.surveyAction)}, nil
}

func noticeMail(c *Conversation, title, body, url, action string) notifyMessage {
	data := map[string]any{"Title": title, "Body": body, "Name": c.Contact.Name}
	if url != "" {
		data["ActionURL"], data["ActionText"] = url, action
	}
	return notifyMessage{To: mail.Address{Name: c.Contact.Name, Address: c.Contact.Email}, Template: "notice", Locale: c.Language, Data: data}
}

// surveyByToken finds the conversation of a survey link.
func (s *Service) surveyByToken(ctx context.Context, tx *db.Tx, token string, lock bool) (string, error) {
	if len(token) != 43 {
		return "", ErrNotFound
	}
	q := "SELECT conversation_id FROM support_surveys WHERE token_hash = ?"
	if lock {
		q += tx.ForUpdate()
	}
	var id string
	err := tx.QueryRow(ctx, q, tokenHash(token)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	return id, err
}

// SurveyByToken returns the survey a link points to.
func (s *Service) SurveyByToken(ctx context.Context, token string) (*Survey, error) {
	var out *Survey
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		id, err := s.surveyByToken(ctx, tx, token, false)
		if err != nil {
			return err
		}
		out, err = s.survey(ctx, tx, id)
		return err
	})
	return out, err
}

// SurveyOf returns a conversation's survey, or nil when none was started.
func (s *Service) SurveyOf(ctx context.Context, convID string) (*Survey, error) {
	var out *Survey
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		var err error
		out, err = s.survey(ctx, tx, convID)
		if errors.Is(err, sql.ErrNoRows) {
			out, err = nil, nil
		}
		return err
	})
	return out, err
}

func (s *Service) survey(ctx context.Context, tx *db.Tx, convID string) (*Survey, error) {
	var (
		sv           = Survey{ConversationID: convID}
		score        sql.NullInt64
		comment      []byte
		answered     sql.NullTime
		followSent   sql.NullTime
		stayedSolved sql.NullBool
	)
	err := tx.QueryRow(ctx, "SELECT score, comment_sealed, answered_at, followup_sent_at, stayed_solved FROM support_surveys WHERE conversation_id = ?", convID).
		Scan(&score, &comment, &answered, &followSent, &stayedSolved)
	if err != nil {
		return nil, err
	}
	c, _, err := s.load(ctx, tx, convID, false)
	if err != nil {
		return nil, err
	}
	sv.Subject, sv.Language, sv.Score, sv.AnsweredAt, sv.FollowUpSent = c.Subject, c.Language, int(score.Int64), timePtr(answered), followSent.Valid
	if stayedSolved.Valid {
		v := stayedSolved.Bool
		sv.StayedSolved = &v
	}
	if len(comment) > 0 {
		pt, err := s.keys.Open(ctx, tx, comment, []byte("support_surveys.comment:"+convID))
		if err != nil {
			return nil, err
		}
		sv.Comment = string(pt)
	}
	return &sv, nil
}

// Rate records the customer's rating (by the link's token, or for a
// signed-in customer by conversation: convID set and token empty).
func (s *Service) Rate(ctx context.Context, token, convID string, score int, comment string) error {
	if score < 1 || score > 5 {
		return invalid("score", "choose from 1 to 5")
	}
	comment = strings.TrimSpace(comment)
	if utf8.RuneCountInString(comment) > 2000 || !utf8.ValidString(comment) {
		return invalid("comment", "at most 2,000 characters")
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		id := convID
		if token != "" {
			var err error
			if id, err = s.surveyByToken(ctx, tx, token, true); err != nil {
				return err
			}
		}
		var answered sql.NullTime
		if err := tx.QueryRow(ctx, "SELECT answered_at FROM support_surveys WHERE conversation_id = ?"+tx.ForUpdate(), id).Scan(&answered); errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		} else if err != nil {
			return err
		}
		if answered.Valid {
			return ErrSurveyAnswered
		}
		var sealed []byte
		if comment != "" {
			_, subject, err := s.load(ctx, tx, id, false)
			if err != nil {
				return err
			}
			key, err := s.keys.DataKey(ctx, tx, subject)
			if err != nil {
				return err
			}
			sealed = key.Seal([]byte(comment), []byte("support_surveys.comment:"+id))
			if err := s.indexText(ctx, tx, id, comment); err != nil {
				return err
			}
		}
		_, err := tx.Exec(ctx, "UPDATE support_surveys SET score = ?, comment_sealed = ?, answered_at = ? WHERE conversation_id = ?", score, sealed, tx.Now(), id)
		return err
	})
}

// AnswerFollowUp records whether the problem stayed solved; "no" reopens
// the conversation.
func (s *Service) AnswerFollowUp(ctx context.Context, token, convID string, solved bool) error {
	var reopened bool
	id := convID
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		reopened = false
		if token != "" {
			var err error
			if id, err = s.surveyByToken(ctx, tx, token, true); err != nil {
				return err
			}
		}
		var stayed sql.NullBool
		if err := tx.QueryRow(ctx, "SELECT stayed_solved FROM support_surveys WHERE conversation_id = ?"+tx.ForUpdate(), id).Scan(&stayed); errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		} else if err != nil {
			return err
		}
		if stayed.Valid {
			return ErrSurveyAnswered
		}
		if _, err := tx.Exec(ctx, "UPDATE support_surveys SET stayed_solved = ?, followup_at = ? WHERE conversation_id = ?", solved, tx.Now(), id); err != nil {
			return err
		}
		c, subject, err := s.load(ctx, tx, id, true)
		if err != nil {
			return err
		}
		t := deskText(c.Language)
		text := t.solved
		if !solved {
			text = t.reopened
			if c.Status == StatusResolved || c.Status == StatusClosed {
				if _, err := tx.Exec(ctx, "UPDATE conversations SET status = 'open', resolved_at = NULL, updated_at = ? WHERE id = ?", tx.Now(), id); err != nil {
					return err
				}
				c.Status, reopened = StatusOpen, true
			}
		}
		_, _, err = s.post(ctx, tx, c, subject, KindSystem, "", "", text)
		return err
	})
	if err == nil && reopened {
		s.publish(ctx, id, "conversation", map[string]string{"id": id, "status": StatusOpen})
	}
	return err
}

// SendFollowUps sends the follow-ups that are due (conversations still
// resolved or closed, survey sent FollowUpAfter ago) and returns how many
// went out by e-mail. The follow-up's link replaces the survey's: its page
// asks for the rating too when it was not given. Portal customers also
// see the question on the conversation's page.
func (s *Service) SendFollowUps(ctx context.Context) (int, error) {
	var jobs []mailJob
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		jobs = jobs[:0]
		rows, err := tx.Query(ctx, `SELECT v.conversation_id FROM support_surveys v JOIN conversations c ON c.id = v.conversation_id
			WHERE v.followup_sent_at IS NULL AND v.followup_due <= ? AND c.status IN ('resolved', 'closed') AND c.merged_into IS NULL
			ORDER BY v.followup_due LIMIT 200`, tx.Now())
		ids, err := db.Collect(rows, err, db.Value[string])
		if err != nil {
			return err
		}
		for _, id := range ids {
			c, _, err := s.load(ctx, tx, id, false)
			if err != nil {
				return err
			}
			// A new link: the survey's token is replaced, so the survey
			// e-mail's link now leads to the follow-up question.
			token, hash := surveyToken()
			if _, err := tx.Exec(ctx, "UPDATE support_surveys SET followup_sent_at = ?, token_hash = ? WHERE conversation_id = ?", tx.Now(), hash, id); err != nil {
				return err
			}
			if c.Contact.Email != "" {
				t := deskText(c.Language)
				jobs = append(jobs, mailJob{msg: noticeMail(c, t.followTitle, t.followBody, s.base+"/survey?token="+token, t.followAction)})
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	s.sendMail(ctx, jobs...)
	return len(jobs), nil
}
