package app

import (
	"context"
	"time"
)

// every calls fn each interval until ctx ends. A call that outlasts the
// interval delays the next one instead of stacking calls up (a ticker
// drops the ticks it cannot deliver), so a slow sweep never runs twice at
// once on a node.
func every(ctx context.Context, interval time.Duration, fn func(context.Context)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			fn(ctx)
		}
	}
}
