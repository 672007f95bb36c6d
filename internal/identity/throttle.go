package identity

import (
	"context"
	"database/sql"
	"encoding/hex"
	"net/netip"
	"time"

	"github.com/frontdesk/frontdesk/internal/db"
)

// Throttling works on counters in the database, so every node sees the
// same ones. A source is an IP address and its network (/24 for IPv4, /64
// for IPv6); its failures are counted in fixed windows, and past the limit
// the source is blocked for a while. Blocking a source never locks the
// accounts it attacked (ASVS 6.1.1): only their owners' own consecutive
// failures do that.

// sourceKeys returns the counter keys of an IP and its network.
func sourceKeys(prefix, ip string) (ipKey, netKey string) {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return prefix + ":ip:" + ip, prefix + ":net:" + ip
	}
	a = a.Unmap()
	bits := 24
	if a.Is6() {
		bits = 64
	}
	p, _ := a.Prefix(bits)
	return prefix + ":ip:" + a.String(), prefix + ":net:" + p.String()
}

// blockedFor returns how long the longest block among keys still lasts,
// or zero.
func blockedFor(ctx context.Context, tx *db.Tx, keys ...string) (time.Duration, error) {
	var longest time.Duration
	for _, k := range keys {
		var until sql.NullTime
		err := tx.QueryRow(ctx, "SELECT blocked_until FROM auth_throttle WHERE key = ?", k).Scan(&until)
		if err == sql.ErrNoRows {
			continue
		}
		if err != nil {
			return 0, err
		}
		if until.Valid {
			if d := until.Time.Sub(tx.Now()); d > longest {
				longest = d
			}
		}
	}
	return longest, nil
}

// countFailure adds one failure to key's window; when the window holds
// limit failures, key is blocked for block (or longer, if it already
// was). It reports whether this failure started a block.
func countFailure(ctx context.Context, tx *db.Tx, key string, window time.Duration, limit int, block time.Duration) (bool, error) {
	return recordFailure(ctx, tx, key, window, limit, block, false)
}

// recordFailure is countFailure for a failure that reserveSource may
// already have counted (reserved): then it only decides the block.
func recordFailure(ctx context.Context, tx *db.Tx, key string, window time.Duration, limit int, block time.Duration, reserved bool) (bool, error) {
	c, err := lockCounter(ctx, tx, key, window)
	if err != nil {
		return false, err
	}
	if !reserved {
		c.failures++
	}
	started := c.failures >= limit
	if started {
		c.block(tx.Now(), block)
		c.failures, c.start = 0, tx.Now()
	}
	return started, c.save(ctx, tx)
}

// block blocks key for d from now, unless it is already blocked longer.
func block(ctx context.Context, tx *db.Tx, key string, d time.Duration, window time.Duration) error {
	c, err := lockCounter(ctx, tx, key, window)
	if err != nil {
		return err
	}
	c.block(tx.Now(), d)
	return c.save(ctx, tx)
}

// sourceFailure records a failed sign-in from ip against target (the
// blind index of the e-mail tried, known account or not). It returns the
// throttle decisions it made, for the audit trail.
// When reserved, reserveSource has already counted the failure.
func (s *Service) sourceFailure(ctx context.Context, tx *db.Tx, ip string, target []byte, reserved bool) ([]string, error) {
	p := s.policy
	ipKey, netKey := sourceKeys("signin", ip)
	var decisions []string
	if b, err := recordFailure(ctx, tx, ipKey, p.ThrottleWindow, p.IPFailures, p.ThrottleBlock, reserved); err != nil {
		return nil, err
	} else if b {
		decisions = append(decisions, "ip_blocked")
	}
	if b, err := recordFailure(ctx, tx, netKey, p.ThrottleWindow, p.NetFailures, p.ThrottleBlock, reserved); err != nil {
		return nil, err
	} else if b {
		decisions = append(decisions, "network_blocked")
	}
	// Credential stuffing: one source failing against many different
	// e-mails. Count the distinct targets it failed on within the window.
	now := tx.Now()
	if _, err := tx.Exec(ctx, `INSERT INTO auth_source_targets (source, target, at) VALUES (?, ?, ?)
		ON CONFLICT (source, target) DO UPDATE SET at = excluded.at`, ipKey, target, now); err != nil {
		return nil, err
	}
	var distinct int
	if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM auth_source_targets WHERE source = ? AND at > ?", ipKey, now.Add(-p.ThrottleWindow)).Scan(&distinct); err != nil {
		return nil, err
	}
	if distinct >= p.StuffingTargets {
		if err := block(ctx, tx, ipKey, p.StuffingBlock, p.ThrottleWindow); err != nil {
			return nil, err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM auth_source_targets WHERE source = ?", ipKey); err != nil {
			return nil, err
		}
		decisions = append(decisions, "credential_stuffing")
	}
	return decisions, nil
}

