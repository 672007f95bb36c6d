package assist

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/keyring"
)

// Archive files. After Retention, a session's chunks leave the database
// for one file, ARCHIVE_DIR/<first two hex digits>/<session id>.<random>.fdrec
// (the random part keeps two nodes archiving the same session at once
// from overwriting each other's file; the one whose transaction commits
// is named in the session, the other removes its own):
//
//	magic    "FDASSIST-ARCHIVE-1\n"
//	segment  uint32 big-endian length, then that many bytes: a keyring
//	         ciphertext (version byte, data key id, nonce, AES-256-GCM) under
//	         the customer's data key of one chunk's gzip-compressed JSON
//	         Lines, bound to "assist_archive:<session>:<index>" (0, 1, …)
//	…        one segment a chunk, in order
//	trailer  a last segment bound to "assist_archive:<session>:end" holding
//	         {"segments":N,"entries":M}, so a cut file is detected
//
// The file is written beside its final name, synced and renamed; only then
// are the chunks deleted, in the transaction that records the archive.
// Destroying the customer's key makes the file unreadable like the rows.
const archiveMagic = "FDASSIST-ARCHIVE-1\n"

func archiveAAD(sessionID string, index int) []byte {
	return []byte("assist_archive:" + sessionID + ":" + strconv.Itoa(index))
}

func archiveEndAAD(sessionID string) []byte { return []byte("assist_archive:" + sessionID + ":end") }

type archiveTrailer struct {
	Segments int   `json:"segments"`
	Entries  int64 `json:"entries"`
}

// Archive moves the recordings of sessions that ended more than Retention
// ago from the database to archive files, at most 100 a call, and returns
// how many it moved. The server runs it periodically.
func (s *Service) Archive(ctx context.Context) (int, error) {
	return s.ArchiveOlder(ctx, s.o.Retention)
}

// ArchiveOlder is Archive for sessions that ended more than age ago: the
// "frontdesk assist archive" command, e.g. before a backup (age 0: every
// ended session).
func (s *Service) ArchiveOlder(ctx context.Context, age time.Duration) (int, error) {
	if s.o.ArchiveDir == "" {
		return 0, errors.New("assist: no archive directory configured")
	}
	if age < 0 {
		return 0, invalid("age", "not negative")
	}
	ids, err := s.ids(ctx, `SELECT id FROM assist_sessions WHERE state = 'ended' AND archived_at IS NULL AND recorded_entries > 0
		AND ended_at <= ? ORDER BY ended_at LIMIT 100`, s.now().Add(-age))
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		if err := s.archiveOne(ctx, id); err != nil {
			return n, fmt.Errorf("assist: archive session %s: %w", id, err)
		}
		n++
	}
	return n, nil
}

func (s *Service) archiveOne(ctx context.Context, sessionID string) error {
	rel := filepath.Join(sessionID[:2], sessionID+"."+newID()[:8]+".fdrec")
	w, err := createArchive(filepath.Join(s.o.ArchiveDir, rel))
	if err != nil {
		return err
	}
	defer w.abort()
	// Chunks are read a page at a time, so a long session's recording is
	// never held in memory whole.
	var sess *Session
	lastSeq, index := 0, 0
	for {
		var page []chunkRow
		err := s.db.Read(ctx, func(tx *db.Tx) error {
			var err error
			if sess == nil {
				if sess, err = s.load(ctx, tx, sessionID, false); err != nil {
					return err
				}
			}
			key, err := s.keys.DataKey(ctx, tx, customerSubject(sess.CustomerID))
			if err != nil {
				return err
			}
			if page, err = s.chunksAfter(ctx, tx, sessionID, lastSeq, 32); err != nil {
				return err
			}
			for _, c := range page {
				gz, err := s.openChunk(ctx, tx, sessionID, c)
				if err != nil {
					return err
				}
				if err := w.segment(key.Seal(gz, archiveAAD(sessionID, index))); err != nil {
					return err
				}
				index, lastSeq = index+1, c.seq
			}
			if len(page) > 0 {
				return nil
			}
			if index == 0 {
				return errNothingToArchive // another node archived it meanwhile
			}
			tb, err := json.Marshal(archiveTrailer{Segments: index, Entries: sess.RecordedEntries})
			if err != nil {
				return err
			}
			return w.segment(key.Seal(tb, archiveEndAAD(sessionID)))
		})
		if errors.Is(err, keyring.ErrKeyDestroyed) {
			return s.dropShredded(ctx, sessionID)
		}
		if errors.Is(err, errNothingToArchive) {
			return nil
		}
		if err != nil {
			return err
		}
		if len(page) == 0 {
			break
		}
	}
	if err := w.commit(); err != nil {
		return err
	}
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		var max int
		if err := tx.QueryRow(ctx, "SELECT COALESCE(MAX(seq), 0) FROM assist_chunks WHERE session_id = ?", sessionID).Scan(&max); err != nil {
			return err
		}
		locked, err := s.load(ctx, tx, sessionID, true)
		if err != nil {
			return err
		}
		if max != lastSeq || locked.Archived {
			return errors.New("the recording changed while it was archived; retried at the next run")
		}
		if _, err := tx.Exec(ctx, "DELETE FROM assist_chunks WHERE session_id = ?", sessionID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE assist_sessions SET archive_path = ?, archived_at = ? WHERE id = ?", filepath.ToSlash(rel), tx.Now(), sessionID); err != nil {
			return err
		}
		return s.auditEvent(ctx, tx, locked, "assist.archive", &audit.Actor{Kind: audit.ActorSystem}, audit.Success,
			map[string]any{"segments": index, "bytes": locked.RecordedBytes})
	})
	if err != nil {
		os.Remove(w.path) // not named in the session: nobody will read it
	}
	return err
}

