// Package keyring holds Frontdesk's keys: master keys kept outside the
// database, per-subject data keys wrapped by them, AES-256-GCM sealing with a
// key id and format version in every ciphertext, and keyed blind indexes for
// looking up encrypted values.
package keyring

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// masterKey is a 256-bit key-encryption key.
type masterKey struct {
	id  string
	key []byte
}

func newMasterKey(raw []byte) masterKey {
	sum := sha256.Sum256(append([]byte("frontdesk master key id\x00"), raw...))
	return masterKey{id: hex.EncodeToString(sum[:8]), key: raw}
}

// readMasterFile parses a master key file: one base64-encoded 32-byte key a
// line; blank lines and lines starting with '#' are ignored.
func readMasterFile(path string) ([]masterKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var keys []masterKey
	sc := bufio.NewScanner(bytes.NewReader(b))
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		raw, err := base64.StdEncoding.DecodeString(text)
		if err != nil || len(raw) != 32 {
			return nil, fmt.Errorf("keyring: %s line %d: a master key is 32 random bytes in base64 (e.g. head -c 32 /dev/urandom | base64)", path, line)
		}
		keys = append(keys, newMasterKey(raw))
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("keyring: %s holds no master key", path)
	}
	return keys, nil
}

// writeMasterFile replaces the file atomically with mode 0600.
func writeMasterFile(path string, keys []masterKey) error {
	var b bytes.Buffer
	b.WriteString("# Frontdesk master keys (base64, 32 bytes each). Keep this file secret and backed up apart from the database.\n")
	for _, k := range keys {
		fmt.Fprintf(&b, "# id %s\n%s\n", k.id, base64.StdEncoding.EncodeToString(k.key))
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("keyring: create key directory: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".master-*.tmp")
	if err != nil {
		return fmt.Errorf("keyring: write master key file: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("keyring: write master key file: %w", err)
	}
	if _, err := tmp.Write(b.Bytes()); err != nil {
		tmp.Close()
		return fmt.Errorf("keyring: write master key file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("keyring: write master key file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("keyring: write master key file: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("keyring: write master key file: %w", err)
	}
	return nil
}

func generateMasterKey() (masterKey, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return masterKey{}, fmt.Errorf("keyring: generate master key: %w", err)
	}
	return newMasterKey(raw), nil
}

// loadOrCreateMasterFile reads the master key file, creating it with one new
// key when it is absent and create is set.
func loadOrCreateMasterFile(path string, create bool) ([]masterKey, error) {
	keys, err := readMasterFile(path)
	if errors.Is(err, os.ErrNotExist) && create {
		k, err := generateMasterKey()
		if err != nil {
			return nil, err
		}
		if err := writeMasterFile(path, []masterKey{k}); err != nil {
			return nil, err
		}
		return []masterKey{k}, nil
	}
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("keyring: master key file %s does not exist", path)
	}
	return keys, err
}
