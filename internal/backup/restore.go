package backup

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// find returns the backup id, or the newest one for "".
func (r *Repo) find(ctx context.Context, id string) (*Manifest, error) {
	if id != "" {
		return r.manifest(ctx, id)
	}
	m, err := r.latest(ctx, "")
	if err != nil {
		return nil, err
	}
	if m == nil {
		return nil, fmt.Errorf("%w: the repository %s holds no backup", ErrUnknownBackup, r.store)
	}
	return m, nil
}

// materialize writes every item of m into dir (db/…, files/…), reading
// each needed pack once, and checks every item's SHA-256. It returns the
// bytes written.
func (r *Repo) materialize(ctx context.Context, m *Manifest, c *chain, dir string) (int64, error) {
	sumsJSON, err := ageOpen(r.Identity, m.Sealed)
	if err != nil {
		return 0, err
	}
	var sums map[string]string
	if err := json.Unmarshal(sumsJSON, &sums); err != nil {
		return 0, fmt.Errorf("%w (the sealed part of %s)", ErrDamaged, manifestName(m.ID))
	}
	type place struct {
		file *os.File
		off  int64
		id   chunkID
		loc  loc
	}
	type packKey struct {
		owner string
		pack  int
	}
	byPack := map[packKey][]place{}
	var files []*os.File
	defer func() {
		for _, f := range files {
			f.Close()
		}
	}()
	for _, it := range m.Items {
		p := filepath.Join(dir, filepath.FromSlash(it.Path))
		if !strings.HasPrefix(p, filepath.Clean(dir)+string(filepath.Separator)) {
			return 0, fmt.Errorf("%w (%s names a path outside the data directory)", ErrSignature, m.ID)
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			return 0, err
		}
		f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
		if err != nil {
			return 0, err
		}
		files = append(files, f)
		var off int64
		for _, id := range c.items[m.ID][it.Path] {
			l, ok := c.index[id]
			if !ok {
				return 0, fmt.Errorf("%w (a chunk of %s is in none of its chain's manifests)", ErrMissing, it.Path)
			}
			segs, err := c.manifests[l.owner].segments()
			if err != nil {
				return 0, err
			}
			k := packKey{l.owner, segs[l.seg].pack}
			byPack[k] = append(byPack[k], place{f, off, id, l})
			off += int64(l.raw)
		}
		if off != it.Size {
			return 0, fmt.Errorf("%w (%s's chunks do not add up to its size)", ErrSignature, it.Path)
		}
	}
	keys := make([]packKey, 0, len(byPack))
	for k := range byPack {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].owner != keys[j].owner {
			return keys[i].owner < keys[j].owner
		}
		return keys[i].pack < keys[j].pack
	})
	var done, total int64
	for _, places := range byPack {
		for _, pl := range places {
			total += int64(pl.loc.raw)
		}
	}
	for _, k := range keys {
		owner := c.manifests[k.owner]
		segs, err := owner.segments()
		if err != nil {
			return 0, err
		}
		ref := owner.Packs[k.pack]
		data, err := r.store.Get(ctx, ref.Name)
		if errors.Is(err, ErrNotFound) {
			return 0, fmt.Errorf("%w: %s", ErrMissing, ref.Name)
		}
		if err != nil {
			return 0, err
		}
		p, err := openPack(ref.Name, data, ref.SHA256, r.Identity, r.dec)
		if err != nil {
			return 0, err
		}
		for _, pl := range byPack[k] {
			b, err := p.chunk(ref.Name, segs[pl.loc.seg], pl.loc)
			if err != nil {
				return 0, err
			}
			if _, err := pl.file.WriteAt(b, pl.off); err != nil {
				return 0, err
			}
			done += int64(len(b))
		}
		r.Progress(Progress{Phase: "restore", Done: done, Total: total})
		if err := ctx.Err(); err != nil {
			return 0, err
		}
	}
	for _, it := range m.Items {
		if err := checkSum(filepath.Join(dir, filepath.FromSlash(it.Path)), sums[it.Path]); err != nil {
			return 0, fmt.Errorf("%w (%s: %v)", ErrDamaged, it.Path, err)
		}
	}
	return done, nil
}

func checkSum(path, want string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return err
	}
	if hex.EncodeToString(h.Sum(nil)) != want {
		return errors.New("its SHA-256 differs from the manifest's")
	}
	return nil
}

// VerifyReport is what Verify found.
type VerifyReport struct {
	Manifest *Manifest
	Bytes    int64
	Packs    int
}

// Verify reads a backup (the newest for "") back in full into a scratch
// directory under tmp: every manifest of its chain is checked against its
// signature, every pack against its SHA-256, every chunk decrypted with
// the backup key, every item against its SHA-256.
func (r *Repo) Verify(ctx context.Context, id, tmp string) (VerifyReport, error) {
	m, err := r.find(ctx, id)
	if err != nil {
		return VerifyReport{}, err
	}
	c, err := r.loadChain(ctx, m)
	if err != nil {
		return VerifyReport{Manifest: m}, err
	}
	dir, err := os.MkdirTemp(tmp, "verify-")
	if err != nil {
		return VerifyReport{Manifest: m}, err
	}
	defer os.RemoveAll(dir)
	n, err := r.materialize(ctx, m, c, dir)
	packs := 0
	for _, cm := range c.manifests {
		packs += len(cm.Packs)
	}
	return VerifyReport{Manifest: m, Bytes: n, Packs: packs}, err
}
