package main

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	xargon2 "golang.org/x/crypto/argon2"

	"github.com/frontdesk/frontdesk/internal/password"
)

// rawResult is one measurement of the machine's raw Argon2id rate.
type rawResult struct {
	workers int
	hashes  int64
	elapsed time.Duration
	cpu     cpuUse
}

func (r rawResult) rate() float64 { return float64(r.hashes) / r.elapsed.Seconds() }

// measureRaw hashes with password.DefaultParams from GOMAXPROCS goroutines
// until d has passed. The time runs until the last hash started before the
// deadline has finished, so every hash counted is inside it.
func measureRaw(d time.Duration) (rawResult, error) {
	return measureHashes(d, func() error {
		_, err := password.Hash("Plum orbit lantern velvet 7!", password.DefaultParams)
		return err
	})
}

// measureRawXCrypto is measureRaw with golang.org/x/crypto/argon2.IDKey
// called directly, a fresh work area for every hash: the textbook raw rate,
// which the server's own hashing (work areas reused) may exceed.
func measureRawXCrypto(d time.Duration) (rawResult, error) {
	p := password.DefaultParams
	salt := make([]byte, p.SaltLen)
	return measureHashes(d, func() error {
		xargon2.IDKey([]byte("Plum orbit lantern velvet 7!"), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
		return nil
	})
}

func measureHashes(d time.Duration, hash func() error) (rawResult, error) {
	workers := runtime.GOMAXPROCS(0)
	var n atomic.Int64
	var firstErr error
	var errOnce sync.Once
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(d)
	for range workers {
		wg.Go(func() {
			for time.Now().Before(deadline) {
				if err := hash(); err != nil {
					errOnce.Do(func() { firstErr = err })
					return
				}
				n.Add(1)
			}
		})
	}
	wg.Wait()
	return rawResult{workers: workers, hashes: n.Load(), elapsed: time.Since(start)}, firstErr
}
