package identity_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/frontdesk/frontdesk/internal/identity/identitytest"
	"github.com/frontdesk/frontdesk/internal/password"
)

// ASVS 6.3.1 / 6.1.1: many wrong passwords sent at once from one address,
// spread over two nodes sharing the database, reach the password hash at
// most the per-IP limit times, and the right password after them does not
// sign in. The per-node cap on concurrent checks is off here, so the
// database counters alone must hold the line.
func TestParallelGuessesStopAtTheLimit(t *testing.T) {
	k := identitytest.New(t, "default", func(p *identity.Policy) { p.IPConcurrentChecks = 0 })
	a := k.Register("parallel@example.com")
	// A second node: its own service and hasher on the same database.
	node2 := identity.New(identity.Options{DB: k.D, Keys: k.Keys, Audit: k.Log, Policy: k.Svc.Policy(),
		Hasher: password.NewHasher(password.HasherOptions{Params: identitytest.FastParams, MemoryBudget: 64 << 20})})
	nodes := []*identity.Service{k.Svc, node2}
	limit := k.Svc.Policy().IPFailures
	const n = 60
	const ip = "192.0.2.60"

	var mu sync.Mutex
	var checked, throttled int
	var start, done sync.WaitGroup
	start.Add(1)
	for i := range n {
		done.Add(1)
		go func() {
			defer done.Done()
			start.Wait()
			_, err := nodes[i%2].SignIn(context.Background(), identity.SignIn{Email: a.Email, Password: "wrong guess number " + itoa(i),
				IP: ip, UserAgent: identitytest.UserAgent, Client: identity.ClientAPI})
			var limited *identity.RateLimitedError
			mu.Lock()
			defer mu.Unlock()
			switch {
			case errors.Is(err, identity.ErrInvalidCredentials): // the hash ran and said no
				checked++
			case errors.As(err, &limited):
				throttled++
			default:
				t.Errorf("guess %d: %v", i, err)
			}
		}()
	}
	start.Done()
	done.Wait()
	node2.WaitMail()
	t.Logf("%d guesses: %d checked, %d throttled (limit %d)", n, checked, throttled, limit)
	if checked > limit || checked+throttled != n {
		t.Fatalf("%d of %d parallel guesses reached the password check, limit %d", checked, n, limit)
	}
	// Every reserved attempt was a wrong password, so the source is now
	// blocked: the right password is refused before it is checked.
	var limited *identity.RateLimitedError
	if _, err := k.SignIn(a.Email, identitytest.Password, ip); !errors.As(err, &limited) {
		t.Fatalf("right password after %d wrong ones: %v, want rate limited", checked, err)
	}
	if limited.RetryAfter < time.Minute {
		t.Fatalf("Retry-After %s: the source is not blocked", limited.RetryAfter)
	}
	// The block ends with its time, and the owner was never locked out.
	k.Clock.Add(k.Svc.Policy().ThrottleBlock + time.Second)
	if _, err := k.SignIn(a.Email, identitytest.Password, ip); err != nil {
		t.Fatalf("after the block: %v", err)
	}
}

// ASVS 6.3.1: a right password gives back the attempt it reserved, so a
// source's successes never count toward its failure limit.
func TestRightPasswordDoesNotCountAgainstSource(t *testing.T) {
	k := identitytest.New(t, "default", func(p *identity.Policy) { p.IPFailures = 3 })
	a := k.Register("regular@example.com")
	const ip = "192.0.2.61"
	for range 5 {
		if _, err := k.SignIn(a.Email, identitytest.Password, ip); err != nil {
			t.Fatalf("right password: %v", err)
		}
	}
	for i := range 2 {
		if _, err := k.SignIn(a.Email, "wrong guess", ip); !errors.Is(err, identity.ErrInvalidCredentials) {
			t.Fatalf("wrong password %d: %v", i, err)
		}
	}
	if _, err := k.SignIn(a.Email, identitytest.Password, ip); err != nil {
		t.Fatalf("right password after 2 of 3 failures: %v", err)
	}
	if _, err := k.SignIn(a.Email, "wrong guess", ip); !errors.Is(err, identity.ErrInvalidCredentials) {
		t.Fatalf("third wrong password: %v", err)
	}
	var limited *identity.RateLimitedError
	if _, err := k.SignIn(a.Email, identitytest.Password, ip); !errors.As(err, &limited) {
		t.Fatalf("after 3 failures: %v, want rate limited", err)
	}
}

// ASVS 6.3.1: past its cap of concurrent password checks on this node, a
// source is told to retry in a second before anything is hashed or
// counted.
func TestConcurrentChecksCappedPerSource(t *testing.T) {
	k := identitytest.New(t, "default")
	a := k.Register("busy@example.com")
	const ip = "192.0.2.62"
	release := identity.HoldChecks(k.Svc, ip, k.Svc.Policy().IPConcurrentChecks)
	var limited *identity.RateLimitedError
	if _, err := k.SignIn(a.Email, identitytest.Password, ip); !errors.As(err, &limited) || limited.Reason != "source_concurrency" {
		t.Fatalf("sign-in past the cap: %v, want rate limited (source_concurrency)", err)
	}
	if limited.RetryAfter != time.Second {
		t.Fatalf("Retry-After %s, want 1s", limited.RetryAfter)
	}
	if _, err := k.SignIn(a.Email, identitytest.Password, "192.0.2.63"); err != nil {
		t.Fatalf("another address: %v", err)
	}
	release()
	if _, err := k.SignIn(a.Email, identitytest.Password, ip); err != nil {
		t.Fatalf("once the checks ended: %v", err)
	}
}
