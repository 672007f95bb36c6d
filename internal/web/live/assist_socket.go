package live

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"github.com/frontdesk/frontdesk/internal/assist"
	"github.com/frontdesk/frontdesk/internal/bus"
	"github.com/frontdesk/frontdesk/internal/web"
)

// The relay sockets of remote assistance. Both join with a single-use
// ticket from assist.IssueTicket (30 s, ASVS 4.4.x), sent in the first
// frame so it never appears in a URL or a log:
//
// The customer's socket, /support/assist/ws (Origin: the portal's or one
// of the widget origins). client → server:
//
//	{"type":"hello","ticket":"…"}
//	{"type":"batch","seq":7,"events":[rrweb events, already masked]}   → assist.Share
//	{"type":"masked","nodes":[12,40]}   rrweb ids of the masked nodes → assist.ReportMasked
//	{"type":"ping"}
//
// server → client:
//
//	{"type":"welcome","session":{…}}
//	{"type":"action","action":{"kind":"click","target":40,"data":{…}}}   passed the server's gate
//	{"type":"control","control":{"type":"state","state":"ended",…}}
//	{"type":"error","code":"paused","message":"…"}   {"type":"pong"}
//
// The agent's socket, /console/assist/ws (Origin: the portal's only; the
// staff session cookie and assist:start, and the ticket must be the same
// agent's). client → server:
//
//	{"type":"hello","ticket":"…"}
//	{"type":"action","kind":"click","target":40,"data":{…}}   → assist.Act
//	{"type":"level","level":"control"}   → assist.RequestLevel
//	{"type":"snapshot"}   → assist.RequestSnapshot (a gap in seq, or a fresh viewer)
//	{"type":"stop","summary":"…","outcome":"resolved"}   → assist.Stop
//
// server → client:
//
//	{"type":"welcome","session":{…}}
//	{"type":"batch","batch":{"seq":7,"events":[…]}}
//	{"type":"control","control":{…}}
//	{"type":"acted","kind":"click"}  {"type":"refused","kind":"action:click","code":"not_allowed"|"masked"|"paused"|"ended"}
//	{"type":"refused","kind":"action:annotate","code":"invalid_data","message":"A note's data is …"}   malformed, not relayed
//
// The guided actions' data (assist.checkData): pointer {"x":number,"y":number}
// in the replayed page's viewport, annotate {"text":"…"} of 1 to 140
// characters, highlight none.
//
// A control with state "ended" is written, then the socket closes: Stop on
// either side ends the other's view as fast as the bus delivers. A
// customer socket that closes without the session ending calls Drop: the
// session pauses until the customer consents again.

const (
	assistHelloWait = 10 * time.Second
	// assistQueue and assistControlQueue bound what waits for a slow
	// client: about 6 s of batches at assist.js's 10 a second (then a gap
	// in seq, and the viewer asks for a snapshot), and control messages,
	// which are rare (one lost closes the socket). Every session holds two
	// sockets, and each slot is allocated when the socket opens (bench/assist).
	assistQueue        = 64
	assistControlQueue = 16
	// assistLifetime bounds a socket beyond the session's own deadlines,
	// which the service enforces (Tick ends the session and says so).
	assistLifetime = 12*time.Hour + time.Minute
	// assistMaxFrame bounds a customer frame: a batch of at most
	// assist.MaxShare bytes of events, with room for the envelope.
	assistMaxFrame = assist.MaxShare + 64<<10
)

type assistIn struct {
	Type    string            `json:"type"`
	Ticket  string            `json:"ticket,omitempty"`
	Seq     int64             `json:"seq,omitempty"`
	Events  []json.RawMessage `json:"events,omitempty"`
	Nodes   []int             `json:"nodes,omitempty"`
	Kind    string            `json:"kind,omitempty"`
	Target  int               `json:"target,omitempty"`
	Data    json.RawMessage   `json:"data,omitempty"`
	Level   string            `json:"level,omitempty"`
	Summary string            `json:"summary,omitempty"`
	Outcome string            `json:"outcome,omitempty"`
}

