package live

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/frontdesk/frontdesk/internal/bus"
)

// The live hub: one bus subscription per node for every conversation's
// events (conv.<id>.<what>), fanned out to the WebSocket clients of this
// node that follow the conversation. A client too slow to keep up is
// dropped and reconnects: it then catches up from the database, which is
// the record, so nothing is lost.

// liveEvent is what a client receives: the event's kind and its JSON.
type liveEvent struct {
	Conversation string
	What         string
	Data         json.RawMessage
}

// liveClient is one WebSocket connection's queue.
type liveClient struct {
	events  chan liveEvent
	dropped atomic.Bool
}

const liveQueue = 64

func newLiveClient() *liveClient { return &liveClient{events: make(chan liveEvent, liveQueue)} }

type liveHub struct {
	mu      sync.RWMutex
	clients map[string]map[*liveClient]struct{} // conversation id → clients
	all     map[*liveClient]struct{}            // clients following every conversation (inboxes)
	sub     bus.Subscription
}

func newLiveHub(b bus.Bus) (*liveHub, error) {
	h := &liveHub{clients: map[string]map[*liveClient]struct{}{}, all: map[*liveClient]struct{}{}}
	if b == nil {
		return h, nil
	}
	sub, err := b.Subscribe("conv.*.*", h.dispatch)
	if err != nil {
		return nil, err
	}
	h.sub = sub
	return h, nil
}

func (h *liveHub) dispatch(m bus.Message) {
	parts := strings.Split(m.Subject, ".")
	if len(parts) != 3 {
		return
	}
	ev := liveEvent{Conversation: parts[1], What: parts[2], Data: m.Data}
	h.mu.RLock()
	defer h.mu.RUnlock()
	for c := range h.clients[ev.Conversation] {
		c.push(ev)
	}
	for c := range h.all {
		c.push(ev)
	}
}

// push queues an event, or marks the client dropped when its queue is full.
func (c *liveClient) push(ev liveEvent) {
	select {
	case c.events <- ev:
	default:
		c.dropped.Store(true)
	}
}

// follow adds c to a conversation's clients ("" for every conversation)
// and returns the function that removes it.
func (h *liveHub) follow(conv string, c *liveClient) func() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if conv == "" {
		h.all[c] = struct{}{}
		return func() { h.mu.Lock(); delete(h.all, c); h.mu.Unlock() }
	}
	if h.clients[conv] == nil {
		h.clients[conv] = map[*liveClient]struct{}{}
	}
	h.clients[conv][c] = struct{}{}
	return func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		delete(h.clients[conv], c)
		if len(h.clients[conv]) == 0 {
			delete(h.clients, conv)
		}
	}
}

// size reports how many clients are connected, for metrics and tests.
func (h *liveHub) size() int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	n := len(h.all)
	for _, m := range h.clients {
		n += len(m)
	}
	return n
}

func (h *liveHub) close() {
	if h.sub != nil {
		h.sub.Unsubscribe()
	}
}

// wait blocks until an event arrives for c or ctx ends.
func (c *liveClient) wait(ctx context.Context) (liveEvent, bool) {
	select {
	case ev := <-c.events:
		return ev, true
	case <-ctx.Done():
		return liveEvent{}, false
	}
}
