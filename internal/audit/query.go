package audit

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/keyring"
)

// Page sizes of Query.
const (
	DefaultLimit = 100
	MaxLimit     = 1000
)

// Filter selects audit entries for the staff console's viewer and its
// exports (PCI DSS 10.4.1: audit logs are reviewed; ASVS 16.4: logs are
// protected and usable). Empty fields do not filter; set fields all apply.
type Filter struct {
	Actor string // actor id, exact
	// Actors selects the entries of any of these actor ids (the console's
	// filter by a staff member's name, which may fit several). Empty does
	// not filter: a name that fits no one is answered before a query.
	Actors    []string
	ActorKind string // ActorCustomer, ActorStaff, ActorSystem or ActorAnonymous
	Target    string // exact, e.g. "account:3f2a…"
	// Action is matched exactly, or as a prefix when it ends in "."
	// ("recovery." selects "recovery.request", "recovery.approve"…).
	Action  string
	Outcome string    // Success, Failure or Denied
	Subject string    // the subject whose data key seals the personal details
	Since   time.Time // entries at or after Since
	Until   time.Time // entries strictly before Until
	// Before pages backwards: only entries with a smaller sequence number.
	// Pass the Seq of the last record of a page to get the next one.
	Before int64
	// Limit caps the number of records: DefaultLimit when zero or less,
	// MaxLimit at most. Exports write every match when it is zero.
	Limit int
}

// Personal-detail states of a Record.
const (
	PersonalNone   = ""       // the entry holds no personal details
	PersonalOpen   = "open"   // Personal holds them, opened with the subject's data key
	PersonalErased = "erased" // the subject's data key was destroyed (crypto-shredded)
	// PersonalExpired: the details were dropped when their retention
	// period ended (retention class audit_personal); the chain holds
	// their digest.
	PersonalExpired = "expired"
	PersonalSealed  = "sealed" // not opened: no keyring was given
)

// Record is an audit entry as the viewer shows it.
type Record struct {
	Seq     int64
	At      time.Time
	Actor   Actor // the session appears only as its hash
	Origin  Origin
	Action  string
	Target  string
	Subject string
	Outcome string
	Details map[string]any // decoded; numbers are json.Number
	// Personal holds the opened personal details when PersonalState is
	// PersonalOpen, and is nil otherwise.
	Personal      map[string]any
	PersonalState string
	Hash          string // hex
	PrevHash      string // hex
}

// Query returns the entries matching f, newest first. Personal details are
// opened with keys; keys may be nil, and they are then left sealed. A page
// shorter than the limit is the last one.
func Query(ctx context.Context, d *db.DB, keys *keyring.Keyring, f Filter) ([]Record, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	return query(ctx, d, keys, f, min(limit, MaxLimit))
}

// Get returns the entry with sequence number seq, or db.ErrNotFound.
func Get(ctx context.Context, d *db.DB, keys *keyring.Keyring, seq int64) (*Record, error) {
	var rec *Record
	err := d.Read(ctx, func(tx *db.Tx) error {
		es, err := scanNewest(ctx, tx, "WHERE seq = ?", []any{seq}, 1)
		if err != nil {
			return err
		}
		if len(es) == 0 {
			return db.ErrNotFound
		}
		r, err := toRecord(ctx, tx, keys, &es[0])
		rec = &r
		return err
	})
	if err != nil {
		return nil, err
	}
	return rec, nil
}

func query(ctx context.Context, d *db.DB, keys *keyring.Keyring, f Filter, limit int) ([]Record, error) {
	where, args := f.where()
	var recs []Record
	err := d.Read(ctx, func(tx *db.Tx) error {
		// Rows are read to the end before personal details are opened:
		// opening may query data_keys, which cannot run on the
		// transaction's connection while rows are still open.
		es, err := scanNewest(ctx, tx, where, args, limit)
		if err != nil {
			return err
		}
		recs = make([]Record, len(es))
		for i := range es {
			if recs[i], err = toRecord(ctx, tx, keys, &es[i]); err != nil {
				return err
			}
		}
		return nil
	})
	return recs, err
}

