package keyring

import (
	"context"
	"encoding/hex"
	"fmt"

	"github.com/frontdesk/frontdesk/internal/db"
)

// RotateOptions configure Rotate.
type RotateOptions struct {
	// KeepOld leaves the retired master keys in the key file; by default they
	// are removed once no data key needs them.
	KeepOld bool
	// BatchSize is the number of data keys re-wrapped per transaction.
	BatchSize int
	// Progress is called after each batch.
	Progress func(done, total int)
}

// RotateResult reports what Rotate did.
type RotateResult struct {
	NewMasterID string
	OldMasterID string
	Rewrapped   int
}

// Rotate generates a new master key, makes it the active one, and re-wraps
// every data key under it while servers keep running: they re-read the key
// file when they meet the new key id. The data keys themselves, and so every
// sealed value and blind index, stay the same.
func (k *Keyring) Rotate(ctx context.Context, d *db.DB, opts RotateOptions) (RotateResult, error) {
	if opts.BatchSize <= 0 {
		opts.BatchSize = 500
	}
	var res RotateResult
	keys, err := readMasterFile(k.path)
	if err != nil {
		return res, err
	}
	mk, err := generateMasterKey()
	if err != nil {
		return res, err
	}
	// The new key reaches the file before any data key depends on it.
	if err := writeMasterFile(k.path, append(keys, mk)); err != nil {
		return res, err
	}
	k.mu.Lock()
	k.masters[mk.id] = mk
	k.mu.Unlock()
	res.NewMasterID = mk.id

	var total int
	err = d.Write(ctx, func(tx *db.Tx) error {
		// The exclusive lock waits for transactions that are creating a data
		// key under the old master; those after it see the new one.
		if err := tx.QueryRow(ctx, `SELECT active_master_id FROM keyring_state WHERE id = 1`+tx.ForUpdate()).Scan(&res.OldMasterID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE keyring_state SET active_master_id = ? WHERE id = 1`, mk.id); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return res, fmt.Errorf("keyring: switch active master key: %w", err)
	}
	err = d.Read(ctx, func(tx *db.Tx) error {
		return tx.QueryRow(ctx, `SELECT COUNT(*) FROM data_keys WHERE master_key_id <> ? AND wrapped IS NOT NULL`, mk.id).Scan(&total)
	})
	if err != nil {
		return res, fmt.Errorf("keyring: count data keys: %w", err)
	}
	for {
		n, err := k.rewrapBatch(ctx, d, mk, opts.BatchSize)
		if err != nil {
			return res, err
		}
		if n == 0 {
			break
		}
		res.Rewrapped += n
		if opts.Progress != nil {
			opts.Progress(res.Rewrapped, max(total, res.Rewrapped))
		}
	}
	if !opts.KeepOld {
		if err := writeMasterFile(k.path, []masterKey{mk}); err != nil {
			return res, err
		}
	}
	return res, nil
}

func (k *Keyring) rewrapBatch(ctx context.Context, d *db.DB, mk masterKey, limit int) (int, error) {
	n := 0
	err := d.Write(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+wrappedKeyColumns+` FROM data_keys
			WHERE master_key_id <> ? AND wrapped IS NOT NULL ORDER BY id LIMIT ?`+tx.ForUpdate(), mk.id, limit)
		batch, err := db.Collect(rows, err, scanWrappedKey)
		if err != nil {
			return err
		}
		for _, r := range batch {
			var id KeyID
			b, err := hex.DecodeString(r.id)
			if err != nil || len(b) != keyIDLen {
				return fmt.Errorf("data key id %q is malformed", r.id)
			}
			copy(id[:], b)
			old, err := k.master(r.master)
			if err != nil {
				return err
			}
			raw, err := unwrap(old, id, r.subject, r.wrapped)
			if err != nil {
				return err
			}
			wrapped, err := wrap(mk, id, r.subject, raw)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE data_keys SET master_key_id = ?, wrapped = ? WHERE id = ?`, mk.id, wrapped, r.id); err != nil {
				return err
			}
		}
		n = len(batch)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("keyring: re-wrap data keys: %w", err)
	}
	return n, nil
}
