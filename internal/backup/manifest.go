package backup

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/klauspost/compress/zstd"

	"github.com/frontdesk/frontdesk/internal/audit"
)

// The refusals, each with its own message. Wrapped errors add which piece
// or backup.
var (
	ErrDamaged       = errors.New("a backup piece is damaged")
	ErrMissing       = errors.New("a backup piece is missing from the repository")
	ErrSignature     = errors.New("the backup's manifest does not verify: it was altered or cut short")
	ErrForeign       = errors.New("the backup's manifest is signed by another installation's audit key, not this one's")
	ErrSchemaNewer   = errors.New("the backup's schema is newer than this Frontdesk: restore it with the version that made it or a later one")
	ErrWrongDatabase = errors.New("the backup is of another kind of database than the one configured")
	ErrUnknownBackup = errors.New("no such backup in the repository")
)

// Manifest describes one backup. Everything in it is either not secret
// (sizes, keyed chunk ids, pack hashes, file names of the data directory,
// which are ids) or sealed to the backup recipient (Sealed). It is signed
// with the audit signing key.
type Manifest struct {
	Format   int       `json:"format"`
	ID       string    `json:"id"`
	Chain    string    `json:"chain"`
	Parent   string    `json:"parent,omitempty"`
	Kind     string    `json:"kind"` // "full" or "incremental"
	Created  time.Time `json:"created"`
	Database string    `json:"database"` // "sqlite" or "postgres"
	Schema   int       `json:"schema"`
	Version  string    `json:"version"`
	// Size is the plaintext size of the items; Uploaded the bytes of the
	// packs this backup added.
	Size     int64     `json:"size"`
	Uploaded int64     `json:"uploaded"`
	Packs    []PackRef `json:"packs"`
	Items    []Item    `json:"items"`
	// Segments locate the sealed segments of this backup's packs: per
	// segment its pack, offset, sealed length and plaintext length
	// (uvarints).
	Segments []byte `json:"segments"`
	// Index lists the chunks this backup added, in the order they were
	// stored: per chunk its id (16 bytes), its segment and its plaintext
	// length (uvarints). A segment's chunks are consecutive, so each one's
	// place in its segment is the sum of the lengths before it.
	Index []byte `json:"index"`
	// Sealed holds, encrypted to the backup recipient, the SHA-256 of every
	// item's plaintext: a whole-file check that leaks no plaintext hash.
	Sealed []byte `json:"sealed"`
	// Stored is the manifest's own size in the repository, known once it
	// is written (it cannot be inside what it measures).
	Stored int64 `json:"-"`

	segs []segment // Segments decoded
}

// PackRef names a pack and its SHA-256.
type PackRef struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// Item is one restored file: the database snapshot or dump, or a data file.
type Item struct {
	Path  string `json:"path"`
	Mode  uint32 `json:"mode"`
	Size  int64  `json:"size"`
	Count int    `json:"count"`
	// New is how many of its plaintext bytes this backup stored anew (the
	// rest its chain already had).
	New int64 `json:"new"`
	// Ops give the item's chunk ids: runs copied from the parent backup's
	// item of the same path, runs of this backup's own index, and ids.
	Ops []byte `json:"ops"`
}

const (
	manifestFormat = 2
	manifestMagic  = "FDMANIFEST1\n"
	manifestDomain = "frontdesk-backup-manifest-v1"
)

// ErrOldFormat refuses a manifest of the first development format (one
// chunk per encrypted record, page-sized chunks), which no release wrote.
var ErrOldFormat = errors.New("the backup is in an earlier format this Frontdesk no longer reads: make a new full backup")

func manifestName(id string) string { return "manifests/" + id }

// encodeManifest signs m: magic | key id | signature | zstd(JSON).
func encodeManifest(m *Manifest, signer *audit.Signer, enc *zstd.Encoder) ([]byte, error) {
	body, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	return envelope(manifestMagic, manifestDomain, body, signer, enc), nil
}

