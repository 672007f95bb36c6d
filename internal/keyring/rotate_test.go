package keyring_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/db/dbtest"
	"github.com/frontdesk/frontdesk/internal/keyring"
)

// ASVS 11.2.2: rotating the master key runs online, every record stays
// readable, and the old key is then destroyed.
func TestRotateWhileAnotherProcessRuns(t *testing.T) {
	d := dbtest.Open(t)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "master.key")
	server := newKeyring(t, d, path)
	cli := newKeyring(t, d, path)
	before, _ := os.ReadFile(path)

	const n = 1200 // more than two batches
	cts := make([][]byte, n)
	for i := range cts {
		cts[i] = seal(t, d, server, fmt.Sprintf("account:%d", i), []byte(fmt.Sprintf("value %d", i)), nil)
	}
	index := server.BlindIndex("email", "a@example.com")

	var calls int
	res, err := cli.Rotate(ctx, d, keyring.RotateOptions{Progress: func(done, total int) { calls++ }})
	if err != nil {
		t.Fatal(err)
	}
	if res.Rewrapped != n+1 { // the subjects and the blind-index key
		t.Fatalf("re-wrapped %d data keys, want %d", res.Rewrapped, n+1)
	}
	if calls == 0 {
		t.Fatal("no progress reported")
	}
	after, _ := os.ReadFile(path)
	if bytes.Equal(before, after) || strings.Contains(string(after), strings.TrimSpace(lastLine(before))) {
		t.Fatal("the old master key is still in the key file")
	}

	// The running server reads old data and creates new keys under the new master.
	for i, ct := range cts {
		got, err := open(d, server, ct, nil)
		if err != nil || string(got) != fmt.Sprintf("value %d", i) {
			t.Fatalf("after rotation, value %d: %q, %v", i, got, err)
		}
	}
	fresh := seal(t, d, server, "account:new", []byte("new"), nil)
	var master string
	d.Read(ctx, func(tx *db.Tx) error {
		return tx.QueryRow(ctx, `SELECT master_key_id FROM data_keys WHERE subject = 'account:new'`).Scan(&master)
	})
	if master != res.NewMasterID {
		t.Fatalf("new data key wrapped by %s, want the new master %s", master, res.NewMasterID)
	}

	// A process started after the rotation, with only the new key, reads everything.
	later := newKeyring(t, d, path)
	if got, err := open(d, later, fresh, nil); err != nil || string(got) != "new" {
		t.Fatalf("later process: %q, %v", got, err)
	}
	if got, err := open(d, later, cts[0], nil); err != nil || string(got) != "value 0" {
		t.Fatalf("later process, old value: %q, %v", got, err)
	}
	if !bytes.Equal(index, later.BlindIndex("email", "a@example.com")) {
		t.Fatal("blind index changed with the master key")
	}

	// The old master file alone no longer opens anything.
	oldPath := filepath.Join(t.TempDir(), "old.key")
	os.WriteFile(oldPath, before, 0o600)
	if _, err := keyring.New(ctx, d, keyring.Options{MasterKeyFile: oldPath}); err == nil {
		t.Fatal("the retired master key still starts the keyring")
	}
}

func lastLine(b []byte) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return lines[len(lines)-1]
}