// assistConn is one relay socket: its frames in, the bus's payloads out.
type assistConn struct {
	s       *Handler
	conn    *websocket.Conn
	ctx     context.Context
	ticket  *assist.Ticket
	data    chan []byte // a2c actions or c2a batches, as decoded payloads
	control chan []byte // control messages (never dropped while the queue has room)
	gap     atomic.Bool // a control message was dropped: the socket closes, the client reloads
	ended   bool
}

func (c *assistConn) write(v any) error {
	ctx, cancel := context.WithTimeout(c.ctx, chatWriteWait)
	defer cancel()
	return wsjson.Write(ctx, c.conn, v)
}

// join reads the hello, redeems its ticket for party and subscribes to the
// session's data channel and its control channel.
func (c *assistConn) join(party, dataChannel string) ([]bus.Subscription, error) {
	hctx, cancel := context.WithTimeout(c.ctx, assistHelloWait)
	var hello assistIn
	err := wsjson.Read(hctx, c.conn, &hello)
	cancel()
	if err != nil {
		return nil, err
	}
	t, err := c.s.deps.Assist.RedeemTicket(c.ctx, hello.Ticket)
	if hello.Type != "hello" || err != nil || t.Party != party {
		_ = c.write(map[string]string{"type": "error", "code": "bad_ticket", "message": "This link has expired. Reload the page."})
		return nil, errBadTicket
	}
	c.ticket = t
	c.data, c.control = make(chan []byte, assistQueue), make(chan []byte, assistControlQueue)
	var subs []bus.Subscription
	for _, ch := range []string{dataChannel, assist.ChannelControl} {
		q := c.data
		if ch == assist.ChannelControl {
			q = c.control
		}
		sub, err := c.s.deps.Assist.Follow(c.ctx, t.SessionID, ch, func(p []byte) {
			select {
			case q <- p:
			default:
				// A slow client: a lost batch shows as a gap in seq and the
				// viewer asks for a snapshot; a lost control closes the socket.
				if ch == assist.ChannelControl {
					c.gap.Store(true)
				}
			}
		})
		if err != nil {
			unsubscribe(subs)
			return nil, err
		}
		subs = append(subs, sub)
	}
	return subs, nil
}

var errBadTicket = errors.New("assist: bad ticket")

func unsubscribe(subs []bus.Subscription) {
	for _, s := range subs {
		s.Unsubscribe()
	}
}

// relay serves a joined socket until it ends: the client's frames go to
// handle, the bus's payloads of the data channel are written as
// {"type": kind, kind: payload}, control messages as they come (an
// "ended" one ends the socket), and pings run beside the loop.
func (c *assistConn) relay(handle func(assistIn) error, kind string) error {
	frames, readErr := readFrames[assistIn](c.ctx, c.conn)
	ping, pingErr := time.NewTicker(chatPing), make(chan error, 1)
	defer ping.Stop()
	for {
		select {
		case <-c.ctx.Done():
			return c.ctx.Err()
		case err := <-readErr:
			return err
		case f := <-frames:
			if err := handle(f); err != nil {
				return err
			}
		case p := <-c.data:
			if err := c.write(map[string]any{"type": kind, kind: json.RawMessage(p)}); err != nil {
				return err
			}
		case p := <-c.control:
			ended, err := c.forwardControl(p)
			if err != nil || ended {
				c.ended = c.ended || ended
				return err
			}
		case <-ping.C:
			if c.gap.Load() {
				return errors.New("assist: control messages lost")
			}
			pingAsync(c.ctx, c.conn, pingErr)
		case err := <-pingErr:
			return err
		}
	}
}

// forwardControl writes a control message and reports whether it ended
// the session.
func (c *assistConn) forwardControl(p []byte) (bool, error) {
	var ctl assist.Control
	if err := json.Unmarshal(p, &ctl); err != nil {
		return false, nil
	}
	if err := c.write(map[string]any{"type": "control", "control": json.RawMessage(p)}); err != nil {
		return false, err
	}
	return ctl.State == assist.StateEnded, nil
}

