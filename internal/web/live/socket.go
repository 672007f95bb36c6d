package live

import (
	"context"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
	"github.com/frontdesk/frontdesk/internal/web"
)

// The socket plumbing shared by the chat, the console's live updates and
// remote assistance: signed tickets, Origin checks, upgrades, reading
// frames and pinging beside the loop.

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

// errWebSocketOnly answers a plain request to a WebSocket address.
var errWebSocketOnly = &web.Error{Status: http.StatusUpgradeRequired, Code: "websocket_required", Message: "This address speaks WebSocket only."}

func isWebSocket(r *http.Request) bool {
	return strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
}

// acceptSocket upgrades a request, lifting the server's write timeout
// that would otherwise cut a long-lived connection.
func acceptSocket(w http.ResponseWriter, r *http.Request) (*websocket.Conn, error) {
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