func envelope(magic, domain string, body []byte, signer *audit.Signer, enc *zstd.Encoder) []byte {
	sig := signer.SignBlob(domain, body)
	var out bytes.Buffer
	out.WriteString(magic)
	kid := signer.KeyID()
	out.WriteByte(byte(len(kid)))
	out.WriteString(kid)
	out.WriteByte(byte(len(sig)))
	out.Write(sig)
	out.Write(enc.EncodeAll(body, nil))
	return out.Bytes()
}

// openEnvelope checks the signature and returns the signed body.
func openEnvelope(magic, domain, name string, data []byte, signer *audit.Signer, dec *zstd.Decoder) ([]byte, error) {
	r := bytes.NewReader(data)
	head := make([]byte, len(magic))
	if _, err := r.Read(head); err != nil || string(head) != magic {
		return nil, fmt.Errorf("%w (%s)", ErrSignature, name)
	}
	field := func() []byte {
		n, err := r.ReadByte()
		if err != nil {
			return nil
		}
		b := make([]byte, n)
		if k, _ := r.Read(b); k != int(n) {
			return nil
		}
		return b
	}
	kid, sig := field(), field()
	if kid == nil || sig == nil {
		return nil, fmt.Errorf("%w (%s)", ErrSignature, name)
	}
	rest := data[len(data)-r.Len():]
	body, err := dec.DecodeAll(rest, nil)
	if err != nil {
		return nil, fmt.Errorf("%w (%s)", ErrSignature, name)
	}
	if string(kid) != signer.KeyID() {
		return nil, fmt.Errorf("%w (%s is signed by key %s; this installation's is %s)", ErrForeign, name, kid, signer.KeyID())
	}
	if !signer.VerifyBlob(string(kid), domain, body, sig) {
		return nil, fmt.Errorf("%w (%s)", ErrSignature, name)
	}
	return body, nil
}

func decodeManifest(name string, data []byte, signer *audit.Signer, dec *zstd.Decoder) (*Manifest, error) {
	body, err := openEnvelope(manifestMagic, manifestDomain, name, data, signer, dec)
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, fmt.Errorf("%w (%s cannot be read)", ErrSignature, name)
	}
	if m.Format != manifestFormat {
		return nil, fmt.Errorf("%w (%s is of format %d)", ErrOldFormat, name, m.Format)
	}
	if _, err := m.segments(); err != nil {
		return nil, err
	}
	return &m, nil
}

// appendSegment adds a sealed segment's place to a segments blob.
func appendSegment(b []byte, pack int, s segment) []byte {
	b = binary.AppendUvarint(b, uint64(pack))
	b = binary.AppendUvarint(b, uint64(s.off))
	b = binary.AppendUvarint(b, uint64(s.len))
	return binary.AppendUvarint(b, uint64(s.raw))
}

// segments decodes m's segments, checking that each names one of its packs.
func (m *Manifest) segments() ([]segment, error) {
	if m.segs != nil || len(m.Segments) == 0 {
		return m.segs, nil
	}
	bad := fmt.Errorf("%w (%s lists its segments wrongly)", ErrSignature, manifestName(m.ID))
	var out []segment
	for b := m.Segments; len(b) > 0; {
		var v [4]uint64
		for i := range v {
			x, k := binary.Uvarint(b)
			if k <= 0 || x > 1<<32-1 {
				return nil, bad
			}
			v[i], b = x, b[k:]
		}
		if v[0] >= uint64(len(m.Packs)) {
			return nil, bad
		}
		out = append(out, segment{pack: int(v[0]), off: uint32(v[1]), len: uint32(v[2]), raw: uint32(v[3])})
	}
	m.segs = out
	return out, nil
}

