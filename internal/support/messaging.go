package support

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/frontdesk/frontdesk/internal/db"
)

// Messaging apps (WhatsApp, Telegram, social networks) connect through a
// bridge the business runs: the bridge posts each customer message to a
// signed webhook, and receives the agents' replies on a signed webhook of
// its own. docs/messaging-webhooks.md is the contract.
//
// Signature: the header Frontdesk-Signature is "t=<unix seconds>,v1=<hex>"
// where hex is HMAC-SHA256(secret, "<t>.<raw body>"). A delivery is
// accepted when one of the configured secrets (several during a rotation)
// verifies it, its time is within WebhookTolerance of ours, and its
// delivery id (header Frontdesk-Delivery) was not seen before: the id is
// stored in the same transaction as the message it delivers, so a
// delivery either happened completely or can be retried.

// WebhookTolerance is how far a delivery's time may be from ours.
const WebhookTolerance = 5 * time.Minute

// Webhook errors.
var (
	ErrWebhookSignature = errors.New("support: webhook signature missing or wrong")
	ErrWebhookStale     = errors.New("support: webhook timestamp outside the tolerance")
	ErrWebhookReplay    = errors.New("support: webhook delivery already received")
)

// SignWebhook returns the Frontdesk-Signature header for body at t.
func SignWebhook(secret []byte, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + hex.EncodeToString(webhookMAC(secret, ts, body))
}

func webhookMAC(secret []byte, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// VerifyWebhook checks a Frontdesk-Signature header against body.
func VerifyWebhook(secrets [][]byte, header string, body []byte, now time.Time) error {
	var ts, sig string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sig = v
		}
	}
	t, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(ts) > 12 || len(sig) != 64 {
		return ErrWebhookSignature
	}
	got, err := hex.DecodeString(sig)
	if err != nil {
		return ErrWebhookSignature
	}
	ok := false
	for _, secret := range secrets {
		if len(secret) > 0 && hmac.Equal(got, webhookMAC(secret, ts, body)) {
			ok = true
		}
	}
	if !ok {
		return ErrWebhookSignature
	}
	if d := now.Sub(time.Unix(t, 0)); d > WebhookTolerance || d < -WebhookTolerance {
		return ErrWebhookStale
	}
	return nil
}

var (
	platformRE = regexp.MustCompile(`^[a-z0-9]{1,20}$`)
	deliveryRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
)

// MessagingInbound is one customer message from a bridge.
type MessagingInbound struct {
	Platform  string `json:"platform"`   // e.g. "telegram"
	ChatID    string `json:"chat_id"`    // the platform's conversation
	MessageID string `json:"message_id"` // the platform's message id: a re-sent message is stored once
	From      string `json:"from,omitempty"`
	Locale    string `json:"locale,omitempty"`
	Text      string `json:"text"`
}

// ReceiveMessaging stores a bridge's delivery: the customer's message in
// the open conversation of that chat, or a new messaging conversation.
func (s *Service) ReceiveMessaging(ctx context.Context, deliveryID string, in MessagingInbound) (conv *Conversation, msg *Message, dup bool, err error) {
	switch {
	case !deliveryRE.MatchString(deliveryID):
		return nil, nil, false, invalid("delivery", "a delivery id of 1 to 64 letters, digits, - or _")
	case !platformRE.MatchString(in.Platform):
		return nil, nil, false, invalid("platform", "1 to 20 lower-case letters or digits")
	case in.ChatID == "" || len(in.ChatID) > 128 || !utf8.ValidString(in.ChatID) || strings.ContainsFunc(in.ChatID, unicode.IsControl):
		return nil, nil, false, invalid("chat_id", "1 to 128 characters of text")
	case in.MessageID == "" || len(in.MessageID) > 128:
		// Required: the signature does not cover the delivery id, so a
		// captured request re-sent under a new id must still be stored once.
		return nil, nil, false, invalid("message_id", "1 to 128 characters")
	}
	body, err := checkBody(in.Text)
	if err != nil {
		return nil, nil, false, err
	}
	clientID := ""
	if in.MessageID != "" {
		h := sha256.Sum256([]byte(in.Platform + ":" + in.MessageID))
		clientID = "msg-" + hex.EncodeToString(h[:20])
	}
	ref := in.Platform + ":" + in.ChatID
	receive := func(tx *db.Tx) error {
		conv, msg, dup = nil, nil, false
		res, err := tx.Exec(ctx, "INSERT INTO webhook_deliveries (id, seen_at) VALUES (?, ?) ON CONFLICT DO NOTHING", deliveryID, tx.Now())
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrWebhookReplay
		}
		var id string
		err = tx.QueryRow(ctx, "SELECT id FROM conversations WHERE external_ref = ?", ref).Scan(&id)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		var subject string
		if id != "" {
			if conv, subject, err = s.load(ctx, tx, id, true); err != nil {
				return err
			}
			if conv.Status == StatusClosed || conv.MergedInto != "" {
				// The chat goes on in a new conversation; the old one lets go of the ref.
				if _, err := tx.Exec(ctx, "UPDATE conversations SET external_ref = NULL WHERE id = ?", id); err != nil {
					return err
				}
				conv = nil
			}
		}
		if conv == nil {
			name := strings.TrimSpace(in.From)
			if len([]rune(name)) > 200 {
				name = string([]rune(name)[:200])
			}
			if conv, subject, err = s.startIn(ctx, tx, NewConversation{Who: Who{Name: name, Locale: in.Locale}, Channel: ChannelMessaging,
				Body: body, ClientID: clientID}); err != nil {
				return err
			}
			msg = &conv.Messages[0]
			_, err = tx.Exec(ctx, "UPDATE conversations SET external_ref = ? WHERE id = ?", ref, conv.ID)
			return err
		}
		msg, dup, err = s.post(ctx, tx, conv, subject, KindCustomer, "", clientID, body)
		return err
	}
	err = s.db.Write(ctx, receive)
	if db.IsUniqueViolation(err) {
		// A delivery for the same new chat (or the same message) committed
		// first; now its conversation and message are there to be found.
		err = s.db.Write(ctx, receive)
	}
	if err != nil {
		return nil, nil, false, err
	}
	if !dup {
		s.publish(ctx, conv.ID, "message", msg)
	}
	return conv, msg, dup, nil
}

