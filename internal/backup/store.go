package backup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Store is where a repository's objects live: a directory or an S3 bucket.
// Names are slash-separated ("packs/<chain>/<sha256>"). Put is atomic: a
// reader sees the whole object or none, so a backup killed mid-way leaves
// only whole objects behind.
type Store interface {
	Put(ctx context.Context, name string, data []byte) error
	Get(ctx context.Context, name string) ([]byte, error)
	// List returns the names under prefix, sorted.
	List(ctx context.Context, prefix string) ([]string, error)
	Delete(ctx context.Context, name string) error
	// String names the store without credentials.
	String() string
	// OffSite reports whether the store is away from the data directory.
	OffSite() bool
}

// ErrNotFound is returned by Get for a missing object.
var ErrNotFound = errors.New("backup: object not found")

// OpenStore opens FRONTDESK_BACKUP_TARGET: file:///path, s3://bucket/prefix?
// endpoint=host:port (and access_key, secret_key, region, insecure=true,
// object_lock=governance|compliance with retain_days=N), or "" for
// DATA_DIR/backups.
func OpenStore(target, dataDir string) (Store, error) {
	if target == "" {
		dir := filepath.Join(dataDir, "backups")
		return &dirStore{dir: dir, local: true}, nil
	}
	u, err := url.Parse(target)
	if err != nil {
		return nil, errors.New("backup: the backup target is not a URL (file:///path or s3://bucket/prefix?endpoint=…)")
	}
	switch u.Scheme {
	case "file":
		if u.Path == "" {
			return nil, errors.New("backup: a file:// backup target needs an absolute path, e.g. file:///mnt/backups")
		}
		abs, _ := filepath.Abs(dataDir)
		local := abs != "" && (u.Path == abs || strings.HasPrefix(u.Path, abs+string(filepath.Separator)))
		return &dirStore{dir: u.Path, local: local}, nil
	case "s3":
		return openS3(u, nil)
	}
	return nil, fmt.Errorf("backup: unsupported backup target scheme %q (use file:// or s3://)", u.Scheme)
}

// dirStore keeps objects as files; Put writes a temporary file, syncs it
// and renames it into place.
type dirStore struct {
	dir   string
	local bool
}

func (s *dirStore) String() string { return "file://" + s.dir }
func (s *dirStore) OffSite() bool  { return !s.local }

func (s *dirStore) path(name string) (string, error) {
	clean := filepath.FromSlash(name)
	if name == "" || strings.Contains(name, "..") || filepath.IsAbs(clean) {
		return "", fmt.Errorf("backup: bad object name %q", name)
	}
	return filepath.Join(s.dir, clean), nil
}

func (s *dirStore) Put(_ context.Context, name string, data []byte) error {
	p, err := s.path(name)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	f, err := os.CreateTemp(filepath.Dir(p), ".tmp-*")
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), p)
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("backup: write %s: %w", name, err)
	}
	return nil
}

func (s *dirStore) Get(_ context.Context, name string) ([]byte, error) {
	p, err := s.path(name)
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNotFound
	}
	return b, err
}

func (s *dirStore) List(_ context.Context, prefix string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(s.dir, func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		if d.IsDir() || strings.HasPrefix(d.Name(), ".tmp-") {
			return nil
		}
		rel, _ := filepath.Rel(s.dir, p)
		if name := filepath.ToSlash(rel); strings.HasPrefix(name, prefix) {
			out = append(out, name)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("backup: list %s: %w", s, err)
	}
	sort.Strings(out)
	return out, nil
}

func (s *dirStore) Delete(_ context.Context, name string) error {
	p, err := s.path(name)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("backup: delete %s: %w", name, err)
	}
	return nil
}

// readAll is io.ReadAll with the store's error wording.
func readAll(r io.Reader, name string) ([]byte, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("backup: read %s: %w", name, err)
	}
	return b, nil
}
