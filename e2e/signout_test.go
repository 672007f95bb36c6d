package e2e

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// ASVS 14.3.1: signing out, on the pages and through the API, tells the
// browser to clear what this site stored.
func TestSignOutClearsSiteData(t *testing.T) {
	fd := Start(t, fastHashing)
	email := "signout@example.com"
	fd.registerAPI(t, email)
	const want = `"cache", "storage"`

	r := fd.call(t, "DELETE", "/api/v1/session", fd.signInAPI(t, email, apiPassword), nil)
	if r.Status != http.StatusNoContent || r.Header.Get("Clear-Site-Data") != want {
		t.Fatalf("API sign-out: %d Clear-Site-Data %q, want 204 %q", r.Status, r.Header.Get("Clear-Site-Data"), want)
	}

	req, _ := http.NewRequest("POST", fd.URL+"/signout", strings.NewReader(url.Values{}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: "__Host-fd_session", Value: fd.signInAPI(t, email, apiPassword)})
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/signin?notice=signedout" || res.Header.Get("Clear-Site-Data") != want {
		t.Fatalf("page sign-out: %d to %q, Clear-Site-Data %q, want 303 %q", res.StatusCode, res.Header.Get("Location"), res.Header.Get("Clear-Site-Data"), want)
	}
}
