package app

import "testing"

// The soft memory limit grows with the open sockets, so thousands of idle
// chats do not keep the collector running back to back.
func TestMemoryLimitCountsSockets(t *testing.T) {
	cfg := Config{HashMemoryBudget: 256 << 20}
	if got, want := memoryLimit(cfg, 0), int64(448<<20); got != want {
		t.Fatalf("no sockets: %d, want %d", got, want)
	}
	if got, want := memoryLimit(cfg, 15_000)-memoryLimit(cfg, 0), int64(15_000*64<<10); got != want {
		t.Fatalf("15,000 sockets add %d, want %d", got, want)
	}
}
