package keyring

import (
	"sync"
	"time"
)

// keyCache keeps recently opened data keys, unwrapped, for a short while,
// so reading a customer's sealed fields on a hot path (the session check)
// needs no look-up of the key. Destroy on this process forgets the key at
// once; another process sharing the database stops using it within
// cacheTTL, which is the delay crypto-shredding has across nodes.
type keyCache struct {
	mu      sync.Mutex
	entries map[KeyID]cacheEntry
}

type cacheEntry struct {
	key     *DataKey
	expires time.Time
}

const (
	cacheTTL  = time.Minute
	cacheSize = 10_000
)

func (c *keyCache) get(id KeyID) *DataKey {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[id]
	if !ok {
		return nil
	}
	if time.Now().After(e.expires) {
		delete(c.entries, id)
		return nil
	}
	return e.key
}

func (c *keyCache) put(k *DataKey) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = make(map[KeyID]cacheEntry)
	}
	if len(c.entries) >= cacheSize {
		// Full: drop expired entries, and if that frees nothing, start over.
		now := time.Now()
		for id, e := range c.entries {
			if now.After(e.expires) {
				delete(c.entries, id)
			}
		}
		if len(c.entries) >= cacheSize {
			clear(c.entries)
		}
	}
	c.entries[k.ID] = cacheEntry{key: k, expires: time.Now().Add(cacheTTL)}
}

// forget drops every cached key of subject.
func (c *keyCache) forget(subject string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for id, e := range c.entries {
		if e.key.Subject == subject {
			delete(c.entries, id)
		}
	}
}
