package identity

import (
	"context"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/db/dbtest"
)

// ASVS 6.3.1: a block is never shortened by a later, shorter one, whether
// it comes from the failure limit or from another explicit block (the
// credential-stuffing hour followed by the IP's 15 minutes).
func TestShorterBlockKeepsLonger(t *testing.T) {
	clock := dbtest.NewClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	d := dbtest.OpenWith(t, dbtest.Options{Clock: clock.Now})
	ctx := context.Background()
	const window, limit = 15 * time.Minute, 3
	wait := func(key string) time.Duration {
		t.Helper()
		var w time.Duration
		if err := d.Read(ctx, func(tx *db.Tx) (err error) { w, err = blockedFor(ctx, tx, key); return err }); err != nil {
			t.Fatal(err)
		}
		return w
	}
	write := func(fn func(tx *db.Tx) error) {
		t.Helper()
		if err := d.Write(ctx, fn); err != nil {
			t.Fatal(err)
		}
	}

	write(func(tx *db.Tx) error { return block(ctx, tx, "signin:ip:192.0.2.1", time.Hour, window) })
	for range limit { // the failures that follow start a 15-minute block
		write(func(tx *db.Tx) error {
			_, err := countFailure(ctx, tx, "signin:ip:192.0.2.1", window, limit, 15*time.Minute)
			return err
		})
	}
	if w := wait("signin:ip:192.0.2.1"); w != time.Hour {
		t.Fatalf("after a 1 h block and a 15 min one: %s left, want 1h", w)
	}
	write(func(tx *db.Tx) error { return block(ctx, tx, "signin:ip:192.0.2.1", 10*time.Minute, window) })
	if w := wait("signin:ip:192.0.2.1"); w != time.Hour {
		t.Fatalf("after a later 10 min block: %s left, want 1h", w)
	}
	// A longer one still extends a shorter one.
	clock.Add(30 * time.Minute)
	write(func(tx *db.Tx) error { return block(ctx, tx, "signin:ip:192.0.2.1", time.Hour, window) })
	if w := wait("signin:ip:192.0.2.1"); w != time.Hour {
		t.Fatalf("a longer block did not extend: %s left", w)
	}
}

// The per-node cap on concurrent password checks for one source.
func TestSourceGate(t *testing.T) {
	g := newSourceGate(2)
	if !g.enter("a") || !g.enter("a") {
		t.Fatal("refused below the cap")
	}
	if g.enter("a") {
		t.Fatal("third concurrent check admitted with a cap of 2")
	}
	if !g.enter("b") {
		t.Fatal("another source refused")
	}
	g.leave("a")
	if !g.enter("a") {
		t.Fatal("place not given back")
	}
	g.leave("a")
	g.leave("a")
	g.leave("b")
	if len(g.n) != 0 {
		t.Fatalf("gate keeps %v after every check left", g.n)
	}
	if open := newSourceGate(0); !open.enter("a") || !open.enter("a") || !open.enter("a") {
		t.Fatal("a zero cap refused")
	}
}
