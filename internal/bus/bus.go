// Package bus is publish/subscribe for real-time fan-out: live chat messages,
// typing indicators, co-browsing events, session revocation.
//
// Two implementations share one contract: [Local] runs in-process for a
// single-node deployment, [NATS] uses core NATS so every node of a scale-out
// deployment sees every event. The contract:
//
//   - At most once. A message reaches each subscriber whose pattern matches at
//     the moment it is published, once, or not at all (a full queue, a network
//     outage). The database is the durable record; clients catch up from it.
//   - Per-subscriber order. Messages from one publisher reach one subscriber in
//     the order they were published.
//   - A slow subscriber never blocks Publish or other subscribers. Each
//     subscription has its own queue of [QueueLen] waiting messages, delivered
//     by its own goroutine; what does not fit is dropped for that subscriber and
//     counted in Stats.
//   - A subscription is effective when Subscribe returns. After Unsubscribe
//     returns, the handler may still be running, or about to run, for the one
//     message its goroutine has already taken; it is not called for any other.
//   - Close delivers what is queued, waits for the handlers, and then refuses
//     Publish and Subscribe with [ErrClosed]. Close must not be called from a
//     handler.
//   - Message.Data is shared by the subscribers of one publish: handlers read
//     it and must not modify it. Publish copies data (or writes it to the
//     socket) before it returns, so a caller may reuse its buffer.
//
// Subjects are dot-separated tokens as in NATS ("conv.0123abcd.msg"). A
// subscription pattern may use "*" for exactly one token and ">" as the last
// token for one or more tokens. Decisions that differ from plain NATS, and why:
//
//   - "*" and ">" inside a token ("conv*") are rejected rather than taken
//     literally, so a typo cannot silently subscribe to nothing.
//   - Both implementations refuse data over [MaxDataLen] (the NATS server's
//     default max_payload), so an event that works on one node works on many.
//   - [ConnectNATS] takes a [NATSConfig] struct rather than options: the
//     application builds its configuration once and passes it down.
//   - NATS drops are read from each subscription's own counter
//     (nats.Subscription.Dropped): the asynchronous error handler reports a
//     slow consumer once per episode, not once per message, so it logs the
//     event while Stats does the counting.
package bus

import (
	"context"
	"errors"
)

// Bus publishes messages to subjects and delivers them to matching subscribers.
type Bus interface {
	// Publish sends data to every subscription whose pattern matches subject.
	// It does not wait for delivery.
	Publish(ctx context.Context, subject string, data []byte) error
	// Subscribe calls fn, one message at a time in publish order, for every
	// message whose subject matches pattern.
	Subscribe(pattern string, fn func(Message)) (Subscription, error)
	// Close delivers queued messages, waits for the handlers and releases
	// the bus. It is safe to call more than once.
	Close() error
}

// Message is one published event.
type Message struct {
	Subject string // the subject it was published to
	Data    []byte // shared between subscribers: read only
}

// Subscription is an active Subscribe call.
type Subscription interface {
	// Unsubscribe stops deliveries. It is safe to call more than once, and
	// after the bus is closed.
	Unsubscribe() error
}

// Stats are counters since the bus was created.
type Stats struct {
	Published uint64 // messages accepted by Publish
	Dropped   uint64 // deliveries discarded because a subscriber's queue was full
}

const (
	// QueueLen is how many messages may wait for one subscription, not
	// counting the one its handler is running.
	QueueLen = 1024
	// MaxSubjectLen bounds a subject or pattern, in bytes.
	MaxSubjectLen = 256
	// MaxDataLen bounds a message's data, in bytes.
	MaxDataLen = 1 << 20
)

var (
	// ErrClosed is returned by Publish and Subscribe after Close.
	ErrClosed = errors.New("bus: closed")
	// ErrInvalidSubject is returned for a malformed subject or pattern.
	ErrInvalidSubject = errors.New("bus: invalid subject")
	// ErrTooLarge is returned for data longer than MaxDataLen (or the NATS
	// server's max_payload, when that is smaller).
	ErrTooLarge = errors.New("bus: message too large")
	// errNilHandler is returned by Subscribe without a handler.
	errNilHandler = errors.New("bus: nil handler")
)
