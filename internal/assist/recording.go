package assist

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/support"
)

// Kinds of recorded entry.
const (
	EntryEvent   = "event"   // an rrweb event from the customer's page
	EntryAction  = "action"  // an agent action that passed the gate
	EntryControl = "control" // a control message: consent, level, pause, warning, end
	EntryChat    = "chat"    // a message of the conversation during the session
)

// Entry is one line of a recording: JSON Lines, {"t","k","p","d"}.
type Entry struct {
	At    time.Time       `json:"t"`
	Kind  string          `json:"k"`
	Party string          `json:"p"`
	Data  json.RawMessage `json:"d"`
}

// A recording is written in chunks. Each node buffers the entries of the
// sessions it serves and seals a chunk when the buffer reaches ChunkBytes,
// when it is FlushEvery old (Tick), at the end of the session, or on
// shutdown (Flush). A crashed node loses at most that much of a recording;
// nothing else lives only in its memory. A chunk is the buffer's JSON
// Lines, gzip-compressed, sealed with AES-256-GCM under the customer's
// data key, bound to "assist_chunks:<session>:<seq>".
type recorder struct {
	mu   sync.Mutex
	bufs map[string]*recBuffer
}

type recBuffer struct {
	customerID  string
	lines       bytes.Buffer
	n           int
	first, last time.Time
}

// record appends entries to the session's buffer on this node, and seals
// a chunk when the buffer is full. Errors are logged: the live session
// goes on without that part of its recording.
func (s *Service) record(ctx context.Context, sessionID, customerID string, entries ...Entry) {
	if len(entries) == 0 {
		return
	}
	s.rec.mu.Lock()
	if s.rec.bufs == nil {
		s.rec.bufs = map[string]*recBuffer{}
	}
	b := s.rec.bufs[sessionID]
	if b == nil {
		b = &recBuffer{customerID: customerID, first: entries[0].At}
		s.rec.bufs[sessionID] = b
	}
	enc := json.NewEncoder(&b.lines)
	for _, e := range entries {
		if e.At.Before(b.first) {
			b.first = e.At
		}
		if e.At.After(b.last) {
			b.last = e.At
		}
		if err := enc.Encode(e); err == nil {
			b.n++
		}
	}
	var full *recBuffer
	if b.lines.Len() >= s.o.ChunkBytes {
		full = b
		delete(s.rec.bufs, sessionID)
	}
	s.rec.mu.Unlock()
	if full != nil {
		if err := s.writeChunk(ctx, sessionID, full); err != nil {
			s.log.ErrorContext(ctx, "assist recording chunk lost", "session", sessionID, "entries", full.n, "error", err.Error())
		}
	}
}

// Flush seals this node's buffers: all of them when all is set
// (shutdown), else those older than FlushEvery.
func (s *Service) Flush(ctx context.Context, all bool) error {
	now := s.now()
	s.rec.mu.Lock()
	due := map[string]*recBuffer{}
	for id, b := range s.rec.bufs {
		if all || now.Sub(b.first) >= s.o.FlushEvery {
			due[id] = b
			delete(s.rec.bufs, id)
		}
	}
	s.rec.mu.Unlock()
	var errs []error
	for id, b := range due {
		errs = append(errs, s.writeChunk(ctx, id, b))
	}
	return errors.Join(errs...)
}

func (s *Service) flushSession(ctx context.Context, sessionID string) error {
	s.rec.mu.Lock()
	b := s.rec.bufs[sessionID]
	delete(s.rec.bufs, sessionID)
	s.rec.mu.Unlock()
	if b == nil {
		return nil
	}
	return s.writeChunk(ctx, sessionID, b)
}

func chunkAAD(sessionID string, seq int) []byte {
	return []byte("assist_chunks:" + sessionID + ":" + strconv.Itoa(seq))
}

