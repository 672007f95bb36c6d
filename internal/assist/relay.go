package assist

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/frontdesk/frontdesk/internal/bus"
	"github.com/frontdesk/frontdesk/internal/db"
)

// The relay. Each session has three bus subjects:
//
//	assist.<session>.c2a   customer → agent: batches of rrweb events (sealed)
//	assist.<session>.a2c   agent → customer: actions that passed the gate (sealed)
//	assist.<session>.ctl   control: state, level, level requests, warnings, the end (clear JSON)
//
// and every control message is also published as conv.<conversation>.assist,
// so the chat widget, the portal and the console, which already follow their
// conversation, learn of an invitation or an end. Page content is personal
// data and the bus may be a hop to a shared NATS server (docs/bus.md), so
// c2a and a2c carry frames sealed with the customer's data key; control
// messages hold ids, states and levels only.

// Channels of a session on the bus.
const (
	ChannelStream  = "c2a"
	ChannelActions = "a2c"
	ChannelControl = "ctl"
)

// Subject is the bus subject of a session's channel.
func Subject(sessionID, channel string) string { return "assist." + sessionID + "." + channel }

// ParseSubject splits a subject published by the relay, for a node-wide
// subscription to "assist.*.*".
func ParseSubject(subject string) (sessionID, channel string, ok bool) {
	parts := strings.Split(subject, ".")
	if len(parts) != 3 || parts[0] != "assist" {
		return "", "", false
	}
	switch parts[2] {
	case ChannelStream, ChannelActions, ChannelControl:
		return parts[1], parts[2], true
	}
	return "", "", false
}

// Control types.
const (
	ControlState        = "state"         // the state or level changed (invited, active, paused, ended)
	ControlLevelRequest = "level_request" // the agent asks for Requested; only the customer's Accept raises the level
	ControlWarning      = "warning"       // the session ends in Remaining seconds
	ControlSnapshot     = "snapshot"      // the agent missed events: the customer's script takes a new full snapshot
)

// Control is a control message. When State is ended, both sides close the
// session at once; Survey tells the customer's page to ask for a rating.
type Control struct {
	Type      string    `json:"type"`
	SessionID string    `json:"session_id"`
	State     string    `json:"state"`
	Level     string    `json:"level,omitempty"`
	LevelSeq  int64     `json:"level_seq,omitempty"` // Session.LevelSeq: which consent set Level
	MaxLevel  string    `json:"max_level,omitempty"`
	Requested string    `json:"requested,omitempty"`
	Reason    string    `json:"reason,omitempty"`
	Remaining int64     `json:"remaining_s,omitempty"`
	Survey    bool      `json:"survey,omitempty"`
	At        time.Time `json:"at"`
}

// announce publishes a control message on the session's and the
// conversation's subjects, and records it with the session.
func (s *Service) announce(ctx context.Context, sess *Session, c Control) {
	b, err := json.Marshal(c)
	if err != nil {
		return
	}
	if s.o.Bus != nil {
		for _, subj := range []string{Subject(sess.ID, ChannelControl), "conv." + sess.ConversationID + ".assist"} {
			if err := s.o.Bus.Publish(ctx, subj, b); err != nil {
				s.log.WarnContext(ctx, "assist control not published", "session", sess.ID, "error", err.Error())
			}
		}
	}
	if sess.Recording && sess.StartedAt != nil {
		s.record(ctx, sess.ID, sess.CustomerID, Entry{At: c.At, Kind: EntryControl, Party: PartySystem, Data: b})
	}
}

// Relay frames: a payload (JSON) is gzip-compressed and cut into parts of
// at most maxPart bytes, each sealed and sent as one bus message:
//
//	[0]      version 1
//	[1:9]    message id, random
//	[9:11]   part index, big-endian
//	[11:13]  number of parts, big-endian
//	[13:]    keyring ciphertext (AES-256-GCM, the customer's data key) of the part,
//	         bound to the session, channel, message id and part
const (
	frameVersion = 1
	frameHeader  = 13
	maxPart      = 512 << 10
	maxParts     = 64
	maxPayload   = 4 * MaxShare // decompressed
)

func frameAAD(sessionID, channel string, id []byte, part, parts int) []byte {
	return []byte("assist.relay.v1\x00" + sessionID + "\x00" + channel + "\x00" + hex.EncodeToString(id) + "\x00" +
		strconv.Itoa(part) + "\x00" + strconv.Itoa(parts))
}

// relay seals and publishes a payload on a session's channel.
func (s *Service) relay(ctx context.Context, sessionID, customerID, channel string, payload []byte) error {
	if s.o.Bus == nil {
		return nil
	}
	key, err := s.customerKey(ctx, customerID)
	if err != nil {
		return err
	}
	gz, err := gzipBytes(payload, gzip.BestSpeed)
	if err != nil {
		return err
	}
	parts := max(1, (len(gz)+maxPart-1)/maxPart)
	if parts > maxParts {
		return invalid("events", "too large to relay")
	}
	id := make([]byte, 8)
	rand.Read(id)
	for i := range parts {
		chunk := gz[i*maxPart : min((i+1)*maxPart, len(gz))]
		frame := make([]byte, frameHeader, frameHeader+len(chunk)+64)
		frame[0] = frameVersion
		copy(frame[1:9], id)
		binary.BigEndian.PutUint16(frame[9:11], uint16(i))
		binary.BigEndian.PutUint16(frame[11:13], uint16(parts))
		frame = append(frame, key.Seal(chunk, frameAAD(sessionID, channel, id, i, parts))...)
		if err := s.o.Bus.Publish(ctx, Subject(sessionID, channel), frame); err != nil {
			return fmt.Errorf("assist: relay: %w", err)
		}
	}
	return nil
}

