package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/pquerna/otp/totp"

	"github.com/frontdesk/frontdesk/internal/app"
)

const (
	staffEmail    = "sup@acme.example"
	staffPassword = "Plum orbit lantern velvet 7!"
	sessionCookie = "__Host-fd_session"
)

// createSupervisor runs "frontdesk migrate" and "frontdesk admin create"
// against the data the server will use, as an operator would.
func createSupervisor(ctx context.Context, vars map[string]string, work string) error {
	pw := filepath.Join(work, "pw")
	if err := os.WriteFile(pw, []byte(staffPassword+"\n"), 0o600); err != nil {
		return err
	}
	for _, args := range [][]string{
		{"migrate"},
		{"admin", "create", "--email", staffEmail, "--password-file", pw, "--role", "supervisor"},
	} {
		var out bytes.Buffer
		code := app.Main(ctx, args, app.Env{Getenv: func(k string) string { return vars[k] }, Stdout: &out, Stderr: &out})
		if code != 0 {
			return fmt.Errorf("%s: exit %d: %s", strings.Join(args, " "), code, out.String())
		}
	}
	return nil
}

// agent is the supervisor, signed in, on duty at the desk with the
// console's live socket open.
type agent struct {
	base   string
	token  string
	client *http.Client // keeps connections, follows no redirect
	live   *websocket.Conn
	closed atomic.Bool
	ended  chan error // the live socket's reader ended
}

// becomeAgent signs the supervisor in, enrols TOTP, makes it an agent of
// the desk and opens its live socket, whose events go to tr.
func becomeAgent(base string, tr *tracker) (*agent, error) {
	a := &agent{base: base, ended: make(chan error, 1), client: &http.Client{
		Timeout:       30 * time.Second,
		Transport:     &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256, DisableCompression: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
	var s struct{ Token string }
	if err := a.call("POST", "/api/v1/sessions", map[string]string{"email": staffEmail, "password": staffPassword}, http.StatusCreated, &s); err != nil {
		return nil, fmt.Errorf("sign in: %w", err)
	}
	a.token = s.Token
	if err := a.enrolTOTP(); err != nil {
		return nil, err
	}
	var me struct{ Account struct{ ID string } }
	if err := a.call("GET", "/api/v1/session", nil, http.StatusOK, &me); err != nil {
		return nil, fmt.Errorf("session: %w", err)
	}
	form := url.Values{"account": {me.Account.ID}, "display_name": {"An"}, "language": {"en"}}
	if status, err := a.postForm("/console/desk/agents", form); err != nil || status != http.StatusSeeOther {
		return nil, fmt.Errorf("make the supervisor an agent: status %d, %v", status, err)
	}
	if err := a.openLive(tr); err != nil {
		return nil, err
	}
	return a, nil
}

// enrolTOTP adds an authenticator app, computing the code from the secret.
func (a *agent) enrolTOTP() error {
	var e struct{ Secret string }
	if err := a.call("POST", "/api/v1/account/mfa/totp", nil, http.StatusOK, &e); err != nil {
		return fmt.Errorf("start TOTP: %w", err)
	}
	code, err := totp.GenerateCode(e.Secret, time.Now())
	if err != nil {
		return fmt.Errorf("TOTP code: %w", err)
	}
	if err := a.call("POST", "/api/v1/account/mfa/totp/confirm", map[string]string{"code": code}, http.StatusOK, nil); err != nil {
		return fmt.Errorf("confirm TOTP: %w", err)
	}
	return nil
}

// call sends a JSON API request with the bearer token, if any, and decodes
// the answer into out when it has the status wanted.
func (a *agent) call(method, path string, body any, want int, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, a.base+path, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if a.token != "" {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	resp, err := a.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s: status %d: %s", method, path, resp.StatusCode, b)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(b, out)
}

// postForm posts a console form with the session cookie, as the browser
// does, and returns the status without following the redirect.
func (a *agent) postForm(path string, form url.Values) (int, error) {
	req, err := http.NewRequest("POST", a.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: a.token})
	resp, err := a.client.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

// reply answers a conversation as the agent.
func (a *agent) reply(conv, body string) error {
	status, err := a.postForm("/console/conversations/"+conv+"/reply", url.Values{"body": {body}})
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
	h := http.Header{"Origin": {a.base}, "Cookie": {sessionCookie + "=" + a.token}}
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(a.base, "http")+"/console/live", &websocket.DialOptions{HTTPHeader: h})
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
	a.client.CloseIdleConnections()
}

// errLiveEnded says the agent's socket closed during the run.
var errLiveEnded = errors.New("the agent's live socket closed during the run")