// quota counts one use of an anti-automation quota (registrations, reset
// requests) by ip and reports how long to wait when it is exhausted: the
// limit-th request in a window is the last one let through (ASVS 2.4.1).
func (s *Service) quota(ctx context.Context, tx *db.Tx, name, ip string, limit int) (*RateLimitedError, error) {
	ipKey, _ := sourceKeys(name, ip)
	wait, err := take(ctx, tx, ipKey, s.policy.ThrottleWindow, limit)
	if err != nil || wait == 0 {
		return nil, err
	}
	return &RateLimitedError{RetryAfter: wait, Reason: name}, nil
}

// take counts one use of key in a fixed window and, once limit uses have
// been counted, refuses with how long until the window ends. The check and
// the count happen under the row's lock (SQLite: the write lock taken at
// BEGIN), so parallel requests on any number of nodes never let more than
// limit through.
func take(ctx context.Context, tx *db.Tx, key string, window time.Duration, limit int) (time.Duration, error) {
	now := tx.Now()
	if _, err := tx.Exec(ctx, "INSERT INTO auth_throttle (key, failures, window_start) VALUES (?, 0, ?) ON CONFLICT (key) DO NOTHING", key, now); err != nil {
		return 0, err
	}
	var used int
	var start time.Time
	var until sql.NullTime
	if err := tx.QueryRow(ctx, "SELECT failures, window_start, blocked_until FROM auth_throttle WHERE key = ?"+tx.ForUpdate(), key).Scan(&used, &start, &until); err != nil {
		return 0, err
	}
	if until.Valid && now.Before(until.Time) { // a block set by an earlier version of this counter
		return until.Time.Sub(now), nil
	}
	if now.Sub(start) >= window {
		used, start = 0, now
	}
	if used >= limit {
		return start.Add(window).Sub(now), nil
	}
	_, err := tx.Exec(ctx, "UPDATE auth_throttle SET failures = ?, window_start = ?, blocked_until = NULL WHERE key = ?", used+1, start, key)
	return 0, err
}

// Groups of account e-mails that anyone can make Frontdesk send to an
// address, each with its own per-recipient quota.
const (
	mailVerify = "verify" // confirm your address (registration, sign-in while pending)
	mailExists = "exists" // someone tried to register your address
	mailReset  = "reset"  // password reset code and link
	mailUnlock = "unlock" // account locked, with the unlock link
)

// mailAllowed counts one e-mail of group to the address and reports
// whether it may be sent: at most MailsPerRecipient per MailWindow per
// address and group, whichever sources asked (mail bombing; ASVS 2.4.1,
// NIST 800-63B 3.2.2 / 5.2.2 rate limiting). Past it the e-mail is dropped
// silently and no new secret is issued, so the caller's answer does not
// change and the secret in the last e-mail stays valid. The counter lives
// in the database under a keyed hash of the address, never the address.
func (s *Service) mailAllowed(ctx context.Context, tx *db.Tx, group, email string) (bool, error) {
	key := "mail:" + group + ":" + hex.EncodeToString(s.keys.BlindIndex("mail-quota", emailKey(email)))
	wait, err := take(ctx, tx, key, s.policy.MailWindow, s.policy.MailsPerRecipient)
	return wait == 0 && err == nil, err
}

// Purge deletes what has expired: sessions past their absolute lifetime,
// used or expired secrets, stale throttle counters. The server runs it
// every few minutes; it is safe on several nodes at once.
func (s *Service) Purge(ctx context.Context) error {
	return s.db.Write(ctx, func(tx *db.Tx) error {
		window := max(s.policy.ThrottleWindow, s.policy.MailWindow)
		now, stale := tx.Now(), tx.Now().Add(-window)
		for _, q := range []struct {
			sql  string
			args []any
		}{
			{"DELETE FROM sessions WHERE expires_at < ?", []any{now}},
			{"DELETE FROM account_tokens WHERE expires_at < ?", []any{now}},
			{"DELETE FROM registrations WHERE expires_at < ?", []any{now}},
			{"DELETE FROM mfa_challenges WHERE expires_at < ?", []any{now}},
			{"DELETE FROM remembered_devices WHERE expires_at < ?", []any{now}},
			{"DELETE FROM auth_throttle WHERE window_start < ? AND (blocked_until IS NULL OR blocked_until < ?)", []any{stale, now}},
			{"DELETE FROM auth_source_targets WHERE at < ?", []any{stale}},
		} {
			if _, err := tx.Exec(ctx, q.sql, q.args...); err != nil {
				return err
			}
		}
		return nil
	})
}

// Quota counts one use of every key and refuses, with how long to wait,
// once any key has been used limit times within window. The services
// above identity use it for their anti-automation quotas (sending SMS
// codes: ASVS 2.4.1). Keys are checked before any is counted.
func Quota(ctx context.Context, tx *db.Tx, window time.Duration, limits map[string]int) (time.Duration, error) {
	keys := make([]string, 0, len(limits))
	for k := range limits {
		keys = append(keys, k)
	}
	if d, err := blockedFor(ctx, tx, keys...); err != nil || d > 0 {
		return d, err
	}
	var wait time.Duration
	for _, k := range keys {
		started, err := countFailure(ctx, tx, k, window, limits[k]+1, window)
		if err != nil {
			return 0, err
		}
		if started {
			wait = window
		}
	}
	return wait, nil
}
