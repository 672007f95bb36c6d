// Package assist is remote assistance: an agent invites a customer into a
// co-browsing session from a conversation, the customer checks the agent's
// server-signed identity card and a verification code, consents to a
// permission level (view, guided or control), and may lower it or stop at
// any time; raising it needs a new consent. Sessions end on stop, at their
// maximum duration (with a warning five minutes before), after idling, and
// pause when the customer's connection drops until the customer consents
// again. "Record my steps" is a session the customer starts alone.
//
// The customer's browser masks sensitive fields before anything leaves it
// and applies agent actions only when its level allows them; the server
// enforces the same gate (Allowed) on every agent action, relays the event
// streams through internal/bus sealed with the customer's data key, and,
// where the policy says so, records them in sealed chunks that a
// background job moves to encrypted archive files after the retention
// period. Every consent, level change, stop, end and replay is an audit
// entry written in the same transaction as the change. At the end a
// resolution report is posted to the conversation and the satisfaction
// survey is started. docs/remote-assistance.md describes the model.
package assist

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/frontdesk/frontdesk/internal/access"
	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/bus"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/fault"
	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/frontdesk/frontdesk/internal/keyring"
	"github.com/frontdesk/frontdesk/internal/support"
)

// Permission levels, lowest first.
const (
	LevelView    = "view"    // the agent sees the page
	LevelGuided  = "guided"  // and points, highlights, annotates
	LevelControl = "control" // and clicks, scrolls, types (never into a masked field)
)

// Levels lists the levels, lowest first.
var Levels = []string{LevelView, LevelGuided, LevelControl}

// rank orders levels; 0 is not a level.
func rank(level string) int {
	switch level {
	case LevelView:
		return 1
	case LevelGuided:
		return 2
	case LevelControl:
		return 3
	}
	return 0
}

// lower returns the lower of two levels.
func lower(a, b string) string {
	if rank(a) <= rank(b) {
		return a
	}
	return b
}

// Kinds of session.
const (
	KindAssist = "assist" // an agent helps, live
	KindSteps  = "steps"  // the customer records their steps alone
)

// States of a session.
const (
	StateInvited = "invited"
	StateActive  = "active"
	StatePaused  = "paused" // the customer's connection dropped: nothing is shared until they consent again
	StateEnded   = "ended"
)

// Why a session ended.
const (
	EndCustomer    = "stopped_by_customer"
	EndAgent       = "stopped_by_agent"
	EndDeclined    = "declined"
	EndWithdrawn   = "withdrawn" // the agent cancelled the invitation
	EndExpired     = "invitation_expired"
	EndMaxDuration = "max_duration"
	EndIdle        = "idle"
)

// Parties of a session, in recordings, relay frames and tickets.
const (
	PartyCustomer = "customer"
	PartyAgent    = "agent"
	PartySystem   = "system"
)

// Errors. Callers map them to HTTP answers; none reveals whether a session
// the caller may not see exists.
var (
	ErrNotFound    = fault.New(fault.ErrNotFound, "assist: no such session")
	ErrInvalid     = fault.ErrInvalid // every *InvalidError is one
	ErrForbidden   = errors.New("assist: not allowed")
	ErrPlan        = errors.New("assist: remote assistance is not part of the customer's plan")
	ErrNoCustomer  = errors.New("assist: the conversation is not with a signed-in customer")
	ErrNoProfile   = errors.New("assist: the agent has no identity card (display name, staff number, department)")
	ErrBusy        = errors.New("assist: the conversation already has an open session")
	ErrState       = errors.New("assist: the session is not in a state that allows this")
	ErrEnded       = errors.New("assist: the session has ended")
	ErrExpired     = errors.New("assist: the invitation has expired")
	ErrPaused      = errors.New("assist: the session is paused until the customer consents again")
	ErrLevel       = errors.New("assist: the level is above what the customer's policy allows")
	ErrNotAllowed  = errors.New("assist: the action is above the session's permission level")
	ErrMasked      = errors.New("assist: the action targets a masked field")
	ErrWiden       = errors.New("assist: a template may only restrict the platform's limits")
	ErrNoRecording = errors.New("assist: the session was not recorded")
	ErrBadCard     = errors.New("assist: the identity card's signature does not verify")
)

// InvalidError names the field at fault: the kind that every feature
// package shares.
type InvalidError = fault.Invalid

// invalid is input refused; its text starts with the package's name.
func invalid(field, reason string) error {
	return fmt.Errorf("assist: %w", &InvalidError{Field: field, Reason: reason})
}

// Desk is what assist needs from the support desk (*support.Service).
type Desk interface {
	Get(ctx context.Context, id string, notes bool) (*support.Conversation, error)
	Post(ctx context.Context, conversationID string, m support.NewMessage) (*support.Message, bool, error)
	AgentName(ctx context.Context, accountID string) (string, error)
	RequestSurvey(ctx context.Context, convID string) error
}

// Permissions tells what a staff account may do (*access.Service).
type Permissions interface {
	PermissionsOf(ctx context.Context, accountID string) ([]string, error)
}

// Accounts reads accounts inside a transaction (*identity.Service).
type Accounts interface {
	AccountIn(ctx context.Context, tx *db.Tx, id string) (*identity.Account, error)
}

