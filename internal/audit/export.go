package audit

import (
	"bufio"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/keyring"
)

// exported is the NDJSON form of an entry.
type exported struct {
	Seq       int64           `json:"seq"`
	Time      string          `json:"time"`
	Actor     exportedActor   `json:"actor"`
	Action    string          `json:"action"`
	Target    string          `json:"target,omitempty"`
	Outcome   string          `json:"outcome"`
	SourceIP  string          `json:"source_ip,omitempty"`
	UserAgent string          `json:"user_agent,omitempty"`
	RequestID string          `json:"request_id,omitempty"`
	Subject   string          `json:"subject,omitempty"`
	Details   json.RawMessage `json:"details,omitempty"`
	Personal  any             `json:"personal,omitempty"`
	PrevHash  string          `json:"prev_hash"`
	Hash      string          `json:"hash"`
}

type exportedActor struct {
	ID          string `json:"id,omitempty"`
	Kind        string `json:"kind"`
	SessionHash string `json:"session_hash,omitempty"`
}

// Export writes every entry at or after since as one JSON object a line.
// Personal details are opened; those of erased subjects appear as "erased".
func (l *Log) Export(ctx context.Context, d *db.DB, w io.Writer, since time.Time) (int64, error) {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	var n int64
	// Entries are read in batches: opening personal details queries the same
	// transaction, which cannot run while rows are being read, and an export
	// of millions of entries must not sit in memory.
	var after int64
	for {
		var batch []Entry
		err := d.Read(ctx, func(tx *db.Tx) error {
			where, args := "WHERE seq > ?", []any{after}
			if !since.IsZero() {
				where, args = where+" AND at >= ?", append(args, since.UTC())
			}
			err := scanEntries(ctx, tx, where, args, 1000, func(e *Entry) error {
				batch = append(batch, *e)
				return nil
			})
			if err != nil {
				return err
			}
			for i := range batch {
				if err := l.exportEntry(ctx, tx, enc, &batch[i]); err != nil {
					return err
				}
				n++
			}
			return nil
		})
		if err != nil {
			return n, err
		}
		if len(batch) == 0 {
			break
		}
		after = batch[len(batch)-1].Seq
	}
	return n, bw.Flush()
}

func (l *Log) exportEntry(ctx context.Context, tx *db.Tx, enc *json.Encoder, e *Entry) error {
	x := exported{
		Seq: e.Seq, Time: e.At.UTC().Format(time.RFC3339Nano),
		Actor:  exportedActor{ID: e.Actor.ID, Kind: e.Actor.Kind, SessionHash: e.Actor.SessionHash},
		Action: e.Action, Target: e.Target, Outcome: e.Outcome,
		SourceIP: e.Origin.IP, UserAgent: e.Origin.UserAgent, RequestID: e.Origin.RequestID,
		Subject: e.Subject, PrevHash: hex.EncodeToString(e.PrevHash), Hash: hex.EncodeToString(e.Hash),
	}
	if e.Details != "" {
		x.Details = json.RawMessage(e.Details)
	}
	if e.Personal == nil && e.PersonalDigest != nil {
		x.Personal = PersonalExpired
	}
	if e.Personal != nil {
		p, err := l.OpenPersonal(ctx, tx, e)
		switch {
		case errors.Is(err, keyring.ErrKeyDestroyed):
			x.Personal = "erased"
		case err != nil:
			return fmt.Errorf("audit: entry %d: %w", e.Seq, err)
		default:
			x.Personal = p
		}
	}
	return enc.Encode(x)
}
