package live

import (
	"context"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"github.com/frontdesk/frontdesk/internal/assist"
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

// ticket signs a conversation id for a while.
func (s *Handler) ticket(conv string, now time.Time) string {
	payload := conv + "." + strconv.FormatInt(now.Add(TicketTTL).Unix(), 10)
	return payload + "." + hex.EncodeToString(s.deps.Keys.BlindIndex("chat-ticket", payload)[:16])
}

// ticketConversation returns the conversation a valid ticket names.
func (s *Handler) ticketConversation(t string, now time.Time) (string, bool) {
	parts := strings.Split(t, ".")
	if len(parts) != 3 || !web.ConvIDPattern.MatchString(parts[0]) {
		return "", false
	}
	exp, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil || now.Unix() > exp {
		return "", false
	}
	want := hex.EncodeToString(s.deps.Keys.BlindIndex("chat-ticket", parts[0]+"."+parts[1])[:16])
	if subtle.ConstantTimeCompare([]byte(want), []byte(parts[2])) != 1 {
		return "", false
	}
	return parts[0], true
}

// originAllowed checks a WebSocket's Origin against the portal's and the
// configured widget origins. A request without Origin is not a browser's.
func (s *Handler) originAllowed(origin string) bool {
	if origin == "" {
		return false
	}
	u, err := url.Parse(origin)
	if err != nil {
		return false
	}
	o := u.Scheme + "://" + u.Host
	if s.BaseURL != nil && o == s.BaseURL.Scheme+"://"+s.BaseURL.Host {
		return true
	}
	return slices.Contains(s.deps.WidgetOrigins, o)
}

// ErrWebSocketOnly answers a plain request to a WebSocket address.
var ErrWebSocketOnly = &web.Error{Status: http.StatusUpgradeRequired, Code: "websocket_required", Message: "This address speaks WebSocket only."}

func IsWebSocket(r *http.Request) bool {
	return strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
}

// AcceptSocket upgrades a request, lifting the server's write timeout
// that would otherwise cut a long-lived connection.
func AcceptSocket(w http.ResponseWriter, r *http.Request) (*websocket.Conn, error) {
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Time{})
	_ = rc.SetWriteDeadline(time.Time{})
	conn, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true}) // the Origin was checked by the caller
	if err != nil {
		return nil, err
	}
	conn.SetReadLimit(chatMaxFrame)
	return conn, nil
}

