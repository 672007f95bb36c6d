package assist

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/keyring"
)

// MaxShare bounds one batch of events from the customer's page.
const MaxShare = 16 << 20

// activityEvery is how stale a session's last activity may get before
// sharing writes it again: idle time is measured to within this.
const activityEvery = 30 * time.Second

// Batch is what the agent's side receives on c2a: the customer script's
// batch number (so a gap shows a lost batch: ask for a snapshot) and the
// rrweb events.
type Batch struct {
	Seq    int64             `json:"seq"`
	Events []json.RawMessage `json:"events"`
}

// Share relays a batch of rrweb events from the customer's page to the
// agent and records them when the session records. The events were
// masked by the customer's browser; the server treats them as opaque
// JSON. A paused session shares nothing until the customer consents again.
func (s *Service) Share(ctx context.Context, sessionID, customerID string, seq int64, events []json.RawMessage) error {
	total := 0
	for _, e := range events {
		if !json.Valid(e) {
			return invalid("events", "each event is a JSON value")
		}
		total += len(e)
	}
	if total > MaxShare {
		return invalid("events", "at most 16 MiB a batch")
	}
	sess, err := s.shared.get(ctx, s, sessionID)
	if err != nil {
		return err
	}
	if sess.CustomerID != customerID {
		return ErrNotFound
	}
	now := s.now()
	if err := liveState(sess, now); err != nil {
		return err
	}
	if len(events) == 0 {
		return nil
	}
	if err := s.touch(ctx, sess, now); err != nil {
		return err
	}
	if sess.Kind == KindAssist {
		b, err := json.Marshal(Batch{Seq: seq, Events: events})
		if err != nil {
			return err
		}
		if err := s.relay(ctx, sessionID, customerID, ChannelStream, b); err != nil {
			return err
		}
	}
	if sess.Recording {
		entries := make([]Entry, len(events))
		for i, e := range events {
			entries[i] = Entry{At: now, Kind: EntryEvent, Party: PartyCustomer, Data: e}
		}
		s.record(ctx, sessionID, customerID, entries...)
	}
	return nil
}

// touch moves a session's last activity (and idle deadline) forward when
// it is more than activityEvery old.
func (s *Service) touch(ctx context.Context, sess *Session, now time.Time) error {
	if sess.LastActivityAt != nil && now.Sub(*sess.LastActivityAt) < activityEvery {
		return nil
	}
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, "UPDATE assist_sessions SET last_activity_at = ?, idle_at = ? WHERE id = ? AND state = 'active'",
			now, now.Add(sess.IdleTimeout), sess.ID)
		return err
	})
	if err == nil {
		s.shared.touched(sess.ID, now)
	}
	return err
}

// shareRecheck is how long Share trusts the session it read last: a page
// sends ten batches a second, and a database read for each was most of
// the relay's cost on PostgreSQL (bench/assist). Every change made
// through this node (consent, level, pause, stop, the sweep's ends)
// forgets the copy at once; a change made on another node is seen within
// shareRecheck — and the control message it publishes closes the sockets
// sooner. The maximum duration is checked against the clock on every
// batch all the same (liveState).
const shareRecheck = time.Second

// sessionCache holds the sessions Share relays for, read at most
// shareRecheck ago (by the monotonic clock, not the database's).
type sessionCache struct {
	mu sync.Mutex
	m  map[string]cachedSession
}

type cachedSession struct {
	sess Session
	at   time.Time
}

func (c *sessionCache) get(ctx context.Context, s *Service, id string) (*Session, error) {
	c.mu.Lock()
	e, ok := c.m[id]
	c.mu.Unlock()
	if ok && time.Since(e.at) < shareRecheck {
		sess := e.sess
		return &sess, nil
	}
	at := time.Now()
	sess, err := s.read(ctx, id, false)
	if err != nil {
		c.forget(id)
		return nil, err
	}
	c.mu.Lock()
	if c.m == nil {
		c.m = map[string]cachedSession{}
	}
	if sess.State == StateEnded {
		delete(c.m, id)
	} else {
		c.m[id] = cachedSession{sess: *sess, at: at}
	}
	// Entries of sessions no longer shared go when they are stale.
	if len(c.m) > 64 && len(c.m)%64 == 0 {
		for k, v := range c.m {
			if time.Since(v.at) > 10*shareRecheck {
				delete(c.m, k)
			}
		}
	}
	c.mu.Unlock()
	return sess, nil
}

// touched records a moved activity time in the cached copy, so that the
// next batches do not move it again.
func (c *sessionCache) touched(id string, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[id]; ok {
		t := now
		e.sess.LastActivityAt = &t
		c.m[id] = e
	}
}

func (c *sessionCache) forget(id string) {
	c.mu.Lock()
	delete(c.m, id)
	c.mu.Unlock()
}

// RequestSnapshot asks the customer's script for a new full snapshot, when
// the agent's viewer missed a batch (a gap in Batch.Seq) or reconnected.
func (s *Service) RequestSnapshot(ctx context.Context, sessionID, agentID string) error {
	sess, err := s.read(ctx, sessionID, false)
	if err != nil {
		return err
	}
	if sess.AgentID != agentID {
		return ErrNotFound
	}
	now := s.now()
	if err := liveState(sess, now); err != nil {
		return err
	}
	c := s.stateControl(sess, now)
	c.Type = ControlSnapshot
	s.announce(ctx, sess, c)
	return nil
}

// keyCache keeps customers' data keys for a minute, so relaying and
// recording need no key look-up per batch. A minute is also the keyring's
// own cache: crypto-shredding reaches a running session within it.
type keyCache struct {
	mu sync.Mutex
	m  map[string]cachedKey
}

type cachedKey struct {
	key   *keyring.DataKey
	until time.Time
}

func (s *Service) customerKey(ctx context.Context, customerID string) (*keyring.DataKey, error) {
	now := s.now()
	s.kc.mu.Lock()
	if c, ok := s.kc.m[customerID]; ok && now.Before(c.until) {
		s.kc.mu.Unlock()
		return c.key, nil
	}
	s.kc.mu.Unlock()
	var key *keyring.DataKey
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		var err error
		key, err = s.keys.DataKey(ctx, tx, customerSubject(customerID))
		return err
	})
	if err != nil {
		return nil, err
	}
	s.kc.mu.Lock()
	if s.kc.m == nil || len(s.kc.m) > 10_000 {
		s.kc.m = map[string]cachedKey{}
	}
	s.kc.m[customerID] = cachedKey{key: key, until: now.Add(time.Minute)}
	s.kc.mu.Unlock()
	return key, nil
}
