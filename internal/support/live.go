package support

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/internal/db"
)

// Live chat support: agents' presence and read markers. Presence lives in
// the database (a heartbeat from each agent's open console, on whichever
// node), so every node agrees on whether anyone is online; the live
// events themselves travel on the bus (conv.<id>.<what>).

// PresenceWindow is how long after its last heartbeat an agent counts as
// online.
const PresenceWindow = time.Minute

// Heartbeat marks an agent online now.
func (s *Service) Heartbeat(ctx context.Context, accountID string) error {
	return s.db.Write(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, "UPDATE support_agents SET seen_at = ? WHERE account_id = ?", tx.Now(), accountID)
		return err
	})
}

// AgentsOnline counts the agents online and not away, who can take a chat
// in lang (any language when lang is "").
func (s *Service) AgentsOnline(ctx context.Context, lang string) (int, error) {
	var n int
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, "SELECT languages FROM support_agents WHERE away = FALSE AND seen_at > ?", tx.Now().Add(-PresenceWindow))
		if err != nil {
			return err
		}
		defer rows.Close()
		n = 0
		for rows.Next() {
			var langs string
			if err := rows.Scan(&langs); err != nil {
				return err
			}
			if lang == "" || containsLang(langs, normalizeLocale(lang)) {
				n++
			}
		}
		return rows.Err()
	})
	return n, err
}

func containsLang(list, lang string) bool { return slices.Contains(strings.Split(list, ","), lang) }

// MarkRead records that one side read a conversation up to seq (never
// backwards) and tells the other side.
func (s *Service) MarkRead(ctx context.Context, convID string, agent bool, seq int) error {
	col := "customer_read_seq"
	if agent {
		col = "agent_read_seq"
	}
	var changed int64
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, "UPDATE conversations SET "+col+" = ? WHERE id = ? AND "+col+" < ?", seq, convID, seq)
		if err != nil {
			return err
		}
		changed, err = res.RowsAffected()
		return err
	})
	if err == nil && changed > 0 {
		who := "customer"
		if agent {
			who = "agent"
		}
		s.publish(ctx, convID, "read", map[string]any{"by": who, "seq": seq})
	}
	return err
}

// ReadMarks returns how far the customer and the agents have read.
func (s *Service) ReadMarks(ctx context.Context, convID string) (customer, agent int, err error) {
	err = s.db.Read(ctx, func(tx *db.Tx) error {
		return tx.QueryRow(ctx, "SELECT customer_read_seq, agent_read_seq FROM conversations WHERE id = ?", convID).Scan(&customer, &agent)
	})
	return
}

// Typing tells the other side that someone is typing (not stored).
func (s *Service) Typing(ctx context.Context, convID string, agent bool) {
	who := "customer"
	if agent {
		who = "agent"
	}
	s.publish(ctx, convID, "typing", map[string]string{"by": who})
}
