package identity_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/internal/identity"
)

// countMails returns how many e-mails to addr have a subject containing sub.
func countMails(f *fixture, addr, sub string) int {
	n := 0
	for _, m := range f.mails(addr) {
		if strings.Contains(m.Subject, sub) {
			n++
		}
	}
	return n
}

// Mail bombing: a burst of requests for one address from several sources
// sends at most MailsPerRecipient e-mails of each kind per window; the
// answers do not change, and the quota frees up after the window (ASVS
// 2.4.1; NIST 800-63B 3.2.2 rate limiting). The clock moves; nothing sleeps.
func TestRecipientMailQuota(t *testing.T) {
	ctx := context.Background()
	burst := func(t *testing.T, n int, do func(i int) error) {
		t.Helper()
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i := range n {
			wg.Go(func() { errs <- do(i) })
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("answer changed under the quota: %v", err)
			}
		}
	}
	ip := func(i int) string { return fmt.Sprintf("192.0.2.%d", 10+i%5) } // five sources

	t.Run("reset", func(t *testing.T) {
		f := newFixture(t, "default")
		a := f.register("bombed@example.com")
		burst(t, 25, func(i int) error { return f.svc.RequestReset(ctx, a.Email, ip(i)) })
		if n := countMails(f, a.Email, "Reset your password"); n != 3 {
			t.Fatalf("%d reset e-mails in a burst, want 3", n)
		}
		f.clock.Add(14 * time.Minute)
		if err := f.svc.RequestReset(ctx, a.Email, ip(0)); err != nil {
			t.Fatal(err)
		}
		if n := countMails(f, a.Email, "Reset your password"); n != 3 {
			t.Fatalf("%d reset e-mails inside the window, want 3", n)
		}
		f.clock.Add(time.Minute + time.Second)
		if err := f.svc.RequestReset(ctx, a.Email, ip(0)); err != nil {
			t.Fatal(err)
		}
		if n := countMails(f, a.Email, "Reset your password"); n != 4 {
			t.Fatalf("%d reset e-mails after the window, want 4", n)
		}
		// The last code mailed is the one that works.
		code := f.last(a.Email).Code(t)
		if err := f.svc.ConfirmReset(ctx, a.Email, code, "Brand new passphrase for 2026"); err != nil {
			t.Fatalf("code of the last e-mail: %v", err)
		}
	})
	t.Run("unlock", func(t *testing.T) {
		f := newFixture(t, "pci") // locks after 10 failures
		a := f.register("locked.bombed@example.com")
		// Four lockouts in a row, each lifted with its link while there is
		// one: the fourth lock sends nothing.
		for round := range 4 {
			for range 10 {
				if _, err := f.signIn(a.Email, "wrong password entirely", fmt.Sprintf("198.51.%d.1", 100+round)); !errors.Is(err, identity.ErrInvalidCredentials) {
					t.Fatalf("round %d: %v", round, err)
				}
			}
			if round < 3 {
				if err := f.svc.Unlock(ctx, f.LastLink(a.Email, "/unlock").Token(t)); err != nil {
					t.Fatalf("round %d unlock: %v", round, err)
				}
			}
		}
		if n := countMails(f, a.Email, "locked"); n != 3 {
			t.Fatalf("%d lock e-mails, want 3", n)
		}
	})
}

// The per-source quota lets exactly its limit through, also when the
// requests arrive at once (the outside test saw 21 through a limit of 20).
func TestPerSourceQuotaExact(t *testing.T) {
	f := newFixture(t, "default")
	ctx := context.Background()
	limit := f.svc.Policy().ResetsPerIP
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok, limited := 0, 0
	for i := range limit + 10 {
		wg.Go(func() {
			err := f.svc.RequestReset(ctx, fmt.Sprintf("nobody%d@example.com", i), "192.0.2.200")
			var rl *identity.RateLimitedError
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case errors.As(err, &rl) && rl.RetryAfter > 0 && rl.RetryAfter <= 15*time.Minute:
				limited++
			default:
				t.Errorf("request %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	if ok != limit || limited != 10 {
		t.Fatalf("%d let through and %d refused, want %d and 10", ok, limited, limit)
	}
	// Sequentially too: a new window gives exactly limit again.
	f.clock.Add(15 * time.Minute)
	for i := range limit + 1 {
		err := f.svc.RequestReset(ctx, fmt.Sprintf("again%d@example.com", i), "192.0.2.200")
		var rl *identity.RateLimitedError
		if i < limit && err != nil {
			t.Fatalf("request %d of %d refused: %v", i+1, limit, err)
		}
		if i == limit && !errors.As(err, &rl) {
			t.Fatalf("request %d let through past the limit of %d: %v", i+1, limit, err)
		}
	}
}
