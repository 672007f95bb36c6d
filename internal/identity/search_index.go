package identity

import (
	"context"
	"errors"

	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/keyring"
)

// searchScheme is the version of the search tokens searchTokens writes.
// Raise it whenever the tokens change: the server then re-indexes every
// account once (ReindexSearch).
//
//	1: e-mail, phone, name words, whole name, pairs of words
//	2: and triples of words
const searchScheme = 2

// reindexBatch is the number of accounts re-indexed per transaction.
const reindexBatch = 200

// ReindexSearch brings the search tokens to this code's scheme. When the
// scheme recorded in the database is older (0 on an installation whose
// accounts predate the console's search), it recomputes the tokens of
// every account, a batch per transaction in id order, and then records
// the scheme; otherwise it does nothing. It returns how many accounts it
// indexed, calling progress after each batch.
//
// It is safe while the server runs, and on several nodes at once: an
// account written meanwhile gets current tokens from its own write, and
// indexing an account twice gives the same tokens. Accounts whose data
// key was destroyed (erased) are left without tokens.
func (s *Service) ReindexSearch(ctx context.Context, progress func(done int)) (int, error) {
	var version int
	if err := s.db.Read(ctx, func(tx *db.Tx) error {
		return tx.QueryRow(ctx, "SELECT version FROM search_scheme WHERE id = 1").Scan(&version)
	}); err != nil {
		return 0, err
	}
	if version >= searchScheme {
		s.searchIsCurrent.Store(true)
		return 0, nil
	}
	done, after := 0, ""
	for {
		n, last := 0, after
		err := s.db.Write(ctx, func(tx *db.Tx) error {
			n, last = 0, after
			rows, err := tx.Query(ctx, "SELECT "+accountColumns+" FROM accounts WHERE id > ? ORDER BY id LIMIT ?", last, reindexBatch)
			batch, err := db.Collect(rows, err, scanAccount)
			if err != nil {
				return err
			}
			sealed := make([][]byte, len(batch))
			for i, a := range batch {
				sealed[i] = a.emailSealed
			}
			if err := s.keys.Warm(ctx, tx, sealed...); err != nil {
				return err
			}
			for _, a := range batch {
				last = a.id
				n++
				acct, err := s.open(ctx, tx, a)
				if errors.Is(err, keyring.ErrKeyDestroyed) || errors.Is(err, keyring.ErrUnknownKey) {
					continue
				}
				if err != nil {
					return err
				}
				if err := s.index(ctx, tx, a.id, acct.Email, acct.Name, acct.Phone); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return done, err
		}
		done, after = done+n, last
		if n < reindexBatch {
			break
		}
		if progress != nil {
			progress(done)
		}
	}
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, "UPDATE search_scheme SET version = ? WHERE id = 1 AND version < ?", searchScheme, searchScheme)
		return err
	})
	if err == nil {
		s.searchIsCurrent.Store(true)
	}
	return done, err
}

// searchCurrent reports whether every account has this scheme's tokens.
// Once true it stays true; until then it asks the database, which another
// node's re-index may have brought up to date.
func (s *Service) searchCurrent(ctx context.Context) bool {
	if s.searchIsCurrent.Load() {
		return true
	}
	var version int
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		return tx.QueryRow(ctx, "SELECT version FROM search_scheme WHERE id = 1").Scan(&version)
	})
	if err == nil && version >= searchScheme {
		s.searchIsCurrent.Store(true)
		return true
	}
	return false
}
