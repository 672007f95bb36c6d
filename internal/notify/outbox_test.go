package notify

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
)

var outboxName = regexp.MustCompile(`^([0-9]+)-([0-9a-f]{16})\.eml$`)

func TestOutbox(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data", "outbox")
	m := newTestMailer(t, Config{OutboxDir: dir}, nil)
	if m.Destination() != "outbox "+dir {
		t.Errorf("Destination = %q", m.Destination())
	}
	info, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o700 {
		t.Errorf("outbox dir mode = %v, want 0700", info.Mode().Perm())
	}

	ids := map[string]sendCase{}
	for _, tc := range sendCases {
		id, err := m.Send(context.Background(), tc.msg)
		if err != nil {
			t.Fatalf("%s: Send: %v", tc.name, err)
		}
		ids[id] = tc
	}

	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(sendCases) {
		t.Fatalf("outbox has %d entries, want %d (no temporary files)", len(entries), len(sendCases))
	}
	for _, e := range entries {
		match := outboxName.FindStringSubmatch(e.Name())
		if match == nil {
			t.Fatalf("file name %q does not match <unix-nanos>-<hex id>.eml", e.Name())
		}
		if match[1] != strconv.FormatInt(testNow.UnixNano(), 10) {
			t.Errorf("file name %q does not start with the clock's unix nanoseconds", e.Name())
		}
		info, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm() != 0o600 {
			t.Errorf("%s mode = %v, want 0600", e.Name(), info.Mode().Perm())
		}
		raw, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		id := parseMail(t, raw).header.Get("Message-ID")
		tc, ok := ids[id]
		if !ok {
			t.Fatalf("%s has unexpected Message-ID %q", e.Name(), id)
		}
		checkMessage(t, raw, id, tc)
	}
}

func TestOutboxRecreatesDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "outbox")
	m := newTestMailer(t, Config{OutboxDir: dir}, nil)
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Send(context.Background(), sendCases[0].msg); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("outbox has %d files, want 1", len(entries))
	}
}
