package e2e

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// ASVS 3.7.2: a crafted next= after sign-in or step-up sends the browser
// to a page on this site, never to another host.
func TestSignInAndReauthRedirectStayLocal(t *testing.T) {
	fd := Start(t, fastHashing)
	email := "redirect@example.com"
	fd.registerAPI(t, email)
	token := fd.signInAPI(t, email, apiPassword)

	post := func(path string, form url.Values, cookies ...*http.Cookie) *http.Response {
		t.Helper()
		req, _ := http.NewRequest("POST", fd.URL+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for _, c := range cookies {
			req.AddCookie(c)
		}
		// The transport, not a client: a client refuses to parse a Location
		// with a control character, and the test must see what was sent.
		res, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	session := &http.Cookie{Name: "__Host-fd_session", Value: token}
	device := &http.Cookie{Name: "__Host-fd_device", Value: "redirect-test-device"}
	for _, c := range []struct{ next, want string }{
		{"/\t/evil.example/", "/account/security"},
		{"/\\evil.example", "/account/security"},
		{"/%2F%2Fevil.example", "/account/security"},
		{"https://evil.example/", "/account/security"},
		{"/account/sessions?x=1#top", "/account/sessions?x=1#top"},
	} {
		res := post("/account/reauth", url.Values{"password": {apiPassword}, "next": {c.next}}, session)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != c.want {
			t.Errorf("reauth next=%q: %d Location %q, want 303 %q", c.next, res.StatusCode, res.Header.Get("Location"), c.want)
		}
		res = post("/signin", url.Values{"email": {email}, "password": {apiPassword}, "next": {c.next}}, device)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != c.want {
			t.Errorf("signin next=%q: %d Location %q, want 303 %q", c.next, res.StatusCode, res.Header.Get("Location"), c.want)
		}
	}
}
