package live

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/frontdesk/frontdesk/internal/support"
	"github.com/frontdesk/frontdesk/internal/web"
)

// Live chat for visitors and customers: the widget (/widget.js) on any
// page of the business, and on the portal, talks to /chat/ws.
//
// Protocol (JSON text frames), client → server:
//
//	{"type":"hello","ticket":"…","last_seq":12,"name":"…","email":"…","locale":"vi"}
//	{"type":"msg","client_id":"c-…","body":"…"}   acknowledged by "ack"; re-sent after a reconnect until acknowledged
//	{"type":"typing"}  {"type":"read","seq":14}  {"type":"rate","score":5,"comment":"…"}
//	{"type":"human"}  {"type":"bot_solved"}   after a bot answer: talk to a person / the articles solved it
//	{"type":"file_begin","client_id":"f-…","name":"scan.pdf","size":12345}, then
//	{"type":"file_chunk","client_id":"f-…","data":"<base64 of at most 32 KiB>"}…, then
//	{"type":"file_end","client_id":"f-…"}   acknowledged by "ack" with "attachment"
//	{"type":"flow","flow":"cant-sign-in","path":[0,1]}   walk a guide: answered by "flow_node"
//	{"type":"flow_handover","flow":"…","path":[0,1,1],"client_id":"c-…","email":"…","name":"…"}
//	    talk to a person from a guide's end: starts the conversation when there is none
//	    (acknowledged by "ack"), then hands it over with the path taken (chat_flow.go)
//
// server → client:
//
//	{"type":"welcome","ticket":"…","conversation_id":"…","online":true,"status":"open","messages":[…],"agent_read":13}
//	{"type":"flows","flows":[{"slug":"cant-sign-in","title":"Can't sign in"}],"matched":false}
//	    guides the bot offers: after a welcome without a conversation, or ("matched":true)
//	    those whose title or keywords the first message has
//	{"type":"flow_node","flow":"…","title":"…","path":[0],"kind":"step","text":"…",
//	 "answers":["It worked","Still stuck"],"link":{"label":"…","url":"https://…"},"handover":false}
//	{"type":"ack","client_id":"c-…","seq":13,"id":"…","duplicate":false}
//	{"type":"msg","seq":14,"id":"…","kind":"agent","body":"…","author":"An","created_at":"…"}
//	{"type":"typing"}  {"type":"read","seq":13}  {"type":"status","status":"resolved"}
//	{"type":"assist_invite","session_id":"…","url":"https://portal/support/<conversation>"}
//	{"type":"assist_closed","session_id":"…"}   a co-browsing invitation and its end (forwardAssist)
//	{"type":"error","code":"…","message":"…"}
//
// No message is lost or doubled: every message carries a client id the
// server stores with it (a re-sent one is acknowledged again, not stored
// twice), and after a reconnect the hello's last_seq makes the server send
// everything the client has not seen. The socket is authenticated by the
// portal session (same site) or by a ticket: the conversation id, an
// expiry and a keyed MAC, handed out by the server, valid TicketTTL and
// renewed at each connection. The Origin must be the portal's or one of
// FRONTDESK_WIDGET_ORIGINS.

// TicketTTL is how long a chat ticket stays valid without a reconnect.
const TicketTTL = 2 * time.Hour

// Chat limits.
const (
	chatMaxFrame   = 64 << 10
	chatMessages   = 10 // per chatWindow per connection
	chatWindow     = 10 * time.Second
	chatLifetime   = 12 * time.Hour
	chatPing       = 30 * time.Second
	chatHelloWait  = 10 * time.Second
	chatWriteWait  = 10 * time.Second
	chatMaxCatchUp = 500
)

type chatFrame struct {
	Type     string `json:"type"`
	Ticket   string `json:"ticket,omitempty"`
	LastSeq  int    `json:"last_seq,omitempty"`
	Name     string `json:"name,omitempty"`
	Email    string `json:"email,omitempty"`
	Locale   string `json:"locale,omitempty"`
	ClientID string `json:"client_id,omitempty"`
	Body     string `json:"body,omitempty"`
	Seq      int    `json:"seq,omitempty"`
	Score    int    `json:"score,omitempty"`
	Comment  string `json:"comment,omitempty"`
	Size     int    `json:"size,omitempty"` // file_begin
	Data     string `json:"data,omitempty"` // file_chunk: base64
	Flow     string `json:"flow,omitempty"` // flow, flow_handover: the guide's slug
	Path     []int  `json:"path,omitempty"` // flow, flow_handover: the answers taken
}