func (s *Handler) chatSocket(w http.ResponseWriter, r *http.Request) error {
	if s.deps.Support == nil || s.live == nil {
		return web.ErrNotFound
	}
	if !IsWebSocket(r) {
		return ErrWebSocketOnly
	}
	if !s.originAllowed(r.Header.Get("Origin")) {
		s.Log.WarnContext(r.Context(), "chat connection from an origin not allowed", "security_event", "origin", "origin", r.Header.Get("Origin"))
		return &web.Error{Status: http.StatusForbidden, Code: "origin_refused", Message: "This site may not open the chat."}
	}
	conn, err := AcceptSocket(w, r)
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

// readFrames reads a socket's JSON frames on its own goroutine and hands
// them over one at a time; the first read error ends it.
func readFrames[T any](ctx context.Context, conn *websocket.Conn) (<-chan T, <-chan error) {
	frames, errs := make(chan T), make(chan error, 1)
	go func() {
		for {
			var f T
			if err := wsjson.Read(ctx, conn, &f); err != nil {
				errs <- err
				return
			}
			select {
			case frames <- f:
			case <-ctx.Done():
				return
			}
		}
	}()
	return frames, errs
}

// pingAsync pings conn without holding up the caller's loop, and reports a
// failure on errs. The pong is read by the socket's reader goroutine, which
// hands each frame to that loop first: a ping awaited in the loop itself
// waited for a pong stuck behind a frame nobody took, and closed the
// socket after chatWriteWait (bench/assist lost one session in a hundred
// a minute that way).
func pingAsync(ctx context.Context, conn *websocket.Conn, errs chan<- error) {
	go func() {
		pctx, cancel := context.WithTimeout(ctx, chatWriteWait)
		defer cancel()
		if err := conn.Ping(pctx); err != nil && ctx.Err() == nil {
			select {
			case errs <- err:
			default:
			}
		}
	}()
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

func (c *chatConn) message(f chatFrame) error {
	if web.ClientID(f.ClientID) == "" || f.ClientID == "" {
		return c.fail("client_id_required", "Every message needs a client id of letters, digits, - or _.")
	}
	if !c.allow(time.Now()) {
		return c.fail("rate_limited", "You are sending messages too fast. Wait a few seconds.")
	}
	sv := c.s.deps.Support
	var (
		msg *support.Message
		dup bool
		err error
	)
	if c.conv == "" {
		if e := strings.TrimSpace(f.Email); e != "" {
			c.email, c.name = e, strings.TrimSpace(f.Name)
		}
		msg, err = c.start(f)
	} else {
		msg, dup, err = sv.Post(c.ctx, c.conv, support.NewMessage{Kind: support.KindCustomer, ClientID: f.ClientID, Body: f.Body})
		if err == nil && !dup {
			conv, body := c.conv, f.Body
			c.pending = func() {
				if _, err := sv.BotTurn(c.ctx, conv, body, false); err != nil {
					c.s.Log.WarnContext(c.ctx, "the bot failed", "conversation", conv, "error", err.Error())
				}
			}
		}
	}
	return c.acknowledge(f, msg, dup, err)
}

// acknowledge answers a frame that posted msg: "ack", or the error the
// customer can act on (err nil means acknowledged). Internal errors are
// returned.
func (c *chatConn) acknowledge(f chatFrame, msg *support.Message, dup bool, err error) error {
	var inv *support.InvalidError
	var rl *support.RateLimitedError
	switch {
	case errors.As(err, &inv):
		return c.write(map[string]any{"type": "error", "code": "invalid_" + inv.Field, "client_id": f.ClientID, "message": web.SentenceCase(inv.Reason) + "."})
	case errors.As(err, &rl):
		return c.write(map[string]any{"type": "error", "code": "rate_limited", "client_id": f.ClientID, "message": "Too many conversations from your network. Try again later."})
	case errors.Is(err, support.ErrClosed):
		c.conv = ""
		return c.write(map[string]any{"type": "error", "code": "conversation_closed", "client_id": f.ClientID, "message": "This conversation is closed. Send your message again to start a new one."})
	case err != nil:
		return err
	}
	return c.write(map[string]any{"type": "ack", "client_id": f.ClientID, "seq": msg.Seq, "id": msg.ID, "duplicate": dup,
		"conversation_id": c.conv, "ticket": c.s.ticket(c.conv, c.s.Now())})
}

// start opens the conversation with the first message, and lets the bot
// answer it (afterStart).
func (c *chatConn) start(f chatFrame) (*support.Message, error) {
	conv, online, err := c.open(f)
	if err != nil {
		return nil, err
	}
	c.afterStart(conv.ID, f.Body, online)
	return &conv.Messages[0], nil
}

// open opens the conversation with the first message: a chat when an
// agent is online, else an e-mail conversation (the answer comes by mail),
// which needs the visitor's address.
func (c *chatConn) open(f chatFrame) (*support.Conversation, bool, error) {
	sv := c.s.deps.Support
	who := support.Who{Email: c.email, Name: c.name, Locale: c.lang}
	if c.account != "" {
		a, err := c.s.deps.Identity.AccountByID(c.ctx, c.account)
		if err != nil {
			return nil, false, err
		}
		who = support.Who{AccountID: a.ID, Email: a.Email, Name: a.Name, Locale: a.Locale}
	}
	online, err := sv.AgentsOnline(c.ctx, "")
	if err != nil {
		return nil, false, err
	}
	channel := support.ChannelChat
	if online == 0 {
		if who.Email == "" {
			return nil, false, &support.InvalidError{Field: "email", Reason: "no one is online right now: leave your e-mail address and we answer there"}
		}
		channel = support.ChannelEmail
	}
	n := support.NewConversation{Who: who, Channel: channel, Body: f.Body, ClientID: f.ClientID}
	if c.account == "" {
		n.IP = c.ip
	}
	conv, err := sv.Start(c.ctx, n)
	if err != nil {
		return nil, false, err
	}
	c.follow(conv.ID)
	return conv, online > 0, nil
}

// afterStart lets the bot answer a new chat first, or gives it to the
// next free agent. It runs after the acknowledgement so the visitor sees
// their message before the answer.
func (c *chatConn) afterStart(conv, body string, online bool) {
	sv := c.s.deps.Support
	c.pending = func() {
		got, err := sv.BotTurn(c.ctx, conv, body, true)
		if err != nil {
			c.s.Log.WarnContext(c.ctx, "the bot failed", "conversation", conv, "error", err.Error())
		}
		if got == "" && online {
			if _, err := sv.AutoAssign(c.ctx, conv); err != nil {
				c.s.Log.WarnContext(c.ctx, "chat not assigned", "conversation", conv, "error", err.Error())
			}
		}
		if err := c.offerMatchingFlows(body); err != nil {
			c.s.Log.WarnContext(c.ctx, "guides not offered", "conversation", conv, "error", err.Error())
		}
	}
}

// forward passes a bus event on to the customer, keeping internal notes
// and staff-only details out.
func (c *chatConn) forward(ev liveEvent) error {
	if ev.Conversation != c.conv {
		return nil
	}
	switch ev.What {
	case "message":
		var m support.Message
		if err := json.Unmarshal(ev.Data, &m); err != nil || m.Kind == support.KindNote {
			return nil
		}
		return c.write(c.view(m))
	case "typing", "read":
		var v struct {
			By  string `json:"by"`
			Seq int    `json:"seq"`
		}
		if json.Unmarshal(ev.Data, &v) != nil || v.By != "agent" {
			return nil
		}
		return c.write(map[string]any{"type": ev.What, "seq": v.Seq})
	case "conversation":
		var v struct {
			Status string `json:"status"`
		}
		if json.Unmarshal(ev.Data, &v) == nil && v.Status != "" {
			return c.write(map[string]string{"type": "status", "status": v.Status})
		}
	case "assist":
		return c.forwardAssist(ev.Data)
	case "merged":
		var v struct {
			Into string `json:"into"`
		}
		if json.Unmarshal(ev.Data, &v) == nil && web.ConvIDPattern.MatchString(v.Into) {
			c.follow(v.Into)
			return c.write(map[string]any{"type": "moved", "conversation_id": v.Into, "ticket": c.s.ticket(v.Into, c.s.Now())})
		}
	}
	return nil
}

// forwardAssist tells the widget of a co-browsing invitation and of its
// end. The widget does not take the consent itself: whoever holds a chat
// ticket is not proven to be the account's owner, and the page to share is
// the customer's portal page. So it links to the conversation's page in
// the portal, where the signed-in customer sees the agent's signed card
// and the code and chooses the level (docs/remote-assistance.md).
func (c *chatConn) forwardAssist(data []byte) error {
	var ctl assist.Control
	if json.Unmarshal(data, &ctl) != nil || ctl.Type != assist.ControlState || c.s.BaseURL == nil {
		return nil
	}
	switch ctl.State {
	case assist.StateInvited:
		u := *c.s.BaseURL
		u.Path, u.RawQuery, u.Fragment = "/support/"+c.conv, "", ""
		return c.write(map[string]string{"type": "assist_invite", "session_id": ctl.SessionID, "url": u.String()})
	case assist.StateEnded:
		return c.write(map[string]string{"type": "assist_closed", "session_id": ctl.SessionID})
	}
	return nil
}

// agentDisplayName is the name customers see for an agent.
func (s *Handler) agentDisplayName(ctx context.Context, id string) string {
	name, err := s.deps.Support.AgentName(ctx, id)
	if err != nil {
		s.Log.WarnContext(ctx, "agent name", "error", err.Error())
	}
	return name
}
