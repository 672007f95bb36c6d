package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
)

// visitor is one open chat connection.
type visitor struct {
	i    int
	conn *websocket.Conn
	conv atomic.Pointer[string] // set by the acknowledgement of the first message
}

// chatFrame is what the benchmark reads of a server → client frame.
type chatFrame struct {
	Type           string `json:"type"`
	ClientID       string `json:"client_id"`
	ConversationID string `json:"conversation_id"`
	Kind           string `json:"kind"`
	Body           string `json:"body"`
	Code           string `json:"code"`
	Online         bool   `json:"online"`
}

// crowd is every visitor connection of the run and what happened to them.
type crowd struct {
	visitors []*visitor
	closing  atomic.Bool
	dropped  atomic.Int64 // connections that ended before the run did
	mu       sync.Mutex
	dropErr  string // the first such ending
	offline  atomic.Int64
}

// openResult is the opening of the connections.
type openResult struct {
	asked, opened int
	elapsed       time.Duration
	each          []time.Duration // time to welcome of each opened connection, sorted
	failures      map[string]int  // by error, reduced to its kind
}

// openVisitors opens n chat connections, parallel at a time, each saying
// hello and reading its welcome; every open connection then has a reader
// that passes the agent's replies and the errors to tr.
func openVisitors(base string, n, parallel int, tr *tracker) (*crowd, openResult) {
	c := &crowd{visitors: make([]*visitor, n)}
	res := openResult{asked: n, failures: map[string]int{}}
	times := make([]time.Duration, n)
	var mu sync.Mutex
	next := make(chan int)
	var wg sync.WaitGroup
	start := time.Now()
	for range parallel {
		wg.Go(func() {
			for i := range next {
				t0 := time.Now()
				v, err := c.dial(base, i, tr)
				if err != nil {
					mu.Lock()
					res.failures[errorKind(err)]++
					mu.Unlock()
					continue
				}
				times[i] = time.Since(t0)
				c.visitors[i] = v
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	res.elapsed = time.Since(start)
	for i, v := range c.visitors {
		if v != nil {
			res.opened++
			res.each = append(res.each, times[i])
		}
	}
	slices.Sort(res.each)
	return c, res
}

// dial opens visitor i's connection from its own address, as a trusted
// proxy in front of the server reports it: the server allows ten new
// conversations per address and hour.
func (c *crowd) dial(base string, i int, tr *tracker) (*visitor, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	h := http.Header{"Origin": {base}, "X-Forwarded-For": {fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255)}}
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(base, "http")+"/chat/ws", &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		return nil, fmt.Errorf("dial: %w", err)
	}
	if err := wsjson.Write(ctx, conn, map[string]string{"type": "hello", "locale": "en"}); err != nil {
		conn.CloseNow()
		return nil, fmt.Errorf("hello: %w", err)
	}
	var w chatFrame
	if err := wsjson.Read(ctx, conn, &w); err != nil {
		conn.CloseNow()
		return nil, fmt.Errorf("welcome: %w", err)
	}
	if w.Type != "welcome" {
		conn.CloseNow()
		return nil, fmt.Errorf("welcome: got %q (%s)", w.Type, w.Code)
	}
	if !w.Online {
		c.offline.Add(1)
	}
	v := &visitor{i: i, conn: conn}
	go c.read(v, tr)
	return v, nil
}

// read runs for the life of the connection: reading also answers the
// server's pings, without which it would close the connection.
func (c *crowd) read(v *visitor, tr *tracker) {
	for {
		_, b, err := v.conn.Read(context.Background())
		at := time.Now()
		if err != nil {
			if !c.closing.Load() {
				c.dropped.Add(1)
				c.mu.Lock()
				if c.dropErr == "" {
					c.dropErr = err.Error()
				}
				c.mu.Unlock()
			}
			return
		}
		var f chatFrame
		if json.Unmarshal(b, &f) != nil {
			continue
		}
		switch f.Type {
		case "ack":
			if f.ConversationID != "" {
				v.conv.CompareAndSwap(nil, &f.ConversationID)
			}
		case "msg":
			if f.Kind == "agent" {
				tr.arrive(f.Body, at)
			}
		case "error":
			tr.fail(f.ClientID, "refused by the server: "+f.Code)
		}
	}
}

// send writes a chat message.
func (v *visitor) send(clientID, body string) error {
	ctx, cancel := context.WithTimeout(context.Background(), lostAfter)
	defer cancel()
	return wsjson.Write(ctx, v.conn, map[string]string{"type": "msg", "client_id": clientID, "body": body})
}

// conversation returns the visitor's conversation, once acknowledged.
func (v *visitor) conversation() string {
	if p := v.conv.Load(); p != nil {
		return *p
	}
	return ""
}

// close closes every connection.
func (c *crowd) close() {
	c.closing.Store(true)
	for _, v := range c.visitors {
		if v != nil {
			v.conn.CloseNow()
		}
	}
}

// errorKind reduces an error to what it says without the parts that differ
// between connections (ports), to count failures by cause.
func errorKind(err error) string {
	s := err.Error()
	if errors.Is(err, context.DeadlineExceeded) {
		s, _, _ = strings.Cut(s, ":")
		s += ": timed out"
	}
	return portRE.ReplaceAllString(s, ":*")
}

var portRE = regexp.MustCompile(`:[0-9]{2,5}\b`)
