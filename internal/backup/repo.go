package backup

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"time"

	"filippo.io/age"
	"github.com/klauspost/compress/zstd"

	"github.com/frontdesk/frontdesk/internal/audit"
)

// Options configure a Repo.
type Options struct {
	Store Store
	// Recipient is the public key backups are encrypted to: all a server
	// needs to make them.
	Recipient age.Recipient
	// Identity is the private key that reads them: needed by verify,
	// restore and drill only.
	Identity age.Identity
	// Signer signs manifests (the audit signing key) and checks them.
	Signer *audit.Signer
	// ChunkKey keys the chunk ids; needed to make backups.
	ChunkKey []byte
	// Version is Frontdesk's version, written into manifests.
	Version string
	// Progress, if set, is told how a long job advances.
	Progress func(Progress)
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// Progress is a long job's state: bytes done of total (0 when unknown).
type Progress struct {
	Phase       string
	Done, Total int64
}

// Repo is a backup repository in a Store.
type Repo struct {
	Options
	store  Store
	signer *audit.Signer
	enc    *zstd.Encoder
	dec    *zstd.Decoder
}

// Open returns the repository in opts.Store.
func Open(opts Options) (*Repo, error) {
	if opts.Store == nil || opts.Signer == nil {
		return nil, errors.New("backup: a repository needs a store and a signer")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Progress == nil {
		opts.Progress = func(Progress) {}
	}
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedDefault), zstd.WithEncoderConcurrency(1))
	if err != nil {
		return nil, err
	}
	dec, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1))
	if err != nil {
		return nil, err
	}
	return &Repo{Options: opts, store: opts.Store, signer: opts.Signer, enc: enc, dec: dec}, nil
}

// Target returns where the repository is.
func (r *Repo) Target() Store { return r.store }

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// newID returns a backup id that sorts by time, to the microsecond.
func (r *Repo) newID() string {
	return r.Now().UTC().Format("20060102T150405.000000Z") + "-" + randomHex(3)
}
