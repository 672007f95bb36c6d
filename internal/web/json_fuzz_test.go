package web

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/internal/identity"
)

// Fuzz: decoding a request body never panics, and every failure is a
// client error (400 or 413) with a safe message.
func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{`{"email":"a@b.c","password":"x"}`, `{"email":1}`, `{"x":true}`, `{}{}`, `[`, "", `{"email":"\u0000"}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		r := httptest.NewRequest("POST", "/api/v1/sessions", strings.NewReader(body))
		r.Body = http.MaxBytesReader(httptest.NewRecorder(), r.Body, 1<<20)
		var in struct {
			Email    string `json:"email"`
			Password string `json:"password"`
		}
		err := DecodeJSON(r, &in)
		if err == nil {
			return
		}
		var e *Error
		if !errors.As(err, &e) || (e.Status != 400 && e.Status != 413) || strings.Contains(e.Message, body) && len(body) > 8 {
			t.Fatalf("body %q: %v", body, err)
		}
	})
}

// The identity service's refusals become the documented statuses, with
// Retry-After for 429 and 503.
func TestIdentityErrorStatuses(t *testing.T) {
	for _, c := range []struct {
		err    error
		status int
		code   string
		retry  string
	}{
		{identity.ErrInvalidCredentials, 401, "invalid_credentials", ""},
		{&identity.RateLimitedError{RetryAfter: 90 * time.Second}, 429, "rate_limited", "90"},
		{&identity.BusyError{RetryAfter: 1500 * time.Millisecond}, 503, "busy", "2"},
		{&identity.FieldError{Field: "password", Code: "too_short"}, 400, "too_short", ""},
		{identity.ErrNotFound, 404, "not_found", ""},
	} {
		w := httptest.NewRecorder()
		e := PublicError(IdentityError(c.err))
		WriteJSONError(w, e, "req")
		if w.Code != c.status || !strings.Contains(w.Body.String(), `"code":"`+c.code+`"`) || w.Header().Get("Retry-After") != c.retry {
			t.Errorf("%v: %d %s Retry-After=%q", c.err, w.Code, w.Body.String(), w.Header().Get("Retry-After"))
		}
	}
}