// Compressors are pooled per level: a flate writer holds about a megabyte
// of tables, and allocating one per relayed batch made the garbage
// collector the relay's main cost (bench/assist).
var (
	gzipWriters = map[int]*sync.Pool{}
	gzipReaders sync.Pool
)

func init() {
	for _, level := range []int{gzip.BestSpeed, gzip.DefaultCompression} {
		gzipWriters[level] = &sync.Pool{New: func() any {
			zw, _ := gzip.NewWriterLevel(io.Discard, level)
			return zw
		}}
	}
}

func gzipBytes(b []byte, level int) ([]byte, error) {
	pool := gzipWriters[level]
	if pool == nil {
		return nil, fmt.Errorf("assist: gzip level %d not pooled", level)
	}
	zw := pool.Get().(*gzip.Writer)
	defer pool.Put(zw)
	var buf bytes.Buffer
	buf.Grow(len(b)/3 + 64)
	zw.Reset(&buf)
	if _, err := zw.Write(b); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// gunzip decompresses at most limit bytes.
func gunzip(b []byte, limit int64) ([]byte, error) {
	var zr *gzip.Reader
	if v, ok := gzipReaders.Get().(*gzip.Reader); ok {
		zr = v
		if err := zr.Reset(bytes.NewReader(b)); err != nil {
			return nil, err
		}
	} else {
		var err error
		if zr, err = gzip.NewReader(bytes.NewReader(b)); err != nil {
			return nil, err
		}
	}
	defer gzipReaders.Put(zr)
	out, err := io.ReadAll(io.LimitReader(zr, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(out)) > limit {
		return nil, errors.New("assist: decompressed data too large")
	}
	return out, zr.Close()
}

// Decoder turns a session channel's frames back into payloads. One
// subscription feeds one decoder; it is not safe for concurrent use.
type Decoder struct {
	s                  *Service
	sessionID, channel string
	pending            map[string]*partial
	order              []string
}

type partial struct {
	parts [][]byte
	got   int
}

// NewDecoder returns a decoder for one session's c2a or a2c frames.
func (s *Service) NewDecoder(sessionID, channel string) *Decoder {
	return &Decoder{s: s, sessionID: sessionID, channel: channel, pending: map[string]*partial{}}
}

// Decode opens one frame and returns the payload it completes: a Batch
// (c2a) or an Action (a2c), as JSON; nil while parts are missing.
// A message whose parts were lost is forgotten after a few newer ones.
func (d *Decoder) Decode(ctx context.Context, frame []byte) ([]byte, error) {
	if len(frame) < frameHeader || frame[0] != frameVersion {
		return nil, errors.New("assist: not a relay frame")
	}
	id := frame[1:9]
	part, parts := int(binary.BigEndian.Uint16(frame[9:11])), int(binary.BigEndian.Uint16(frame[11:13]))
	if parts == 0 || parts > maxParts || part >= parts {
		return nil, errors.New("assist: bad relay frame")
	}
	chunk, err := d.s.openSealed(ctx, frame[frameHeader:], frameAAD(d.sessionID, d.channel, id, part, parts))
	if err != nil {
		return nil, err
	}
	if parts == 1 {
		return gunzip(chunk, maxPayload)
	}
	key := string(id)
	p := d.pending[key]
	if p == nil {
		p = &partial{parts: make([][]byte, parts)}
		d.pending[key] = p
		d.order = append(d.order, key)
		if len(d.order) > 4 {
			delete(d.pending, d.order[0])
			d.order = d.order[1:]
		}
	}
	if len(p.parts) != parts || p.parts[part] != nil {
		return nil, errors.New("assist: bad relay frame")
	}
	p.parts[part] = chunk
	if p.got++; p.got < parts {
		return nil, nil
	}
	delete(d.pending, key)
	for i, k := range d.order {
		if k == key {
			d.order = append(d.order[:i], d.order[i+1:]...)
			break
		}
	}
	return gunzip(bytes.Join(p.parts, nil), maxPayload)
}

// openSealed opens a ciphertext with a cached data key, or loads the key.
func (s *Service) openSealed(ctx context.Context, ct, aad []byte) ([]byte, error) {
	pt, ok, err := s.keys.OpenCached(ct, aad)
	if ok || err != nil {
		return pt, err
	}
	err = s.db.Read(ctx, func(tx *db.Tx) error {
		pt, err = s.keys.Open(ctx, tx, ct, aad)
		return err
	})
	return pt, err
}

// Follow subscribes to one channel of a session and calls fn with each
// complete payload (opened for c2a and a2c, as published for ctl). The web
// layer may instead hold one node-wide subscription to "assist.*.*" with
// ParseSubject and a Decoder per session and channel.
func (s *Service) Follow(ctx context.Context, sessionID, channel string, fn func(payload []byte)) (bus.Subscription, error) {
	if s.o.Bus == nil {
		return nil, errors.New("assist: no bus")
	}
	if channel == ChannelControl {
		return s.o.Bus.Subscribe(Subject(sessionID, channel), func(m bus.Message) { fn(m.Data) })
	}
	dec := s.NewDecoder(sessionID, channel)
	return s.o.Bus.Subscribe(Subject(sessionID, channel), func(m bus.Message) {
		p, err := dec.Decode(ctx, m.Data)
		if err != nil {
			s.log.WarnContext(ctx, "assist relay frame dropped", "session", sessionID, "channel", channel, "error", err.Error())
			return
		}
		if p != nil {
			fn(p)
		}
	})
}
