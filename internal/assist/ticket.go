package assist

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"time"

	"github.com/frontdesk/frontdesk/internal/db"
)

// Join tickets. A session's WebSocket does not carry the session cookie
// to another origin (the widget on the business's site) and must not put
// a long-lived token in a URL: the page asks for a ticket over its signed-in
// channel and opens the socket with it. A ticket is 256 random bits, valid
// for TicketTTL, usable once, stored as its SHA-256 (ASVS 4.4.x, 11.5.1).

// TicketTTL is how long a join ticket may wait to be used.
const TicketTTL = 30 * time.Second

// Ticket is what a redeemed ticket says about the socket being opened.
type Ticket struct {
	SessionID string
	AccountID string
	Party     string // PartyCustomer or PartyAgent
}

// IssueTicket gives one of a session's parties a join ticket.
func (s *Service) IssueTicket(ctx context.Context, sessionID string, by Actor) (string, error) {
	raw := make([]byte, 32)
	rand.Read(raw)
	token := base64.RawURLEncoding.EncodeToString(raw)
	sum := sha256.Sum256([]byte(token))
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		sess, err := s.load(ctx, tx, sessionID, false)
		if err != nil {
			return err
		}
		p := party(sess, by)
		if p == "" {
			return ErrNotFound
		}
		if sess.State == StateEnded {
			return ErrEnded
		}
		_, err = tx.Exec(ctx, "INSERT INTO assist_tickets (ticket_hash, session_id, account_id, party, expires_at) VALUES (?, ?, ?, ?, ?)",
			sum[:], sessionID, by.AccountID, p, tx.Now().Add(TicketTTL))
		return err
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

// RedeemTicket uses a ticket up and says which session and party it opens.
// An unknown, used or expired ticket is ErrNotFound.
func (s *Service) RedeemTicket(ctx context.Context, token string) (*Ticket, error) {
	if len(token) != 43 {
		return nil, ErrNotFound
	}
	sum := sha256.Sum256([]byte(token))
	var t Ticket
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		now := tx.Now()
		return tx.QueryRow(ctx, `UPDATE assist_tickets SET used_at = ? WHERE ticket_hash = ? AND used_at IS NULL AND expires_at > ?
			RETURNING session_id, account_id, party`, now, sum[:], now).Scan(&t.SessionID, &t.AccountID, &t.Party)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return &t, nil
}
