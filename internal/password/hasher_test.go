package password

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// kib64 is the memory of one hash with testParams, in bytes.
const kib64 = 64 * 1024

func TestNewHasherConcurrency(t *testing.T) {
	tests := []struct {
		name      string
		o         HasherOptions
		conc      int
		queue     int64
		wantParam Params
	}{
		{"zero budget runs one", HasherOptions{Params: testParams}, 1, 4, testParams},
		{"budget for three", HasherOptions{Params: testParams, MemoryBudget: 3*kib64 + kib64/2}, 3, 12, testParams},
		{"explicit queue", HasherOptions{Params: testParams, MemoryBudget: 2 * kib64, QueueLen: 7}, 2, 7, testParams},
		{"no queue", HasherOptions{Params: testParams, MemoryBudget: 2 * kib64, QueueLen: -1}, 2, 0, testParams},
		{"default params", HasherOptions{MemoryBudget: 64 << 20}, 3, 12, DefaultParams},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := NewHasher(tt.o)
			if h.Concurrency() != tt.conc || h.queueLen != tt.queue || h.Params() != tt.wantParam {
				t.Errorf("Concurrency %d, queue %d, params %+v; want %d, %d, %+v",
					h.Concurrency(), h.queueLen, h.Params(), tt.conc, tt.queue, tt.wantParam)
			}
		})
	}
}

func TestNewHasherInvalidParamsPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("NewHasher accepted invalid params")
		}
	}()
	NewHasher(HasherOptions{Params: Params{Memory: 64}})
}

func TestHasherHashVerifyDummy(t *testing.T) {
	h := NewHasher(HasherOptions{Params: testParams, MemoryBudget: 2 * kib64})
	ctx := t.Context()
	enc, err := h.Hash(ctx, "correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if ok, rehash, err := h.Verify(ctx, "correct horse battery staple", enc); !ok || rehash || err != nil {
		t.Errorf("Verify = %v, %v, %v", ok, rehash, err)
	}
	if ok, rehash, err := h.Verify(ctx, "password", htpasswdBcrypt); ok || !rehash || err != nil {
		t.Errorf("Verify(bcrypt, wrong) = %v, %v, %v", ok, rehash, err)
	}
	if _, _, err := h.Verify(ctx, "pw", "$md5$x"); !errors.Is(err, ErrUnknownFormat) {
		t.Errorf("Verify(malformed) error = %v", err)
	}
	if _, err := h.Hash(ctx, string(make([]byte, MaxPasswordBytes+1))); !errors.Is(err, ErrTooLong) {
		t.Errorf("Hash(too long) error = %v", err)
	}
	if err := h.Dummy(ctx); err != nil {
		t.Errorf("Dummy = %v", err)
	}
	if !IsSupportedHash(h.dummy.String()) {
		t.Errorf("dummy hash %q is not well-formed", h.dummy.String())
	}
	done, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := h.Hash(done, "pw"); !errors.Is(err, context.Canceled) {
		t.Errorf("Hash(cancelled ctx) error = %v", err)
	}
}

// gate blocks operations inside a Hasher until opened, and counts them.
type gate struct {
	open chan struct{}

	mu              sync.Mutex
	active, maxSeen int
}

func newGate(h *Hasher) *gate {
	g := &gate{open: make(chan struct{})}
	h.running = func() {
		g.mu.Lock()
		g.active++
		g.maxSeen = max(g.maxSeen, g.active)
		g.mu.Unlock()
		<-g.open
		g.mu.Lock()
		g.active--
		g.mu.Unlock()
	}
	return g
}

// counts returns how many operations are running and the most that ever were.
func (g *gate) counts() (active, maxSeen int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.active, g.maxSeen
}

func TestHasherConcurrencyWithinBudget(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := NewHasher(HasherOptions{Params: testParams, MemoryBudget: 3 * kib64, QueueLen: 20})
		g := newGate(h)
		var wg sync.WaitGroup
		errs := make(chan error, 12)
		for i := range 12 {
			wg.Go(func() {
				var err error
				switch i % 3 {
				case 0:
					_, err = h.Hash(t.Context(), "pw")
				case 1:
					_, _, err = h.Verify(t.Context(), "password", refArgon2id)
				default:
					err = h.Dummy(t.Context())
				}
				errs <- err
			})
		}
		synctest.Wait()
		if active, _ := g.counts(); active != 3 {
			t.Errorf("%d running, want 3 (budget / memory)", active)
		}
		if got := h.waiting.Load(); got != 9 {
			t.Errorf("%d waiting, want 9", got)
		}
		close(g.open)
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Error(err)
			}
		}
		if _, maxSeen := g.counts(); maxSeen != 3 {
			t.Errorf("at most %d ran at once, want 3", maxSeen)
		}
	})
}

