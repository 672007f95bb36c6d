// Package support is the support desk: conversations with customers and
// visitors on every channel (live chat, e-mail, phone, messaging apps, the
// portal) in one inbox, with messages and internal notes, status,
// priority, category, tags, assignment to teams and agents, SLA targets,
// canned replies and merging.
//
// Free text is personal data: a conversation's subject and every message
// are sealed with the contact's data key (the customer's own key for a
// signed-in customer, so erasing the customer shreds their conversations
// too), and found through keyed search tokens of their folded words.
// Staff actions (status, assignment, priority, category, merge) are audit
// entries written in the same transaction as the change. Live updates are
// published through a Publisher (internal/bus) after the transaction
// commits; the database stays the record clients catch up from.
package support

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/fault"
	"github.com/frontdesk/frontdesk/internal/keyring"
)

// Statuses of a conversation.
const (
	StatusOpen     = "open"     // waiting for the desk
	StatusPending  = "pending"  // waiting for the customer
	StatusResolved = "resolved" // answered; the customer may still reply, which reopens it
	StatusClosed   = "closed"   // final; a new message starts a new conversation
)

// Statuses lists every status in workflow order.
var Statuses = []string{StatusOpen, StatusPending, StatusResolved, StatusClosed}

// Priorities, lowest first.
const (
	PriorityLow    = "low"
	PriorityNormal = "normal"
	PriorityHigh   = "high"
	PriorityUrgent = "urgent"
)

// Priorities lists every priority, lowest first.
var Priorities = []string{PriorityLow, PriorityNormal, PriorityHigh, PriorityUrgent}

// Channels a conversation arrives on.
const (
	ChannelChat      = "chat"
	ChannelEmail     = "email"
	ChannelPhone     = "phone"
	ChannelMessaging = "messaging"
	ChannelPortal    = "portal"
)

// Channels lists every channel.
var Channels = []string{ChannelChat, ChannelEmail, ChannelPhone, ChannelMessaging, ChannelPortal}

// Kinds of message.
const (
	KindCustomer = "customer"
	KindAgent    = "agent"
	KindBot      = "bot"
	KindSystem   = "system"
	KindNote     = "note" // internal: never shown to the customer
)

// Limits.
const (
	MaxBody    = 20_000 // characters of a message
	MaxSubject = 200
	MaxTag     = 40
	MaxTags    = 20
)

// Errors.
var (
	ErrNotFound = fault.New(fault.ErrNotFound, "support: no such conversation")
	ErrInvalid  = fault.ErrInvalid // every *InvalidError is one
	ErrClosed   = errors.New("support: the conversation is closed")
	ErrNotAgent = errors.New("support: not an agent of the desk")
)

// InvalidError names the field at fault: the kind that every feature
// package shares.
type InvalidError = fault.Invalid

// invalid is input refused; its text starts with the package's name.
func invalid(field, reason string) error {
	return fmt.Errorf("support: %w", &InvalidError{Field: field, Reason: reason})
}

// Publisher carries live updates to the nodes that hold open connections
// (internal/bus implements it).
type Publisher interface {
	Publish(ctx context.Context, subject string, data []byte) error
}

// Options wire the service.
type Options struct {
	DB    *db.DB
	Keys  *keyring.Keyring
	Audit *audit.Log
	Bus   Publisher // nil: no live updates
	Mail  Mailer    // nil: no e-mail (replies stay in the portal)
	// Messaging posts agents' replies on messaging conversations to the
	// bridge; nil keeps them in the desk.
	Messaging *WebhookSender
	// Bot answers live chats first; nil sends them straight to people.
	Bot Bot
	// BaseURL is the portal's public URL, for links in e-mails; Org the
	// business's name, signed under replies.
	BaseURL, Org string
	// SupportEmail is the desk's mailbox: the desk's e-mail is written
	// from it and answers go back to it (Reply-To). Empty keeps the
	// mailer's sender and asks customers to write from the portal.
	SupportEmail string
	// FollowUpAfter is how long after a resolve the follow-up asks whether
	// the problem stayed solved; 0 means 3 days.
	FollowUpAfter time.Duration
	Logger        *slog.Logger
}

// Service is the support desk. It is safe for concurrent use.
type Service struct {
	db        *db.DB
	keys      *keyring.Keyring
	audit     *audit.Log
	bus       Publisher
	mail      Mailer
	base      string
	org       string
	deskFrom  *mail.Address // nil without a support mailbox
	followUp  time.Duration
	messaging *WebhookSender
	bot       Bot
	log       *slog.Logger
	mailq     mailQueue
}

// New returns the service.
func New(o Options) *Service {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.FollowUpAfter <= 0 {
		o.FollowUpAfter = 3 * 24 * time.Hour
	}
	if o.Org == "" {
		o.Org = "Frontdesk"
	}
	s := &Service{db: o.DB, keys: o.Keys, audit: o.Audit, bus: o.Bus, mail: o.Mail, base: strings.TrimRight(o.BaseURL, "/"),
		org: o.Org, followUp: o.FollowUpAfter, messaging: o.Messaging, bot: o.Bot, log: o.Logger}
	if a, err := mail.ParseAddress(strings.TrimSpace(o.SupportEmail)); err == nil {
		s.deskFrom = &mail.Address{Name: a.Name, Address: a.Address}
		if s.deskFrom.Name == "" {
			s.deskFrom.Name = o.Org
		}
	} else if o.SupportEmail != "" {
		o.Logger.Warn("the support e-mail address is not an address; the desk's mail keeps the mailer's sender")
	}
	return s
}

// Reference is how customers and staff name a conversation in writing:
// "FD-" and the first eight hex digits of its id, upper case (shown on
// the contact page, in the desk's e-mail subjects, and found by the
// inbox's search).
func Reference(id string) string {
	if len(id) < 8 {
		return ""
	}
	return "FD-" + strings.ToUpper(id[:8])
}

func newID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}
