package audit

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Signer signs checkpoints with an Ed25519 key kept in the data directory,
// apart from the database: someone who can rewrite the database cannot forge
// a checkpoint.
type Signer struct {
	key ed25519.PrivateKey
	id  string
}

// LoadSigner reads the key file (a base64 Ed25519 seed), creating it with
// mode 0600 when it does not exist.
func LoadSigner(path string) (*Signer, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		seed := make([]byte, ed25519.SeedSize)
		if _, err := rand.Read(seed); err != nil {
			return nil, err
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("audit: create key directory: %w", err)
		}
		text := "# Frontdesk audit checkpoint signing key (Ed25519 seed, base64)\n" + base64.StdEncoding.EncodeToString(seed) + "\n"
		// O_EXCL: two processes starting together must not both create a key.
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, os.ErrExist) {
			return LoadSigner(path)
		}
		if err != nil {
			return nil, fmt.Errorf("audit: create signing key: %w", err)
		}
		if _, err := f.WriteString(text); err != nil {
			f.Close()
			return nil, fmt.Errorf("audit: write signing key: %w", err)
		}
		if err := f.Close(); err != nil {
			return nil, fmt.Errorf("audit: write signing key: %w", err)
		}
		return signerFromSeed(seed), nil
	}
	if err != nil {
		return nil, fmt.Errorf("audit: read signing key: %w", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		seed, err := base64.StdEncoding.DecodeString(line)
		if err != nil || len(seed) != ed25519.SeedSize {
			return nil, fmt.Errorf("audit: %s does not hold a base64 Ed25519 seed", path)
		}
		return signerFromSeed(seed), nil
	}
	return nil, fmt.Errorf("audit: %s holds no key", path)
}

func signerFromSeed(seed []byte) *Signer {
	key := ed25519.NewKeyFromSeed(seed)
	sum := sha256.Sum256(key.Public().(ed25519.PublicKey))
	return &Signer{key: key, id: hex.EncodeToString(sum[:8])}
}

// KeyID identifies the signing key.
func (s *Signer) KeyID() string { return s.id }

func checkpointMessage(seq int64, hash []byte) []byte {
	msg := make([]byte, 0, 32+8+len(hash))
	msg = append(msg, "frontdesk-audit-checkpoint-v1\x00"...)
	msg = binary.BigEndian.AppendUint64(msg, uint64(seq))
	return append(msg, hash...)
}

func (s *Signer) sign(seq int64, hash []byte) []byte {
	return ed25519.Sign(s.key, checkpointMessage(seq, hash))
}

func (s *Signer) verify(keyID string, seq int64, hash, sig []byte) bool {
	return keyID == s.id && ed25519.Verify(s.key.Public().(ed25519.PublicKey), checkpointMessage(seq, hash), sig)
}

// SignBlob signs msg for a purpose other than checkpoints, such as a backup
// manifest. The domain is signed with it, so a signature made for one
// purpose never verifies for another.
func (s *Signer) SignBlob(domain string, msg []byte) []byte {
	return ed25519.Sign(s.key, blobMessage(domain, msg))
}

// VerifyBlob checks a signature made by SignBlob with this signer's key.
func (s *Signer) VerifyBlob(keyID, domain string, msg, sig []byte) bool {
	return keyID == s.id && ed25519.Verify(s.key.Public().(ed25519.PublicKey), blobMessage(domain, msg), sig)
}

func blobMessage(domain string, msg []byte) []byte {
	sum := sha256.Sum256(msg)
	out := make([]byte, 0, len(domain)+1+len(sum))
	out = append(out, domain...)
	out = append(out, 0)
	return append(out, sum[:]...)
}
