package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/frontdesk/frontdesk/bench/internal/benchkit"
)

const (
	staffEmail    = "sup@acme.example"
	staffPassword = "Plum orbit lantern velvet 7!"
)

// createSupervisor runs "frontdesk migrate" and "frontdesk admin create"
// against the data the server will use, as an operator would.
func createSupervisor(ctx context.Context, vars map[string]string, work string) error {
	return benchkit.CreateStaff(ctx, vars, work, staffEmail, staffPassword, "supervisor")
}

// agent is the supervisor, signed in, on duty at the desk with the
// console's live socket open.
type agent struct {
	*benchkit.Client
	live   *websocket.Conn
	closed atomic.Bool
	ended  chan error // the live socket's reader ended
}

// becomeAgent signs the supervisor in, enrols TOTP, makes it an agent of
// the desk and opens its live socket, whose events go to tr.
func becomeAgent(base string, tr *tracker) (*agent, error) {
	a := &agent{Client: benchkit.NewClient(base, 256), ended: make(chan error, 1)}
	if err := a.SignIn(staffEmail, staffPassword); err != nil {
		return nil, err
	}
	if err := a.EnrolTOTP(); err != nil {
		return nil, err
	}
	id, err := a.AccountID()
	if err != nil {
		return nil, err
	}
	form := url.Values{"account": {id}, "display_name": {"An"}, "language": {"en"}}
	if status, _, _, err := a.PostForm("/console/desk/agents", form); err != nil || status != http.StatusSeeOther {
		return nil, fmt.Errorf("make the supervisor an agent: status %d, %v", status, err)
	}
	if err := a.openLive(tr); err != nil {
		return nil, err
	}
	return a, nil
}

// reply answers a conversation as the agent.
func (a *agent) reply(conv, body string) error {
	status, _, _, err := a.PostForm("/console/conversations/"+conv+"/reply", url.Values{"body": {body}})
	if err != nil {
		return err
	}
	if status != http.StatusSeeOther {
		return fmt.Errorf("reply: status %d", status)
	}
	return nil
}

// liveEvent is a frame of the console's live socket.
type liveEvent struct {
	Type string          `json:"type"`
	Data json.RawMessage `json:"data"`
}

// openLive opens the console's live socket, waits for "ready" and reads
// every later event in the background: a new conversation arrives by its
// first message's client id, a further message by its own.
func (a *agent) openLive(tr *tracker) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := a.Dial(ctx, "/console/live")
	if err != nil {
		return fmt.Errorf("console live socket: %w", err)
	}
	conn.SetReadLimit(1 << 20)
	for {
		_, b, err := conn.Read(ctx)
		if err != nil {
			conn.CloseNow()
			return fmt.Errorf("console live socket, waiting for ready: %w", err)
		}
		var ev liveEvent
		if json.Unmarshal(b, &ev) == nil && ev.Type == "ready" {
			break
		}
	}
	a.live = conn
	go func() {
		for {
			_, b, err := conn.Read(context.Background())
			at := time.Now()
			if err != nil {
				a.ended <- err
				return
			}
			var ev liveEvent
			if json.Unmarshal(b, &ev) != nil {
				continue
			}
			switch ev.Type {
			case "conversation":
				var c struct {
					Messages []struct {
						ClientID string `json:"client_id"`
					} `json:"messages"`
				}
				if json.Unmarshal(ev.Data, &c) == nil && len(c.Messages) > 0 {
					tr.arrive(c.Messages[0].ClientID, at)
				}
			case "message":
				var m struct {
					ClientID string `json:"client_id"`
				}
				if json.Unmarshal(ev.Data, &m) == nil && m.ClientID != "" {
					tr.arrive(m.ClientID, at)
				}
			}
		}
	}()
	return nil
}

// liveErr reports whether the live socket has ended before close.
func (a *agent) liveErr() error {
	select {
	case err := <-a.ended:
		a.ended <- err
		if a.closed.Load() {
			return nil
		}
		return err
	default:
		return nil
	}
}

func (a *agent) close() {
	a.closed.Store(true)
	if a.live != nil {
		a.live.Close(websocket.StatusNormalClosure, "")
	}
	a.HTTP.CloseIdleConnections()
}

// errLiveEnded says the agent's socket closed during the run.
var errLiveEnded = errors.New("the agent's live socket closed during the run")