// PurgeWebhookDeliveries forgets delivery ids older than a day (past the
// tolerance, a replay fails on its timestamp anyway).
func (s *Service) PurgeWebhookDeliveries(ctx context.Context) (int, error) {
	var n int64
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, "DELETE FROM webhook_deliveries WHERE seen_at < ?", tx.Now().Add(-24*time.Hour))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

// WebhookSender posts the agents' replies to the bridge.
type WebhookSender struct {
	url    string
	secret []byte
	client *http.Client
	now    func() time.Time
}

// NewWebhookSender checks the bridge's URL: https, or http on loopback.
func NewWebhookSender(rawURL string, secret []byte) (*WebhookSender, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("support: the messaging webhook URL %q is not a URL", rawURL)
	}
	if u.Scheme != "https" {
		ip := net.ParseIP(u.Hostname())
		if u.Scheme != "http" || (u.Hostname() != "localhost" && (ip == nil || !ip.IsLoopback())) {
			return nil, errors.New("support: the messaging webhook URL must be https (http only on loopback)")
		}
	}
	if len(secret) < 16 {
		return nil, errors.New("support: the messaging webhook secret needs at least 16 bytes")
	}
	return &WebhookSender{url: u.String(), secret: secret, now: time.Now, client: &http.Client{Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}, nil
}

// Outgoing is the event posted to the bridge.
type Outgoing struct {
	Type           string          `json:"type"` // "message"
	Delivery       string          `json:"delivery"`
	ConversationID string          `json:"conversation_id"`
	ExternalRef    string          `json:"external_ref"`
	Message        OutgoingMessage `json:"message"`
}

// OutgoingMessage is an agent's reply as the bridge sees it.
type OutgoingMessage struct {
	ID         string    `json:"id"`
	Kind       string    `json:"kind"`
	Body       string    `json:"body"`
	CreatedAt  time.Time `json:"created_at"`
	AuthorName string    `json:"author_name,omitempty"`
}

// Send posts one event, signed, retrying network errors, 429 and 5xx up
// to three attempts (honouring Retry-After up to a minute). Other answers
// are final.
func (w *WebhookSender) Send(ctx context.Context, ev Outgoing) error {
	body, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	wait := time.Second
	var last error
	for attempt := 1; attempt <= 3; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.url, bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Frontdesk-Delivery", ev.Delivery)
		req.Header.Set("Frontdesk-Signature", SignWebhook(w.secret, w.now(), body))
		res, err := w.client.Do(req)
		if err == nil {
			io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
			res.Body.Close()
			switch {
			case res.StatusCode >= 200 && res.StatusCode < 300:
				return nil
			case res.StatusCode == http.StatusTooManyRequests || res.StatusCode >= 500:
				last = fmt.Errorf("support: messaging webhook answered %d", res.StatusCode)
				if ra, err := strconv.Atoi(res.Header.Get("Retry-After")); err == nil && ra > 0 {
					wait = time.Duration(min(ra, 60)) * time.Second
				}
			default:
				return fmt.Errorf("support: messaging webhook answered %d", res.StatusCode)
			}
		} else {
			last = fmt.Errorf("support: messaging webhook: %w", errors.Unwrap(err))
			if errors.Unwrap(err) == nil {
				last = errors.New("support: messaging webhook unreachable")
			}
		}
		if attempt < 3 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(wait):
			}
			wait *= 2
		}
	}
	return last
}

// deliverOutgoing sends an agent's reply on a messaging conversation to
// the bridge, in the background after the commit.
func (s *Service) deliverOutgoing(ctx context.Context, convID string, m *Message) {
	if s.messaging == nil {
		return
	}
	ctx = context.WithoutCancel(ctx)
	s.mailq.wg.Add(1)
	go func() {
		defer s.mailq.wg.Done()
		var ref, name string
		err := s.db.Read(ctx, func(tx *db.Tx) error {
			var r sql.NullString
			if err := tx.QueryRow(ctx, "SELECT external_ref FROM conversations WHERE id = ?", convID).Scan(&r); err != nil {
				return err
			}
			ref = r.String
			var err error
			name, err = s.agentName(ctx, tx, m.AuthorID)
			return err
		})
		if err != nil || ref == "" {
			return
		}
		sctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
		defer cancel()
		ev := Outgoing{Type: "message", Delivery: newID(), ConversationID: convID, ExternalRef: ref,
			Message: OutgoingMessage{ID: m.ID, Kind: m.Kind, Body: m.Body, CreatedAt: m.CreatedAt, AuthorName: name}}
		if err := s.messaging.Send(sctx, ev); err != nil {
			s.log.WarnContext(ctx, "reply not delivered to the messaging bridge", "conversation", convID, "error", err.Error())
		}
	}()
}
