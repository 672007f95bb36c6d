package e2e

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// upload posts a file to the console's import form as a browser does and
// returns the status and the Location answered.
func (i *Instance) upload(t *testing.T, token, name string, content []byte) (int, string) {
	t.Helper()
	return i.uploadTo(t, "/console/accounts/import", token, name, content)
}

// uploadTo posts a file as the "file" field of a multipart form to path.
func (i *Instance) uploadTo(t *testing.T, path, token, name string, content []byte) (int, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("format", "")
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(content)
	mw.Close()
	req, _ := http.NewRequest("POST", i.URL+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.AddCookie(&http.Cookie{Name: "__Host-fd_session", Value: token})
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	io.Copy(io.Discard, res.Body)
	return res.StatusCode, res.Header.Get("Location")
}

// count reads one of the counts of an import page.
func count(t *testing.T, page, id string) string {
	t.Helper()
	m := regexp.MustCompile(`id="` + id + `">(\d+)<`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no %s on the page: %s", id, page)
	}
	return m[1]
}

// The console's bulk upload: only staff:manage may use it; a file is
// checked first (every invalid row with line, field and reason; nothing
// changed), then imported in the background with progress, idempotently,
// and recorded in the audit trail; any node answers a job's page and may
// start its import, once.
func TestConsoleImport(t *testing.T) {
	fd := Start(t, fastHashing)
	fd.createStaff(t, "admin@acme.example", "administrator")
	fd.createStaff(t, "agent@acme.example", "agent")
	admin := fd.signInAPI(t, "admin@acme.example", apiPassword)
	fd.enrolTOTPAPI(t, admin)
	agent := fd.signInAPI(t, "agent@acme.example", apiPassword)
	fd.enrolTOTPAPI(t, agent)

	hash, err := bcrypt.GenerateFromPassword([]byte(apiPassword), 10)
	if err != nil {
		t.Fatal(err)
	}
	file := []byte("email,name,phone,locale,role,password_hash,send_invite\n" +
		"lan@example.com,Trần Thị Lan,+84901234567,vi,," + string(hash) + ",\n" +
		"not-an-address,Bad Row,,,,,\n" +
		"minh@example.com,Minh,,en,,,\n" +
		"new-agent@acme.example,New Agent,,en,agent,,\n")

	// ASVS 8.2.1: deny by default: an agent cannot import accounts.
	if status, _ := fd.upload(t, agent, "people.csv", file); status != http.StatusForbidden {
		t.Fatalf("agent upload: %d", status)
	}

	// A file whose header is wrong cannot be imported at all.
	status, loc := fd.upload(t, admin, "broken.csv", []byte("mail,nom\nx@example.com,X\n"))
	if status != http.StatusSeeOther {
		t.Fatalf("broken upload: %d", status)
	}
	_, body := fd.consoleRequest(t, "GET", loc, admin, nil)
	if page := string(body); !strings.Contains(page, `role="alert"`) || strings.Contains(page, `id="import"`) {
		t.Fatalf("a file with a bad header offers an import: %s", page)
	}

	// The check: a dry run that reports the bad row and changes nothing.
	status, loc = fd.upload(t, admin, "people.csv", file)
	if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/console/accounts/import/") {
		t.Fatalf("upload: %d %q", status, loc)
	}
	_, body = fd.consoleRequest(t, "GET", loc, admin, nil)
	page := string(body)
	if count(t, page, "count-rows") != "4" || count(t, page, "count-created") != "3" || count(t, page, "count-invalid") != "1" {
		t.Fatalf("check counts wrong: %s", page)
	}
	if !regexp.MustCompile(`<tr><td>3</td><td><code>email</code></td>`).MatchString(page) {
		t.Fatalf("the invalid row is not reported by line and field: %s", page)
	}
	if r := fd.call(t, "POST", "/api/v1/sessions", "", map[string]string{"email": "lan@example.com", "password": apiPassword}); r.Status != http.StatusUnauthorized {
		t.Fatalf("the check created an account: sign-in answered %d", r.Status)
	}

	// Any node answers: a second node behind the load balancer shows the
	// check and starts the import, which the first node then follows (the
	// jobs are in the database, the checked file sealed in its row).
	peer := fd.StartPeer(t, fastHashing)
	_, body = peer.consoleRequest(t, "GET", loc, admin, nil)
	if page := string(body); count(t, page, "count-created") != "3" || !strings.Contains(page, `id="import"`) {
		t.Fatalf("the second node's page of the check: %s", page)
	}
	if status := peer.postForm(t, loc+"/run", admin, nil); status != http.StatusSeeOther {
		t.Fatalf("run on the second node: %d", status)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, body = fd.consoleRequest(t, "GET", loc, admin, nil)
		page = string(body)
		if !strings.Contains(page, `http-equiv="refresh"`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the import did not finish: %s", page)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !strings.Contains(page, `<progress id="progress" max="100" value="100"`) || count(t, page, "count-created") != "3" || count(t, page, "count-invited") != "2" {
		t.Fatalf("import result wrong: %s", page)
	}
	// The imported hash signs in; the others were invited to choose a password.
	if r := fd.call(t, "POST", "/api/v1/sessions", "", map[string]string{"email": "lan@example.com", "password": apiPassword}); r.Status != http.StatusCreated && r.Status != http.StatusOK {
		t.Fatalf("imported customer cannot sign in: %d", r.Status)
	}
	fd.WaitMail(t, "minh@example.com", 0)
	fd.WaitMail(t, "new-agent@acme.example", 0)
	_, staff := fd.consoleRequest(t, "GET", "/console/staff", admin, nil)
	if !regexp.MustCompile(`data-staff="new-agent@acme.example"(?:[^\n]*\n){1,3}[^\n]*<span class="tag" title="agent">Agent</span>`).Match(staff) {
		t.Fatalf("the staff row has no agent role: %s", staff)
	}
	// A file is imported once; a second upload of it changes nothing.
	if status := fd.postForm(t, loc+"/run", admin, nil); status != http.StatusConflict {
		t.Fatalf("second run: %d", status)
	}
	_, loc = fd.upload(t, admin, "people.csv", file)
	_, body = fd.consoleRequest(t, "GET", loc, admin, nil)
	if page := string(body); count(t, page, "count-created") != "0" || count(t, page, "count-skipped") != "3" {
		t.Fatalf("re-upload not idempotent: %s", page)
	}
	// PCI 10.2.1.2: an administrator's action (creating accounts) is in the audit trail.
	_, audit := fd.consoleRequest(t, "GET", "/console/audit?action=accounts.import", admin, nil)
	if !strings.Contains(string(audit), "accounts.import") {
		t.Fatalf("no audit entry for the import: %s", audit)
	}
}