var errNothingToArchive = errors.New("assist: nothing to archive")

// dropShredded deletes the chunks of a customer whose key was destroyed:
// they can never be read again, so there is nothing to archive.
func (s *Service) dropShredded(ctx context.Context, sessionID string) error {
	return s.db.Write(ctx, func(tx *db.Tx) error {
		sess, err := s.load(ctx, tx, sessionID, true)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM assist_chunks WHERE session_id = ?", sessionID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE assist_sessions SET archived_at = ? WHERE id = ?", tx.Now(), sessionID); err != nil {
			return err
		}
		return s.auditEvent(ctx, tx, sess, "assist.archive", &audit.Actor{Kind: audit.ActorSystem}, audit.Success, map[string]any{"shredded": true})
	})
}

// archiveWriter writes an archive file atomically: a temporary file beside
// it, synced and renamed by commit, and the directory synced.
type archiveWriter struct {
	path string
	f    *os.File
	w    *bufio.Writer
	done bool
}

func createArchive(path string) (*archiveWriter, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(dir, ".archive-*.tmp")
	if err != nil {
		return nil, err
	}
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	w := &archiveWriter{path: path, f: f, w: bufio.NewWriter(f)}
	_, err = w.w.WriteString(archiveMagic)
	return w, err
}

func (a *archiveWriter) segment(b []byte) error {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(b)))
	if _, err := a.w.Write(n[:]); err != nil {
		return err
	}
	_, err := a.w.Write(b)
	return err
}

func (a *archiveWriter) commit() error {
	if err := errors.Join(a.w.Flush(), a.f.Sync(), a.f.Close()); err != nil {
		return err
	}
	if err := os.Rename(a.f.Name(), a.path); err != nil {
		return err
	}
	a.done = true
	if d, err := os.Open(filepath.Dir(a.path)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// abort removes the temporary file unless commit renamed it.
func (a *archiveWriter) abort() {
	if !a.done {
		a.f.Close()
		os.Remove(a.f.Name())
	}
}

// readArchive returns the gzip-compressed JSON Lines of each segment of a
// session's archive file, after checking the trailer.
func (s *Service) readArchive(ctx context.Context, sessionID, rel string) ([][]byte, error) {
	f, err := os.Open(filepath.Join(s.o.ArchiveDir, filepath.FromSlash(rel)))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := bufio.NewReader(f)
	magic := make([]byte, len(archiveMagic))
	if _, err := io.ReadFull(r, magic); err != nil || string(magic) != archiveMagic {
		return nil, errors.New("assist: not an archive file")
	}
	var sealed [][]byte
	for {
		var n [4]byte
		if _, err := io.ReadFull(r, n[:]); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, fmt.Errorf("assist: archive cut short: %w", err)
		}
		size := binary.BigEndian.Uint32(n[:])
		if size > 64<<20 {
			return nil, errors.New("assist: archive segment too large")
		}
		seg := make([]byte, size)
		if _, err := io.ReadFull(r, seg); err != nil {
			return nil, fmt.Errorf("assist: archive cut short: %w", err)
		}
		sealed = append(sealed, seg)
	}
	if len(sealed) == 0 {
		return nil, errors.New("assist: archive without trailer")
	}
	var out [][]byte
	tb, err := s.openSealed(ctx, sealed[len(sealed)-1], archiveEndAAD(sessionID))
	if err != nil {
		return nil, fmt.Errorf("assist: archive trailer: %w", err)
	}
	var t archiveTrailer
	if err := json.Unmarshal(tb, &t); err != nil || t.Segments != len(sealed)-1 {
		return nil, errors.New("assist: archive trailer does not match its segments")
	}
	for i, seg := range sealed[:len(sealed)-1] {
		gz, err := s.openSealed(ctx, seg, archiveAAD(sessionID, i))
		if err != nil {
			return nil, fmt.Errorf("assist: archive segment %d: %w", i, err)
		}
		out = append(out, gz)
	}
	return out, nil
}
