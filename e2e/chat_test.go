package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
)

type chatClient struct {
	t    *testing.T
	conn *websocket.Conn
}

func (i *Instance) dialChat(t *testing.T, origin string, cookie string) (*chatClient, *http.Response, error) {
	t.Helper()
	h := http.Header{"Origin": {origin}}
	if cookie != "" {
		h.Set("Cookie", "__Host-fd_session="+cookie)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	u := "ws" + strings.TrimPrefix(i.URL, "http") + "/chat/ws"
	conn, res, err := websocket.Dial(ctx, u, &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		return nil, res, err
	}
	return &chatClient{t: t, conn: conn}, res, nil
}

func (c *chatClient) send(v any) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := wsjson.Write(ctx, c.conn, v); err != nil {
		c.t.Fatal(err)
	}
}

// next reads frames until one of type typ arrives.
func (c *chatClient) next(typ string) map[string]any {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		var f map[string]any
		if err := wsjson.Read(ctx, c.conn, &f); err != nil {
			c.t.Fatalf("waiting for %q: %v", typ, err)
		}
		if f["type"] == typ {
			return f
		}
		if f["type"] == "error" && typ != "error" {
			c.t.Fatalf("waiting for %q: error %v", typ, f)
		}
	}
}

// The chat protocol through forced disconnects: every message a visitor
// sends is stored exactly once however often it is re-sent, the agent's
// reply sent while the visitor was away arrives after the reconnect, and
// only allowed origins and genuine tickets get in.
func TestChatProtocol(t *testing.T) {
	fd := Start(t, fastHashing)
	fd.createStaff(t, "sup@acme.example", "supervisor")
	sup := fd.signInAPI(t, "sup@acme.example", apiPassword)
	fd.enrolTOTPAPI(t, sup)
	supID := fd.accountID(t, sup)
	if s := fd.postForm(t, "/console/desk/agents", sup, url.Values{"account": {supID}, "display_name": {"An"}, "language": {"en"}}); s != http.StatusSeeOther {
		t.Fatalf("agent: %d", s)
	}
	// The agent's console is open: the desk is online.
	agentLive, _, err := websocket.Dial(context.Background(), "ws"+strings.TrimPrefix(fd.URL, "http")+"/console/live",
		&websocket.DialOptions{HTTPHeader: http.Header{"Origin": {fd.URL}, "Cookie": {"__Host-fd_session=" + sup}}})
	if err != nil {
		t.Fatalf("console live: %v", err)
	}
	defer agentLive.CloseNow()
	readLive(t, agentLive, "ready")

	// ASVS 3.5.2 (derived): a page of another site cannot open the chat.
	if _, res, err := fd.dialChat(t, "https://evil.example", ""); err == nil || res == nil || res.StatusCode != http.StatusForbidden {
		t.Fatalf("foreign origin: %v %v", res, err)
	}

	c, _, err := fd.dialChat(t, fd.URL, "")
	if err != nil {
		t.Fatal(err)
	}
	c.send(map[string]any{"type": "hello", "locale": "en"})
	if w := c.next("welcome"); w["online"] != true {
		t.Fatalf("welcome: %v", w)
	}
	c.send(map[string]any{"type": "msg", "client_id": "c1", "body": "Hello, my card is blocked"})
	ack := c.next("ack")
	ticket, conv := ack["ticket"].(string), ack["conversation_id"].(string)
	if ack["seq"].(float64) != 1 || ticket == "" || conv == "" {
		t.Fatalf("ack: %v", ack)
	}
	// The agent sees it live.
	if ev := readLive(t, agentLive, "conversation"); ev["conversation_id"] != conv {
		t.Fatalf("agent event: %v", ev)
	}
	// c2 is sent and the connection dies before its acknowledgement.
	c.send(map[string]any{"type": "msg", "client_id": "c2", "body": "Are you there?"})
	c.conn.CloseNow()
	// Meanwhile the agent answers.
	if s := fd.postForm(t, "/console/conversations/"+conv+"/reply", sup, url.Values{"body": {"Yes, I am checking your card."}}); s != http.StatusSeeOther {
		t.Fatalf("agent reply: %d", s)
	}
	// Reconnect with the ticket: re-send c2 (the widget's outbox), then c3.
	c, _, err = fd.dialChat(t, fd.URL, "")
	if err != nil {
		t.Fatal(err)
	}
	c.send(map[string]any{"type": "hello", "ticket": ticket, "last_seq": 1})
	w := c.next("welcome")
	if w["conversation_id"] != conv {
		t.Fatalf("resume: %v", w)
	}
	var bodies []string
	for _, m := range w["messages"].([]any) {
		bodies = append(bodies, m.(map[string]any)["body"].(string))
	}
	if !strings.Contains(strings.Join(bodies, "|"), "Yes, I am checking your card.") {
		t.Fatalf("catch-up after reconnect: %v", bodies)
	}
	c.send(map[string]any{"type": "msg", "client_id": "c2", "body": "Are you there?"})
	c.next("ack")
	c.send(map[string]any{"type": "msg", "client_id": "c3", "body": "Thanks!"})
	c.next("ack")
	// A reply arrives live now.
	if s := fd.postForm(t, "/console/conversations/"+conv+"/reply", sup, url.Values{"body": {"Your card works again."}}); s != http.StatusSeeOther {
		t.Fatalf("agent reply: %d", s)
	}
	// Delivery is at least once: its own messages come back (for other
	// tabs) and an event may repeat what the catch-up sent; the widget
	// drops every seq it has.
	m := c.next("msg")
	for m["body"] != "Your card works again." {
		m = c.next("msg")
	}
	if m["author"] != "An" || m["kind"] != "agent" {
		t.Fatalf("live reply: %v", m)
	}
	// Internal notes never reach the visitor: the reply posted after the
	// note arrives, and the note (published before it, on the same
	// ordered stream) did not.
	fd.postForm(t, "/console/conversations/"+conv+"/reply", sup, url.Values{"kind": {"note"}, "body": {"internal: card was flagged"}})
	fd.postForm(t, "/console/conversations/"+conv+"/reply", sup, url.Values{"body": {"after the note"}})
	for {
		f := c.next("msg")
		if b, _ := f["body"].(string); strings.Contains(b, "internal") {
			t.Fatalf("a note reached the visitor: %v", f)
		}
		if f["body"] == "after the note" {
			break
		}
	}
	// A file, in chunks: checked by content, then downloadable with the ticket.
	png := append([]byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, make([]byte, 40000)...)
	c.send(map[string]any{"type": "file_begin", "client_id": "f1", "name": "screen.png", "size": len(png)})
	for i := 0; i < len(png); i += 32768 {
		c.send(map[string]any{"type": "file_chunk", "client_id": "f1", "data": base64.StdEncoding.EncodeToString(png[i:min(i+32768, len(png))])})
	}
	c.send(map[string]any{"type": "file_end", "client_id": "f1"})
	fileAck := c.next("ack")
	att, _ := fileAck["attachment"].(string)
	if att == "" {
		t.Fatalf("file ack: %v", fileAck)
	}
	res, err := http.Get(fd.URL + "/chat/attachments/" + att + "?ticket=" + url.QueryEscape(ticket))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !bytes.Equal(got, png) || !strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment") || res.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("download: %d %v", res.StatusCode, res.Header)
	}
	if res, _ := http.Get(fd.URL + "/chat/attachments/" + att + "?ticket=" + url.QueryEscape(strings.Replace(ticket, conv, strings.Repeat("0", 32), 1))); res.StatusCode != http.StatusNotFound {
		t.Fatalf("download with another ticket: %d", res.StatusCode)
	}
	// A page disguised as a picture is refused.
	disguised := []byte("<!doctype html><script>alert(1)</script>")
	c.send(map[string]any{"type": "file_begin", "client_id": "f2", "name": "cat.png", "size": len(disguised)})
	c.send(map[string]any{"type": "file_chunk", "client_id": "f2", "data": base64.StdEncoding.EncodeToString(disguised)})
	c.send(map[string]any{"type": "file_end", "client_id": "f2"})
	if e := c.next("error"); e["code"] != "file_type" {
		t.Fatalf("disguised page: %v", e)
	}
	c.conn.Close(websocket.StatusNormalClosure, "")

	// Exactly one copy of each customer message, in order (counted in the
	// thread: the first also names the conversation and the last is the
	// list's preview).
	_, page := fd.consoleRequest(t, "GET", "/console/conversations/"+conv, sup, nil)
	for _, b := range []string{"Hello, my card is blocked", "Are you there?", "Thanks!"} {
		if n := strings.Count(string(page), `<div class="body">`+b+`</div>`); n != 1 {
			t.Fatalf("%q stored %d times", b, n)
		}
	}
	// A forged ticket starts over instead of opening someone's conversation.
	c, _, err = fd.dialChat(t, fd.URL, "")
	if err != nil {
		t.Fatal(err)
	}
	c.send(map[string]any{"type": "hello", "ticket": conv + ".9999999999.00000000000000000000000000000000"})
	if w := c.next("welcome"); w["conversation_id"] != nil {
		t.Fatalf("forged ticket resumed %v", w["conversation_id"])
	}
	c.conn.Close(websocket.StatusNormalClosure, "")
}

// until returns every frame read before one of type typ.
func (c *chatClient) until(typ string) []map[string]any {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var out []map[string]any
	for {
		var f map[string]any
		if err := wsjson.Read(ctx, c.conn, &f); err != nil {
			c.t.Fatalf("waiting for %q: %v", typ, err)
		}
		if f["type"] == typ {
			return out
		}
		out = append(out, f)
	}
}

func readLive(t *testing.T, conn *websocket.Conn, typ string) map[string]any {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		_, b, err := conn.Read(ctx)
		if err != nil {
			t.Fatalf("console live: %v", err)
		}
		var ev map[string]any
		if json.Unmarshal(b, &ev) == nil && ev["type"] == typ {
			return ev
		}
	}
}
