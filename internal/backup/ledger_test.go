package backup_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/internal/backup"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/db/dbtest"
	"github.com/frontdesk/frontdesk/internal/keyring"
)

func newKeys(t *testing.T, d *db.DB, dir string) *keyring.Keyring {
	t.Helper()
	k, err := keyring.New(context.Background(), d, keyring.Options{MasterKeyFile: filepath.Join(dir, "master.key"), Create: true})
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// A restored database that still holds an erased customer's data key loses
// it again when the ledger is replayed, and the ledger line is kept for the
// next backup. // GDPR 17
func TestReplayErasuresDestroysRestoredKeys(t *testing.T) {
	ctx := context.Background()
	live := dbtest.Open(t)
	restored := dbtest.Open(t)
	dir := t.TempDir()
	keys := newKeys(t, restored, dir)
	var sealed []byte
	if err := restored.Write(ctx, func(tx *db.Tx) error {
		dk, err := keys.DataKey(ctx, tx, "account:canary")
		if err != nil {
			return err
		}
		sealed = dk.Seal([]byte("Canary Nguyen"), nil)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// The live database erased the customer after the backup was taken.
	if err := live.Write(ctx, func(tx *db.Tx) error {
		if err := backup.RecordErasure(ctx, tx, "account:canary"); err != nil {
			return err
		}
		return backup.RecordErasure(ctx, tx, "account:canary") // twice: the first time stays
	}); err != nil {
		t.Fatal(err)
	}
	var ledger []backup.Erasure
	if err := live.Read(ctx, func(tx *db.Tx) (err error) { ledger, err = backup.Erasures(ctx, tx); return err }); err != nil {
		t.Fatal(err)
	}
	if len(ledger) != 1 || ledger[0].Subject != "account:canary" {
		t.Fatalf("ledger = %+v, want one line for account:canary", ledger)
	}
	var hooked []string
	hook := func(_ context.Context, _ *db.Tx, subject string) error { hooked = append(hooked, subject); return nil }
	for range 2 { // a replay is idempotent
		n, err := backup.ReplayErasures(ctx, restored, keys, ledger, hook)
		if err != nil || n != 1 {
			t.Fatalf("replay = %d, %v; want 1, nil", n, err)
		}
	}
	if len(hooked) != 2 || hooked[0] != "account:canary" {
		t.Fatalf("hooks saw %v", hooked)
	}
	err := restored.Read(ctx, func(tx *db.Tx) error { _, err := keys.Open(ctx, tx, sealed, nil); return err })
	if !errors.Is(err, keyring.ErrKeyDestroyed) {
		t.Fatalf("open after replay: %v, want ErrKeyDestroyed", err)
	}
	var got []backup.Erasure
	if err := restored.Read(ctx, func(tx *db.Tx) (err error) { got, err = backup.Erasures(ctx, tx); return err }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !got[0].ErasedAt.Equal(ledger[0].ErasedAt) {
		t.Fatalf("restored ledger = %+v, want %+v", got, ledger)
	}
	if time.Since(got[0].ErasedAt) > time.Hour {
		t.Fatalf("erasure time %v is not the erasure's", got[0].ErasedAt)
	}
}

func TestRecordErasureRefusesEmptySubject(t *testing.T) {
	d := dbtest.Open(t)
	ctx := context.Background()
	err := d.Write(ctx, func(tx *db.Tx) error { return backup.RecordErasure(ctx, tx, "") })
	if err == nil {
		t.Fatal("an empty subject was recorded")
	}
}
