package keyring

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/frontdesk/frontdesk/internal/db"
)

// blindIndexSubject owns the data key from which blind-index keys derive. It
// is stored like any data key, so master-key rotation re-wraps it too, and
// its value never changes: indexes stay valid across rotations.
const blindIndexSubject = "system:blind-index"

// Keyring gives access to data keys. It is safe for concurrent use, and
// several processes (servers, the CLI) may share one master key file and one
// database: a process that meets a master key it has not loaded re-reads the
// file.
type Keyring struct {
	path string

	mu      sync.RWMutex
	masters map[string]masterKey

	blind []byte

	cache keyCache
}

// Options configure New.
type Options struct {
	// MasterKeyFile holds the master keys.
	MasterKeyFile string
	// Create generates the file with a new key if it does not exist.
	// Set only for the default location in the data directory; a configured
	// FRONTDESK_MASTER_KEY_FILE that is missing is an error.
	Create bool
}

// New loads the master keys, checks that they open every data key the
// database references, and loads the blind-index key (creating it on first
// start).
func New(ctx context.Context, d *db.DB, opts Options) (*Keyring, error) {
	keys, err := loadOrCreateMasterFile(opts.MasterKeyFile, opts.Create)
	if err != nil {
		return nil, err
	}
	k := &Keyring{path: opts.MasterKeyFile, masters: make(map[string]masterKey)}
	for _, mk := range keys {
		k.masters[mk.id] = mk
	}
	err = d.Write(ctx, func(tx *db.Tx) error {
		var active string
		err := tx.QueryRow(ctx, `SELECT active_master_id FROM keyring_state WHERE id = 1`).Scan(&active)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if _, err := tx.Exec(ctx, `INSERT INTO keyring_state (id, active_master_id) VALUES (1, ?)`, keys[0].id); err != nil {
				return err
			}
		case err != nil:
			return err
		}
		if err := k.checkCoverage(ctx, tx); err != nil {
			return err
		}
		bk, err := k.DataKey(ctx, tx, blindIndexSubject)
		if err != nil {
			return err
		}
		k.blind = blindIndexKey(bk.raw)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("keyring: %w", err)
	}
	return k, nil
}