// appendIndex adds a chunk to an index blob.
func appendIndex(b []byte, id chunkID, seg int, raw uint32) []byte {
	b = append(b, id[:]...)
	b = binary.AppendUvarint(b, uint64(seg))
	return binary.AppendUvarint(b, uint64(raw))
}

// eachIndex calls fn for every chunk a manifest added, in order.
func (m *Manifest) eachIndex(fn func(chunkID, loc) error) error {
	segs, err := m.segments()
	if err != nil {
		return err
	}
	bad := fmt.Errorf("%w (%s has an index entry outside its segments)", ErrSignature, manifestName(m.ID))
	cur, off := -1, uint64(0)
	for b := m.Index; len(b) > 0; {
		if len(b) < idLen {
			return bad
		}
		var id chunkID
		copy(id[:], b)
		b = b[idLen:]
		seg, k := binary.Uvarint(b)
		if k <= 0 {
			return bad
		}
		b = b[k:]
		raw, k := binary.Uvarint(b)
		if k <= 0 {
			return bad
		}
		b = b[k:]
		if seg >= uint64(len(segs)) || int(seg) < cur {
			return bad
		}
		if int(seg) != cur {
			cur, off = int(seg), 0
		}
		if off+raw > uint64(segs[seg].raw) {
			return bad
		}
		if err := fn(id, loc{owner: m.ID, seg: int(seg), off: uint32(off), raw: uint32(raw)}); err != nil {
			return err
		}
		off += raw
	}
	return nil
}

// Kinds of op in an item's Ops: a run copied from the parent's list, ids
// written out, a run of this backup's own index.
const (
	opParent = 0
	opIDs    = 1
	opOwn    = 2
)

// encodeOps writes ids as runs copied from parent, runs of the backup's
// own index (own gives each new chunk's place in it) and literal ids.
func encodeOps(ids, parent []chunkID, own map[chunkID]int) []byte {
	pos := make(map[chunkID]int, len(parent))
	for i := len(parent) - 1; i >= 0; i-- {
		pos[parent[i]] = i
	}
	var out []byte
	var lit []chunkID
	flush := func() {
		if len(lit) > 0 {
			out = binary.AppendUvarint(out, uint64(len(lit))<<2|opIDs)
			for _, id := range lit {
				out = append(out, id[:]...)
			}
			lit = lit[:0]
		}
	}
	for i := 0; i < len(ids); {
		p, ok := pos[ids[i]]
		// Prefer the same position (pages in place) when it matches.
		if i < len(parent) && parent[i] == ids[i] {
			p, ok = i, true
		}
		if ok {
			n := 1
			for i+n < len(ids) && p+n < len(parent) && parent[p+n] == ids[i+n] {
				n++
			}
			flush()
			out = binary.AppendUvarint(out, uint64(n)<<2|opParent)
			out = binary.AppendUvarint(out, uint64(p))
			i += n
			continue
		}
		if o, ok := own[ids[i]]; ok {
			n := 1
			for i+n < len(ids) {
				if q, ok := own[ids[i+n]]; !ok || q != o+n {
					break
				}
				n++
			}
			flush()
			out = binary.AppendUvarint(out, uint64(n)<<2|opOwn)
			out = binary.AppendUvarint(out, uint64(o))
			i += n
			continue
		}
		lit = append(lit, ids[i])
		i++
	}
	flush()
	return out
}

