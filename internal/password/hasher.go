package password

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"golang.org/x/sync/semaphore"
)

// ErrBusy means too many hashes are running or waiting; callers answer 503
// with a Retry-After of Hasher.RetryAfter.
var ErrBusy = errors.New("password: too many password checks in progress")

// HasherOptions configure a Hasher.
type HasherOptions struct {
	// Params for new hashes and the target of needsRehash; the zero value
	// means DefaultParams.
	Params Params
	// MemoryBudget in bytes bounds the memory of concurrent hashes: at most
	// MemoryBudget / (Params.Memory KiB) run at once, and at least one.
	MemoryBudget int64
	// QueueLen is how many callers may wait for a turn; 0 means four times
	// what the memory budget allows at once, and a negative value means none.
	QueueLen int
	// MaxConcurrent, when positive, runs at most this many hashes at once
	// even if the budget allows more. Hashing is CPU-bound: more hashes than
	// cores only adds memory and garbage, not throughput.
	MaxConcurrent int
}

// Hasher runs Hash and Verify under a memory budget. Callers beyond its
// concurrency wait in a bounded first-in first-out queue, and beyond the
// queue fail at once with ErrBusy. A Hasher is safe for concurrent use.
type Hasher struct {
	params   Params
	slots    int64 // concurrency
	queueLen int64
	sem      *semaphore.Weighted
	waiting  atomic.Int64
	avgNanos atomic.Int64 // moving average of one operation's duration
	dummy    argon2Hash

	// running, if set by a test, is called while an operation holds its slots.
	running func()
}

// NewHasher returns a Hasher with o's settings. It panics if o.Params is set
// and fails Params.Validate, which configuration should have caught.
func NewHasher(o HasherOptions) *Hasher {
	p := o.Params
	if p == (Params{}) {
		p = DefaultParams
	}
	if err := p.Validate(); err != nil {
		panic(fmt.Sprintf("password.NewHasher: %v", err))
	}
	byMemory := max(1, o.MemoryBudget/(int64(p.Memory)*1024))
	slots := byMemory
	if o.MaxConcurrent > 0 {
		slots = min(slots, int64(o.MaxConcurrent))
	}
	queue := int64(o.QueueLen)
	if queue == 0 {
		queue = 4 * byMemory
	}
	return &Hasher{
		params:   p,
		slots:    slots,
		queueLen: max(0, queue),
		sem:      semaphore.NewWeighted(slots),
		// Verification time depends only on the parameters, so a
		// hash of zeros costs what a real one does.
		dummy: argon2Hash{id: true, params: p, salt: make([]byte, p.SaltLen), key: make([]byte, p.KeyLen)},
	}
}

// Params returns the parameters of new hashes.
func (h *Hasher) Params() Params { return h.params }

// Concurrency returns how many hashes may run at once.
func (h *Hasher) Concurrency() int { return int(h.slots) }

// Hash returns Hash(pw, h.Params()) once a slot is free.
func (h *Hasher) Hash(ctx context.Context, pw string) (string, error) {
	if len(pw) > MaxPasswordBytes {
		return "", ErrTooLong
	}
	var encoded string
	var hashErr error
	if err := h.run(ctx, 1, func() { encoded, hashErr = Hash(pw, h.params) }); err != nil {
		return "", err
	}
	return encoded, hashErr
}

// Verify returns Verify(pw, encoded, h.Params()) once enough memory is free.
// An imported Argon2 hash that needs more memory than h.Params takes the
// slots of as many hashes, up to all of them.
func (h *Hasher) Verify(ctx context.Context, pw, encoded string) (ok, needsRehash bool, err error) {
	stored, err := decode(encoded)
	if err != nil {
		return false, false, err
	}
	if len(pw) > MaxPasswordBytes {
		return false, stored.needsRehash(h.params), nil
	}
	mem, unit := int64(stored.memoryKiB()), int64(h.params.Memory)
	weight := (mem + unit - 1) / unit
	err = h.run(ctx, min(max(weight, 1), h.slots), func() {
		ok, needsRehash = check(stored, pw, h.params)
	})
	return ok, needsRehash, err
}

// Dummy verifies a password against a fixed hash with h's parameters and
// discards the result, so that a login for an unknown account takes as long
// as one for a known account (user-enumeration defence).
func (h *Hasher) Dummy(ctx context.Context) error {
	return h.run(ctx, 1, func() { h.dummy.verify([]byte("dummy password")) })
}

// RetryAfter estimates how long a caller refused with ErrBusy should wait:
// the time to work through the current queue at the measured speed, rounded
// up to whole seconds and at least one second.
func (h *Hasher) RetryAfter() time.Duration {
	rounds := (h.waiting.Load() + h.slots) / h.slots
	d := time.Duration(rounds * h.avgNanos.Load())
	secs := (d + time.Second - 1) / time.Second
	return max(1, secs) * time.Second
}

// run calls f once weight slots are free, waiting in the queue if there is
// room in it.
func (h *Hasher) run(ctx context.Context, weight int64, f func()) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if !h.sem.TryAcquire(weight) {
		if h.waiting.Add(1) > h.queueLen {
			h.waiting.Add(-1)
			return ErrBusy
		}
		err := h.sem.Acquire(ctx, weight)
		h.waiting.Add(-1)
		if err != nil {
			return err
		}
	}
	defer h.sem.Release(weight)
	start := time.Now()
	if h.running != nil {
		h.running()
	}
	f()
	h.record(time.Since(start))
	return nil
}

// record folds one operation's duration into the moving average, with a
// weight of 1/8 for the newest sample.
func (h *Hasher) record(d time.Duration) {
	for {
		old := h.avgNanos.Load()
		next := int64(d)
		if old != 0 {
			next = old + (int64(d)-old)/8
		}
		if h.avgNanos.CompareAndSwap(old, next) {
			return
		}
	}
}
