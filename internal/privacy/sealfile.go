package privacy

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/frontdesk/frontdesk/internal/keyring"
)

// A sealed file is a sequence of segments, each [4-byte big-endian length]
// [ciphertext], every ciphertext sealed with the customer's data key and
// bound to the file's id and its position; the last one is bound as "end",
// so a file cut short, reordered or spliced fails to open. Destroying the
// key makes the file unreadable wherever a copy went.
const segmentSize = 64 << 10

func segmentAAD(fileID string, n int, last bool) []byte {
	if last {
		return []byte("privacy_exports:" + fileID + ":end:" + strconv.Itoa(n))
	}
	return []byte("privacy_exports:" + fileID + ":" + strconv.Itoa(n))
}

// sealWriter seals what is written to it in segments of segmentSize.
type sealWriter struct {
	w   *bufio.Writer
	key *keyring.DataKey
	id  string
	buf []byte
	n   int
}

func newSealWriter(w io.Writer, key *keyring.DataKey, fileID string) *sealWriter {
	return &sealWriter{w: bufio.NewWriter(w), key: key, id: fileID, buf: make([]byte, 0, segmentSize)}
}

func (s *sealWriter) Write(p []byte) (int, error) {
	written := 0
	for len(p) > 0 {
		room := segmentSize - len(s.buf)
		take := min(room, len(p))
		s.buf = append(s.buf, p[:take]...)
		p, written = p[take:], written+take
		if len(s.buf) == segmentSize {
			if err := s.segment(false); err != nil {
				return written, err
			}
		}
	}
	return written, nil
}

func (s *sealWriter) segment(last bool) error {
	ct := s.key.Seal(s.buf, segmentAAD(s.id, s.n, last))
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(ct)))
	if _, err := s.w.Write(n[:]); err != nil {
		return err
	}
	if _, err := s.w.Write(ct); err != nil {
		return err
	}
	s.n++
	s.buf = s.buf[:0]
	return nil
}

// Close seals the last segment (possibly empty) and flushes.
func (s *sealWriter) Close() error {
	if err := s.segment(true); err != nil {
		return err
	}
	return s.w.Flush()
}

// sealReader opens a sealed file segment by segment.
type sealReader struct {
	r    *bufio.Reader
	key  *keyring.DataKey
	id   string
	n    int
	cur  []byte
	done bool
	next []byte // the segment read ahead, to know which is last
}

func newSealReader(r io.Reader, key *keyring.DataKey, fileID string) *sealReader {
	return &sealReader{r: bufio.NewReader(r), key: key, id: fileID}
}

var errSealedCut = errors.New("privacy: sealed file cut short or altered")

func (s *sealReader) readSegment() ([]byte, error) {
	var n [4]byte
	if _, err := io.ReadFull(s.r, n[:]); err != nil {
		return nil, err
	}
	size := binary.BigEndian.Uint32(n[:])
	if size > segmentSize+64 {
		return nil, errSealedCut
	}
	ct := make([]byte, size)
	if _, err := io.ReadFull(s.r, ct); err != nil {
		return nil, errSealedCut
	}
	return ct, nil
}

func (s *sealReader) Read(p []byte) (int, error) {
	for len(s.cur) == 0 {
		if s.done {
			return 0, io.EOF
		}
		ct := s.next
		if ct == nil {
			var err error
			if ct, err = s.readSegment(); err != nil {
				return 0, errSealedCut
			}
		}
		following, err := s.readSegment()
		last := errors.Is(err, io.EOF)
		if err != nil && !last {
			return 0, err
		}
		pt, err := s.key.Open(ct, segmentAAD(s.id, s.n, last))
		if err != nil {
			return 0, fmt.Errorf("%w: %v", errSealedCut, err)
		}
		s.n++
		s.cur, s.next, s.done = pt, following, last
	}
	k := copy(p, s.cur)
	s.cur = s.cur[k:]
	return k, nil
}
