package backup

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"filippo.io/age"
)

// LoadOrCreateIdentity reads an age X25519 identity file (the format of
// age-keygen), creating one with mode 0600 when create is set and the file
// does not exist: the backup key pair made on first use beside the master
// key.
func LoadOrCreateIdentity(path string, create bool) (*age.X25519Identity, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) && create {
		id, err := age.GenerateX25519Identity()
		if err != nil {
			return nil, err
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("backup: create key directory: %w", err)
		}
		text := "# Frontdesk backup key (age X25519). Keep a copy apart from the backups: without it they cannot be read.\n" +
			"# public key: " + id.Recipient().String() + "\n" + id.String() + "\n"
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, os.ErrExist) {
			return LoadOrCreateIdentity(path, false)
		}
		if err != nil {
			return nil, fmt.Errorf("backup: create backup key: %w", err)
		}
		if _, err := f.WriteString(text); err != nil {
			f.Close()
			return nil, fmt.Errorf("backup: write backup key: %w", err)
		}
		return id, f.Close()
	}
	if err != nil {
		return nil, fmt.Errorf("backup: read backup key: %w", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		id, err := age.ParseX25519Identity(line)
		if err != nil {
			return nil, fmt.Errorf("backup: %s does not hold an age X25519 identity (AGE-SECRET-KEY-1…)", path)
		}
		return id, nil
	}
	return nil, fmt.Errorf("backup: %s holds no key", path)
}

// ParseRecipient reads an age X25519 public key (age1…).
func ParseRecipient(s string) (*age.X25519Recipient, error) {
	r, err := age.ParseX25519Recipient(strings.TrimSpace(s))
	if err != nil {
		return nil, fmt.Errorf("backup: the recipient %q is not an age X25519 public key (age1…)", s)
	}
	return r, nil
}