// where renders f as a WHERE clause with "?" placeholders.
func (f Filter) where() (string, []any) {
	var conds []string
	var args []any
	eq := func(col, v string) {
		if v != "" {
			conds, args = append(conds, col+" = ?"), append(args, v)
		}
	}
	eq("actor_id", f.Actor)
	if len(f.Actors) > 0 {
		conds = append(conds, "actor_id IN (?"+strings.Repeat(", ?", len(f.Actors)-1)+")")
		for _, a := range f.Actors {
			args = append(args, a)
		}
	}
	eq("actor_kind", f.ActorKind)
	eq("target", f.Target)
	eq("outcome", f.Outcome)
	eq("subject", f.Subject)
	if strings.HasSuffix(f.Action, ".") {
		// substr, not LIKE: LIKE treats % and _ as wildcards and ignores
		// case on SQLite only; not a range either, which a PostgreSQL
		// locale collation would order differently from the bytes.
		conds = append(conds, "substr(action, 1, ?) = ?")
		args = append(args, utf8.RuneCountInString(f.Action), f.Action)
	} else {
		eq("action", f.Action)
	}
	if !f.Since.IsZero() {
		conds, args = append(conds, "at >= ?"), append(args, f.Since.UTC())
	}
	if !f.Until.IsZero() {
		conds, args = append(conds, "at < ?"), append(args, f.Until.UTC())
	}
	if f.Before > 0 {
		conds, args = append(conds, "seq < ?"), append(args, f.Before)
	}
	if len(conds) == 0 {
		return "", nil
	}
	return "WHERE " + strings.Join(conds, " AND "), args
}

// scanNewest reads at most limit entries matching where, newest first.
func scanNewest(ctx context.Context, tx *db.Tx, where string, args []any, limit int) ([]Entry, error) {
	q := `SELECT ` + entryColumns + ` FROM audit_log ` + where + fmt.Sprintf(` ORDER BY seq DESC LIMIT %d`, limit)
	rows, err := tx.Query(ctx, q, args...)
	es, err := db.Collect(rows, err, scanEntry)
	if err != nil {
		return nil, fmt.Errorf("audit: query entries: %w", err)
	}
	return es, nil
}

// scanEntry reads one row of entryColumns.
func scanEntry(row db.Scanner) (e Entry, err error) {
	err = row.Scan(&e.Seq, &e.At, &e.Actor.ID, &e.Actor.Kind, &e.Actor.SessionHash, &e.Action, &e.Target, &e.Outcome,
		&e.Origin.IP, &e.Origin.UserAgent, &e.Origin.RequestID, &e.Subject, &e.Details, &e.Personal, &e.PersonalDigest, &e.PrevHash, &e.Hash)
	return e, err
}

func toRecord(ctx context.Context, tx *db.Tx, keys *keyring.Keyring, e *Entry) (Record, error) {
	r := Record{
		Seq: e.Seq, At: e.At.UTC(), Actor: e.Actor, Origin: e.Origin,
		Action: e.Action, Target: e.Target, Subject: e.Subject, Outcome: e.Outcome,
		Hash: hex.EncodeToString(e.Hash), PrevHash: hex.EncodeToString(e.PrevHash),
	}
	if e.Details != "" {
		m, err := decodeObject([]byte(e.Details))
		if err != nil {
			return r, fmt.Errorf("audit: entry %d: decode details: %w", e.Seq, err)
		}
		r.Details = m
	}
	if e.Personal == nil {
		if e.PersonalDigest != nil {
			r.PersonalState = PersonalExpired
		}
		return r, nil
	}
	if keys == nil {
		r.PersonalState = PersonalSealed
		return r, nil
	}
	b, err := keys.Open(ctx, tx, e.Personal, personalAAD(e.Seq))
	switch {
	case errors.Is(err, keyring.ErrKeyDestroyed):
		r.PersonalState = PersonalErased
		return r, nil
	case err != nil:
		return r, fmt.Errorf("audit: entry %d: open personal details: %w", e.Seq, err)
	}
	if r.Personal, err = decodeObject(b); err != nil {
		return r, fmt.Errorf("audit: entry %d: decode personal details: %w", e.Seq, err)
	}
	r.PersonalState = PersonalOpen
	return r, nil
}

func decodeObject(b []byte) (map[string]any, error) {
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	return m, nil
}
