package live

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/internal/assist"
	"github.com/frontdesk/frontdesk/internal/support"
	"github.com/frontdesk/frontdesk/internal/web"
)

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
	// A chat started while no one is online is still a chat (the inbox
	// shows where it came from); the answer also goes to the address the
	// visitor left, as every agent reply to a contact with one does.
	if online == 0 && who.Email == "" {
		return nil, false, &support.InvalidError{Field: "email", Reason: "no one is online right now: leave your e-mail address and we answer there"}
	}
	n := support.NewConversation{Who: who, Channel: support.ChannelChat, Body: f.Body, ClientID: f.ClientID}
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
