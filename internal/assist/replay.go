package assist

import (
	"context"
	"sort"
	"time"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
)

// Recording is a session's recording, ready to replay: rrweb events for
// @rrweb/replay, the agent's actions, control messages and the chat, in
// time order.
type Recording struct {
	Session *Session `json:"session"`
	Source  string   `json:"source"` // "database", or "archive" after the retention period
	Entries []Entry  `json:"entries"`
}

// Where a recording was read from.
const (
	SourceDatabase = "database"
	SourceArchive  = "archive"
)

// Replay returns a session's recording to its customer, or to staff
// holding assist:replay (the web layer checks it too). Anyone else gets
// ErrNotFound (a customer: ASVS 8.2.2) or ErrForbidden (staff: ASVS
// 8.2.1), and the refusal is an audit entry; every replay is an audit
// entry written before the recording is returned (ASVS 16.3.2).
func (s *Service) Replay(ctx context.Context, sessionID string, viewer Actor) (*Recording, error) {
	sess, err := s.read(ctx, sessionID, true)
	if err != nil {
		return nil, err
	}
	kind := audit.ActorCustomer
	var refusal error
	switch {
	case viewer.Staff:
		kind = audit.ActorStaff
		ok, err := s.hasPermission(ctx, viewer.AccountID, permReplay)
		if err != nil {
			return nil, err
		}
		if !ok {
			refusal = ErrForbidden
		}
	case viewer.AccountID == "" || viewer.AccountID != sess.CustomerID:
		refusal = ErrNotFound
	}
	actor := actorFor(ctx, viewer.AccountID, kind)
	if refusal != nil {
		err := s.db.Write(ctx, func(tx *db.Tx) error {
			return s.auditEvent(ctx, tx, sess, "assist.replay", actor, audit.Denied, nil)
		})
		if err != nil {
			return nil, err
		}
		return nil, refusal
	}
	if err := s.flushSession(ctx, sessionID); err != nil {
		return nil, err
	}
	rec := &Recording{Session: sess, Source: SourceDatabase}
	if sess.archive != "" {
		rec.Source = SourceArchive
		rec.Entries, err = s.archivedEntries(ctx, sess)
	} else {
		rec.Entries, err = s.storedEntries(ctx, sessionID)
	}
	if err != nil {
		return nil, err
	}
	if len(rec.Entries) == 0 {
		return nil, ErrNoRecording
	}
	sort.SliceStable(rec.Entries, func(i, j int) bool { return rec.Entries[i].At.Before(rec.Entries[j].At) })
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		return s.auditEvent(ctx, tx, sess, "assist.replay", actor, audit.Success,
			map[string]any{"source": rec.Source, "entries": len(rec.Entries), "viewer": kind})
	})
	if err != nil {
		return nil, err
	}
	return rec, nil
}

func (s *Service) storedEntries(ctx context.Context, sessionID string) ([]Entry, error) {
	var out []Entry
	last := 0
	for {
		var page []chunkRow
		err := s.db.Read(ctx, func(tx *db.Tx) error {
			var err error
			if page, err = s.chunksAfter(ctx, tx, sessionID, last, 32); err != nil {
				return err
			}
			for _, c := range page {
				gz, err := s.openChunk(ctx, tx, sessionID, c)
				if err != nil {
					return err
				}
				if out, err = appendGzipEntries(out, gz); err != nil {
					return err
				}
				last = c.seq
			}
			return nil
		})
		if err != nil || len(page) == 0 {
			return out, err
		}
	}
}

func (s *Service) archivedEntries(ctx context.Context, sess *Session) ([]Entry, error) {
	segs, err := s.readArchive(ctx, sess.ID, sess.archive)
	if err != nil {
		return nil, err
	}
	var out []Entry
	for _, gz := range segs {
		if out, err = appendGzipEntries(out, gz); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func appendGzipEntries(into []Entry, gz []byte) ([]Entry, error) {
	lines, err := gunzip(gz, maxPayload)
	if err != nil {
		return nil, err
	}
	return decodeEntries(lines, into)
}

// BytesPerMinute is the recording's stored size (compressed and sealed)
// per minute of session, 0 before it has a duration: the figure
// docs/benchmarks.md reports for a typical portal page.
func (s *Session) BytesPerMinute() float64 {
	if s.StartedAt == nil || s.EndedAt == nil {
		return 0
	}
	d := s.EndedAt.Sub(*s.StartedAt)
	if d <= 0 {
		return 0
	}
	return float64(s.RecordedBytes) / (float64(d) / float64(time.Minute))
}
