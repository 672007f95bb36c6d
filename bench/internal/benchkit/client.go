package benchkit

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/coder/websocket"
	"github.com/pquerna/otp/totp"

	"github.com/frontdesk/frontdesk/internal/app"
)

// SessionCookie is the name of the portal's and the console's session
// cookie.
const SessionCookie = "__Host-fd_session"

// Client is one signed-in person (or nobody yet) talking to the server as
// an outside client would: the JSON API with the bearer token, forms and
// sockets with the session cookie. It follows no redirect, so a form's
// answer shows its Location.
type Client struct {
	Base  string
	Token string
	XFF   string // X-Forwarded-For of every request, when set: a client address of its own behind a trusted proxy
	HTTP  *http.Client
}

// NewClient returns a client of the server at base that keeps up to conns
// idle connections.
func NewClient(base string, conns int) *Client {
	return &Client{Base: base, HTTP: &http.Client{
		Timeout:       30 * time.Second,
		Transport:     &http.Transport{MaxIdleConns: conns, MaxIdleConnsPerHost: conns, DisableCompression: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// Call sends a JSON API request with the bearer token, if any, and decodes
// the answer into out when it has the status wanted.
func (c *Client) Call(method, path string, body any, want int, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.Base+path, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	if c.XFF != "" {
		req.Header.Set("X-Forwarded-For", c.XFF)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s: status %d: %.300s", method, path, resp.StatusCode, b)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(b, out)
}

// PostForm posts a form with the session cookie, as the browser does, and
// returns the status, the Location of a redirect and the body.
func (c *Client) PostForm(path string, form url.Values) (status int, location string, body []byte, err error) {
	req, err := http.NewRequest("POST", c.Base+path, strings.NewReader(form.Encode()))
	if err != nil {
		return 0, "", nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: SessionCookie, Value: c.Token})
	if c.XFF != "" {
		req.Header.Set("X-Forwarded-For", c.XFF)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return 0, "", nil, err
	}
	defer resp.Body.Close()
	body, err = io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), body, err
}

// SignIn signs in through the JSON API and keeps the session token.
func (c *Client) SignIn(email, password string) error {
	var s struct{ Token string }
	if err := c.Call("POST", "/api/v1/sessions", map[string]string{"email": email, "password": password}, http.StatusCreated, &s); err != nil {
		return fmt.Errorf("sign in %s: %w", email, err)
	}
	c.Token = s.Token
	return nil
}

// AccountID returns the signed-in account's id.
func (c *Client) AccountID() (string, error) {
	var me struct{ Account struct{ ID string } }
	if err := c.Call("GET", "/api/v1/session", nil, http.StatusOK, &me); err != nil {
		return "", fmt.Errorf("session: %w", err)
	}
	return me.Account.ID, nil
}

// EnrolTOTP adds an authenticator app, computing the code from the
// secret: staff need a second factor before the console opens.
func (c *Client) EnrolTOTP() error {
	var e struct{ Secret string }
	if err := c.Call("POST", "/api/v1/account/mfa/totp", nil, http.StatusOK, &e); err != nil {
		return fmt.Errorf("start TOTP: %w", err)
	}
	code, err := totp.GenerateCode(e.Secret, time.Now())
	if err != nil {
		return fmt.Errorf("TOTP code: %w", err)
	}
	if err := c.Call("POST", "/api/v1/account/mfa/totp/confirm", map[string]string{"code": code}, http.StatusOK, nil); err != nil {
		return fmt.Errorf("confirm TOTP: %w", err)
	}
	return nil
}

// Dial opens a WebSocket at path with the portal's Origin and the session
// cookie, if signed in.
func (c *Client) Dial(ctx context.Context, path string) (*websocket.Conn, error) {
	h := http.Header{"Origin": {c.Base}}
	if c.Token != "" {
		h.Set("Cookie", SessionCookie+"="+c.Token)
	}
	if c.XFF != "" {
		h.Set("X-Forwarded-For", c.XFF)
	}
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(c.Base, "http")+path, &websocket.DialOptions{HTTPHeader: h})
	return conn, err
}

// CreateStaff runs "frontdesk migrate" and "frontdesk admin create" against
// the data the server will use, as an operator would.
func CreateStaff(ctx context.Context, vars map[string]string, work, email, password, role string) error {
	pw := filepath.Join(work, "pw")
	if err := os.WriteFile(pw, []byte(password+"\n"), 0o600); err != nil {
		return err
	}
	for _, args := range [][]string{
		{"migrate"},
		{"admin", "create", "--email", email, "--password-file", pw, "--role", role},
	} {
		var out bytes.Buffer
		code := app.Main(ctx, args, app.Env{Getenv: func(k string) string { return vars[k] }, Stdout: &out, Stderr: &out})
		if code != 0 {
			return fmt.Errorf("%s: exit %d: %s", strings.Join(args, " "), code, out.String())
		}
	}
	return nil
}