func decodeOps(ops []byte, parent, own []chunkID, count int) ([]chunkID, error) {
	out := make([]chunkID, 0, count)
	for len(ops) > 0 {
		tag, k := binary.Uvarint(ops)
		if k <= 0 {
			return nil, errors.New("bad ops")
		}
		ops = ops[k:]
		n := tag >> 2
		if uint64(len(out))+n > uint64(count) {
			return nil, errors.New("bad ops")
		}
		switch tag & 3 {
		case opIDs:
			if uint64(len(ops)) < n*idLen {
				return nil, errors.New("bad ops")
			}
			for i := uint64(0); i < n; i++ {
				var id chunkID
				copy(id[:], ops[i*idLen:])
				out = append(out, id)
			}
			ops = ops[n*idLen:]
		case opParent, opOwn:
			from := parent
			if tag&3 == opOwn {
				from = own
			}
			p, k := binary.Uvarint(ops)
			if k <= 0 || p > uint64(len(from)) || n > uint64(len(from))-p {
				return nil, errors.New("bad ops")
			}
			ops = ops[k:]
			out = append(out, from[p:p+n]...)
		default:
			return nil, errors.New("bad ops")
		}
	}
	if len(out) != count {
		return nil, errors.New("bad ops")
	}
	return out, nil
}

// chain is what a repository knows of one chain: its manifests, where each
// chunk is, and every item's chunk ids resolved.
type chain struct {
	manifests map[string]*Manifest
	index     map[chunkID]loc
	items     map[string]map[string][]chunkID // manifest id → path → ids
}

// loadChain reads every manifest from the full backup to upTo.
func (r *Repo) loadChain(ctx context.Context, upTo *Manifest) (*chain, error) {
	c := &chain{manifests: map[string]*Manifest{}, index: map[chunkID]loc{}, items: map[string]map[string][]chunkID{}}
	var order []*Manifest
	for m := upTo; ; {
		order = append(order, m)
		c.manifests[m.ID] = m
		if m.Parent == "" {
			break
		}
		p, err := r.manifest(ctx, m.Parent)
		if err != nil {
			return nil, err
		}
		if p.Chain != m.Chain {
			return nil, fmt.Errorf("%w (%s's parent is of another chain)", ErrSignature, m.ID)
		}
		m = p
	}
	for i := len(order) - 1; i >= 0; i-- { // oldest first
		m := order[i]
		var own []chunkID
		err := m.eachIndex(func(id chunkID, l loc) error {
			own = append(own, id)
			if _, dup := c.index[id]; !dup {
				c.index[id] = l
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		paths := map[string][]chunkID{}
		for _, it := range m.Items {
			ids, err := decodeOps(it.Ops, c.items[m.Parent][it.Path], own, it.Count)
			if err != nil {
				return nil, fmt.Errorf("%w (%s lists the chunks of %s wrongly)", ErrSignature, m.ID, it.Path)
			}
			paths[it.Path] = ids
		}
		// Only the newest lists are needed (the next one's parent, or
		// what is restored): a long chain of a large database would
		// otherwise hold every backup's list at once.
		delete(c.items, m.Parent)
		c.items[m.ID] = paths
	}
	return c, nil
}

// manifest reads and verifies one manifest.
func (r *Repo) manifest(ctx context.Context, id string) (*Manifest, error) {
	name := manifestName(id)
	data, err := r.store.Get(ctx, name)
	if errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("%w: %s", ErrUnknownBackup, id)
	}
	if err != nil {
		return nil, err
	}
	m, err := decodeManifest(name, data, r.signer, r.dec)
	if err != nil {
		return nil, err
	}
	if m.ID != id {
		return nil, fmt.Errorf("%w (%s holds the manifest of %s)", ErrSignature, name, m.ID)
	}
	return m, nil
}

// List returns the repository's backups, oldest first. A manifest that
// does not verify is listed with Problem set rather than hidden.
func (r *Repo) List(ctx context.Context) ([]Listed, error) {
	names, err := r.store.List(ctx, "manifests/")
	if err != nil {
		return nil, err
	}
	var out []Listed
	for _, n := range names {
		id := strings.TrimPrefix(n, "manifests/")
		m, err := r.manifest(ctx, id)
		if err != nil {
			out = append(out, Listed{Manifest: Manifest{ID: id}, Problem: err.Error()})
			continue
		}
		out = append(out, Listed{Manifest: *m})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// Listed is one backup as List shows it.
type Listed struct {
	Manifest
	Problem string
}
