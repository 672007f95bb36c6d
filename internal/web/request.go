package web

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"log/slog"
)

// RequestInfo travels with each request: the middleware fills it in, the route
// wrapper names the route, and the log and metrics read it at the end.
type RequestInfo struct {
	ID    string
	Route string
	Nonce string
	IP    string
	Lang  string
}

type reqInfoKey struct{}

func Info(ctx context.Context) *RequestInfo {
	if ri, ok := ctx.Value(reqInfoKey{}).(*RequestInfo); ok {
		return ri
	}
	return &RequestInfo{}
}

// RequestID returns the id of the request being served in ctx, or "".
func RequestID(ctx context.Context) string { return Info(ctx).ID }

// ClientIP returns the client address of the request in ctx.
func ClientIP(ctx context.Context) string { return Info(ctx).IP }

// NewID returns a random URL-safe id.
func NewID(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// LogHandler wraps h so that every record logged with a request's context
// carries that request's id.
func LogHandler(h slog.Handler) slog.Handler { return logHandler{h} }

type logHandler struct{ slog.Handler }

func (h logHandler) Handle(ctx context.Context, r slog.Record) error {
	if ri, ok := ctx.Value(reqInfoKey{}).(*RequestInfo); ok {
		r.AddAttrs(slog.String("request_id", ri.ID))
	}
	return h.Handler.Handle(ctx, r)
}

func (h logHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return logHandler{h.Handler.WithAttrs(as)}
}

func (h logHandler) WithGroup(name string) slog.Handler {
	return logHandler{h.Handler.WithGroup(name)}
}

// WithInfo returns ctx carrying ri, for the server's outermost middleware.
func WithInfo(ctx context.Context, ri *RequestInfo) context.Context {
	return context.WithValue(ctx, reqInfoKey{}, ri)
}