// chatMessage is a message as the customer sees it.
type chatMessage struct {
	Type      string    `json:"type"`
	Seq       int       `json:"seq"`
	ID        string    `json:"id"`
	Kind      string    `json:"kind"`
	Body      string    `json:"body"`
	File      string    `json:"file,omitempty"` // download path of the message's file
	Author    string    `json:"author,omitempty"`
	ClientID  string    `json:"client_id,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

func (s *Handler) chatSocket(w http.ResponseWriter, r *http.Request) error {
	if !isWebSocket(r) {
		return errWebSocketOnly
	}
	if !s.originAllowed(r.Header.Get("Origin")) {
		s.Log.WarnContext(r.Context(), "chat connection from an origin not allowed", "security_event", "origin", "origin", r.Header.Get("Origin"))
		return &web.Error{Status: http.StatusForbidden, Code: "origin_refused", Message: "This site may not open the chat."}
	}
	conn, err := acceptSocket(w, r)
	if err != nil {
		return nil // Accept has answered
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), chatLifetime)
	defer cancel()
	ch := &chatConn{s: s, conn: conn, ctx: ctx, ip: web.ClientIP(r.Context()), lang: web.Info(r.Context()).Lang}
	if p := web.Principal(r.Context()); p != nil && p.Kind == identity.KindCustomer {
		ch.account = p.AccountID
	}
	err = ch.run()
	switch {
	case err == nil, errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded), websocket.CloseStatus(err) != -1:
		conn.Close(websocket.StatusNormalClosure, "")
	default:
		s.Log.InfoContext(ctx, "chat connection ended", "error", err.Error())
		conn.Close(websocket.StatusInternalError, "")
	}
	return nil
}

type chatConn struct {
	s        *Handler
	conn     *websocket.Conn
	ctx      context.Context
	ip       string
	lang     string
	account  string // a signed-in customer
	conv     string
	name     string
	email    string
	client   *liveClient
	unfollow func()
	sent     []time.Time // message times in the current window
	upload   *chatUpload // a file being received
	pending  func()      // work to do once the current frame is answered
}

func (c *chatConn) write(v any) error {
	ctx, cancel := context.WithTimeout(c.ctx, chatWriteWait)
	defer cancel()
	return wsjson.Write(ctx, c.conn, v)
}

func (c *chatConn) fail(code, msg string) error {
	return c.write(map[string]string{"type": "error", "code": code, "message": msg})
}

func (c *chatConn) run() error {
	hctx, cancel := context.WithTimeout(c.ctx, chatHelloWait)
	var hello chatFrame
	err := wsjson.Read(hctx, c.conn, &hello)
	cancel()
	if err != nil {
		return err
	}
	if hello.Type != "hello" {
		return c.fail("hello_expected", "Say hello first.")
	}
	if hello.Locale != "" {
		c.lang = hello.Locale
	}
	c.name, c.email = strings.TrimSpace(hello.Name), strings.TrimSpace(hello.Email)
	c.client = newLiveClient()
	defer func() {
		if c.unfollow != nil {
			c.unfollow()
		}
	}()
	if conv, ok := c.s.ticketConversation(hello.Ticket, c.s.Now()); ok {
		if err := c.resume(conv, hello.LastSeq); err != nil {
			return err
		}
	} else if err := c.welcome(nil, 0); err != nil {
		return err
	}

	frames, readErr := readFrames[chatFrame](c.ctx, c.conn)
	ping, pingErr := time.NewTicker(chatPing), make(chan error, 1)
	defer ping.Stop()
	for {
		select {
		case <-c.ctx.Done():
			return c.ctx.Err()
		case err := <-readErr:
			return err
		case f := <-frames:
			if err := c.handle(f); err != nil {
				return err
			}
			if p := c.pending; p != nil {
				c.pending = nil
				p()
			}
		case ev := <-c.client.events:
			if err := c.forward(ev); err != nil {
				return err
			}
		case <-ping.C:
			if c.client.dropped.Load() {
				return c.fail("too_slow", "Reconnect to catch up.")
			}
			pingAsync(c.ctx, c.conn, pingErr)
		case err := <-pingErr:
			return err
		}
	}
}

// resume continues a conversation named by a ticket.
func (c *chatConn) resume(conv string, lastSeq int) error {
	got, err := c.s.deps.Support.Get(c.ctx, conv, false)
	if errors.Is(err, support.ErrNotFound) {
		return c.welcome(nil, 0)
	}
	if err != nil {
		return err
	}
	if got.MergedInto != "" {
		if got, err = c.s.deps.Support.Get(c.ctx, got.MergedInto, false); err != nil {
			return c.welcome(nil, 0)
		}
		lastSeq = 0
	}
	// A signed-in customer only resumes their own conversation.
	if c.account != "" && got.Contact.AccountID != c.account || got.Status == support.StatusClosed {
		return c.welcome(nil, 0)
	}
	return c.welcome(got, lastSeq)
}

func (c *chatConn) welcome(conv *support.Conversation, lastSeq int) error {
	online, err := c.s.deps.Support.AgentsOnline(c.ctx, "")
	if err != nil {
		return err
	}
	out := map[string]any{"type": "welcome", "online": online > 0, "signed_in": c.account != ""}
	if conv == nil {
		if err := c.write(out); err != nil {
			return err
		}
		return c.offerFlows()
	}
	c.follow(conv.ID)
	out["conversation_id"], out["status"], out["ticket"] = conv.ID, conv.Status, c.s.ticket(conv.ID, c.s.Now())
	msgs, err := c.s.deps.Support.MessagesAfter(c.ctx, conv.ID, lastSeq)
	if err != nil {
		return err
	}
	list := []chatMessage{}
	for _, m := range msgs {
		list = append(list, c.view(m))
	}
	out["messages"] = list
	if _, agent, err := c.s.deps.Support.ReadMarks(c.ctx, conv.ID); err == nil {
		out["agent_read"] = agent
	}
	return c.write(out)
}

func (c *chatConn) follow(conv string) {
	if c.unfollow != nil {
		c.unfollow()
	}
	c.conv = conv
	c.unfollow = c.s.live.follow(conv, c.client)
}

// view is a message as the customer sees it: agents by their display name.
func (c *chatConn) view(m support.Message) chatMessage {
	v := chatMessage{Type: "msg", Seq: m.Seq, ID: m.ID, Kind: m.Kind, Body: m.Body, ClientID: m.ClientID, CreatedAt: m.CreatedAt}
	if m.Kind == support.KindAgent && m.AuthorID != "" {
		v.Author = c.s.agentDisplayName(c.ctx, m.AuthorID)
	}
	if strings.HasPrefix(m.Body, "[file] ") {
		if list, err := c.s.deps.Support.Attachments(c.ctx, c.conv); err == nil {
			for _, a := range list {
				if a.MessageID == m.ID {
					v.File = "/chat/attachments/" + a.ID + "?ticket=" + url.QueryEscape(c.s.ticket(c.conv, c.s.Now()))
				}
			}
		}
	}
	return v
}

func (c *chatConn) handle(f chatFrame) error {
	switch f.Type {
	case "msg":
		return c.message(f)
	case "typing":
		if c.conv != "" {
			c.s.deps.Support.Typing(c.ctx, c.conv, false)
		}
	case "read":
		if c.conv != "" && f.Seq > 0 {
			return c.s.deps.Support.MarkRead(c.ctx, c.conv, false, f.Seq)
		}
	case "rate":
		if c.conv == "" {
			return c.fail("no_conversation", "There is nothing to rate yet.")
		}
		err := c.s.deps.Support.Rate(c.ctx, "", c.conv, f.Score, f.Comment)
		switch {
		case errors.Is(err, support.ErrSurveyAnswered):
			return c.fail("already_answered", "You have already answered. Thank you!")
		case errors.Is(err, support.ErrInvalid), errors.Is(err, support.ErrNotFound):
			return c.fail("invalid_rating", "Choose a rating from 1 to 5.")
		case err != nil:
			return err
		}
		return c.write(map[string]any{"type": "rated", "score": f.Score})
	case "file_begin":
		if !c.allow(time.Now()) {
			return c.fail("rate_limited", "You are sending too fast. Wait a few seconds.")
		}
		return c.fileBegin(f)
	case "file_chunk":
		return c.fileChunk(f)
	case "file_end":
		return c.fileEnd(f)
	case "human", "bot_solved":
		if c.conv == "" {
			return c.fail("no_conversation", "Write a message first.")
		}
		var err error
		if f.Type == "human" {
			err = c.s.deps.Support.HandOver(c.ctx, c.conv, "asked")
		} else {
			err = c.s.deps.Support.BotSolved(c.ctx, c.conv)
		}
		if errors.Is(err, support.ErrInvalid) {
			return c.fail("bot_not_answering", "A person is already handling this conversation.")
		}
		return err
	case "flow":
		return c.flowStep(f)
	case "flow_handover":
		return c.flowHandover(f)
	case "ping":
		return c.write(map[string]string{"type": "pong"})
	default:
		return c.fail("unknown_type", "Unknown message type.")
	}
	return nil
}

// allow applies the per-connection message rate.
func (c *chatConn) allow(now time.Time) bool {
	keep := c.sent[:0]
	for _, t := range c.sent {
		if now.Sub(t) < chatWindow {
			keep = append(keep, t)
		}
	}
	c.sent = keep
	if len(c.sent) >= chatMessages {
		return false
	}
	c.sent = append(c.sent, now)
	return true
}