// acceptAssist upgrades a relay socket after the Origin check.
func (s *Handler) acceptAssist(w http.ResponseWriter, r *http.Request, originOK bool) (*websocket.Conn, error) {
	if !isWebSocket(r) {
		return nil, errWebSocketOnly
	}
	if !originOK {
		s.Log.WarnContext(r.Context(), "assist connection from an origin not allowed", "security_event", "origin", "origin", r.Header.Get("Origin"))
		return nil, &web.Error{Status: http.StatusForbidden, Code: "origin_refused", Message: "This site may not open remote assistance."}
	}
	conn, err := acceptSocket(w, r)
	if err != nil {
		return nil, nil // Accept has answered
	}
	return conn, nil
}

// assistCustomerSocket is the customer's side of the relay.
func (s *Handler) assistCustomerSocket(w http.ResponseWriter, r *http.Request) error {
	conn, err := s.acceptAssist(w, r, s.originAllowed(r.Header.Get("Origin")))
	if conn == nil {
		return err
	}
	conn.SetReadLimit(assistMaxFrame)
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), assistLifetime)
	defer cancel()
	c := &assistConn{s: s, conn: conn, ctx: ctx}
	subs, err := c.join(assist.PartyCustomer, assist.ChannelActions)
	if err != nil {
		conn.Close(websocket.StatusPolicyViolation, "")
		return nil
	}
	defer unsubscribe(subs)
	err = c.runCustomer()
	if !c.ended {
		// The connection dropped without a Stop: nothing is shared until the
		// customer consents again.
		dctx, dcancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		if derr := s.deps.Assist.Drop(dctx, c.ticket.SessionID, c.ticket.AccountID); derr != nil && !errors.Is(derr, assist.ErrState) && !errors.Is(derr, assist.ErrEnded) {
			s.Log.WarnContext(dctx, "assist session not paused", "session", c.ticket.SessionID, "error", derr.Error())
		}
		dcancel()
	}
	closeAssist(s, ctx, conn, err)
	return nil
}

func closeAssist(s *Handler, ctx context.Context, conn *websocket.Conn, err error) {
	switch {
	case err == nil, errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded), websocket.CloseStatus(err) != -1:
		conn.Close(websocket.StatusNormalClosure, "")
	default:
		s.Log.InfoContext(ctx, "assist connection ended", "error", err.Error())
		conn.Close(websocket.StatusInternalError, "")
	}
}

func (c *assistConn) runCustomer() error {
	sv, t := c.s.deps.Assist, c.ticket
	sess, err := sv.Get(c.ctx, t.SessionID, assist.Actor{AccountID: t.AccountID})
	if err != nil {
		return err
	}
	if err := c.write(map[string]any{"type": "welcome", "session": sess}); err != nil {
		return err
	}
	if sess.State == assist.StateEnded {
		c.ended = true
		return nil
	}
	return c.relay(c.customerFrame, "action")
}

func (c *assistConn) customerFrame(f assistIn) error {
	sv, t := c.s.deps.Assist, c.ticket
	var err error
	switch f.Type {
	case "batch":
		err = sv.Share(c.ctx, t.SessionID, t.AccountID, f.Seq, f.Events)
	case "masked":
		err = sv.ReportMasked(c.ctx, t.SessionID, t.AccountID, f.Nodes)
	case "ping":
		return c.write(map[string]string{"type": "pong"})
	default:
		return c.write(map[string]string{"type": "error", "code": "unknown_type", "message": "Unknown message type."})
	}
	var inv *assist.InvalidError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, assist.ErrEnded):
		c.ended = true
		return c.write(map[string]any{"type": "control", "control": assist.Control{Type: assist.ControlState, SessionID: t.SessionID, State: assist.StateEnded}})
	case errors.Is(err, assist.ErrPaused), errors.Is(err, assist.ErrState):
		return c.write(map[string]string{"type": "error", "code": "paused", "message": "Sharing is paused until you consent again."})
	case errors.As(err, &inv):
		return c.write(map[string]string{"type": "error", "code": "invalid_" + inv.Field, "message": web.SentenceCase(inv.Reason) + "."})
	}
	return err
}

