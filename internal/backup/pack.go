package backup

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"filippo.io/age"
	"github.com/klauspost/compress/zstd"
	"golang.org/x/crypto/chacha20poly1305"
)

// A pack holds many encrypted segments, so a backup is a few large objects
// rather than a million small ones, and a segment holds many chunks, so
// compression sees more than one small chunk at a time and the nonce and
// tag are paid once per segment. Its layout:
//
//	"FDPACK2\n" | uint32 length | the pack key sealed to the backup recipient (age) | segments…
//
// Each segment is nonce(24) | XChaCha20-Poly1305(pack key, flag | body,
// aad = the segment's offset in the pack), where body is the segment's
// chunks one after another, zstd-compressed when flag is 1 and as is when
// it is 0. The pack's name is the SHA-256 of its bytes, and that hash is in
// the signed manifest, so no byte of a pack can change unseen.
const (
	packMagic  = "FDPACK2\n"
	packTarget = 8 << 20
	segTarget  = 64 << 10
)

// loc says where a chunk is: which segment of its owner manifest, where in
// the segment's plaintext, and how long.
type loc struct {
	owner    string
	seg      int
	off, raw uint32
}

// segment is one sealed segment of a pack: where it is, how long sealed
// and in plaintext.
type segment struct {
	pack          int
	off, len, raw uint32
}

// packWriter fills a pack, encrypting segments under a fresh key.
type packWriter struct {
	recipient age.Recipient
	enc       *zstd.Encoder
	aead      interface {
		Seal(dst, nonce, plaintext, aad []byte) []byte
	}
	buf    bytes.Buffer
	open   []byte // the segment being filled, in plaintext
	tmp    []byte
	segs   []segment
	chunks []pendingChunk
}

// pendingChunk is a chunk of the pack being filled: its segment is an
// index into the pack's segments.
type pendingChunk struct {
	id  chunkID
	seg int
	raw uint32
}

func newPackWriter(recipient age.Recipient, enc *zstd.Encoder) *packWriter {
	return &packWriter{recipient: recipient, enc: enc}
}

func (p *packWriter) empty() bool { return len(p.chunks) == 0 }
func (p *packWriter) full() bool  { return p.buf.Len()+len(p.open) >= packTarget }

// add puts one chunk into the open segment, sealing it once it is large.
func (p *packWriter) add(id chunkID, raw []byte) error {
	if p.buf.Len() == 0 {
		key := make([]byte, chacha20poly1305.KeySize)
		if _, err := rand.Read(key); err != nil {
			return err
		}
		sealed, err := ageSeal(p.recipient, key)
		if err != nil {
			return err
		}
		p.buf.WriteString(packMagic)
		p.buf.Write(binary.BigEndian.AppendUint32(nil, uint32(len(sealed))))
		p.buf.Write(sealed)
		a, err := chacha20poly1305.NewX(key)
		if err != nil {
			return err
		}
		p.aead = a
	}
	p.chunks = append(p.chunks, pendingChunk{id: id, seg: len(p.segs), raw: uint32(len(raw))})
	p.open = append(p.open, raw...)
	if len(p.open) >= segTarget {
		return p.seal()
	}
	return nil
}

// seal compresses and encrypts the open segment into the pack.
func (p *packWriter) seal() error {
	if len(p.open) == 0 {
		return nil
	}
	p.tmp = append(p.tmp[:0], 1)
	p.tmp = p.enc.EncodeAll(p.open, p.tmp)
	if len(p.tmp) >= len(p.open)+1 {
		p.tmp = append(append(p.tmp[:0], 0), p.open...)
	}
	nonce := make([]byte, chacha20poly1305.NonceSizeX, chacha20poly1305.NonceSizeX+len(p.tmp)+16)
	if _, err := rand.Read(nonce); err != nil {
		return err
	}
	off := uint32(p.buf.Len())
	rec := p.aead.Seal(nonce, nonce, p.tmp, binary.BigEndian.AppendUint32(nil, off))
	p.segs = append(p.segs, segment{off: off, len: uint32(len(rec)), raw: uint32(len(p.open))})
	p.buf.Write(rec)
	p.open = p.open[:0]
	return nil
}

