// Package consent is the consent ledger (GDPR 7): versioned notices for
// each purpose that needs a customer's consent (or, for the privacy
// policy, their acknowledgement), and the customer's choices, appended
// and never changed, each with its time, notice version, channel and a
// signed receipt. Other features ask Has before they use data for a
// purpose that needs consent; the Global Privacy Control signal of a
// request (WithGPC) counts as an objection to analytics.
package consent

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"slices"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/fault"
	"github.com/frontdesk/frontdesk/internal/keyring"
)

// The purposes. PrivacyPolicy is a notice the customer acknowledges; the
// others are optional purposes the customer may give or withdraw consent
// to, off until they do (GDPR 25(2)).
const (
	PrivacyPolicy   = "privacy_policy"
	MarketingEmail  = "marketing_email"
	Analytics       = "analytics"
	AssistRecording = "assist_recording"
)

// Purposes lists every purpose in the order pages show them.
var Purposes = []string{PrivacyPolicy, MarketingEmail, Analytics, AssistRecording}

// Optional lists the purposes that need consent.
var Optional = []string{MarketingEmail, Analytics, AssistRecording}

// The choices.
const (
	Given        = "given"
	Withdrawn    = "withdrawn"
	Acknowledged = "acknowledged"
)

// The channels a choice arrives through. GPC is the browser's Global
// Privacy Control signal, recorded as a withdrawal of analytics.
const (
	ChannelPortal  = "portal"
	ChannelAPI     = "api"
	ChannelSupport = "support"
	ChannelGPC     = "gpc"
)

// Channels lists every channel.
var Channels = []string{ChannelPortal, ChannelAPI, ChannelSupport, ChannelGPC}

// Languages are the languages every notice is written in.
var Languages = []string{"en", "vi", "zh"}

// Errors for expected outcomes.
var (
	ErrNotFound = fault.New(fault.ErrNotFound, "consent: not found")
	// ErrStale is a choice made on a notice version that is no longer the
	// current one: the customer must read the new version first.
	ErrStale = errors.New("consent: the notice changed since it was shown")
	// ErrGPC is a consent to analytics from a browser that sends the Global
	// Privacy Control signal, which the ledger honours as an objection.
	ErrGPC = errors.New("consent: the browser objects to analytics (Global Privacy Control)")
)

func invalid(field, reason string) error {
	return &fault.Invalid{Field: field, Reason: reason}
}

// IsPurpose reports whether p is a purpose of the ledger.
func IsPurpose(p string) bool { return slices.Contains(Purposes, p) }

// IsOptional reports whether p needs consent (rather than acknowledgement).
func IsOptional(p string) bool { return slices.Contains(Optional, p) }

// Options configure New.
type Options struct {
	DB     *db.DB
	Keys   *keyring.Keyring
	Audit  *audit.Log
	Logger *slog.Logger
}

// Service keeps the ledger. It is safe for concurrent use and keeps no
// state of its own: every node reads the same rows.
type Service struct {
	o   Options
	log *slog.Logger
}

// New returns the service.
func New(o Options) *Service {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{o: o, log: o.Logger}
}

type gpcKey struct{}

// WithGPC marks ctx as a request whose browser sends the Global Privacy
// Control signal (Sec-GPC: 1): Has answers false for analytics whatever
// the ledger holds.
func WithGPC(ctx context.Context) context.Context { return context.WithValue(ctx, gpcKey{}, true) }

// GPC reports whether ctx carries the Global Privacy Control signal.
func GPC(ctx context.Context) bool { v, _ := ctx.Value(gpcKey{}).(bool); return v }

// subject is the data-key subject of a customer.
func subject(accountID string) string { return "account:" + accountID }

func newID() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic("consent: crypto/rand failed: " + err.Error())
	}
	return hex.EncodeToString(b)
}
