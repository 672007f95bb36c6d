package live

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
	"github.com/frontdesk/frontdesk/internal/web"
)

// The console's live socket (/console/live): an agent's open inbox or
// conversation page receives every event of the desk as it happens, sends typing and read marks, and keeps the
// agent counted as online (a heartbeat while the page is open). Only the
// portal's own origin may open it; the session cookie authenticates it.

const consoleHeartbeat = 30 * time.Second

type liveOut struct {
	Type         string `json:"type"` // the event: message, typing, read, conversation, assigned, merged, call
	Conversation string `json:"conversation_id"`
	Data         any    `json:"data"`
}

func (s *Handler) consoleLive(w http.ResponseWriter, r *http.Request) error {
	if !isWebSocket(r) {
		return errWebSocketOnly
	}
	if o := r.Header.Get("Origin"); s.BaseURL == nil || o != s.BaseURL.Scheme+"://"+s.BaseURL.Host {
		s.Log.WarnContext(r.Context(), "console live connection from another origin", "security_event", "origin", "origin", o)
		return &web.Error{Status: http.StatusForbidden, Code: "origin_refused", Message: "Open the console on its own site."}
	}
	conv := r.URL.Query().Get("conversation")
	if conv != "" && !web.ConvIDPattern.MatchString(conv) {
		return web.ErrNotFound
	}
	me := web.Principal(r.Context()).AccountID
	conn, err := acceptSocket(w, r)
	if err != nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), chatLifetime)
	defer cancel()
	client := newLiveClient()
	// Every event of the desk, even with a conversation open: the page
	// shows the inbox's list beside it, and the script keeps both current.
	defer s.live.follow("", client)()

	reads := make(chan chatFrame)
	readErr := make(chan error, 1)
	go func() {
		for {
			var f chatFrame
			if err := wsjson.Read(ctx, conn, &f); err != nil {
				readErr <- err
				return
			}
			select {
			case reads <- f:
			case <-ctx.Done():
				return
			}
		}
	}()
	beat := time.NewTicker(consoleHeartbeat)
	defer beat.Stop()
	_ = s.deps.Support.Heartbeat(ctx, me)
	write := func(v any) error {
		wctx, cancel := context.WithTimeout(ctx, chatWriteWait)
		defer cancel()
		return wsjson.Write(wctx, conn, v)
	}
	// The agent counts as online from here on.
	if err := write(liveOut{Type: "ready"}); err != nil {
		conn.Close(websocket.StatusNormalClosure, "")
		return nil
	}
	for {
		select {
		case <-ctx.Done():
			conn.Close(websocket.StatusNormalClosure, "")
			return nil
		case err := <-readErr:
			if websocket.CloseStatus(err) == -1 && !errors.Is(err, context.Canceled) {
				s.Log.InfoContext(ctx, "console live connection ended", "error", err.Error())
			}
			conn.Close(websocket.StatusNormalClosure, "")
			return nil
		case f := <-reads:
			if conv == "" {
				continue
			}
			switch f.Type {
			case "typing":
				s.deps.Support.Typing(ctx, conv, true)
			case "read":
				if f.Seq > 0 {
					_ = s.deps.Support.MarkRead(ctx, conv, true, f.Seq)
				}
			}
		case ev := <-client.events:
			if err := write(liveOut{Type: ev.What, Conversation: ev.Conversation, Data: ev.Data}); err != nil {
				conn.Close(websocket.StatusNormalClosure, "")
				return nil
			}
		case <-beat.C:
			_ = s.deps.Support.Heartbeat(ctx, me)
			if client.dropped.Load() {
				conn.Close(websocket.StatusTryAgainLater, "reload to catch up")
				return nil
			}
		}
	}
}