// finish seals the open segment and returns the pack's bytes, name,
// segments and chunks, and resets the writer.
func (p *packWriter) finish() (data []byte, name string, segs []segment, chunks []pendingChunk, err error) {
	if err := p.seal(); err != nil {
		return nil, "", nil, nil, err
	}
	data = bytes.Clone(p.buf.Bytes())
	sum := sha256.Sum256(data)
	segs, chunks = p.segs, p.chunks
	p.buf.Reset()
	p.segs, p.chunks = nil, nil
	return data, hex.EncodeToString(sum[:]), segs, chunks, nil
}

func ageSeal(r age.Recipient, msg []byte) ([]byte, error) {
	var out bytes.Buffer
	w, err := age.Encrypt(&out, r)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(msg); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// ErrWrongKey means the backup key given cannot open the backup.
var ErrWrongKey = errors.New("the backup key (FRONTDESK_BACKUP_IDENTITY_FILE) does not open this backup: it was encrypted to another key")

func ageOpen(id age.Identity, sealed []byte) ([]byte, error) {
	if id == nil {
		return nil, errors.New("no backup key to decrypt with: set FRONTDESK_BACKUP_IDENTITY_FILE to the backup's private key")
	}
	r, err := age.Decrypt(bytes.NewReader(sealed), id)
	if err != nil {
		var nm *age.NoIdentityMatchError
		if errors.As(err, &nm) {
			return nil, ErrWrongKey
		}
		return nil, err
	}
	return io.ReadAll(r)
}

// openedPack is a downloaded, checked pack whose key is unsealed.
type openedPack struct {
	data []byte
	aead interface {
		Open(dst, nonce, ciphertext, aad []byte) ([]byte, error)
	}
	dec  *zstd.Decoder
	segs map[uint32][]byte // opened segments by offset
}

// openPack checks a pack's bytes against its SHA-256 and unseals its key.
func openPack(name string, data []byte, wantSHA string, id age.Identity, dec *zstd.Decoder) (*openedPack, error) {
	sum := sha256.Sum256(data)
	if hex.EncodeToString(sum[:]) != wantSHA {
		return nil, fmt.Errorf("%w: %s (its SHA-256 differs from the manifest's)", ErrDamaged, name)
	}
	if len(data) < len(packMagic)+4 || string(data[:len(packMagic)]) != packMagic {
		return nil, fmt.Errorf("%w: %s is not a pack", ErrDamaged, name)
	}
	n := binary.BigEndian.Uint32(data[len(packMagic):])
	start := len(packMagic) + 4
	if uint64(start)+uint64(n) > uint64(len(data)) {
		return nil, fmt.Errorf("%w: %s is truncated", ErrDamaged, name)
	}
	key, err := ageOpen(id, data[start:start+int(n)])
	if err != nil {
		return nil, err
	}
	a, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, fmt.Errorf("%w: %s holds a bad key", ErrDamaged, name)
	}
	return &openedPack{data: data, aead: a, dec: dec, segs: map[uint32][]byte{}}, nil
}

// chunk returns one chunk's plaintext, opening its segment once.
func (p *openedPack) chunk(name string, s segment, l loc) ([]byte, error) {
	body, ok := p.segs[s.off]
	if !ok {
		end := uint64(s.off) + uint64(s.len)
		if end > uint64(len(p.data)) || s.len < chacha20poly1305.NonceSizeX {
			return nil, fmt.Errorf("%w: %s is shorter than its index says", ErrDamaged, name)
		}
		rec := p.data[s.off:end]
		pt, err := p.aead.Open(nil, rec[:chacha20poly1305.NonceSizeX], rec[chacha20poly1305.NonceSizeX:], binary.BigEndian.AppendUint32(nil, s.off))
		if err != nil || len(pt) == 0 {
			return nil, fmt.Errorf("%w: a segment of %s does not decrypt", ErrDamaged, name)
		}
		body = pt[1:]
		if pt[0] == 1 {
			body, err = p.dec.DecodeAll(body, make([]byte, 0, s.raw))
			if err != nil {
				return nil, fmt.Errorf("%w: a segment of %s does not decompress", ErrDamaged, name)
			}
		}
		if uint32(len(body)) != s.raw {
			return nil, fmt.Errorf("%w: a segment of %s has the wrong length", ErrDamaged, name)
		}
		p.segs[s.off] = body
	}
	if uint64(l.off)+uint64(l.raw) > uint64(len(body)) {
		return nil, fmt.Errorf("%w: a chunk of %s lies outside its segment", ErrDamaged, name)
	}
	return body[l.off : l.off+l.raw], nil
}
