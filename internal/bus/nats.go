package bus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
)

// NATSConfig configures ConnectNATS.
type NATSConfig struct {
	// URL is the server, or a comma-separated list of servers:
	// "nats://user:password@nats-1:4222,nats://nats-2:4222". Use the tls://
	// scheme for TLS.
	URL string
	// Name identifies the connection in the server's monitoring
	// ("frontdesk web-3"); "frontdesk" if empty.
	Name string
	// Prefix is put before every subject on the wire, so that installations
	// sharing a NATS server do not see each other's events ("frontdesk.").
	// Subscribers see subjects without it. A missing final "." is added.
	Prefix string
	// Logger receives connection events; nothing is logged if nil.
	Logger *slog.Logger
}

// NATS is the Bus of a scale-out deployment, on core NATS (not JetStream):
// every node connects to the same NATS server or cluster, so a message
// published on one node reaches subscribers on all of them.
type NATS struct {
	nc     *nats.Conn
	prefix string
	log    *slog.Logger

	closing   atomic.Bool
	closed    chan struct{} // closed by the connection's ClosedHandler
	drainErr  atomic.Pointer[error]
	published atomic.Uint64

	mu      sync.Mutex
	subs    map[*natsSub]struct{}
	dropped uint64 // by subscriptions that have ended
}

var _ Bus = (*NATS)(nil)

// How long Close waits for handlers, and Subscribe for the server, before
// giving up.
const (
	natsDrainTimeout = 10 * time.Second
	natsFlushTimeout = 5 * time.Second
)

// ConnectNATS connects to cfg.URL. The first connection must succeed; after
// that the client reconnects forever, keeping up to 8 MiB of publishes in a
// buffer meanwhile, and restores the subscriptions. Messages published by
// others during an outage are lost for this node (at most once).
func ConnectNATS(cfg NATSConfig) (*NATS, error) {
	prefix, err := parsePrefix(cfg.Prefix)
	if err != nil {
		return nil, fmt.Errorf("bus: nats: %w", err)
	}
	n := &NATS{
		prefix: prefix,
		log:    cfg.Logger,
		closed: make(chan struct{}),
		subs:   make(map[*natsSub]struct{}),
	}
	if n.log == nil {
		n.log = slog.New(slog.DiscardHandler)
	}
	name := cfg.Name
	if name == "" {
		name = "frontdesk"
	}
	n.nc, err = nats.Connect(cfg.URL,
		nats.Name(name),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(time.Second),
		nats.ReconnectBufSize(8<<20),
		nats.DrainTimeout(natsDrainTimeout),
		nats.ErrorHandler(n.onError),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if !n.closing.Load() {
				n.log.Warn("bus: nats disconnected", "err", err)
			}
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) {
			n.log.Info("bus: nats reconnected", "server", nc.ConnectedUrlRedacted())
		}),
		nats.ClosedHandler(func(*nats.Conn) { close(n.closed) }),
	)
	if err != nil {
		return nil, fmt.Errorf("bus: connect to nats: %w", err)
	}
	return n, nil
}

func (n *NATS) onError(_ *nats.Conn, sub *nats.Subscription, err error) {
	switch {
	case errors.Is(err, nats.ErrDrainTimeout):
		n.drainErr.Store(&err)
	case errors.Is(err, nats.ErrSlowConsumer) && sub != nil:
		// Reported once per episode; the drops are counted by the subscription.
		n.log.Warn("bus: slow subscriber, dropping messages",
			"subject", strings.TrimPrefix(sub.Subject, n.prefix))
	default:
		n.log.Error("bus: nats", "err", err)
	}
}

// Publish hands the message to the client, which writes it to the server in
// the background, or buffers it while reconnecting.
func (n *NATS) Publish(ctx context.Context, subject string, data []byte) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("bus: publish %q: %w", subject, err)
	}
	if _, err := parseSubject(subject, false); err != nil {
		return err
	}
	if len(data) > MaxDataLen {
		return fmt.Errorf("%w: %d bytes to %q", ErrTooLarge, len(data), subject)
	}
	if n.closing.Load() {
		return ErrClosed
	}
	switch err := n.nc.Publish(n.prefix+subject, data); {
	case err == nil:
		n.published.Add(1)
		return nil
	case errors.Is(err, nats.ErrMaxPayload):
		return fmt.Errorf("%w: %d bytes to %q: %v", ErrTooLarge, len(data), subject, err)
	case errors.Is(err, nats.ErrConnectionClosed), errors.Is(err, nats.ErrConnectionDraining):
		return ErrClosed
	default:
		return fmt.Errorf("bus: publish %q: %w", subject, err)
	}
}

