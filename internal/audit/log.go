package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/keyring"
)

// Log appends to the audit trail.
type Log struct {
	keys      *keyring.Keyring
	signer    *Signer
	every     int64
	observers []Observer
}

// Observer sees each event as it is recorded, inside the recording
// transaction (staff monitoring counts data access this way). An error
// rolls the transaction back: monitoring fails closed.
type Observer func(ctx context.Context, tx *db.Tx, e Entry) error

// Observe adds an observer. Call it before serving.
func (l *Log) Observe(o Observer) { l.observers = append(l.observers, o) }

// Options configure New.
type Options struct {
	// CheckpointEvery is the number of entries between signed checkpoints.
	CheckpointEvery int
}

// New returns a Log that seals personal details with keys and signs
// checkpoints with signer.
func New(keys *keyring.Keyring, signer *Signer, opts Options) *Log {
	every := int64(opts.CheckpointEvery)
	if every <= 0 {
		every = 1000
	}
	return &Log{keys: keys, signer: signer, every: every}
}

// pending holds the entries recorded in one transaction until it commits.
type pending struct {
	entries  []Entry
	personal [][]byte // clear JSON, sealed at flush time
}

type pendingKey struct{}

// Record appends an entry inside tx: it is committed with the change it
// describes, or not at all. Entries are chained, sealed and written in one
// pass just before the transaction commits, which holds the chain's lock
// for the shortest time and costs a few round trips per transaction rather
// than several per entry. Invalid events are refused at once.
func (l *Log) Record(ctx context.Context, tx *db.Tx, ev Event) error {
	if ev.Action == "" {
		return errors.New("audit: event without action")
	}
	actor := ActorFrom(ctx)
	if ev.Actor != nil {
		actor = *ev.Actor
	}
	outcome := ev.Outcome
	if outcome == "" {
		outcome = Success
	}
	e := Entry{At: tx.Now(), Actor: actor, Action: ev.Action, Target: ev.Target, Outcome: outcome,
		Origin: OriginFrom(ctx), Subject: ev.Subject}
	if len(ev.Details) > 0 {
		b, err := json.Marshal(ev.Details) // map keys come out sorted
		if err != nil {
			return fmt.Errorf("audit: encode details: %w", err)
		}
		e.Details = string(b)
	}
	var personal []byte
	if len(ev.Personal) > 0 {
		if ev.Subject == "" {
			return errors.New("audit: personal details need a subject")
		}
		b, err := json.Marshal(ev.Personal)
		if err != nil {
			return fmt.Errorf("audit: encode personal details: %w", err)
		}
		personal = b
	}
	p, ok := tx.Value(pendingKey{}).(*pending)
	if !ok {
		p = &pending{}
		tx.SetValue(pendingKey{}, p)
		tx.BeforeCommit(func(ctx context.Context) error { return l.flush(ctx, tx, p) })
	}
	p.entries = append(p.entries, e)
	p.personal = append(p.personal, personal)
	for _, o := range l.observers {
		if err := o(ctx, tx, e); err != nil {
			return err
		}
	}
	return nil
}

func personalAAD(seq int64) []byte { return []byte("audit_log.personal:" + strconv.FormatInt(seq, 10)) }

const insertColumns = `INSERT INTO audit_log (seq, at, actor_id, actor_kind, actor_session, action, target, outcome,
	source_ip, user_agent, request_id, subject, details, personal, personal_digest, prev_hash, hash) VALUES `

// flush chains, seals and writes the transaction's entries.
func (l *Log) flush(ctx context.Context, tx *db.Tx, p *pending) error {
	var seq int64
	var prev []byte
	// Locking the head row makes concurrent transactions chain one after another.
	if err := tx.QueryRow(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`+tx.ForUpdate()).Scan(&seq, &prev); err != nil {
		return fmt.Errorf("audit: read chain head: %w", err)
	}
	var subjects []string
	for i, pb := range p.personal {
		if pb != nil {
			subjects = append(subjects, p.entries[i].Subject)
		}
	}
	keys, err := l.keys.DataKeys(ctx, tx, subjects)
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	for i := range p.entries {
		e := &p.entries[i]
		seq++
		e.Seq, e.PrevHash = seq, prev
		if pb := p.personal[i]; pb != nil {
			e.Personal = keys[e.Subject].Seal(pb, personalAAD(seq))
			e.PersonalDigest = personalDigest(e.Personal)
		}
		e.Hash = e.computeHash()
		prev = e.Hash
	}
	const chunk = 200 // 17 parameters a row, well under every driver's limit
	for start := 0; start < len(p.entries); start += chunk {
		rows := p.entries[start:min(start+chunk, len(p.entries))]
		args := make([]any, 0, 17*len(rows))
		for _, e := range rows {
			args = append(args, e.Seq, e.At, e.Actor.ID, e.Actor.Kind, e.Actor.SessionHash, e.Action, e.Target, e.Outcome,
				e.Origin.IP, e.Origin.UserAgent, e.Origin.RequestID, e.Subject, e.Details, e.Personal, e.PersonalDigest, e.PrevHash, e.Hash)
		}
		q := insertColumns + strings.Repeat("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?), ", len(rows)-1) +
			"(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
		if _, err := tx.Exec(ctx, q, args...); err != nil {
			return fmt.Errorf("audit: append: %w", err)
		}
	}
	for _, e := range p.entries {
		if e.Seq%l.every == 0 {
			if err := l.insertCheckpoint(ctx, tx, e.Seq, e.Hash); err != nil {
				return err
			}
		}
	}
	if _, err := tx.Exec(ctx, `UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1`, seq, prev); err != nil {
		return fmt.Errorf("audit: move chain head: %w", err)
	}
	return nil
}

func (l *Log) insertCheckpoint(ctx context.Context, tx *db.Tx, seq int64, hash []byte) error {
	_, err := tx.Exec(ctx, `INSERT INTO audit_checkpoints (seq, hash, at, key_id, signature) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (seq) DO NOTHING`, seq, hash, tx.Now(), l.signer.KeyID(), l.signer.sign(seq, hash))
	if err != nil {
		return fmt.Errorf("audit: checkpoint: %w", err)
	}
	return nil
}

// Checkpoint signs the current tip of the chain, if no checkpoint covers it
// yet. The server calls it periodically and on shutdown.
func (l *Log) Checkpoint(ctx context.Context, d *db.DB) error {
	return d.Write(ctx, func(tx *db.Tx) error {
		var seq int64
		var hash []byte
		if err := tx.QueryRow(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`+tx.ForUpdate()).Scan(&seq, &hash); err != nil {
			return fmt.Errorf("audit: read chain head: %w", err)
		}
		if seq == 0 {
			return nil
		}
		return l.insertCheckpoint(ctx, tx, seq, hash)
	})
}

// OpenPersonal decrypts an entry's personal details. It returns
// keyring.ErrKeyDestroyed once the subject has been erased.
func (l *Log) OpenPersonal(ctx context.Context, tx *db.Tx, e *Entry) (map[string]any, error) {
	if e.Personal == nil {
		return nil, nil
	}
	b, err := l.keys.Open(ctx, tx, e.Personal, personalAAD(e.Seq))
	if err != nil {
		return nil, err
	}
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("audit: decode personal details: %w", err)
	}
	return m, nil
}