func TestHasherLargeImportTakesMoreSlots(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := NewHasher(HasherOptions{Params: testParams, MemoryBudget: 4 * kib64})
		g := newGate(h)
		big, err := Hash("pw", Params{Memory: 256, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16})
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		wg.Go(func() {
			if ok, rehash, err := h.Verify(t.Context(), "pw", big); !ok || !rehash || err != nil {
				t.Errorf("Verify(big) = %v, %v, %v", ok, rehash, err)
			}
		})
		synctest.Wait()
		wg.Go(func() {
			if _, err := h.Hash(t.Context(), "pw"); err != nil {
				t.Error(err)
			}
		})
		synctest.Wait()
		a, _ := g.counts()
		if w := h.waiting.Load(); a != 1 || w != 1 {
			t.Errorf("%d running, %d waiting; want the 256 KiB verification alone and one waiting", a, w)
		}
		close(g.open)
		wg.Wait()
	})
}

func TestHasherQueueFull(t *testing.T) {
	tests := []struct {
		name     string
		queueLen int
		queued   int
	}{
		{"queue of two", 2, 2},
		{"no queue", -1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				h := NewHasher(HasherOptions{Params: testParams, MemoryBudget: kib64, QueueLen: tt.queueLen})
				g := newGate(h)
				var wg sync.WaitGroup
				for range 1 + tt.queued {
					wg.Go(func() {
						if _, err := h.Hash(t.Context(), "pw"); err != nil {
							t.Error(err)
						}
					})
				}
				synctest.Wait()
				// Refused at once: were it to wait, synctest would report
				// a deadlock.
				if _, err := h.Hash(t.Context(), "pw"); !errors.Is(err, ErrBusy) {
					t.Errorf("Hash error = %v, want ErrBusy", err)
				}
				if _, _, err := h.Verify(t.Context(), "password", refArgon2id); !errors.Is(err, ErrBusy) {
					t.Errorf("Verify error = %v, want ErrBusy", err)
				}
				if err := h.Dummy(t.Context()); !errors.Is(err, ErrBusy) {
					t.Errorf("Dummy error = %v, want ErrBusy", err)
				}
				close(g.open)
				wg.Wait()
				if _, err := h.Hash(t.Context(), "pw"); err != nil {
					t.Errorf("Hash after the queue drained: %v", err)
				}
			})
		})
	}
}

func TestHasherCancelWhileQueued(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := NewHasher(HasherOptions{Params: testParams, MemoryBudget: kib64})
		g := newGate(h)
		var wg sync.WaitGroup
		wg.Go(func() {
			if _, err := h.Hash(t.Context(), "pw"); err != nil {
				t.Error(err)
			}
		})
		synctest.Wait()
		ctx, cancel := context.WithCancel(t.Context())
		errc := make(chan error)
		go func() {
			_, _, err := h.Verify(ctx, "password", refArgon2id)
			errc <- err
		}()
		synctest.Wait()
		if got := h.waiting.Load(); got != 1 {
			t.Fatalf("%d waiting, want 1", got)
		}
		cancel()
		if err := <-errc; !errors.Is(err, context.Canceled) {
			t.Errorf("Verify error = %v, want context.Canceled", err)
		}
		if got := h.waiting.Load(); got != 0 {
			t.Errorf("%d waiting after cancel, want 0", got)
		}
		close(g.open)
		wg.Wait()
	})
}

func TestHasherRetryAfter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := NewHasher(HasherOptions{Params: testParams, MemoryBudget: kib64})
		if got := h.RetryAfter(); got != time.Second {
			t.Errorf("RetryAfter before any hash = %v, want 1s", got)
		}
		// Time in the bubble moves only when everything sleeps, so each
		// hash takes exactly the 3 s its hook sleeps.
		h.running = func() { time.Sleep(3 * time.Second) }
		if _, err := h.Hash(t.Context(), "pw"); err != nil {
			t.Fatal(err)
		}
		if got := h.RetryAfter(); got != 3*time.Second {
			t.Errorf("RetryAfter, idle = %v, want 3s", got)
		}
		g := newGate(h)
		var wg sync.WaitGroup
		for range 3 {
			wg.Go(func() { _ = h.Dummy(t.Context()) })
		}
		synctest.Wait()
		// Two wait behind the one running: three rounds of 3 s.
		if got := h.RetryAfter(); got != 9*time.Second {
			t.Errorf("RetryAfter, two queued = %v, want 9s", got)
		}
		close(g.open)
		wg.Wait()
	})
}

// MaxConcurrent caps the hashes running at once below what the budget
// allows, while the queue is still sized by the budget.
func TestHasherMaxConcurrent(t *testing.T) {
	h := NewHasher(HasherOptions{Params: Params{Memory: 64, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}, MemoryBudget: 640 << 10, MaxConcurrent: 2})
	if h.Concurrency() != 2 || h.queueLen != 40 {
		t.Fatalf("concurrency %d, queue %d; want 2 and 40", h.Concurrency(), h.queueLen)
	}
}
