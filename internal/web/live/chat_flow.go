package live

import (
	"errors"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/internal/kb"
	"github.com/frontdesk/frontdesk/internal/support"
	"github.com/frontdesk/frontdesk/internal/web"
)

// Guided troubleshooting in the chat widget (frames in chat.go). The bot
// offers the published guides when a chat starts, and those a first
// message is about; the customer walks one with "flow" frames that carry
// the path of answers — like the help centre's links, so the server keeps
// no state and any node may answer after a reconnect; at an end, "talk
// to a person" hands the conversation over with the path taken in the
// transcript (support.HandOverAfterGuide). The widget shows every node as
// the automatic assistant's: the bot never passes for a person.

// maxOfferedFlows bounds the guides offered at once.
const maxOfferedFlows = 5

// offerFlows offers the published guides to a visitor without a
// conversation.
func (c *chatConn) offerFlows() error {
	if c.s.deps.KB == nil {
		return nil
	}
	flows, err := c.s.deps.KB.Flows(c.ctx, true)
	if err != nil {
		c.s.Log.WarnContext(c.ctx, "guides not offered", "error", err.Error())
		return nil
	}
	return c.writeFlows(flows, false)
}

// offerMatchingFlows offers the guides a first message is about.
func (c *chatConn) offerMatchingFlows(message string) error {
	if c.s.deps.KB == nil {
		return nil
	}
	flows, err := c.s.deps.KB.MatchFlows(c.ctx, message)
	if err != nil {
		return err
	}
	return c.writeFlows(flows, true)
}

func (c *chatConn) writeFlows(flows []*kb.Flow, matched bool) error {
	type item struct {
		Slug  string `json:"slug"`
		Title string `json:"title"`
	}
	list := []item{}
	for _, f := range flows[:min(len(flows), maxOfferedFlows)] {
		list = append(list, item{f.Slug, f.Title(c.lang)})
	}
	if len(list) == 0 {
		return nil
	}
	return c.write(map[string]any{"type": "flows", "flows": list, "matched": matched})
}

// walkChat returns the guide a frame names, at its path; nil after
// telling the customer what is wrong.
func (c *chatConn) walkChat(f chatFrame) (*web.Guide, error) {
	if !c.allow(time.Now()) {
		return nil, c.fail("rate_limited", "You are answering too fast. Wait a few seconds.")
	}
	if c.s.deps.KB == nil {
		return nil, c.fail("unknown_flow", "This guide is not available.")
	}
	fl, err := c.s.deps.KB.PublishedFlow(c.ctx, f.Flow)
	if errors.Is(err, kb.ErrNotFound) {
		return nil, c.fail("unknown_flow", "This guide is not available.")
	}
	if err != nil {
		return nil, err
	}
	walk, err := fl.Def.Walk(f.Path)
	if errors.Is(err, kb.ErrInvalid) {
		return nil, c.fail("flow_changed", "This guide has changed: start it again.")
	}
	if err != nil {
		return nil, err
	}
	g, err := c.s.guides().Of(c.ctx, fl, walk, c.lang)
	if err != nil {
		return nil, err
	}
	return &g, nil
}

// flowStep answers a "flow" frame with the node its path leads to.
func (c *chatConn) flowStep(f chatFrame) error {
	g, err := c.walkChat(f)
	if g == nil {
		return err
	}
	node := g.Node
	if node.Link != nil {
		abs := *node.Link
		if c.s.BaseURL != nil { // the widget runs on the business's other sites
			abs.URL = strings.TrimSuffix(c.s.BaseURL.String(), "/") + abs.URL
		}
		node.Link = &abs
	}
	path := g.Path
	if path == nil {
		path = []int{}
	}
	return c.write(struct {
		Type  string `json:"type"`
		Flow  string `json:"flow"`
		Title string `json:"title"`
		Path  []int  `json:"path"`
		web.GuideNode
	}{"flow_node", g.Slug, g.Title, path, node})
}

// flowHandover answers "talk to a person" at a guide's end: the
// conversation starts when there is none (the guide's title as the
// customer's first message), then goes to the human queue with the path
// taken.
func (c *chatConn) flowHandover(f chatFrame) error {
	g, err := c.walkChat(f)
	if g == nil {
		return err
	}
	if !g.Node.Talk {
		return c.fail("flow_not_at_end", "Answer the guide's questions first, or write your message.")
	}
	if c.conv == "" {
		if web.ClientID(f.ClientID) == "" || f.ClientID == "" {
			return c.fail("client_id_required", "Every message needs a client id of letters, digits, - or _.")
		}
		if e := strings.TrimSpace(f.Email); e != "" {
			c.email, c.name = e, strings.TrimSpace(f.Name)
		}
		conv, _, err := c.open(chatFrame{ClientID: f.ClientID, Body: g.Title})
		if err != nil {
			return c.acknowledge(f, nil, false, err)
		}
		if err := c.acknowledge(f, &conv.Messages[0], false, nil); err != nil {
			return err
		}
	}
	err = c.s.deps.Support.HandOverAfterGuide(c.ctx, c.conv, g.Transcript(c.s.Pages.Translator(c.lang)))
	if errors.Is(err, support.ErrClosed) {
		c.conv = ""
		return c.fail("conversation_closed", "This conversation is closed. Send your message again to start a new one.")
	}
	return err
}