// writeChunk seals a buffer into the session's next chunk. A session
// already archived takes no more chunks.
func (s *Service) writeChunk(ctx context.Context, sessionID string, b *recBuffer) error {
	gz, err := gzipBytes(b.lines.Bytes(), gzip.DefaultCompression)
	if err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		var archived sql.NullTime
		if err := tx.QueryRow(ctx, "SELECT archived_at FROM assist_sessions WHERE id = ?"+tx.ForUpdate(), sessionID).Scan(&archived); err != nil {
			return err
		}
		if archived.Valid {
			return errors.New("assist: the recording was archived already")
		}
		var seq int
		if err := tx.QueryRow(ctx, "SELECT COALESCE(MAX(seq), 0) + 1 FROM assist_chunks WHERE session_id = ?", sessionID).Scan(&seq); err != nil {
			return err
		}
		key, err := s.keys.DataKey(ctx, tx, customerSubject(b.customerID))
		if err != nil {
			return err
		}
		sealed := key.Seal(gz, chunkAAD(sessionID, seq))
		if _, err := tx.Exec(ctx, "INSERT INTO assist_chunks (session_id, seq, first_at, last_at, entries, data_sealed) VALUES (?, ?, ?, ?, ?, ?)",
			sessionID, seq, b.first, b.last, b.n, sealed); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, "UPDATE assist_sessions SET recorded_bytes = recorded_bytes + ?, recorded_entries = recorded_entries + ? WHERE id = ?",
			len(sealed), b.n, sessionID)
		return err
	})
}

// recordChat adds the conversation's messages of the session's time (not
// internal notes, not the report) to its recording.
func (s *Service) recordChat(ctx context.Context, sessionID string) error {
	sess, err := s.read(ctx, sessionID, false)
	if err != nil || sess.StartedAt == nil || sess.EndedAt == nil {
		return err
	}
	conv, err := s.o.Desk.Get(ctx, sess.ConversationID, false)
	if err != nil {
		return err
	}
	var entries []Entry
	for _, m := range conv.Messages {
		if m.CreatedAt.Before(*sess.StartedAt) || m.CreatedAt.After(*sess.EndedAt) || strings.HasPrefix(m.ClientID, "assist-") {
			continue
		}
		p := PartyCustomer
		if m.Kind != support.KindCustomer {
			p = PartyAgent
		}
		if m.Kind == support.KindSystem || m.Kind == support.KindBot {
			p = PartySystem
		}
		d, err := json.Marshal(map[string]any{"id": m.ID, "kind": m.Kind, "author": m.AuthorID, "body": m.Body})
		if err != nil {
			return err
		}
		entries = append(entries, Entry{At: m.CreatedAt, Kind: EntryChat, Party: p, Data: d})
	}
	if len(entries) == 0 {
		return nil
	}
	s.record(ctx, sessionID, sess.CustomerID, entries...)
	return s.flushSession(ctx, sessionID)
}

// decodeEntries reads a chunk's JSON Lines.
func decodeEntries(b []byte, into []Entry) ([]Entry, error) {
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64<<10), 2*MaxShare)
	for sc.Scan() {
		var e Entry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			return nil, err
		}
		into = append(into, e)
	}
	return into, sc.Err()
}

// chunkRow is one stored chunk.
type chunkRow struct {
	seq    int
	sealed []byte
}

// chunksAfter reads up to limit of a session's chunks after seq, in order.
func (s *Service) chunksAfter(ctx context.Context, tx *db.Tx, sessionID string, seq, limit int) ([]chunkRow, error) {
	rows, err := tx.Query(ctx, "SELECT seq, data_sealed FROM assist_chunks WHERE session_id = ? AND seq > ? ORDER BY seq LIMIT ?", sessionID, seq, limit)
	return db.Collect(rows, err, func(row db.Scanner) (c chunkRow, err error) {
		err = row.Scan(&c.seq, &c.sealed)
		return c, err
	})
}

// openChunk returns a chunk's gzip-compressed JSON Lines.
func (s *Service) openChunk(ctx context.Context, tx *db.Tx, sessionID string, c chunkRow) ([]byte, error) {
	return s.keys.Open(ctx, tx, c.sealed, chunkAAD(sessionID, c.seq))
}
