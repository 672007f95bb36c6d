package bus

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
)

// Local is the in-process Bus of a single-node deployment.
type Local struct {
	mu     sync.RWMutex
	root   *node                  // subscriptions indexed by pattern tokens
	subs   map[*localSub]struct{} // every live subscription, for Close
	closed bool

	wg        sync.WaitGroup // one per subscription goroutine
	published atomic.Uint64
	dropped   atomic.Uint64
}

var _ Bus = (*Local)(nil)

// NewLocal returns an empty in-process bus.
func NewLocal() *Local {
	return &Local{root: newNode(), subs: make(map[*localSub]struct{})}
}

type localSub struct {
	bus     *Local
	tokens  []string
	fn      func(Message)
	queue   queue
	stopped atomic.Bool // set by Unsubscribe: skip what is still queued
	removed bool        // guarded by bus.mu
}

// Publish queues a copy of data for every matching subscription, dropping it
// for those whose queue is full. It never blocks on a subscriber.
func (b *Local) Publish(ctx context.Context, subject string, data []byte) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("bus: publish %q: %w", subject, err)
	}
	tokens, err := parseSubject(subject, false)
	if err != nil {
		return err
	}
	if len(data) > MaxDataLen {
		return fmt.Errorf("%w: %d bytes to %q", ErrTooLarge, len(data), subject)
	}
	msg := Message{Subject: subject, Data: append([]byte(nil), data...)}

	// Sends happen under the read lock and never block; Unsubscribe and Close
	// close queues under the write lock, so no send meets a closed channel.
	b.mu.RLock()
	defer b.mu.RUnlock()
	if b.closed {
		return ErrClosed
	}
	b.published.Add(1)
	b.root.match(tokens, func(s *localSub) {
		if !s.queue.push(msg) {
			b.dropped.Add(1)
		}
	})
	return nil
}

// Subscribe starts a goroutine that calls fn for each message matching pattern.
func (b *Local) Subscribe(pattern string, fn func(Message)) (Subscription, error) {
	tokens, err := parseSubject(pattern, true)
	if err != nil {
		return nil, err
	}
	if fn == nil {
		return nil, errNilHandler
	}
	s := &localSub{bus: b, tokens: tokens, fn: fn, queue: queue{wake: make(chan struct{}, 1)}}

	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, ErrClosed
	}
	b.root.insert(tokens, s)
	b.subs[s] = struct{}{}
	b.wg.Go(s.run)
	return s, nil
}

func (s *localSub) run() {
	for {
		msgs, ok := s.queue.take()
		if !ok {
			return
		}
		for _, msg := range msgs {
			if s.stopped.Load() {
				return
			}
			s.fn(msg)
		}
		s.queue.recycle(msgs)
	}
}

// Unsubscribe removes the subscription; its goroutine ends without running
// the handler for messages still queued.
func (s *localSub) Unsubscribe() error {
	b := s.bus
	b.mu.Lock()
	defer b.mu.Unlock()
	if s.removed {
		return nil
	}
	s.stopped.Store(true)
	b.root.remove(s.tokens, s)
	delete(b.subs, s)
	s.removed = true
	s.queue.close()
	return nil
}

// Close refuses further Publish and Subscribe calls, lets every subscription
// deliver what it has queued, and waits for their goroutines to end.
func (b *Local) Close() error {
	b.mu.Lock()
	if !b.closed {
		b.closed = true
		for s := range b.subs {
			s.removed = true
			s.queue.close()
		}
		b.subs, b.root = nil, newNode()
	}
	b.mu.Unlock()
	b.wg.Wait()
	return nil
}

// Stats returns the bus's counters.
func (b *Local) Stats() Stats {
	return Stats{Published: b.published.Load(), Dropped: b.dropped.Load()}
}

// node is one level of a subject tree, keyed by token; "*" and ">" are keys
// like any other, so one pattern has exactly one path and a subscription is
// matched at most once per message.
type node struct {
	next map[string]*node
	subs map[*localSub]struct{}
}

func newNode() *node {
	return &node{next: make(map[string]*node), subs: make(map[*localSub]struct{})}
}

func (n *node) insert(tokens []string, s *localSub) {
	for _, tok := range tokens {
		c, ok := n.next[tok]
		if !ok {
			c = newNode()
			n.next[tok] = c
		}
		n = c
	}
	n.subs[s] = struct{}{}
}

// remove deletes s and prunes the branches left empty. It reports whether n
// itself is now empty.
func (n *node) remove(tokens []string, s *localSub) bool {
	if len(tokens) == 0 {
		delete(n.subs, s)
	} else if c, ok := n.next[tokens[0]]; ok && c.remove(tokens[1:], s) {
		delete(n.next, tokens[0])
	}
	return len(n.subs) == 0 && len(n.next) == 0
}

// match calls fn for every subscription whose pattern matches the subject
// tokens (which hold no wildcards).
func (n *node) match(tokens []string, fn func(*localSub)) {
	if len(tokens) == 0 {
		for s := range n.subs {
			fn(s)
		}
		return
	}
	if c, ok := n.next[tokens[0]]; ok {
		c.match(tokens[1:], fn)
	}
	if c, ok := n.next["*"]; ok {
		c.match(tokens[1:], fn)
	}
	if c, ok := n.next[">"]; ok {
		for s := range c.subs {
			fn(s)
		}
	}
}

// queue holds a subscription's waiting messages, at most QueueLen, in a
// slice that grows with the backlog: an idle subscription costs a few
// words instead of QueueLen messages (a co-browsing session holds four
// subscriptions; bench/assist).
type queue struct {
	mu     sync.Mutex
	items  []Message
	spare  []Message // the last drained slice, reused when small
	closed bool
	wake   chan struct{} // capacity 1: something was pushed, or closed
}

// push adds m unless the queue is full; it never blocks.
func (q *queue) push(m Message) bool {
	q.mu.Lock()
	if len(q.items) >= QueueLen {
		q.mu.Unlock()
		return false
	}
	if q.items == nil {
		q.items, q.spare = q.spare, nil
	}
	q.items = append(q.items, m)
	q.mu.Unlock()
	q.signal()
	return true
}

func (q *queue) signal() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// close lets take return what is queued, then report the end.
func (q *queue) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	q.signal()
}

// take waits for messages and returns all of them; false once the queue
// is closed and empty.
func (q *queue) take() ([]Message, bool) {
	for {
		q.mu.Lock()
		if len(q.items) > 0 {
			msgs := q.items
			q.items = nil
			q.mu.Unlock()
			return msgs, true
		}
		closed := q.closed
		q.mu.Unlock()
		if closed {
			return nil, false
		}
		<-q.wake
	}
}

// recycle keeps a drained slice for the next pushes when it is small, so a
// steady trickle allocates nothing and a burst's slice is let go.
func (q *queue) recycle(msgs []Message) {
	if cap(msgs) > 64 {
		return
	}
	clear(msgs)
	q.mu.Lock()
	if q.spare == nil {
		q.spare = msgs[:0]
	}
	q.mu.Unlock()
}