// assistAgentSocket is the agent's side of the relay: the live view.
func (s *Handler) assistAgentSocket(w http.ResponseWriter, r *http.Request) error {
	o := r.Header.Get("Origin")
	conn, err := s.acceptAssist(w, r, s.BaseURL != nil && o == s.BaseURL.Scheme+"://"+s.BaseURL.Host)
	if conn == nil {
		return err
	}
	me := web.Principal(r.Context()).AccountID
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), assistLifetime)
	defer cancel()
	c := &assistConn{s: s, conn: conn, ctx: ctx}
	subs, err := c.join(assist.PartyAgent, assist.ChannelStream)
	if err == nil && c.ticket.AccountID != me {
		// A ticket is the agent's own: another staff session cannot use it.
		unsubscribe(subs)
		err = errBadTicket
	}
	if err != nil {
		conn.Close(websocket.StatusPolicyViolation, "")
		return nil
	}
	defer unsubscribe(subs)
	closeAssist(s, ctx, conn, c.runAgent())
	return nil
}

func (c *assistConn) runAgent() error {
	sv, t := c.s.deps.Assist, c.ticket
	actor := assist.Actor{AccountID: t.AccountID, Staff: true}
	sess, err := sv.Get(c.ctx, t.SessionID, actor)
	if err != nil {
		return err
	}
	if err := c.write(map[string]any{"type": "welcome", "session": sess}); err != nil {
		return err
	}
	if sess.State == assist.StateEnded {
		return nil
	}
	if sess.State == assist.StateActive {
		// A fresh viewer needs a full snapshot to start from.
		_ = sv.RequestSnapshot(c.ctx, t.SessionID, t.AccountID)
	}
	return c.relay(func(f assistIn) error { return c.agentFrame(f, actor) }, "batch")
}

func (c *assistConn) agentFrame(f assistIn, actor assist.Actor) error {
	sv, t := c.s.deps.Assist, c.ticket
	var err error
	switch f.Type {
	case "action":
		err = sv.Act(c.ctx, t.SessionID, t.AccountID, assist.Action{Kind: f.Kind, Target: f.Target, Data: f.Data})
		if err == nil {
			return c.write(map[string]string{"type": "acted", "kind": f.Kind})
		}
	case "level":
		err = sv.RequestLevel(c.ctx, t.SessionID, t.AccountID, f.Level)
	case "snapshot":
		err = sv.RequestSnapshot(c.ctx, t.SessionID, t.AccountID)
	case "stop":
		var closing *assist.Closing
		if f.Summary != "" || f.Outcome != "" {
			closing = &assist.Closing{Summary: f.Summary, Outcome: f.Outcome}
		}
		_, err = sv.Stop(c.ctx, t.SessionID, actor, closing)
	case "ping":
		return c.write(map[string]string{"type": "pong"})
	default:
		return c.write(map[string]string{"type": "error", "code": "unknown_type", "message": "Unknown message type."})
	}
	var inv *assist.InvalidError
	code, msg := "", ""
	switch {
	case err == nil:
		return nil
	case errors.Is(err, assist.ErrNotAllowed):
		code = "not_allowed"
	case errors.Is(err, assist.ErrMasked):
		code = "masked"
	case errors.Is(err, assist.ErrPaused), errors.Is(err, assist.ErrState):
		code = "paused"
	case errors.Is(err, assist.ErrLevel):
		code = "level"
	case errors.Is(err, assist.ErrEnded), errors.Is(err, assist.ErrExpired):
		code = "ended"
	case errors.As(err, &inv):
		code, msg = "invalid_"+inv.Field, web.SentenceCase(inv.Reason)+"."
	default:
		return err
	}
	refused := map[string]string{"type": "refused", "kind": f.Type + ":" + f.Kind, "code": code}
	if msg != "" {
		refused["message"] = msg
	}
	return c.write(refused)
}
