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
	sess, err := s.read(ctx, sessionID, false)
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
	return s.db.Write(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, "UPDATE assist_sessions SET last_activity_at = ?, idle_at = ? WHERE id = ? AND state = 'active'",
			now, now.Add(sess.IdleTimeout), sess.ID)
		return err
	})
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
