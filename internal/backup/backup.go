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
	"strings"

	"github.com/frontdesk/frontdesk/internal/db"
)

// Backup makes one backup of src: incremental on the newest backup of the
// same database kind, or full (a new chain that depends on nothing older)
// when full is set or there is nothing to build on. Packs are uploaded
// first and the manifest last, so a backup killed mid-way leaves only
// unreferenced packs, which retention removes.
func (r *Repo) Backup(ctx context.Context, src Source, full bool) (*Manifest, error) {
	if len(r.ChunkKey) == 0 || r.Recipient == nil {
		return nil, errors.New("backup: making a backup needs the chunk key and the recipient")
	}
	schema, _, err := src.DB.SchemaVersion(ctx)
	if err != nil {
		return nil, err
	}
	m := &Manifest{Format: manifestFormat, ID: r.newID(), Kind: "full", Created: r.Now().UTC(),
		Database: src.DB.Dialect().String(), Schema: schema, Version: r.Version}
	prev := &chain{index: map[chunkID]loc{}, items: map[string]map[string][]chunkID{}}
	if !full {
		if parent, err := r.latest(ctx, m.Database); err != nil {
			return nil, err
		} else if parent != nil {
			if prev, err = r.loadChain(ctx, parent); err != nil {
				return nil, fmt.Errorf("backup: the last backup %s cannot be built on (%w); make a full backup", parent.ID, err)
			}
			m.Kind, m.Parent, m.Chain = "incremental", parent.ID, parent.Chain
		}
	}
	if m.Chain == "" {
		m.Chain = m.ID
	}
	w := &writer{r: r, m: m, prev: prev, ids: newIDHasher(r.ChunkKey), added: map[chunkID]int{},
		pack: newPackWriter(r.Recipient, r.enc), sums: map[string]string{}}
	files, err := src.dataFiles()
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		w.total += f.size
	}
	if err := w.database(ctx, src); err != nil {
		return nil, err
	}
	for _, f := range files {
		if err := w.file(ctx, src.DataDir, f); err != nil {
			return nil, err
		}
	}
	if err := w.flush(ctx); err != nil {
		return nil, err
	}
	sums, _ := json.Marshal(w.sums)
	if m.Sealed, err = ageSeal(r.Recipient, sums); err != nil {
		return nil, err
	}
	data, err := encodeManifest(m, r.signer, r.enc)
	if err != nil {
		return nil, err
	}
	if err := r.store.Put(ctx, manifestName(m.ID), data); err != nil {
		return nil, err
	}
	m.Stored = int64(len(data))
	if err := r.PushLedger(ctx, src.DB); err != nil {
		return m, err
	}
	return m, nil
}

// writer is one backup in the making.
type writer struct {
	r     *Repo
	m     *Manifest
	prev  *chain
	ids   *idHasher
	added map[chunkID]int // new chunk → its place in the index
	nsegs int
	pack  *packWriter
	sums  map[string]string
	done  int64
	total int64
}

// item chunks one stream into the backup under path.
func (w *writer) item(ctx context.Context, path string, mode uint32, rd io.Reader, cut cutting) error {
	c := newChunker(rd, cut)
	h := sha256.New()
	var ids []chunkID
	var size, fresh int64
	for {
		b, err := c.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("backup: read %s: %w", path, err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		h.Write(b)
		size += int64(len(b))
		w.done += int64(len(b))
		id := w.ids.id(b)
		ids = append(ids, id)
		if _, old := w.prev.index[id]; old {
			continue
		}
		if _, dup := w.added[id]; dup {
			continue
		}
		w.added[id] = len(w.added)
		fresh += int64(len(b))
		if err := w.pack.add(id, b); err != nil {
			return err
		}
		if w.pack.full() {
			if err := w.flush(ctx); err != nil {
				return err
			}
		}
		if len(ids)%2048 == 0 {
			w.r.Progress(Progress{Phase: "backup", Done: w.done, Total: max(w.total, w.done)})
		}
	}
	var parent []chunkID
	if w.m.Parent != "" {
		parent = w.prev.items[w.m.Parent][path]
	}
	w.m.Items = append(w.m.Items, Item{Path: path, Mode: mode, Size: size, Count: len(ids), New: fresh, Ops: encodeOps(ids, parent, w.added)})
	w.m.Size += size
	w.sums[path] = hex.EncodeToString(h.Sum(nil))
	return nil
}

// flush uploads the pack being filled.
func (w *writer) flush(ctx context.Context) error {
	if w.pack.empty() {
		return nil
	}
	data, sum, segs, chunks, err := w.pack.finish()
	if err != nil {
		return err
	}
	name := "packs/" + w.m.Chain + "/" + sum
	if err := w.r.store.Put(ctx, name, data); err != nil {
		return err
	}
	n := len(w.m.Packs)
	w.m.Packs = append(w.m.Packs, PackRef{Name: name, Size: int64(len(data)), SHA256: sum})
	w.m.Uploaded += int64(len(data))
	for _, s := range segs {
		w.m.Segments = appendSegment(w.m.Segments, n, s)
	}
	for _, c := range chunks {
		w.m.Index = appendIndex(w.m.Index, c.id, w.nsegs+c.seg, c.raw)
	}
	w.nsegs += len(segs)
	return nil
}

// database backs up the database: SQLite's online backup, page by page,
// or PostgreSQL's pg_dump, streamed.
func (w *writer) database(ctx context.Context, src Source) error {
	if src.DB.Dialect() == db.Postgres {
		out, wait, err := pgDump(ctx, src.DB, src.DatabaseURL)
		if err != nil {
			return err
		}
		err = w.item(ctx, postgresItem, 0o600, out, dumpCut)
		if err != nil {
			io.Copy(io.Discard, out)
		}
		return errors.Join(err, wait())
	}
	dir := filepath.Join(src.DataDir, tmpDir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	snap := filepath.Join(dir, "snapshot-"+randomHex(4)+".db")
	defer os.Remove(snap)
	w.r.Progress(Progress{Phase: "snapshot"})
	if err := src.DB.SnapshotSQLite(ctx, snap); err != nil {
		return err
	}
	f, rd, err := bufferedFile(snap)
	if err != nil {
		return err
	}
	defer f.Close()
	if info, err := f.Stat(); err == nil {
		w.total += info.Size()
	}
	return w.item(ctx, sqliteItem, 0o600, rd, sqliteCut)
}

// file backs up one data-directory file.
func (w *writer) file(ctx context.Context, dataDir string, f dataFile) error {
	fh, rd, err := bufferedFile(filepath.Join(dataDir, filepath.FromSlash(f.rel)))
	if errors.Is(err, os.ErrNotExist) {
		return nil // removed since the listing
	}
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer fh.Close()
	return w.item(ctx, filePrefix+f.rel, uint32(f.mode), rd, fileCut)
}

// latest returns the newest verifying backup of a database kind, or nil.
func (r *Repo) latest(ctx context.Context, database string) (*Manifest, error) {
	names, err := r.store.List(ctx, "manifests/")
	if err != nil {
		return nil, err
	}
	for i := len(names) - 1; i >= 0; i-- {
		m, err := r.manifest(ctx, strings.TrimPrefix(names[i], "manifests/"))
		if err != nil {
			continue // a damaged manifest is not built on; verify reports it
		}
		if database == "" || m.Database == database {
			return m, nil
		}
	}
	return nil, nil
}
