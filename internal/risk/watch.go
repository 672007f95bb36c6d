package risk

import (
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// watched is a value loaded from a file and loaded again when the file
// changes (its size or modification time), checked at most once per
// interval on use. A file that fails to load keeps the value before it:
// an operator replacing the database badly never leaves the engine blind.
type watched[T any] struct {
	path     string
	load     func(path string) (T, error)
	interval time.Duration
	log      *slog.Logger
	name     string

	cur     atomic.Pointer[loaded[T]]
	mu      sync.Mutex // one reload at a time
	checked atomic.Int64
}

type loaded[T any] struct {
	v       T
	size    int64
	modTime time.Time
}

func newWatched[T any](name, path string, interval time.Duration, log *slog.Logger, load func(string) (T, error)) (*watched[T], error) {
	w := &watched[T]{path: path, load: load, interval: interval, log: log, name: name}
	if err := w.reload(); err != nil {
		return nil, err
	}
	return w, nil
}

// get returns the current value, reloading it first when the interval
// has passed and the file changed.
func (w *watched[T]) get(now time.Time) T {
	last := w.checked.Load()
	if now.UnixNano()-last >= int64(w.interval) && w.checked.CompareAndSwap(last, now.UnixNano()) {
		if err := w.reload(); err != nil {
			w.log.Warn("risk: file not reloaded; the previous version stays in use", "file", w.name, "error", err)
		}
	}
	return w.cur.Load().v
}

func (w *watched[T]) reload() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	fi, err := os.Stat(w.path)
	if err != nil {
		return err
	}
	if c := w.cur.Load(); c != nil && c.size == fi.Size() && c.modTime.Equal(fi.ModTime()) {
		return nil
	}
	v, err := w.load(w.path)
	if err != nil {
		return err
	}
	w.cur.Store(&loaded[T]{v: v, size: fi.Size(), modTime: fi.ModTime()})
	if w.log != nil {
		w.log.Info("risk: file loaded", "file", w.name, "bytes", fi.Size())
	}
	return nil
}
