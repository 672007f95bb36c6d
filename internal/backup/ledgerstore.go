package backup

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/frontdesk/frontdesk/internal/db"
)

const (
	ledgerMagic  = "FDLEDGER1\n"
	ledgerDomain = "frontdesk-backup-ledger-v1"
	ledgerKeep   = 3
)

// PushLedger copies the erasure ledger into the repository, signed and
// sealed to the backup recipient, apart from any backup: a restore of an
// older backup reads it from there. Only the newest few copies are kept
// (each holds the whole ledger). Nothing is written when the newest copy
// already holds as many lines.
func (r *Repo) PushLedger(ctx context.Context, d *db.DB) error {
	var ledger []Erasure
	if err := d.Read(ctx, func(tx *db.Tx) (err error) { ledger, err = Erasures(ctx, tx); return err }); err != nil {
		return err
	}
	names, err := r.store.List(ctx, "ledger/")
	if err != nil {
		return err
	}
	if len(names) > 0 && strings.HasSuffix(names[len(names)-1], fmt.Sprintf("-n%d", len(ledger))) {
		return nil
	}
	body, err := json.Marshal(ledger)
	if err != nil {
		return err
	}
	sealed, err := ageSeal(r.Recipient, body)
	if err != nil {
		return err
	}
	name := fmt.Sprintf("ledger/%s-n%d", r.newID(), len(ledger))
	if err := r.store.Put(ctx, name, envelope(ledgerMagic, ledgerDomain, sealed, r.signer, r.enc)); err != nil {
		return err
	}
	for i := 0; i < len(names)-ledgerKeep+1; i++ {
		if err := r.store.Delete(ctx, names[i]); err != nil {
			return err
		}
	}
	return nil
}

// repositoryLedger reads the newest ledger copy that verifies; nil when
// the repository holds none.
func (r *Repo) repositoryLedger(ctx context.Context) ([]Erasure, error) {
	names, err := r.store.List(ctx, "ledger/")
	if err != nil {
		return nil, err
	}
	var firstErr error
	for i := len(names) - 1; i >= 0; i-- {
		data, err := r.store.Get(ctx, names[i])
		if err != nil {
			return nil, err
		}
		sealed, err := openEnvelope(ledgerMagic, ledgerDomain, names[i], data, r.signer, r.dec)
		if err == nil {
			var body []byte
			if body, err = ageOpen(r.Identity, sealed); err != nil {
				return nil, err
			}
			var out []Erasure
			if err := json.Unmarshal(body, &out); err != nil {
				return nil, fmt.Errorf("backup: %s cannot be read", names[i])
			}
			return out, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	// A ledger that exists but does not verify must not be ignored
	// silently: erased customers would come back.
	return nil, firstErr
}
