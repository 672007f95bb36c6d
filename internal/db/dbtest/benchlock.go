//go:build unix

package dbtest

import (
	"os"
	"syscall"
	"testing"
)

// BenchLock holds the file named by FRONTDESK_BENCH_LOCK while a
// benchmark times its queries, so that runs on both databases can seed at
// the same time and still be measured one at a time. It returns nil when
// the variable is unset.
func BenchLock(b testing.TB) (unlock func()) {
	path := os.Getenv("FRONTDESK_BENCH_LOCK")
	if path == "" {
		return nil
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		b.Fatal(err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		b.Fatal(err)
	}
	return func() { syscall.Flock(int(f.Fd()), syscall.LOCK_UN); f.Close() }
}
