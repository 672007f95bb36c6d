package app

import (
	"context"
	"testing"
	"testing/synctest"
	"time"
)

// TestEvery runs in a synctest bubble: time moves only when every
// goroutine of the bubble waits, so the test takes no real time.
func TestEvery(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		var at []time.Duration
		start := time.Now()
		done := make(chan struct{})
		go func() {
			every(ctx, time.Minute, func(context.Context) { at = append(at, time.Since(start)) })
			close(done)
		}()

		synctest.Wait()
		if len(at) != 0 {
			t.Fatalf("called at start: %v", at)
		}
		time.Sleep(3*time.Minute + time.Second)
		synctest.Wait()
		want := []time.Duration{time.Minute, 2 * time.Minute, 3 * time.Minute}
		if len(at) != len(want) || at[0] != want[0] || at[1] != want[1] || at[2] != want[2] {
			t.Fatalf("called at %v, want %v", at, want)
		}

		cancel()
		<-done
		time.Sleep(5 * time.Minute)
		if len(at) != 3 {
			t.Fatalf("called after the context ended: %v", at)
		}
	})
}

// TestEverySlowCall: a call longer than the interval delays the next
// instead of stacking calls up.
func TestEverySlowCall(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		calls := 0
		done := make(chan struct{})
		go func() {
			every(ctx, time.Minute, func(context.Context) {
				calls++
				time.Sleep(150 * time.Second) // two and a half intervals
			})
			close(done)
		}()
		// Calls start at 1:00, 3:30 (the tick of 3:00 waited) and 6:00.
		time.Sleep(7 * time.Minute)
		synctest.Wait()
		if calls != 3 {
			t.Fatalf("%d calls in 7 minutes, want 3", calls)
		}
		cancel()
		<-done
	})
}
