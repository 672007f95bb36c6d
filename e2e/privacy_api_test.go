package e2e

import (
	"archive/zip"
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestPrivacyAPI walks the customer's data-protection contract: an export
// after a fresh sign-in, its status, a single download of the ZIP by its
// owner only; closing the account with its cool-off, and cancelling.
// // GDPR 15 // GDPR 17 // GDPR 20
func TestPrivacyAPI(t *testing.T) {
	i := Start(t, fastHashing)
	const email = "zephyrine.canary@example.com"
	i.registerAPI(t, email)
	token := i.signInAPI(t, email, apiPassword)
	i.registerAPI(t, "other@example.com")
	other := i.signInAPI(t, "other@example.com", apiPassword)

	if r := i.call(t, "POST", "/api/v1/account/export", "", nil); r.Status != 401 {
		t.Fatalf("export without a session: %d", r.Status)
	}
	r := i.call(t, "POST", "/api/v1/account/export", token, nil)
	if r.Status != 202 {
		t.Fatalf("export: %d %s", r.Status, r.Body)
	}
	var started struct{ Export struct{ ID, Status string } }
	r.decode(t, &started)
	if started.Export.ID == "" || started.Export.Status != "pending" {
		t.Fatalf("export answer: %s", r.Body)
	}
	if r := i.call(t, "GET", "/api/v1/account/exports/"+started.Export.ID, other, nil); r.Status != 404 {
		t.Errorf("another customer sees the export: %d %s", r.Status, r.Body)
	}
	var st struct {
		Export struct {
			Status      string
			DownloadURL string `json:"download_url"`
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for st.Export.Status != "ready" {
		if time.Now().After(deadline) {
			t.Fatalf("the export is not ready after 30s: %+v", st)
		}
		time.Sleep(100 * time.Millisecond)
		i.call(t, "GET", "/api/v1/account/exports/"+started.Export.ID, token, nil).decode(t, &st)
	}
	if !strings.HasPrefix(st.Export.DownloadURL, i.URL+"/api/v1/account/exports/") {
		t.Fatalf("download_url %q", st.Export.DownloadURL)
	}
	path := strings.TrimPrefix(st.Export.DownloadURL, i.URL)
	if r := i.call(t, "GET", path, other, nil); r.Status != 404 {
		t.Errorf("another customer downloads the export: %d", r.Status)
	}
	r = i.call(t, "GET", path, token, nil)
	if r.Status != 200 || r.Header.Get("Content-Type") != "application/zip" {
		t.Fatalf("download: %d %s", r.Status, r.Header.Get("Content-Type"))
	}
	zr, err := zip.NewReader(bytes.NewReader(r.Body), int64(len(r.Body)))
	if err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		all.Write(b)
	}
	for _, want := range []string{email, "Minh Tran", "This is a copy of the personal data"} {
		if !strings.Contains(all.String(), want) {
			t.Errorf("the export lacks %q", want)
		}
	}
	if r := i.call(t, "GET", path, token, nil); r.Status != http.StatusGone || r.errorCode(t) != "export_gone" {
		t.Errorf("second download: %d %s", r.Status, r.Body)
	}
	if r := i.call(t, "GET", "/api/v1/account/exports/nonsense", token, nil); r.Status != 404 {
		t.Errorf("unknown export: %d", r.Status)
	}

	// Closing the account, cancelling, closing again.
	r = i.call(t, "DELETE", "/api/v1/account", token, nil)
	if r.Status != 202 {
		t.Fatalf("close: %d %s", r.Status, r.Body)
	}
	var closing struct {
		ClosesAt time.Time `json:"closes_at"`
	}
	r.decode(t, &closing)
	if d := time.Until(closing.ClosesAt); d < 13*24*time.Hour || d > 15*24*time.Hour {
		t.Errorf("closes_at %v is not 14 days away", closing.ClosesAt)
	}
	if r := i.call(t, "DELETE", "/api/v1/account", token, nil); r.Status != 409 || r.errorCode(t) != "already_closing" {
		t.Errorf("closing twice: %d %s", r.Status, r.Body)
	}
	if r := i.call(t, "POST", "/api/v1/account/closure/cancel", "", map[string]string{"token": "not-the-token"}); r.Status != 409 {
		t.Errorf("cancel with a wrong token: %d %s", r.Status, r.Body)
	}
	mail := i.WaitSubject(t, email, "Your account will be closed")
	link := mail.Link(t)
	tok := link[strings.Index(link, "token=")+len("token="):]
	if r := i.call(t, "POST", "/api/v1/account/closure/cancel", "", map[string]string{"token": tok}); r.Status != 204 {
		t.Fatalf("cancel by link: %d %s", r.Status, r.Body)
	}
	if r := i.call(t, "GET", "/api/v1/account/closure", token, nil); r.Status != 200 || !strings.Contains(string(r.Body), `"closure":null`) {
		t.Errorf("closure after cancel: %d %s", r.Status, r.Body)
	}
	if r := i.call(t, "DELETE", "/api/v1/account/closure", token, nil); r.Status != 409 {
		t.Errorf("cancelling what is not closing: %d %s", r.Status, r.Body)
	}
	if strings.Contains(i.Logs(), tok) {
		t.Error("the cancel token is in the server log")
	}
}
