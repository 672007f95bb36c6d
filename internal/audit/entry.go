// Package audit keeps the tamper-evident audit trail. Entries are appended
// inside the caller's transaction, each chained to the previous one by
// SHA-256, with Ed25519-signed checkpoints so that a rewritten chain or a cut
// tail is detected by Verify.
package audit

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"time"
)

// Outcomes of an audited action.
const (
	Success = "success"
	Failure = "failure"
	Denied  = "denied"
)

// Actor kinds.
const (
	ActorCustomer  = "customer"
	ActorStaff     = "staff"
	ActorSystem    = "system"
	ActorAnonymous = "anonymous"
)

// Actor is who did something. SessionHash is a hash of the session id, never
// the session token itself.
type Actor struct {
	ID          string
	Kind        string
	SessionHash string
}

// Origin is where a request came from.
type Origin struct {
	IP        string
	UserAgent string
	RequestID string
}

type actorKey struct{}
type originKey struct{}

// WithActor returns a context whose audit entries name actor.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// WithOrigin returns a context whose audit entries carry origin.
func WithOrigin(ctx context.Context, o Origin) context.Context {
	return context.WithValue(ctx, originKey{}, o)
}

// ActorFrom returns the actor in ctx, or the system actor.
func ActorFrom(ctx context.Context) Actor {
	if a, ok := ctx.Value(actorKey{}).(Actor); ok {
		return a
	}
	return Actor{Kind: ActorSystem}
}

// OriginFrom returns the origin in ctx.
func OriginFrom(ctx context.Context) Origin {
	o, _ := ctx.Value(originKey{}).(Origin)
	return o
}

// Event is what a service records.
type Event struct {
	// Action is a dotted verb, e.g. "account.unlock".
	Action string
	// Target names what was acted on, e.g. "account:3f2a…".
	Target string
	// Outcome is Success, Failure or Denied; empty means Success.
	Outcome string
	// Subject owns the data key that seals Personal (usually the customer's
	// account id). Destroying it shreds Personal while the chain still verifies.
	Subject string
	// Details must hold no personal data: it is stored in clear.
	Details map[string]any
	// Personal holds personal details, sealed with Subject's data key.
	Personal map[string]any
	// Actor overrides the actor taken from the context.
	Actor *Actor
}

// Entry is one stored audit entry.
type Entry struct {
	Seq      int64
	At       time.Time
	Actor    Actor
	Action   string
	Target   string
	Outcome  string
	Origin   Origin
	Subject  string
	Details  string // JSON object, or empty
	Personal []byte // sealed JSON object, or nil
	// PersonalDigest is the SHA-256 of the sealed Personal, which the
	// hash covers instead of Personal itself, so that Personal can be
	// dropped when its retention period ends and the chain still
	// verifies; nil for entries without personal details and for those
	// written before digests (their hash covers Personal).
	PersonalDigest []byte
	PrevHash       []byte
	Hash           []byte
}

// timeLayout fixes the text form of At in the hash: UTC, microseconds.
const timeLayout = "2006-01-02T15:04:05.000000Z"

// computeHash returns SHA-256(prev ‖ canonical(e)). The canonical encoding
// is a version tag followed by every field, each length-prefixed, so no two
// different entries encode alike. Version 1 ends with the sealed personal
// details; version 2, for an entry with a PersonalDigest, ends with the
// digest instead (the tag keeps the two from ever encoding alike).
func (e *Entry) computeHash() []byte {
	h := sha256.New()
	h.Write(e.PrevHash)
	var buf [binary.MaxVarintLen64]byte
	field := func(b []byte) {
		h.Write(buf[:binary.PutUvarint(buf[:], uint64(len(b)))])
		h.Write(b)
	}
	tag := "frontdesk-audit-v1"
	if e.PersonalDigest != nil {
		tag = "frontdesk-audit-v2"
	}
	field([]byte(tag))
	var seq [8]byte
	binary.BigEndian.PutUint64(seq[:], uint64(e.Seq))
	field(seq[:])
	for _, s := range []string{
		e.At.UTC().Format(timeLayout),
		e.Actor.ID, e.Actor.Kind, e.Actor.SessionHash,
		e.Action, e.Target, e.Outcome,
		e.Origin.IP, e.Origin.UserAgent, e.Origin.RequestID,
		e.Subject, e.Details,
	} {
		field([]byte(s))
	}
	if e.PersonalDigest != nil {
		field(e.PersonalDigest)
	} else {
		field(e.Personal)
	}
	return h.Sum(nil)
}

// personalDigest is the digest of sealed personal details the chain holds.
func personalDigest(sealed []byte) []byte {
	d := sha256.Sum256(sealed)
	return d[:]
}
