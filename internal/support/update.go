package support

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/frontdesk/frontdesk/internal/db"
)

// Change is a staff change to a conversation; empty fields stay as they
// are.
type Change struct {
	Status   string
	Priority string
	Category string // "-" clears it
	TeamID   string // "-" clears it
}

// Update applies a staff member's change, recomputing the SLA due times
// when the priority changes, and records it in the audit trail.
func (s *Service) Update(ctx context.Context, id string, ch Change) (*Conversation, error) {
	if ch.Status != "" && !slices.Contains(Statuses, ch.Status) {
		return nil, invalid("status", "unknown status")
	}
	if ch.Priority != "" && !slices.Contains(Priorities, ch.Priority) {
		return nil, invalid("priority", "unknown priority")
	}
	var out *Conversation
	var survey *mailJob
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		survey = nil
		c, _, err := s.load(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if c.MergedInto != "" {
			return invalid("conversation", "merged into another conversation")
		}
		now := tx.Now()
		details := map[string]any{}
		set, args := []string{"updated_at = ?"}, []any{now}
		if ch.Status != "" && ch.Status != c.Status {
			details["status"] = []string{c.Status, ch.Status}
			set, args = append(set, "status = ?"), append(args, ch.Status)
			switch ch.Status {
			case StatusResolved, StatusClosed:
				if c.ResolvedAt == nil {
					set, args = append(set, "resolved_at = ?"), append(args, now)
					c.ResolvedAt = &now
				}
			default:
				set = append(set, "resolved_at = NULL")
				c.ResolvedAt = nil
			}
			c.Status = ch.Status
		}
		if ch.Priority != "" && ch.Priority != c.Priority {
			details["priority"] = []string{c.Priority, ch.Priority}
			fr, res, err := s.dueTimes(ctx, tx, ch.Priority, c.CreatedAt)
			if err != nil {
				return err
			}
			set, args = append(set, "priority = ?", "first_response_due = ?", "resolution_due = ?"), append(args, ch.Priority, fr, res)
			c.Priority, c.FirstResponseDue, c.ResolutionDue = ch.Priority, &fr, &res
		}
		if ch.Category != "" {
			v := ch.Category
			if v == "-" {
				v = ""
			} else if err := s.checkCategory(ctx, tx, v); err != nil {
				return err
			}
			if v != c.Category {
				details["category"] = []string{c.Category, v}
				set, args = append(set, "category = ?"), append(args, nullable(v))
				c.Category = v
			}
		}
		if ch.TeamID != "" {
			v := ch.TeamID
			if v == "-" {
				v = ""
			} else if err := s.checkTeam(ctx, tx, v); err != nil {
				return err
			}
			if v != c.TeamID {
				details["team"] = []string{c.TeamID, v}
				set, args = append(set, "team_id = ?"), append(args, nullable(v))
				c.TeamID = v
			}
		}
		if len(details) == 0 {
			out = c
			return nil
		}
		if _, err := tx.Exec(ctx, "UPDATE conversations SET "+strings.Join(set, ", ")+" WHERE id = ?", append(args, id)...); err != nil {
			return err
		}
		c.UpdatedAt = now
		out = c
		if _, changed := details["status"]; changed && c.Status == StatusResolved {
			if survey, err = s.startSurvey(ctx, tx, c); err != nil {
				return err
			}
		}
		return s.audit.Record(ctx, tx, auditEvent("conversation.update", "conversation:"+id, details))
	})
	if err != nil {
		return nil, err
	}
	s.publish(ctx, id, "conversation", out)
	if survey != nil {
		s.sendMail(ctx, *survey)
	}
	return out, nil
}

