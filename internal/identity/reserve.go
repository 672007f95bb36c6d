package identity

import (
	"context"
	"database/sql"
	"sync"
	"time"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
)

// A sign-in's source is checked and counted in one step, before the
// password is hashed: the attempt reserves one failure in each of its
// source's counters inside a write transaction that holds their rows, and
// is refused when a counter is blocked or already full. Many parallel
// guesses from one address therefore reach the hash at most the limit
// times, on one node or many (ASVS 6.3.1, 6.1.1). A wrong password then
// confirms its reserved failure (which may start the block); a right one,
// or a check that never ran, gives it back.

// inFlightWait is the Retry-After for a source whose window is full of
// attempts still being checked: they end in well under a second, after
// which the source is either blocked for real or free again.
const inFlightWait = time.Second

// counter is one auth_throttle row, locked for the transaction.
type counter struct {
	key      string
	failures int
	start    time.Time
	until    sql.NullTime
}

// lockCounter creates key's row if needed and locks it. A window older
// than window starts again from zero.
func lockCounter(ctx context.Context, tx *db.Tx, key string, window time.Duration) (*counter, error) {
	now := tx.Now()
	if _, err := tx.Exec(ctx, "INSERT INTO auth_throttle (key, failures, window_start) VALUES (?, 0, ?) ON CONFLICT (key) DO NOTHING", key, now); err != nil {
		return nil, err
	}
	c := &counter{key: key}
	if err := tx.QueryRow(ctx, "SELECT failures, window_start, blocked_until FROM auth_throttle WHERE key = ?"+tx.ForUpdate(), key).Scan(&c.failures, &c.start, &c.until); err != nil {
		return nil, err
	}
	if now.Sub(c.start) >= window {
		c.failures, c.start = 0, now
	}
	return c, nil
}

// blockedFor is how long the counter's block still lasts, or zero.
func (c *counter) blockedFor(now time.Time) time.Duration {
	if c.until.Valid && c.until.Time.After(now) {
		return c.until.Time.Sub(now)
	}
	return 0
}

// block blocks the counter until now+d, unless it is already blocked for
// longer: a later, shorter block never shortens a longer one.
func (c *counter) block(now time.Time, d time.Duration) {
	if until := now.Add(d); !c.until.Valid || until.After(c.until.Time) {
		c.until = sql.NullTime{Time: until, Valid: true}
	}
}

func (c *counter) save(ctx context.Context, tx *db.Tx) error {
	_, err := tx.Exec(ctx, "UPDATE auth_throttle SET failures = ?, window_start = ?, blocked_until = ? WHERE key = ?", c.failures, c.start, c.until, c.key)
	return err
}

// signinLimits are a sign-in source's counters and their limits, always
// in this order so that transactions lock them in the same order.
func (s *Service) signinLimits(ip string) []struct {
	key   string
	limit int
} {
	ipKey, netKey := sourceKeys("signin", ip)
	return []struct {
		key   string
		limit int
	}{{ipKey, s.policy.IPFailures}, {netKey, s.policy.NetFailures}}
}

// reserveSource counts a sign-in attempt from ip against its source's
// limits before any password is checked. It returns a *RateLimitedError
// (already audited) when the source is blocked or its window is full;
// otherwise the attempt holds one failure in each counter, which
// failSignIn confirms or releaseSource gives back.
func (s *Service) reserveSource(ctx context.Context, ip string) error {
	var limited *RateLimitedError
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		limited = nil
		var cs []*counter
		var wait time.Duration
		reason := "source"
		for _, l := range s.signinLimits(ip) {
			c, err := lockCounter(ctx, tx, l.key, s.policy.ThrottleWindow)
			if err != nil {
				return err
			}
			cs = append(cs, c)
			if d := c.blockedFor(tx.Now()); d > wait {
				wait = d
			}
		}
		if wait == 0 {
			for i, l := range s.signinLimits(ip) {
				if l.limit > 0 && cs[i].failures >= l.limit {
					wait, reason = inFlightWait, "source_in_flight"
				}
			}
		}
		if wait > 0 {
			limited = &RateLimitedError{RetryAfter: wait, Reason: reason}
			return s.audit.Record(ctx, tx, audit.Event{Action: "signin.throttled", Outcome: audit.Denied,
				Details: map[string]any{"retry_after_s": int(wait.Seconds()) + 1, "reason": reason}})
		}
		for _, c := range cs {
			c.failures++
			if err := c.save(ctx, tx); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if limited != nil {
		return limited
	}
	return nil
}

// releaseSource gives back the failures an attempt reserved, when its
// password was right or was never checked.
func (s *Service) releaseSource(ctx context.Context, ip string) error {
	// Given back even when the caller has gone: a leftover reservation
	// would count a right password as a failure.
	ctx = context.WithoutCancel(ctx)
	return s.db.Write(ctx, func(tx *db.Tx) error { return s.releaseSourceTx(ctx, tx, ip) })
}

// releaseSourceTx is releaseSource inside the caller's transaction.
func (s *Service) releaseSourceTx(ctx context.Context, tx *db.Tx, ip string) error {
	for _, l := range s.signinLimits(ip) {
		c, err := lockCounter(ctx, tx, l.key, s.policy.ThrottleWindow)
		if err != nil {
			return err
		}
		if c.failures > 0 {
			c.failures--
			if err := c.save(ctx, tx); err != nil {
				return err
			}
		}
	}
	return nil
}

// sourceGate caps the password checks running at once for one source on
// this node. The database counters are the guard every node shares; the
// gate keeps one address from filling this node's hashing capacity with
// attempts that the counters would refuse a moment later anyway.
type sourceGate struct {
	max int // 0: no cap
	mu  sync.Mutex
	n   map[string]int
}

func newSourceGate(max int) *sourceGate {
	return &sourceGate{max: max, n: map[string]int{}}
}

// enter takes a place for key and reports whether there was one; every
// successful enter must be followed by leave.
func (g *sourceGate) enter(key string) bool {
	if g.max <= 0 {
		return true
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.n[key] >= g.max {
		return false
	}
	g.n[key]++
	return true
}

func (g *sourceGate) leave(key string) {
	if g.max <= 0 {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.n[key]--; g.n[key] <= 0 {
		delete(g.n, key)
	}
}