// checkCoverage refuses to start when the database has data keys wrapped by
// a master key that the key file lacks: starting would make data unreadable.
func (k *Keyring) checkCoverage(ctx context.Context, tx *db.Tx) error {
	rows, err := tx.Query(ctx, `SELECT DISTINCT master_key_id FROM data_keys WHERE wrapped IS NOT NULL
		UNION SELECT active_master_id FROM keyring_state`)
	ids, err := db.Collect(rows, err, db.Value[string])
	if err != nil {
		return err
	}
	var missing []string
	for _, id := range ids {
		if _, err := k.master(id); err != nil {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return fmt.Errorf("the master key file %s lacks master key(s) %s that the database needs; is it the right file?", k.path, strings.Join(missing, ", "))
	}
	return nil
}

// master returns a loaded master key, re-reading the file once if it is not
// loaded (another process may have rotated).
func (k *Keyring) master(id string) (masterKey, error) {
	k.mu.RLock()
	mk, ok := k.masters[id]
	k.mu.RUnlock()
	if ok {
		return mk, nil
	}
	keys, err := readMasterFile(k.path)
	if err != nil {
		return masterKey{}, err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, m := range keys {
		k.masters[m.id] = m
	}
	if mk, ok := k.masters[id]; ok {
		return mk, nil
	}
	return masterKey{}, fmt.Errorf("master key %s is not in %s", id, k.path)
}

// DataKey returns the subject's data key, creating it if the subject has none.
// It fails with ErrKeyDestroyed once the subject's key has been destroyed:
// an erased subject never gets a fresh key by accident.
func (k *Keyring) DataKey(ctx context.Context, tx *db.Tx, subject string) (*DataKey, error) {
	if subject == "" {
		return nil, errors.New("keyring: empty subject")
	}
	dk, err := k.loadBySubject(ctx, tx, subject)
	if !errors.Is(err, ErrUnknownKey) {
		return dk, err
	}
	// The shared lock on keyring_state keeps rotation from switching the
	// active master key between our read and our commit.
	var active string
	if err := tx.QueryRow(ctx, `SELECT active_master_id FROM keyring_state WHERE id = 1`+tx.ForShare()).Scan(&active); err != nil {
		return nil, fmt.Errorf("keyring: read active master key: %w", err)
	}
	mk, err := k.master(active)
	if err != nil {
		return nil, fmt.Errorf("keyring: %w", err)
	}
	var id KeyID
	raw := make([]byte, 32)
	if _, err := rand.Read(id[:]); err != nil {
		return nil, err
	}
	if _, err := rand.Read(raw); err != nil {
		return nil, err
	}
	wrapped, err := wrap(mk, id, subject, raw)
	if err != nil {
		return nil, err
	}
	res, err := tx.Exec(ctx, `INSERT INTO data_keys (id, subject, master_key_id, wrapped, created_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (subject) DO NOTHING`, id.String(), subject, mk.id, wrapped, tx.Now())
	if err != nil {
		return nil, fmt.Errorf("keyring: store data key: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		// Another transaction created it first.
		return k.loadBySubject(ctx, tx, subject)
	}
	return newDataKey(id, subject, raw)
}

func (k *Keyring) loadBySubject(ctx context.Context, tx *db.Tx, subject string) (*DataKey, error) {
	return k.load(ctx, tx, `SELECT id, subject, master_key_id, wrapped FROM data_keys WHERE subject = ?`, subject)
}

func (k *Keyring) load(ctx context.Context, tx *db.Tx, query string, arg string) (*DataKey, error) {
	var (
		idHex, subject, masterID string
		wrapped                  []byte
	)
	err := tx.QueryRow(ctx, query, arg).Scan(&idHex, &subject, &masterID, &wrapped)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrUnknownKey
	}
	if err != nil {
		return nil, fmt.Errorf("keyring: load data key: %w", err)
	}
	return k.unwrapRow(idHex, subject, masterID, wrapped)
}

// wrappedKey is a row of data_keys as the loaders read it, before unwrapping.
type wrappedKey struct {
	id, subject, master string
	wrapped             []byte
}

const wrappedKeyColumns = "id, subject, master_key_id, wrapped"

func scanWrappedKey(row db.Scanner) (w wrappedKey, err error) {
	err = row.Scan(&w.id, &w.subject, &w.master, &w.wrapped)
	return w, err
}

// unwrapRow turns a stored data_keys row into a usable key.
func (k *Keyring) unwrapRow(idHex, subject, masterID string, wrapped []byte) (*DataKey, error) {
	if wrapped == nil {
		return nil, ErrKeyDestroyed
	}
	var id KeyID
	b, err := hex.DecodeString(idHex)
	if err != nil || len(b) != keyIDLen {
		return nil, fmt.Errorf("keyring: data key id %q is malformed", idHex)
	}
	copy(id[:], b)
	mk, err := k.master(masterID)
	if err != nil {
		return nil, fmt.Errorf("keyring: %w", err)
	}
	raw, err := unwrap(mk, id, subject, wrapped)
	if err != nil {
		return nil, err
	}
	return newDataKey(id, subject, raw)
}

// Open decrypts a ciphertext sealed by any data key, checking aad.
func (k *Keyring) Open(ctx context.Context, tx *db.Tx, ciphertext, aad []byte) ([]byte, error) {
	id, err := parseHeader(ciphertext)
	if err != nil {
		return nil, err
	}
	dk := k.cache.get(id)
	if dk == nil {
		dk, err = k.load(ctx, tx, `SELECT id, subject, master_key_id, wrapped FROM data_keys WHERE id = ?`, id.String())
		if err != nil {
			return nil, err
		}
		k.cache.put(dk)
	}
	return dk.open(ciphertext, aad)
}

// OpenCached decrypts a ciphertext when its data key is in the cache,
// without touching the database; ok is false when the key is not cached.
func (k *Keyring) OpenCached(ciphertext, aad []byte) (pt []byte, ok bool, err error) {
	id, err := parseHeader(ciphertext)
	if err != nil {
		return nil, false, err
	}
	dk := k.cache.get(id)
	if dk == nil {
		return nil, false, nil
	}
	pt, err = dk.open(ciphertext, aad)
	return pt, true, err
}

// Destroy erases the subject's data key: every value sealed with it, in the
// database, in backups and in audit payloads, becomes unreadable. Destroying
// an absent or already destroyed key is not an error.
func (k *Keyring) Destroy(ctx context.Context, tx *db.Tx, subject string) error {
	return k.DestroyMany(ctx, tx, []string{subject})
}

// DestroyMany destroys the data keys of several subjects, as Destroy does,
// with one statement per 500: what a batch of erasures needs.
func (k *Keyring) DestroyMany(ctx context.Context, tx *db.Tx, subjects []string) error {
	if slices.Contains(subjects, blindIndexSubject) {
		return errors.New("keyring: the blind-index key cannot be destroyed")
	}
	const per = 500
	for start := 0; start < len(subjects); start += per {
		chunk := subjects[start:min(start+per, len(subjects))]
		args := make([]any, 0, len(chunk)+1)
		args = append(args, tx.Now())
		for _, s := range chunk {
			args = append(args, s)
		}
		_, err := tx.Exec(ctx, `UPDATE data_keys SET wrapped = NULL, destroyed_at = ? WHERE wrapped IS NOT NULL AND subject IN (?`+
			strings.Repeat(", ?", len(chunk)-1)+`)`, args...)
		if err != nil {
			return fmt.Errorf("keyring: destroy data key: %w", err)
		}
	}
	for _, s := range subjects {
		k.cache.forget(s)
	}
	return nil
}

// BlindIndex returns a keyed HMAC-SHA-256 of value for equality look-ups of
// encrypted data. purpose separates indexes ("email", "phone"), so equal
// values in different columns do not correlate. Callers normalise value first.
func (k *Keyring) BlindIndex(purpose, value string) []byte {
	m := hmac.New(sha256.New, k.blind)
	m.Write([]byte(purpose))
	m.Write([]byte{0})
	m.Write([]byte(value))
	return m.Sum(nil)
}

// DataKeys returns the data keys of several subjects with one query per
// 500, creating those that do not exist yet in multi-row inserts. Like
// DataKey, it fails with ErrKeyDestroyed when a subject's key was destroyed.
func (k *Keyring) DataKeys(ctx context.Context, tx *db.Tx, subjects []string) (map[string]*DataKey, error) {
	out := make(map[string]*DataKey, len(subjects))
	uniq := make([]string, 0, len(subjects))
	for _, s := range subjects {
		if _, dup := out[s]; !dup {
			out[s] = nil
			uniq = append(uniq, s)
		}
	}
	for start := 0; start < len(uniq); start += 500 {
		chunk := uniq[start:min(start+500, len(uniq))]
		args := make([]any, len(chunk))
		for i, s := range chunk {
			args[i] = s
		}
		rows, err := tx.Query(ctx, `SELECT `+wrappedKeyColumns+` FROM data_keys WHERE subject IN (?`+strings.Repeat(", ?", len(chunk)-1)+`)`, args...)
		found, err := db.Collect(rows, err, scanWrappedKey)
		if err != nil {
			return nil, fmt.Errorf("keyring: load data keys: %w", err)
		}
		for _, r := range found {
			dk, err := k.unwrapRow(r.id, r.subject, r.master, r.wrapped)
			if err != nil {
				return nil, err
			}
			out[r.subject] = dk
		}
	}
	var missing []string
	for _, s := range uniq {
		if out[s] == nil {
			missing = append(missing, s)
		}
	}
	if err := k.create(ctx, tx, missing, out); err != nil {
		return nil, err
	}
	return out, nil
}

// create makes data keys for subjects that have none, with multi-row
// inserts (a bulk import or a seeder creates thousands in one transaction:
// one statement per few hundred keys instead of three per key), and puts
// them in out. A subject another transaction gave a key meanwhile keeps
// that key, as with DataKey.
func (k *Keyring) create(ctx context.Context, tx *db.Tx, subjects []string, out map[string]*DataKey) error {
	if len(subjects) == 0 {
		return nil
	}
	for _, s := range subjects {
		if s == "" {
			return errors.New("keyring: empty subject")
		}
	}
	var active string
	if err := tx.QueryRow(ctx, `SELECT active_master_id FROM keyring_state WHERE id = 1`+tx.ForShare()).Scan(&active); err != nil {
		return fmt.Errorf("keyring: read active master key: %w", err)
	}
	mk, err := k.master(active)
	if err != nil {
		return fmt.Errorf("keyring: %w", err)
	}
	now := tx.Now()
	const perInsert = 500 // 2,500 parameters a statement
	for start := 0; start < len(subjects); start += perInsert {
		chunk := subjects[start:min(start+perInsert, len(subjects))]
		args := make([]any, 0, 5*len(chunk))
		made := make(map[string]*DataKey, len(chunk))
		for _, s := range chunk {
			var id KeyID
			raw := make([]byte, 32)
			if _, err := rand.Read(id[:]); err != nil {
				return err
			}
			if _, err := rand.Read(raw); err != nil {
				return err
			}
			wrapped, err := wrap(mk, id, s, raw)
			if err != nil {
				return err
			}
			dk, err := newDataKey(id, s, raw)
			if err != nil {
				return err
			}
			made[s] = dk
			args = append(args, id.String(), s, mk.id, wrapped, now)
		}
		res, err := tx.Exec(ctx, `INSERT INTO data_keys (id, subject, master_key_id, wrapped, created_at) VALUES (?, ?, ?, ?, ?)`+
			strings.Repeat(", (?, ?, ?, ?, ?)", len(chunk)-1)+` ON CONFLICT (subject) DO NOTHING`, args...)
		if err != nil {
			return fmt.Errorf("keyring: store data keys: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n != int64(len(chunk)) {
			// Some subjects got a key from another transaction first: the
			// stored keys win, read back like DataKey does.
			sargs := make([]any, len(chunk))
			for i, s := range chunk {
				sargs[i] = s
			}
			rows, err := tx.Query(ctx, `SELECT `+wrappedKeyColumns+` FROM data_keys WHERE subject IN (?`+strings.Repeat(", ?", len(chunk)-1)+`)`, sargs...)
			found, err := db.Collect(rows, err, scanWrappedKey)
			if err != nil {
				return fmt.Errorf("keyring: load data keys: %w", err)
			}
			for _, r := range found {
				if r.id == made[r.subject].ID.String() {
					continue
				}
				dk, err := k.unwrapRow(r.id, r.subject, r.master, r.wrapped)
				if err != nil {
					return err
				}
				made[r.subject] = dk
			}
		}
		for s, dk := range made {
			out[s] = dk
		}
	}
	return nil
}

// Warm loads into the cache, in one query, the data keys of every
// ciphertext whose key is not cached yet, so a page of records from many
// customers opens without a look-up per record. Keys already destroyed or
// unknown are left out: opening their ciphertexts reports it as usual.
func (k *Keyring) Warm(ctx context.Context, tx *db.Tx, ciphertexts ...[]byte) error {
	seen := map[KeyID]bool{}
	var args []any
	for _, ct := range ciphertexts {
		id, err := parseHeader(ct)
		if err != nil || seen[id] || k.cache.get(id) != nil {
			continue
		}
		seen[id] = true
		args = append(args, id.String())
	}
	for start := 0; start < len(args); start += 500 {
		chunk := args[start:min(start+500, len(args))]
		rows, err := tx.Query(ctx, `SELECT `+wrappedKeyColumns+` FROM data_keys WHERE wrapped IS NOT NULL AND id IN (?`+strings.Repeat(", ?", len(chunk)-1)+`)`, chunk...)
		found, err := db.Collect(rows, err, scanWrappedKey)
		if err != nil {
			return fmt.Errorf("keyring: load data keys: %w", err)
		}
		var loaded []*DataKey
		for _, r := range found {
			dk, err := k.unwrapRow(r.id, r.subject, r.master, r.wrapped)
			if err != nil {
				return err
			}
			loaded = append(loaded, dk)
		}
		for _, dk := range loaded {
			k.cache.put(dk)
		}
	}
	return nil
}
