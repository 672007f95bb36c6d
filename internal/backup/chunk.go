package backup

import (
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"hash"
	"io"
	"math/rand/v2"
)

// idLen is the length of a chunk id: 128 bits of HMAC-SHA-256.
const idLen = 16

// chunkID names a chunk by a keyed hash of its content, so equal content is
// stored once while the repository reveals no plaintext hash that could
// confirm a guess.
type chunkID [idLen]byte

type idHasher struct{ mac hash.Hash }

func newIDHasher(key []byte) *idHasher { return &idHasher{mac: hmac.New(sha256.New, key)} }

func (h *idHasher) id(b []byte) (id chunkID) {
	h.mac.Reset()
	h.mac.Write(b)
	copy(id[:], h.mac.Sum(nil))
	return id
}

// How each kind of stream is cut (docs/architecture.md, "Backups", has the
// measurements behind the sizes). A chunk is the unit of "changed": an
// incremental stores every chunk its chain does not have, so the smaller
// the chunk, the less an edit costs; each chunk costs about 20 bytes of
// manifest (its id and length), and compression and encryption work on
// segments of many chunks (pack.go), so small chunks do not compress worse.
type cutting struct {
	fixed    int    // fixed-size chunks of this length, or 0 for content-defined
	min, max int    // content-defined: the bounds
	mask     uint64 // content-defined: a cut where the gear hash has these bits clear
}

var (
	// The SQLite snapshot: 1 KiB, a quarter of a page. An updated row
	// rewrites its cell inside its page, so a page holding ten rows of
	// which one changed costs a quarter of it, not all of it.
	sqliteCut = cutting{fixed: 1 << 10}
	// A pg_dump stream: content-defined, ~770 bytes on average (256 B to
	// 8 KiB), a row or two of COPY text each, so an updated row (moved to
	// the heap's end by PostgreSQL, hence in the dump too) costs the rows
	// around its old and new places.
	dumpCut = cutting{min: 256, mask: 1<<9 - 1, max: 8 << 10}
	// Data-directory files are written once: ~8 KiB on average (2 to
	// 64 KiB), fewer chunks for the large recordings.
	fileCut = cutting{min: 2 << 10, mask: 1<<13 - 1, max: 64 << 10}
)

// maxChunk bounds every cutting's chunks.
const maxChunk = 64 << 10

var gear = func() (t [256]uint64) {
	r := rand.New(rand.NewPCG(0x66726f6e74, 0x6465736b)) // fixed: cut points must not change between runs
	for i := range t {
		t[i] = r.Uint64()
	}
	return t
}()

// chunker splits a stream into chunks, either of fixed size or content-defined.
type chunker struct {
	r     io.Reader
	cut   cutting
	buf   []byte
	start int
	end   int
	eof   bool
}

func newChunker(r io.Reader, cut cutting) *chunker {
	return &chunker{r: r, cut: cut, buf: make([]byte, 4*maxChunk)}
}

// next returns the next chunk, valid until the following call, or io.EOF.
func (c *chunker) next() ([]byte, error) {
	want := c.cut.max
	if c.cut.fixed > 0 {
		want = c.cut.fixed
	}
	if c.end-c.start < want && !c.eof {
		copy(c.buf, c.buf[c.start:c.end])
		c.end -= c.start
		c.start = 0
		for c.end < len(c.buf) && !c.eof {
			n, err := c.r.Read(c.buf[c.end:])
			c.end += n
			if errors.Is(err, io.EOF) {
				c.eof = true
			} else if err != nil {
				return nil, err
			}
		}
	}
	avail := c.buf[c.start:c.end]
	if len(avail) == 0 {
		return nil, io.EOF
	}
	n := min(want, len(avail))
	if c.cut.fixed == 0 && n > c.cut.min {
		n = c.cut.point(avail[:n])
	}
	c.start += n
	return avail[:n], nil
}

// point returns the length of the first content-defined chunk of b. The
// gear hash forgets a byte after 64 more, so a cut depends only on the 64
// bytes before it: an edit moves the cuts near it and no others.
func (c cutting) point(b []byte) int {
	var h uint64
	for i := c.min; i < len(b); i++ {
		h = h<<1 + gear[b[i]]
		if h&c.mask == 0 {
			return i + 1
		}
	}
	return len(b)
}
