package keyring_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/db/dbtest"
	"github.com/frontdesk/frontdesk/internal/keyring"
)

func newKeyring(t *testing.T, d *db.DB, path string) *keyring.Keyring {
	t.Helper()
	k, err := keyring.New(context.Background(), d, keyring.Options{MasterKeyFile: path, Create: true})
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func seal(t *testing.T, d *db.DB, k *keyring.Keyring, subject string, pt, aad []byte) []byte {
	t.Helper()
	var ct []byte
	err := d.Write(context.Background(), func(tx *db.Tx) error {
		dk, err := k.DataKey(context.Background(), tx, subject)
		if err != nil {
			return err
		}
		ct = dk.Seal(pt, aad)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ct
}

func open(d *db.DB, k *keyring.Keyring, ct, aad []byte) ([]byte, error) {
	var pt []byte
	err := d.Read(context.Background(), func(tx *db.Tx) (err error) {
		pt, err = k.Open(context.Background(), tx, ct, aad)
		return err
	})
	return pt, err
}

func TestMasterKeyFileCreatedPrivate(t *testing.T) {
	d := dbtest.Open(t)
	path := filepath.Join(t.TempDir(), "keys", "master.key")
	newKeyring(t, d, path)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("master key file mode %v, want 0600", fi.Mode().Perm())
	}
}

func TestConfiguredMasterKeyFileMustExist(t *testing.T) {
	d := dbtest.Open(t)
	_, err := keyring.New(context.Background(), d, keyring.Options{MasterKeyFile: filepath.Join(t.TempDir(), "absent")})
	if err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("err = %v, want a clear 'does not exist'", err)
	}
}

func TestWrongMasterKeyFileRefused(t *testing.T) {
	d := dbtest.Open(t)
	dir := t.TempDir()
	newKeyring(t, d, filepath.Join(dir, "a.key"))
	_, err := keyring.New(context.Background(), d, keyring.Options{MasterKeyFile: filepath.Join(dir, "b.key"), Create: true})
	if err == nil || !strings.Contains(err.Error(), "lacks master key") {
		t.Fatalf("err = %v, want a refusal naming the missing master key", err)
	}
}

func TestSealOpen(t *testing.T) {
	d := dbtest.Open(t)
	k := newKeyring(t, d, filepath.Join(t.TempDir(), "master.key"))
	pt := []byte("Nguyễn Văn An, +84912345678")
	aad := []byte("accounts.name:42")
	ct := seal(t, d, k, "account:42", pt, aad)
	if bytes.Contains(ct, pt) {
		t.Fatal("ciphertext contains the plaintext")
	}
	got, err := open(d, k, ct, aad)
	if err != nil || !bytes.Equal(got, pt) {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if _, err := open(d, k, ct, []byte("accounts.name:43")); !errors.Is(err, keyring.ErrTampered) {
		t.Fatalf("Open with other aad = %v, want ErrTampered", err)
	}
	other := seal(t, d, k, "account:43", pt, aad)
	idA, _ := keyring.CiphertextKeyID(ct)
	idB, _ := keyring.CiphertextKeyID(other)
	if idA == idB {
		t.Fatal("two subjects share a data key")
	}
}

// ASVS 11.3.1–11.3.3: flipping any byte of a stored ciphertext fails with an
// error, never garbage.
func TestTamperedByteFailsToOpen(t *testing.T) {
	d := dbtest.Open(t)
	k := newKeyring(t, d, filepath.Join(t.TempDir(), "master.key"))
	pt := []byte("secret value")
	ct := seal(t, d, k, "account:1", pt, nil)
	for i := range ct {
		bad := bytes.Clone(ct)
		bad[i] ^= 0x01
		got, err := open(d, k, bad, nil)
		if err == nil {
			t.Fatalf("byte %d flipped: Open succeeded with %q", i, got)
		}
		if !errors.Is(err, keyring.ErrTampered) && !errors.Is(err, keyring.ErrMalformed) && !errors.Is(err, keyring.ErrUnknownKey) {
			t.Fatalf("byte %d flipped: unexpected error %v", i, err)
		}
	}
	if _, err := open(d, k, ct[:len(ct)-1], nil); err == nil {
		t.Fatal("truncated ciphertext opened")
	}
}

// ASVS 11.3.4: a GCM nonce never repeats under one key.
func TestNoNonceRepeatsInAMillionSeals(t *testing.T) {
	d := dbtest.Open(t)
	k := newKeyring(t, d, filepath.Join(t.TempDir(), "master.key"))
	var dk *keyring.DataKey
	err := d.Write(context.Background(), func(tx *db.Tx) (err error) {
		dk, err = k.DataKey(context.Background(), tx, "account:n")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	const n = 1_000_000
	seen := make(map[[12]byte]struct{}, n)
	for i := 0; i < n; i++ {
		ct := dk.Seal([]byte("x"), nil)
		var nonce [12]byte
		copy(nonce[:], ct[17:29])
		if _, dup := seen[nonce]; dup {
			t.Fatalf("nonce repeated after %d seals", i)
		}
		seen[nonce] = struct{}{}
	}
}

// GDPR 17 (crypto-shredding): a destroyed key cannot open old data, and the
// subject does not silently get a new key.
func TestDestroyedKeyCannotOpen(t *testing.T) {
	d := dbtest.Open(t)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "master.key")
	k := newKeyring(t, d, path)
	ct := seal(t, d, k, "account:7", []byte("to be forgotten"), nil)
	keep := seal(t, d, k, "account:8", []byte("to be kept"), nil)
	// Opened once, the key sits in the cache: Destroy must evict it.
	if _, err := open(d, k, ct, nil); err != nil {
		t.Fatal(err)
	}
	if err := d.Write(ctx, func(tx *db.Tx) error { return k.Destroy(ctx, tx, "account:7") }); err != nil {
		t.Fatal(err)
	}
	if _, err := open(d, k, ct, nil); !errors.Is(err, keyring.ErrKeyDestroyed) {
		t.Fatalf("Open after destroy = %v, want ErrKeyDestroyed", err)
	}
	err := d.Write(ctx, func(tx *db.Tx) error { _, err := k.DataKey(ctx, tx, "account:7"); return err })
	if !errors.Is(err, keyring.ErrKeyDestroyed) {
		t.Fatalf("DataKey after destroy = %v, want ErrKeyDestroyed", err)
	}
	if got, err := open(d, k, keep, nil); err != nil || string(got) != "to be kept" {
		t.Fatalf("another subject's data: %q, %v", got, err)
	}
	// A second keyring (another process) sees the same.
	k2 := newKeyring(t, d, path)
	if _, err := open(d, k2, ct, nil); !errors.Is(err, keyring.ErrKeyDestroyed) {
		t.Fatalf("other process: %v", err)
	}
}

func TestBlindIndex(t *testing.T) {
	d := dbtest.Open(t)
	k := newKeyring(t, d, filepath.Join(t.TempDir(), "master.key"))
	a := k.BlindIndex("email", "an@example.com")
	if len(a) != 32 {
		t.Fatalf("blind index is %d bytes, want 32 (ASVS 11.4.3)", len(a))
	}
	if !bytes.Equal(a, k.BlindIndex("email", "an@example.com")) {
		t.Fatal("blind index is not deterministic")
	}
	if bytes.Equal(a, k.BlindIndex("phone", "an@example.com")) {
		t.Fatal("purposes do not separate indexes")
	}
	other := newKeyring(t, dbtest.Open(t), filepath.Join(t.TempDir(), "master.key"))
	if bytes.Equal(a, other.BlindIndex("email", "an@example.com")) {
		t.Fatal("two installations share a blind-index key")
	}
}

func TestConcurrentDataKeyCreationYieldsOneKey(t *testing.T) {
	d := dbtest.Open(t)
	k := newKeyring(t, d, filepath.Join(t.TempDir(), "master.key"))
	ids := make([]keyring.KeyID, 8)
	var wg sync.WaitGroup
	errs := make(chan error, len(ids))
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- d.Write(context.Background(), func(tx *db.Tx) error {
				dk, err := k.DataKey(context.Background(), tx, "account:race")
				if err == nil {
					ids[i] = dk.ID
				}
				return err
			})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range ids[1:] {
		if id != ids[0] {
			t.Fatalf("subject got two data keys: %v and %v", ids[0], id)
		}
	}
}

// Warm loads many subjects' keys in one query so their ciphertexts open
// from the cache; destroyed keys stay out.
func TestWarm(t *testing.T) {
	d := dbtest.Open(t)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "master.key")
	k := newKeyring(t, d, path)
	var cts [][]byte
	for _, s := range []string{"account:1", "account:2", "account:3"} {
		cts = append(cts, seal(t, d, k, s, []byte(s), nil))
	}
	if err := d.Write(ctx, func(tx *db.Tx) error { return k.Destroy(ctx, tx, "account:3") }); err != nil {
		t.Fatal(err)
	}
	cold := newKeyring(t, d, path) // another process: nothing cached
	if _, ok, _ := cold.OpenCached(cts[0], nil); ok {
		t.Fatal("cached before Warm")
	}
	if err := d.Read(ctx, func(tx *db.Tx) error { return cold.Warm(ctx, tx, append(cts, []byte("not a ciphertext"))...) }); err != nil {
		t.Fatal(err)
	}
	for i, ct := range cts[:2] {
		pt, ok, err := cold.OpenCached(ct, nil)
		if !ok || err != nil || string(pt) != []string{"account:1", "account:2"}[i] {
			t.Fatalf("after Warm: %q %v %v", pt, ok, err)
		}
	}
	if _, ok, _ := cold.OpenCached(cts[2], nil); ok {
		t.Fatal("a destroyed key was warmed")
	}
}

// DataKeys creates the keys of many subjects at once (more than one insert
// statement's worth), keeps the key a subject already has, opens what each
// new key sealed once another process reads it from the database, and
// refuses a subject whose key was destroyed.
func TestDataKeysCreatesInBulk(t *testing.T) {
	d := dbtest.Open(t)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "master.key")
	k := newKeyring(t, d, path)
	existing := seal(t, d, k, "account:0", []byte("before"), nil)
	subjects := make([]string, 1201)
	for i := range subjects {
		subjects[i] = fmt.Sprintf("account:%d", i)
	}
	var cts [][]byte
	err := d.Write(ctx, func(tx *db.Tx) error {
		keys, err := k.DataKeys(ctx, tx, append(subjects, subjects[7])) // a repeat is one subject
		if err != nil {
			return err
		}
		if len(keys) != len(subjects) {
			return fmt.Errorf("%d keys for %d subjects", len(keys), len(subjects))
		}
		for _, s := range subjects {
			cts = append(cts, keys[s].Seal([]byte(s), []byte("aad")))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var stored int
	if err := d.Read(ctx, func(tx *db.Tx) error {
		return tx.QueryRow(ctx, "SELECT COUNT(*) FROM data_keys WHERE subject LIKE 'account:%'").Scan(&stored)
	}); err != nil {
		t.Fatal(err)
	}
	if stored != len(subjects) {
		t.Fatalf("%d data keys stored, want %d", stored, len(subjects))
	}
	other := newKeyring(t, d, path) // another process: nothing cached
	if pt, err := open(d, other, existing, nil); err != nil || string(pt) != "before" {
		t.Fatalf("the key account:0 had before: %q, %v", pt, err)
	}
	for i, ct := range cts {
		if pt, err := open(d, other, ct, []byte("aad")); err != nil || string(pt) != subjects[i] {
			t.Fatalf("%s: %q, %v", subjects[i], pt, err)
		}
	}
	// A second call finds every key: the same ids, nothing new stored.
	err = d.Write(ctx, func(tx *db.Tx) error {
		keys, err := other.DataKeys(ctx, tx, subjects)
		if err != nil {
			return err
		}
		for i, s := range subjects {
			if id, _ := keyring.CiphertextKeyID(cts[i]); keys[s].ID != id {
				return fmt.Errorf("%s: key %v, sealed with %v", s, keys[s].ID, id)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Write(ctx, func(tx *db.Tx) error { return k.Destroy(ctx, tx, "account:5") }); err != nil {
		t.Fatal(err)
	}
	err = d.Write(ctx, func(tx *db.Tx) error { _, err := k.DataKeys(ctx, tx, []string{"account:5", "account:new"}); return err })
	if !errors.Is(err, keyring.ErrKeyDestroyed) {
		t.Fatalf("DataKeys with a destroyed subject = %v, want ErrKeyDestroyed", err)
	}
}

// Transactions creating the same subjects' keys at once end with one key
// per subject, and every caller gets that key.
func TestConcurrentDataKeysYieldOneKeyEach(t *testing.T) {
	d := dbtest.Open(t)
	k := newKeyring(t, d, filepath.Join(t.TempDir(), "master.key"))
	subjects := []string{"account:a", "account:b", "account:c"}
	got := make([]map[string]*keyring.DataKey, 6)
	var wg sync.WaitGroup
	errs := make(chan error, len(got))
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- d.Write(context.Background(), func(tx *db.Tx) (err error) {
				got[i], err = k.DataKeys(context.Background(), tx, subjects)
				return err
			})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range subjects {
		for _, m := range got[1:] {
			if m[s].ID != got[0][s].ID {
				t.Fatalf("%s got two data keys: %v and %v", s, got[0][s].ID, m[s].ID)
			}
		}
	}
}
