package server

import (
	"bufio"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/consent"
	"github.com/frontdesk/frontdesk/internal/web"
)

// statusWriter records the status and size of a response.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach Flush, Hijack and deadlines.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Hijack supports WebSocket upgrades through the wrapper.
func (w *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

// base is the outermost middleware: request id, client IP, default security
// headers, a safety net for panics, one log line and metrics per request.
func (s *Server) base(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ri := &web.RequestInfo{ID: web.NewID(12), IP: clientIP(r, s.opts.TrustedProxies), Route: "unmatched"}
		ctx := web.WithInfo(r.Context(), ri)
		ctx = audit.WithOrigin(ctx, audit.Origin{IP: ri.IP, UserAgent: r.UserAgent(), RequestID: ri.ID})
		if r.Header.Get("Sec-GPC") == "1" {
			// Global Privacy Control: an objection to analytics that the
			// consent ledger honours for this request (and records for a
			// signed-in customer whose consent stands).
			ctx = consent.WithGPC(ctx)
		}
		r = r.WithContext(ctx)
		sw := &statusWriter{ResponseWriter: w}
		h := w.Header()
		h.Set("X-Request-Id", ri.ID)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		// Deny by default: routes that render pages replace this with a
		// nonce-based policy.
		h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
		if s.opts.TLS {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.Log.ErrorContext(r.Context(), "panic serving request", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				if sw.status == 0 {
					web.WriteJSONError(sw, web.ErrInternal, ri.ID)
				}
			}
			elapsed := time.Since(start)
			status := sw.status
			if status == 0 {
				status = http.StatusOK
			}
			s.metrics.observe(ri.Route, r.Method, status, elapsed)
			level := slog.LevelInfo
			if status >= 500 {
				level = slog.LevelError
			}
			path := r.URL.Path
			if strings.Contains(ri.Route, "{token}") {
				// A {token} in a path is a credential (the setup link): the
				// pattern is logged in its place.
				_, path, _ = strings.Cut(ri.Route, " ")
			}
			s.Log.LogAttrs(r.Context(), level, "request",
				slog.String("method", r.Method), slog.String("route", ri.Route), slog.String("path", path),
				slog.Int("status", status), slog.Int64("bytes", sw.bytes),
				slog.Float64("duration_ms", float64(elapsed.Microseconds())/1000), slog.String("ip", ri.IP))
		}()
		next.ServeHTTP(sw, r)
	})
}

// wrap applies a route's tree protections and its permission check, and
// renders the error its handler returns.
func (s *Server) wrap(rt web.Route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ri := web.Info(r.Context())
		ri.Route = rt.Pattern
		if rt.Tree == web.Browser {
			ri.Nonce = web.NewID(18)
			ri.Lang = s.Pages.Language(w, r)
		}
		err := s.guard(rt, w, r)
		if err == nil {
			if rt.Permission != web.Public {
				r, err = s.authorize(r, rt)
			} else if (rt.Tree == web.Browser && rt.Pattern != "GET /static/{file}") || rt.Tree == web.Protocol {
				// RP-initiated logout needs the browser's session too.
				// Public pages still show who is signed in.
				if _, cerr := r.Cookie(s.Cookies.Session); cerr == nil {
					if ar, aerr := s.authenticate(r, web.Browser); aerr == nil {
						r = ar
					}
				}
			}
			if err == nil {
				err = rt.Handler(w, r)
			}
		}
		if err != nil {
			s.renderError(w, r, rt.Tree, err)
		}
	})
}

// guard enforces the tree's rules before the handler runs.
func (s *Server) guard(rt web.Route, w http.ResponseWriter, r *http.Request) error {
	switch rt.Tree {
	case web.Browser:
		ri := web.Info(r.Context())
		w.Header().Set("Content-Security-Policy", fmt.Sprintf(
			"default-src 'self'; script-src 'nonce-%s' 'strict-dynamic'; style-src 'self' 'nonce-%s'; img-src 'self' data:; "+
				"connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'", ri.Nonce, ri.Nonce))
		if err := s.cop.Check(r); err != nil {
			s.Log.WarnContext(r.Context(), "cross-origin request refused", "security_event", "csrf", "origin", r.Header.Get("Origin"))
			return &web.Error{Status: http.StatusForbidden, Code: "cross_origin_refused", Message: "This request came from another site and was refused. Go back to the page and try again.", Err: err}
		}
	case web.Protocol:
		w.Header().Set("Cache-Control", "no-store")
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, web.MaxPageBody)
		}
	case web.API:
		w.Header().Set("Cache-Control", "no-store")
		// Forms are refused: a JSON-only API cannot be driven by a cross-site
		// HTML form, whatever cookies the browser holds.
		ct := r.Header.Get("Content-Type")
		if r.ContentLength > 0 || len(r.TransferEncoding) > 0 || ct != "" {
			if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
				return web.ErrUnsupportedMedia
			}
		}
		limit := rt.MaxBody
		if limit == 0 {
			limit = web.MaxAPIBody
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
	}
	if rt.Tree == web.Browser && r.Method == http.MethodPost {
		limit := rt.MaxBody
		if limit == 0 {
			limit = web.MaxPageBody
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
	}
	return nil
}

// renderError shows err as a page or as JSON, logging what the client does
// not see.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, tree web.Tree, err error) {
	pub := web.PublicError(err)
	ri := web.Info(r.Context())
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		pub = web.ErrBodyTooLarge
	}
	if pub == web.ErrInternal {
		s.Log.ErrorContext(r.Context(), "request failed", "error", err.Error())
	} else if pub.Status >= 500 {
		s.Log.WarnContext(r.Context(), "request failed", "code", pub.Code, "error", err.Error())
	}
	if tree == web.Browser {
		if pub == web.ErrUnauthenticated && r.Method == http.MethodGet {
			// A page that needs a session sends the visitor to sign in and
			// back here afterwards.
			http.Redirect(w, r, "/signin?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		if pub == web.ErrEnrolmentRequired {
			// Signed in with the password, but a second factor must be set
			// up before anything else.
			http.Redirect(w, r, "/account/mfa/setup", http.StatusSeeOther)
			return
		}
		web.SetRetryAfter(w, pub)
		s.Pages.RenderError(w, r, pub, s.OrgName)
		return
	}
	web.WriteJSONError(w, pub, ri.ID)
}