// SetTags replaces a conversation's tags (lower case, letters, digits, -
// and _, at most 20).
func (s *Service) SetTags(ctx context.Context, id string, tags []string) ([]string, error) {
	clean := []string{}
	for _, t := range tags {
		t = strings.ToLower(strings.TrimSpace(t))
		if t == "" || slices.Contains(clean, t) {
			continue
		}
		if utf8.RuneCountInString(t) > MaxTag || strings.ContainsFunc(t, func(r rune) bool {
			return !(r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r > 127 && r != 0xFFFD)
		}) {
			return nil, invalid("tags", "a tag has at most 40 letters, digits, - or _")
		}
		clean = append(clean, t)
	}
	if len(clean) > MaxTags {
		return nil, invalid("tags", "at most 20 tags")
	}
	slices.Sort(clean)
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		if _, _, err := s.load(ctx, tx, id, true); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM conversation_tags WHERE conversation_id = ?", id); err != nil {
			return err
		}
		for _, t := range clean {
			if _, err := tx.Exec(ctx, "INSERT INTO conversation_tags (conversation_id, tag) VALUES (?, ?)", id, t); err != nil {
				return err
			}
		}
		_, err := tx.Exec(ctx, "UPDATE conversations SET updated_at = ? WHERE id = ?", tx.Now(), id)
		return err
	})
	return clean, err
}

// Merge moves every message of from into into (after its own, in time
// order) and leaves from as a pointer to into. Both must be with the same
// contact, so no one's messages end up in someone else's thread.
func (s *Service) Merge(ctx context.Context, from, into string) error {
	if from == into {
		return invalid("into", "a conversation cannot be merged into itself")
	}
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		a, _, err := s.load(ctx, tx, from, true)
		if err != nil {
			return err
		}
		b, _, err := s.load(ctx, tx, into, true)
		if err != nil {
			return err
		}
		if a.MergedInto != "" || b.MergedInto != "" {
			return invalid("into", "already merged")
		}
		if a.Contact.ID != b.Contact.ID {
			return invalid("into", "only conversations with the same person can be merged")
		}
		var max int
		if err := tx.QueryRow(ctx, "SELECT COALESCE(MAX(seq), 0) FROM conversation_messages WHERE conversation_id = ?", into).Scan(&max); err != nil {
			return err
		}
		// Renumber after the target's messages, keeping their order.
		if _, err := tx.Exec(ctx, "UPDATE conversation_messages SET conversation_id = ?, seq = seq + ? WHERE conversation_id = ?", into, max, from); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO conversation_search (token, conversation_id)
			SELECT token, ? FROM conversation_search WHERE conversation_id = ? ON CONFLICT DO NOTHING`, into, from); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO conversation_tags (conversation_id, tag)
			SELECT ?, tag FROM conversation_tags WHERE conversation_id = ? ON CONFLICT DO NOTHING`, into, from); err != nil {
			return err
		}
		now := tx.Now()
		last := b.LastMessageAt
		if a.LastMessageAt.After(last) {
			last = a.LastMessageAt
		}
		if _, err := tx.Exec(ctx, `UPDATE conversations SET message_count = message_count + ?, last_message_at = ?, updated_at = ?,
			status = CASE WHEN status IN ('resolved', 'closed') AND ? = 'open' THEN 'open' ELSE status END WHERE id = ?`,
			a.MessageCount, last, now, a.Status, into); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE conversations SET merged_into = ?, status = 'closed', message_count = 0, updated_at = ? WHERE id = ?", into, now, from); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, auditEvent("conversation.merge", "conversation:"+into, map[string]any{"from": from}))
	})
	if err == nil {
		s.publish(ctx, from, "merged", map[string]string{"into": into})
		s.publish(ctx, into, "conversation", map[string]string{"id": into})
	}
	return err
}

func (s *Service) checkCategory(ctx context.Context, tx *db.Tx, id string) error {
	var archived bool
	err := tx.QueryRow(ctx, "SELECT archived FROM support_categories WHERE id = ?", id).Scan(&archived)
	if errors.Is(err, sql.ErrNoRows) || archived {
		return invalid("category", "unknown category")
	}
	return err
}

func (s *Service) checkTeam(ctx context.Context, tx *db.Tx, id string) error {
	var one int
	err := tx.QueryRow(ctx, "SELECT 1 FROM support_teams WHERE id = ?", id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return invalid("team", "unknown team")
	}
	return err
}