// Consents is the consent ledger (internal/consent): a session is
// recorded only when the customer consents to the recording of remote
// assistance, whatever the policy allows (GDPR 6(1)(a), 7).
type Consents interface {
	HasIn(ctx context.Context, tx *db.Tx, accountID, purpose string) (bool, error)
}

// Bus carries the relay (internal/bus).
type Bus interface {
	Publish(ctx context.Context, subject string, data []byte) error
	Subscribe(pattern string, fn func(bus.Message)) (bus.Subscription, error)
}

// Options wire the service. Durations left zero take the defaults below.
type Options struct {
	DB          *db.DB
	Keys        *keyring.Keyring
	Audit       *audit.Log
	Bus         Bus // nil: no relay (tests of the state machine)
	Desk        Desk
	Permissions Permissions
	Accounts    Accounts
	// Consents is asked before a session is recorded; nil records nothing.
	Consents Consents
	Logger   *slog.Logger
	// Clock is the service's time outside transactions (buffer ages, card
	// expiry); the database's clock when nil, so tests move one clock.
	Clock func() time.Time

	// The platform's limits: templates can only narrow them.
	MaxDuration time.Duration // 2h
	IdleTimeout time.Duration // 15m
	// Recording is the platform default where no template decides; off,
	// as GDPR 25(2) asks of defaults.
	Recording bool
	// DefaultPlan applies to customers outside any organisation:
	// professional unless configured.
	DefaultPlan string

	Retention  time.Duration // recordings stay in the database this long after the end: 30 days
	ArchiveDir string        // where archive files go; required for Archive

	InviteTTL  time.Duration // an invitation's life: 10m
	StepsLimit time.Duration // "record my steps": 10m
	WarnBefore time.Duration // warning before the maximum duration: 5m
	ChunkBytes int           // a recording buffer is sealed into a chunk at this size: 256 KiB
	FlushEvery time.Duration // or at this age: 5s
}

// Defaults of Options.
const (
	DefaultMaxDuration = 2 * time.Hour
	DefaultIdleTimeout = 15 * time.Minute
	DefaultRetention   = 30 * 24 * time.Hour
	DefaultInviteTTL   = 10 * time.Minute
	DefaultStepsLimit  = 10 * time.Minute
	DefaultWarnBefore  = 5 * time.Minute
	DefaultChunkBytes  = 256 << 10
	DefaultFlushEvery  = 5 * time.Second
)

// Service runs remote assistance. It is safe for concurrent use; the only
// state it keeps in memory is each node's unflushed recording buffer and a
// short-lived cache of data keys, so nodes share nothing else.
type Service struct {
	o      Options
	db     *db.DB
	keys   *keyring.Keyring
	log    *slog.Logger
	now    func() time.Time
	rec    recorder
	kc     keyCache
	shared sessionCache // the sessions Share relays for
}

// New returns the service.
func New(o Options) *Service {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Clock == nil {
		o.Clock = o.DB.Now
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.MaxDuration, DefaultMaxDuration)
	def(&o.IdleTimeout, DefaultIdleTimeout)
	def(&o.Retention, DefaultRetention)
	def(&o.InviteTTL, DefaultInviteTTL)
	def(&o.StepsLimit, DefaultStepsLimit)
	def(&o.WarnBefore, DefaultWarnBefore)
	def(&o.FlushEvery, DefaultFlushEvery)
	if o.ChunkBytes <= 0 {
		o.ChunkBytes = DefaultChunkBytes
	}
	if o.DefaultPlan == "" {
		o.DefaultPlan = PlanProfessional
	}
	if o.ArchiveDir != "" {
		o.ArchiveDir = filepath.Clean(o.ArchiveDir)
	}
	return &Service{o: o, db: o.DB, keys: o.Keys, log: o.Logger, now: func() time.Time { return o.Clock().UTC() }}
}

func newID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// The staff permissions the service checks again behind the web layer.
const (
	permStart  = access.AssistStart
	permReplay = access.AssistReplay
)

// customerSubject is the data-key subject of a customer account: recordings
// and summaries are sealed with the customer's own key, so erasing the
// customer shreds them (ASVS 14.2.4, GDPR 17).
func customerSubject(accountID string) string { return "account:" + accountID }

// Actor is who calls a service method that both staff and customers use.
// The web layer sets Staff only for a staff session past its second factor;
// the service still checks the permission it needs.
type Actor struct {
	AccountID string
	Staff     bool
}

// actorFor names the actor of an audit entry: the request's actor (with
// its session hash) when it is the same account, else the account alone.
func actorFor(ctx context.Context, accountID, kind string) *audit.Actor {
	a := audit.ActorFrom(ctx)
	if a.ID == accountID && accountID != "" {
		return &a
	}
	if accountID == "" {
		return &audit.Actor{Kind: audit.ActorSystem}
	}
	return &audit.Actor{ID: accountID, Kind: kind}
}

// hasPermission checks a staff account's permission; without a Permissions
// source nothing is allowed (deny by default).
func (s *Service) hasPermission(ctx context.Context, accountID, perm string) (bool, error) {
	if s.o.Permissions == nil || accountID == "" {
		return false, nil
	}
	perms, err := s.o.Permissions.PermissionsOf(ctx, accountID)
	if err != nil {
		return false, err
	}
	for _, p := range perms {
		if p == perm {
			return true, nil
		}
	}
	return false, nil
}