type natsSub struct {
	bus *NATS
	sub *nats.Subscription
}

// Subscribe subscribes on the server and waits for it to confirm, so that a
// message published after Subscribe returns, from any node, is delivered.
// While the client is reconnecting it does not wait: the subscription is
// sent when the connection is back.
func (n *NATS) Subscribe(pattern string, fn func(Message)) (Subscription, error) {
	if _, err := parseSubject(pattern, true); err != nil {
		return nil, err
	}
	if fn == nil {
		return nil, errNilHandler
	}
	if n.closing.Load() {
		return nil, ErrClosed
	}
	sub, err := n.nc.Subscribe(n.prefix+pattern, func(m *nats.Msg) {
		fn(Message{Subject: strings.TrimPrefix(m.Subject, n.prefix), Data: m.Data})
	})
	if errors.Is(err, nats.ErrConnectionClosed) || errors.Is(err, nats.ErrConnectionDraining) {
		return nil, ErrClosed
	}
	if err != nil {
		return nil, fmt.Errorf("bus: subscribe %q: %w", pattern, err)
	}
	// The client counts the message its handler is running as pending; Local
	// does not. One more keeps the two limits the same.
	if err := sub.SetPendingLimits(QueueLen+1, 64<<20); err != nil {
		_ = sub.Unsubscribe()
		return nil, fmt.Errorf("bus: subscribe %q: %w", pattern, err)
	}
	if n.nc.IsConnected() {
		if err := n.nc.FlushTimeout(natsFlushTimeout); err != nil {
			_ = sub.Unsubscribe()
			return nil, fmt.Errorf("bus: subscribe %q: %w", pattern, err)
		}
	}
	s := &natsSub{bus: n, sub: sub}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.subs == nil { // Close started meanwhile and will drain sub
		return nil, ErrClosed
	}
	n.subs[s] = struct{}{}
	return s, nil
}

// Unsubscribe removes the subscription from the server; messages the client
// has queued for it are discarded.
func (s *natsSub) Unsubscribe() error {
	n := s.bus
	n.mu.Lock()
	defer n.mu.Unlock()
	if _, ok := n.subs[s]; !ok {
		return nil
	}
	delete(n.subs, s)
	if d, err := s.sub.Dropped(); err == nil {
		n.dropped += uint64(d)
	}
	err := s.sub.Unsubscribe()
	if err != nil && !errors.Is(err, nats.ErrConnectionClosed) && !errors.Is(err, nats.ErrBadSubscription) {
		return fmt.Errorf("bus: unsubscribe %q: %w", strings.TrimPrefix(s.sub.Subject, n.prefix), err)
	}
	return nil
}

// Close drains the connection: it unsubscribes everywhere, lets the handlers
// finish what the client had received, flushes pending publishes and closes.
// After 10 s it closes anyway and returns an error wrapping
// nats.ErrDrainTimeout.
func (n *NATS) Close() error {
	if n.closing.CompareAndSwap(false, true) {
		n.mu.Lock()
		for s := range n.subs {
			if d, err := s.sub.Dropped(); err == nil {
				n.dropped += uint64(d)
			}
		}
		n.subs = nil
		n.mu.Unlock()
		// Drain fails only on a closed or reconnecting connection, which it
		// then closes; either way the ClosedHandler runs.
		_ = n.nc.Drain()
	}
	<-n.closed
	if err := n.drainErr.Load(); err != nil {
		return fmt.Errorf("bus: close nats: %w", *err)
	}
	return nil
}

// Stats returns the bus's counters. Drops during Close are not counted.
func (n *NATS) Stats() Stats {
	n.mu.Lock()
	defer n.mu.Unlock()
	st := Stats{Published: n.published.Load(), Dropped: n.dropped}
	for s := range n.subs {
		if d, err := s.sub.Dropped(); err == nil {
			st.Dropped += uint64(d)
		}
	}
	return st
}
