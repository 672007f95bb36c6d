// Package audittest gives tests a keyring, an audit signer and an audit log
// over a test database, with their key files in a temporary directory.
package audittest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/keyring"
)

// Kit is what a feature package's tests need to write audited changes.
type Kit struct {
	Keys   *keyring.Keyring
	Signer *audit.Signer
	Log    *audit.Log
}

// New creates a master key and a signing key in a temporary directory and
// returns the kit over d.
func New(t testing.TB, d *db.DB, checkpointEvery int) *Kit {
	t.Helper()
	dir := t.TempDir()
	keys, err := keyring.New(context.Background(), d, keyring.Options{MasterKeyFile: filepath.Join(dir, "master.key"), Create: true})
	if err != nil {
		t.Fatal(err)
	}
	signer, err := audit.LoadSigner(filepath.Join(dir, "audit-ed25519.key"))
	if err != nil {
		t.Fatal(err)
	}
	return &Kit{Keys: keys, Signer: signer, Log: audit.New(keys, signer, audit.Options{CheckpointEvery: checkpointEvery})}
}
