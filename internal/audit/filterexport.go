package audit

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/frontdesk/frontdesk/internal/csvsafe"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/keyring"
)

// exportPage is how many entries an export reads per transaction: enough to
// keep round trips few, small enough that memory stays flat and no read
// transaction lasts while a slow client drains the output.
const exportPage = 500

// CSVHeader is the header row of WriteCSV, in its fixed column order.
var CSVHeader = []string{"seq", "time", "actor_id", "actor_kind", "session_hash", "source_ip", "user_agent", "request_id",
	"action", "target", "outcome", "subject", "details", "personal", "prev_hash", "hash"}

// WriteNDJSON writes the entries matching f, newest first, one JSON object a
// line in the format of `frontdesk audit export` (PCI DSS 10.2: audit trails
// available for review). Personal details are opened with keys; those of
// erased subjects appear as "erased", and all of them as "sealed" when keys
// is nil. f.Limit caps the number of entries when positive; zero means all.
// It returns how many entries it wrote.
func WriteNDJSON(ctx context.Context, w io.Writer, d *db.DB, keys *keyring.Keyring, f Filter) (int64, error) {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	return eachPage(ctx, d, keys, f, func(page []Record) error {
		for i := range page {
			if err := enc.Encode(page[i].ndjson()); err != nil {
				return fmt.Errorf("audit: write entry %d: %w", page[i].Seq, err)
			}
		}
		return bw.Flush()
	})
}

// WriteCSV writes the entries matching f, newest first, as CSV with a
// header row (CSVHeader). Details and personal details are JSON text in
// their cells. Every cell that a spreadsheet would read as a formula gets a
// leading single quote (ASVS 1.2.10): actions, targets, user agents and
// personal details may come from an attacker. Personal details and f.Limit
// are handled as by WriteNDJSON.
func WriteCSV(ctx context.Context, w io.Writer, d *db.DB, keys *keyring.Keyring, f Filter) (int64, error) {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return 0, fmt.Errorf("audit: write csv: %w", err)
	}
	row := make([]string, len(CSVHeader))
	n, err := eachPage(ctx, d, keys, f, func(page []Record) error {
		for i := range page {
			r := &page[i]
			details, err := compactJSON(r.Details)
			if err != nil {
				return fmt.Errorf("audit: entry %d: %w", r.Seq, err)
			}
			personal := r.PersonalState
			if r.PersonalState == PersonalOpen {
				if personal, err = compactJSON(r.Personal); err != nil {
					return fmt.Errorf("audit: entry %d: %w", r.Seq, err)
				}
			}
			row = append(row[:0], strconv.FormatInt(r.Seq, 10), r.At.Format(time.RFC3339Nano),
				r.Actor.ID, r.Actor.Kind, r.Actor.SessionHash, r.Origin.IP, r.Origin.UserAgent, r.Origin.RequestID,
				r.Action, r.Target, r.Outcome, r.Subject, details, personal, r.PrevHash, r.Hash)
			if err := cw.Write(csvsafe.Row(row)); err != nil {
				return fmt.Errorf("audit: write csv: %w", err)
			}
		}
		cw.Flush()
		return cw.Error()
	})
	if err != nil {
		return n, err
	}
	cw.Flush() // the header of an empty export
	return n, cw.Error()
}

// eachPage calls fn with successive pages of the entries matching f, newest
// first, each read in its own transaction, and returns how many there were.
// Paging backwards by sequence number is stable on an append-only log:
// entries added meanwhile are newer than the first page and never shift it.
func eachPage(ctx context.Context, d *db.DB, keys *keyring.Keyring, f Filter, fn func([]Record) error) (int64, error) {
	var n int64
	for {
		size := exportPage
		if f.Limit > 0 {
			size = min(size, f.Limit-int(n))
			if size <= 0 {
				return n, nil
			}
		}
		page, err := query(ctx, d, keys, f, size)
		if err != nil {
			return n, err
		}
		if len(page) > 0 {
			if err := fn(page); err != nil {
				return n, err
			}
		}
		n += int64(len(page))
		if len(page) < size {
			return n, nil
		}
		f.Before = page[len(page)-1].Seq
	}
}

// ndjson gives r the NDJSON form of Log.Export.
func (r *Record) ndjson() exported {
	x := exported{
		Seq: r.Seq, Time: r.At.Format(time.RFC3339Nano),
		Actor:  exportedActor{ID: r.Actor.ID, Kind: r.Actor.Kind, SessionHash: r.Actor.SessionHash},
		Action: r.Action, Target: r.Target, Outcome: r.Outcome,
		SourceIP: r.Origin.IP, UserAgent: r.Origin.UserAgent, RequestID: r.Origin.RequestID,
		Subject: r.Subject, PrevHash: r.PrevHash, Hash: r.Hash,
	}
	if r.Details != nil {
		// Details were decoded from JSON, so encoding them again cannot fail.
		b, _ := compactJSON(r.Details)
		x.Details = json.RawMessage(b)
	}
	switch r.PersonalState {
	case PersonalOpen:
		x.Personal = r.Personal
	case PersonalErased, PersonalSealed, PersonalExpired:
		x.Personal = r.PersonalState
	}
	return x
}

// compactJSON encodes m on one line without HTML escaping; nil gives "".
func compactJSON(m map[string]any) (string, error) {
	if m == nil {
		return "", nil
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		return "", fmt.Errorf("encode: %w", err)
	}
	return string(bytes.TrimSuffix(buf.Bytes(), []byte("\n"))), nil
}
