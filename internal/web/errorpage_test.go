package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The error page says what happened in the reader's language for every
// status it may show: a conflict (co-browsing refused for an agent
// without an identity card showed error.409.title) and a status the
// catalog has no words for, shown in the words of its class.
func TestErrorPageHasWordsForEveryStatus(t *testing.T) {
	p, err := LoadPages()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		status int
		lang   string
		want   string
	}{
		{http.StatusConflict, "en", "That cannot be done right now"},
		{http.StatusConflict, "vi", "Hiện chưa thể thực hiện việc này"},
		{http.StatusTeapot, "zh", p.catalogs["zh"]["error.400.title"]},
		{http.StatusNotImplemented, "en", p.catalogs["en"]["error.500.title"]},
	} {
		r := httptest.NewRequest("GET", "/x", nil)
		r = r.WithContext(WithInfo(r.Context(), &RequestInfo{ID: "req1", Lang: c.lang, Nonce: "n"}))
		w := httptest.NewRecorder()
		p.RenderError(w, r, &Error{Status: c.status, Code: "conflict", Message: "The agent has no identity card yet."}, "Acme")
		body := w.Body.String()
		if w.Code != c.status || !strings.Contains(body, c.want) || strings.Contains(body, "error.") && strings.Contains(body, ".title") {
			t.Errorf("%d %s: status %d, want %q in\n%s", c.status, c.lang, w.Code, c.want, body)
		}
	}
}
