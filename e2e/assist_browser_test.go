package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"github.com/frontdesk/frontdesk/internal/app"
	"github.com/frontdesk/frontdesk/internal/db"
)

// Canaries typed into masked fields: none may leave the customer's browser.
const (
	canaryPassword = "CanaryPw-7Q3Z-91x"
	canaryCard     = "4111222233334444"
	canaryHidden   = "CanaryHidden-5K2M"
)

// frames collects every WebSocket frame a browser sends and receives.
type frames struct {
	mu  sync.Mutex
	all []string
}

func (f *frames) listen(t *testing.T, ctx context.Context) {
	t.Helper()
	err := chromedp.Listen(ctx, func(ev any) {
		var payload string
		switch e := ev.(type) {
		case *network.EventWebSocketFrameSent:
			payload = string(e.Response.PayloadData)
		case *network.EventWebSocketFrameReceived:
			payload = string(e.Response.PayloadData)
		default:
			return
		}
		f.mu.Lock()
		f.all = append(f.all, payload)
		f.mu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
}

func (f *frames) text() (string, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return strings.Join(f.all, "\n"), len(f.all)
}

func containsCanary(s string) string {
	for _, c := range []string{canaryPassword, canaryCard, canaryCard[:8], canaryHidden} {
		if strings.Contains(s, c) {
			return c
		}
	}
	return ""
}

// inFrame evaluates an expression with d bound to the live view's
// replayed document.
func inFrame(js string) string {
	return `(function(){ var f = document.querySelector('#assist-view iframe'); var d = f && f.contentDocument; if (!d || !d.body) { return false; } ` + js + ` })()`
}

var assistSessionLink = regexp.MustCompile(`/console/assist/([0-9a-f]{32})`)

// The whole of remote assistance in two browsers, a customer's and an
// agent's: the invitation shows the same identity card and code on both
// sides; the customer consents to view only and the agent sees the page;
// a canary password (typed, then revealed with "show password"), a canary
// card number (a field added by script, its value set by script and
// typed) and a hidden input never appear in any WebSocket frame of either
// browser, in the agent's DOM, in any table of the database, in the data
// directory or in the recording; the agent's click is refused at view
// level; raising to full control takes the customer's new consent, after
// which the agent's click changes the customer's page; the customer's Stop
// ends the agent's view; the customer replays the recording.
//
// ASVS 8.2.2 (the customer's data stays theirs), 14.2.x (masked data never
// leaves the browser), 4.4.x (single-use tickets on the sockets),
// GDPR 25 (privacy by default: view only preselected).
func TestAssistInBrowser(t *testing.T) {
	vars := map[string]string{"FRONTDESK_ASSIST_RECORDING": "true"}
	for k, v := range fastHashing {
		vars[k] = v
	}
	fd := Start(t, vars)
	sup, convID := assistDesk(t, fd)

	custToken := fd.signInAPI(t, "minh@example.com", apiPassword)
	// GDPR 7: the session is recorded because the customer consents to the
	// recording of remote assistance in the consent ledger.
	if res := fd.call(t, "POST", "/api/v1/account/consents", custToken,
		map[string]any{"purpose": "assist_recording", "choice": "given"}); res.Status != http.StatusCreated {
		t.Fatalf("consent to recording: %d %s", res.Status, res.Body)
	}
	customer := fd.browserAs(t, custToken)
	var custFrames, agentFrames frames
	custFrames.listen(t, customer)
	if err := chromedp.Do(customer, chromedp.Navigate(fd.URL+"/account/security"), chromedp.WaitVisible(css("#current_password"))); err != nil {
		t.Fatal(err)
	}
	agent := fd.browserAs(t, sup)
	agentFrames.listen(t, agent)
	err := chromedp.Do(agent,
		chromedp.Navigate(fd.URL+"/console/conversations/"+convID),
		chromedp.WaitVisible(css("#assist-start")),
		chromedp.Click(css("#assist-start")),
		chromedp.WaitVisible(css("#assist-code")),
	)
	if err != nil {
		t.Fatal(err)
	}
	// The code is written into the page by its script: wait for it rather
	// than read whatever is there (an empty text under load).
	waitFor(t, agent, `/^\d{6}$/.test((document.querySelector('#assist-code')||{}).textContent.trim())`)
	agentCode, _ := chromedp.Run(agent, chromedp.Text(css("#assist-code")))
	loc, _ := chromedp.Run(agent, chromedp.Evaluate[string](`location.pathname`))
	m := assistSessionLink.FindStringSubmatch(loc)
	if len(agentCode) != 6 || m == nil {
		t.Fatalf("agent's code %q at %s", agentCode, loc)
	}
	sessionID := m[1]

	// The customer sees the invitation: the same card and code, view only preselected.
	waitFor(t, customer, `!!document.querySelector('#fd-assist-consent')`)
	custCode, _ := chromedp.Run(customer, chromedp.Text(css("#fd-assist-code")))
	name, _ := chromedp.Run(customer, chromedp.Text(css("#fd-assist-name")))
	number, _ := chromedp.Run(customer, chromedp.Text(css("#fd-assist-number")))
	verified, _ := chromedp.Run(customer, chromedp.Evaluate[string](`document.querySelector('#fd-assist-verified').className`))
	viewChecked, _ := chromedp.Run(customer, chromedp.Evaluate[bool](`document.querySelector('#fd-assist-level-view').checked && !document.querySelector('#fd-assist-level-control').checked`))
	recording, _ := chromedp.Run(customer, chromedp.Text(css("#fd-assist-recording")))
	if custCode != agentCode || name != "An" || !strings.Contains(number, "S-1042") || verified != "fd-ok" || !viewChecked || !strings.Contains(recording, "recorded") {
		t.Fatalf("consent screen: code %q (agent %q), name %q, number %q, verified %q, view preselected %v, recording %q",
			custCode, agentCode, name, number, verified, viewChecked, recording)
	}
	if err := chromedp.Do(customer, chromedp.Click(css("#fd-assist-accept"))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, customer, `!!document.querySelector('#fd-assist-banner[data-level="view"]')`)

	// The agent sees the customer's page.
	waitFor(t, agent, `document.querySelector('#assist-live').getAttribute('data-state') === 'active'`)
	waitFor(t, agent, inFrame(`return d.body.textContent.indexOf('Security') >= 0 && !!d.querySelector('#current_password');`))
	// The customer's 1,280 px window is scaled into the agent's narrower
	// column, whole, not cropped.
	waitFor(t, agent, `(function(){ var v = document.querySelector('#assist-view'), f = v.querySelector('iframe');
		return parseFloat(v.getAttribute('data-scale')) < 1 && f.getBoundingClientRect().width <= v.clientWidth + 1; })()`)
	// Styled as the customer sees it: the portal's stylesheet is a link to
	// its own file, which the console's CSP lets load.
	waitFor(t, agent, inFrame(`var l = d.querySelector('link[rel=stylesheet]'); return !!l && l.href.indexOf('/static/app.css') >= 0 && !!l.sheet && l.sheet.cssRules.length > 10;`))

	// The customer's page grows a card field and a hidden input (by script),
	// a button for the agent, and the canaries go in.
	_, err = chromedp.Run(customer, chromedp.Evaluate[bool](fmt.Sprintf(`(function(){
		var main = document.querySelector('main');
		var b = document.createElement('button'); b.type = 'button'; b.id = 'agent-target'; b.textContent = 'Press me';
		b.addEventListener('click', function(){ b.textContent = 'Clicked by the agent'; });
		main.prepend(b);
		var c = document.createElement('input'); c.id = 'card-number'; c.setAttribute('data-fd-mask', ''); c.setAttribute('autocomplete', 'off');
		main.appendChild(c);
		var h = document.createElement('input'); h.type = 'hidden'; h.id = 'hidden-secret'; h.value = %q; h.setAttribute('value', %q);
		main.appendChild(h);
		c.value = %q; c.dispatchEvent(new Event('input', {bubbles: true}));
		return true; })()`, canaryHidden, canaryHidden, canaryCard[:8])))
	if err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(customer,
		chromedp.SendKeys(css("#current_password"), canaryPassword),
		chromedp.SendKeys(css("#card-number"), canaryCard[8:]),
		chromedp.SendKeys(css("#password"), canaryPassword),
	)
	if err != nil {
		t.Fatal(err)
	}
	// "Show password" turns the field into text: still masked.
	chromedp.Run(customer, chromedp.Evaluate[bool](`(function(){ var b = document.querySelector('button[data-reveal="password"]'); b.click(); return document.querySelector('#password').type === 'text'; })()`))
	chromedp.Run(customer, chromedp.Evaluate[bool](`(function(){ var p = document.querySelector('#password'); p.value = p.value + '!'; return true; })()`))
	// The agent's view follows: the button, and masked values only.
	waitFor(t, agent, inFrame(`var b = d.querySelector('#agent-target'); var c = d.querySelector('#card-number'); var p = d.querySelector('#current_password');
		return !!b && b.textContent === 'Press me' && !!c && c.value === '••••••••' && !!p && p.value === '••••••••';`))

	// View only: the agent's click is refused, and the page is unchanged.
	agentClick(t, agent, customer)
	waitFor(t, agent, `document.querySelector('#assist-live').getAttribute('data-refused') === 'not_allowed'`)
	if got, _ := chromedp.Run(customer, chromedp.Text(css("#agent-target"))); got != "Press me" {
		t.Fatalf("a click at view level changed the page: %q", got)
	}

	// The agent asks for full control; only the customer's new consent raises it.
	if err := chromedp.Do(agent, chromedp.Click(css("#assist-request-control"))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, customer, `!!document.querySelector('#fd-assist-allow')`)
	if err := chromedp.Do(customer, chromedp.Click(css("#fd-assist-allow"))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, customer, `!!document.querySelector('#fd-assist-banner[data-level="control"]')`)
	waitFor(t, agent, `document.querySelector('#assist-live').getAttribute('data-level') === 'control'`)
	agentClick(t, agent, customer)
	waitFor(t, agent, `document.querySelector('#assist-live').getAttribute('data-acted') === '1'`)
	waitFor(t, customer, `document.querySelector('#agent-target').textContent === 'Clicked by the agent'`)
	waitFor(t, agent, inFrame(`var b = d.querySelector('#agent-target'); return !!b && b.textContent === 'Clicked by the agent';`))

	// The customer presses Stop: the agent's view ends (a generous wait,
	// no timing assertion).
	if err := chromedp.Do(customer, chromedp.Click(css("#fd-assist-stop"))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, agent, `document.querySelector('#assist-live').getAttribute('data-state') === 'ended' && document.querySelector('#assist-view').hasAttribute('data-ended')`)
	waitFor(t, customer, `!!document.querySelector('#fd-assist-ended')`)

	// The canaries are nowhere but in the customer's own fields.
	for side, f := range map[string]*frames{"customer": &custFrames, "agent": &agentFrames} {
		all, n := f.text()
		if n < 5 {
			t.Fatalf("only %d WebSocket frames captured in the %s's browser", n, side)
		}
		if c := containsCanary(all); c != "" {
			t.Fatalf("canary %q in a WebSocket frame of the %s's browser", c, side)
		}
	}
	dom, _ := chromedp.Run(agent, chromedp.Evaluate[string](`document.documentElement.outerHTML + (function(){ var f = document.querySelector('#assist-view iframe'); if (!f) { return ''; }
		var d = f.contentDocument; var vals = Array.from(d.querySelectorAll('input,textarea')).map(function(e){ return e.value; }).join(' '); return d.documentElement.outerHTML + vals; })()`))
	if c := containsCanary(dom); c != "" || !strings.Contains(dom, "Clicked by the agent") {
		t.Fatalf("agent's DOM: canary %q (or the page is missing)", c)
	}
	status, rec := fd.consoleRequest(t, "GET", "/support/assist/"+sessionID+"/recording", fd.signInAPI(t, "minh@example.com", apiPassword), nil)
	if status != http.StatusOK || !strings.Contains(string(rec), `"type":2`) {
		t.Fatalf("recording: %d", status)
	}
	if c := containsCanary(string(rec)); c != "" {
		t.Fatalf("canary %q in the recording", c)
	}
	scanDatabase(t, fd)
	scanDataDir(t, fd)

	// The customer replays the recording from the portal.
	err = chromedp.Do(customer,
		chromedp.Navigate(fd.URL+"/support/assist"),
		chromedp.WaitVisible(css(`#assist-list tr[data-session="`+sessionID+`"] .assist-replay-link`)),
		chromedp.Click(css(`#assist-list tr[data-session="`+sessionID+`"] .assist-replay-link`)),
		chromedp.WaitVisible(css("#assist-replay")),
	)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, customer, `document.querySelector('#assist-replay').getAttribute('data-playing') === 'true'`)
	waitFor(t, customer, inFrame(`return d.body.textContent.indexOf('Security') >= 0;`))

	// 30 days after the end (the default retention) the recording moves to
	// its archive file. The archiver — "frontdesk assist archive" without
	// --older-than is the pass the server runs hourly, Service.Archive — runs
	// on a clock moved forward: a day before the retention it leaves the
	// recording alone; past it, it writes one file for the session. The
	// file is sealed (no canary, no page text in its bytes), the database no
	// longer holds the chunks, and the customer still replays it — read
	// back from the archive and decrypted — without a canary.
	fd.archiveRecordings(t, 29*24*time.Hour, 0)
	fd.archiveRecordings(t, 31*24*time.Hour, 1)
	files, _ := filepath.Glob(filepath.Join(fd.DataDir, "recordings", sessionID[:2], sessionID+".*.fdrec"))
	if len(files) != 1 {
		t.Fatalf("archive files for the session: %v", files)
	}
	raw, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(raw, []byte("FDASSIST-ARCHIVE-1\n")) || containsCanary(string(raw)) != "" || bytes.Contains(raw, []byte("Clicked by the agent")) {
		t.Fatal("the archive file is not sealed, or holds a canary")
	}
	scanDataDir(t, fd)
	scanDatabase(t, fd)
	status, rec = fd.consoleRequest(t, "GET", "/support/assist/"+sessionID+"/recording", fd.signInAPI(t, "minh@example.com", apiPassword), nil)
	if status != http.StatusOK || !strings.Contains(string(rec), `"source":"archive"`) || !strings.Contains(string(rec), `"type":2`) || !strings.Contains(string(rec), "Clicked by the agent") {
		t.Fatalf("recording from the archive: %d %.200s", status, rec)
	}
	if c := containsCanary(string(rec)); c != "" {
		t.Fatalf("canary %q in the archived recording", c)
	}
	err = chromedp.Do(customer,
		chromedp.Navigate(fd.URL+"/support/assist/"+sessionID),
		chromedp.WaitVisible(css("#assist-replay")),
	)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, customer, `document.querySelector('#assist-replay').getAttribute('data-playing') === 'true'`)
	waitFor(t, customer, inFrame(`return d.body.textContent.indexOf('Security') >= 0;`))
}

// archiveRecordings runs "frontdesk assist archive" (with args, e.g.
// --older-than) on the instance's data, on a clock moved ahead by ahead,
// and checks that it archived want recordings.
func (i *Instance) archiveRecordings(t *testing.T, ahead time.Duration, want int, args ...string) {
	t.Helper()
	vars := map[string]string{"FRONTDESK_DATA_DIR": i.DataDir, "FRONTDESK_DATABASE_URL": i.DatabaseURL}
	var out bytes.Buffer
	env := app.Env{Getenv: func(k string) string { return vars[k] }, Stdout: &out, Stderr: &out,
		Clock: func() time.Time { return time.Now().Add(ahead) }}
	code := app.Main(context.Background(), append([]string{"assist", "archive"}, args...), env)
	if code != 0 || !regexp.MustCompile(fmt.Sprintf(`(?m)^%d session recordings archived$`, want)).MatchString(out.String()) {
		t.Fatalf("assist archive (clock %v ahead, want %d): exit %d: %s", ahead, want, code, out.String())
	}
}

// agentClick clicks, with the mouse, the replayed #agent-target in the
// agent's live view. The replay follows the customer's scrolling, so the
// button is scrolled into the customer's viewport — the agent sees what
// the customer sees — and the click goes once the replay is at the
// customer's scroll position and shows the button at the point clicked. (Scrolling the replay itself lasted only until the
// replayer applied the customer's next scroll event, which under load came
// between the scroll and the click: the click hit another element, was
// acknowledged, and the button never changed.)
func agentClick(t *testing.T, agent, customer context.Context) {
	t.Helper()
	// A scroll position of its own (never 0, where the page started), so
	// that the replay at that position has applied this scroll, not an
	// older one still on its way.
	sy, err := chromedp.Run(customer, chromedp.Evaluate[float64](`(function(){ document.querySelector('#agent-target').scrollIntoView({block: 'center'});
		if (window.scrollY < 1) { window.scrollTo(0, 1); } return window.scrollY; })()`))
	if err != nil {
		t.Fatal(err)
	}
	type point struct {
		X, Y float64
		OK   bool
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		// The point is on the overlay of the live view, and under it, in
		// the replayed page, is the button.
		p, err := chromedp.Run(agent, chromedp.Evaluate[point](`(function(){ var v = document.querySelector('#assist-view'); v.scrollIntoView();
			var f = v.querySelector('iframe'); var d = f && f.contentDocument; var b = d && d.querySelector('#agent-target');
			if (!b || Math.abs(f.contentWindow.scrollY - `+strconv.FormatFloat(sy, 'f', -1, 64)+`) >= 1) { return {OK: false}; }
			var fr = f.getBoundingClientRect(), r = b.getBoundingClientRect(), scale = fr.width / (f.offsetWidth || fr.width) || 1;
			var x = r.left + Math.min(r.width / 2, 10), y = r.top + r.height / 2;
			var X = fr.left + x * scale, Y = fr.top + y * scale;
			return {X: X, Y: Y, OK: d.elementFromPoint(x, y) === b && document.elementFromPoint(X, Y) === document.querySelector('#assist-overlay')}; })()`))
		if err == nil && p.OK {
			if err := chromedp.Do(agent, chromedp.MouseClickXY(p.X, p.Y)); err != nil {
				t.Fatal(err)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the replayed #agent-target never came under the agent's pointer (%v)", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// assistDesk sets up a supervisor who is the desk's agent "An" with an
// identity card, and a signed-in customer's conversation; it returns the
// supervisor's session and the conversation's id.
func assistDesk(t *testing.T, fd *Instance) (string, string) {
	t.Helper()
	sup := assistAgent(t, fd)
	fd.registerAPI(t, "minh@example.com")
	cust := fd.signInAPI(t, "minh@example.com", apiPassword)
	if s, body := fd.consoleRequest(t, "POST", "/contact", cust, url.Values{"subject": {"Cannot change my password"}, "body": {"The form keeps failing."}, "category": {"browser"}}); s != http.StatusSeeOther {
		t.Fatalf("contact: %d %s", s, body)
	}
	_, inbox := fd.consoleRequest(t, "GET", "/console/inbox?view=all", sup, nil)
	m := convLink.FindStringSubmatch(string(inbox))
	if m == nil {
		t.Fatal("no conversation in the inbox")
	}
	return sup, m[1]
}

// assistAgent makes a supervisor with TOTP an agent of the desk with an
// identity card and returns its session token.
func assistAgent(t *testing.T, fd *Instance) string {
	t.Helper()
	fd.createStaff(t, "sup@acme.example", "supervisor")
	sup := fd.signInAPI(t, "sup@acme.example", apiPassword)
	fd.enrolTOTPAPI(t, sup)
	supID := fd.accountID(t, sup)
	if s := fd.postForm(t, "/console/desk/agents", sup, url.Values{"account": {supID}, "display_name": {"An"}, "language": {"en"}}); s != http.StatusSeeOther {
		t.Fatalf("agent: %d", s)
	}
	if s := fd.postForm(t, "/console/desk/agents/"+supID+"/card", sup, url.Values{"staff_number": {"S-1042"}, "department": {"Card services"}}); s != http.StatusSeeOther {
		t.Fatalf("identity card: %d", s)
	}
	return sup
}

// scanDatabase reads every row of every table as text and fails on a
// canary.
func scanDatabase(t *testing.T, fd *Instance) {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, db.Options{URL: fd.DatabaseURL, DataDir: fd.DataDir})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	err = d.Read(ctx, func(tx *db.Tx) error {
		q := "SELECT name FROM sqlite_master WHERE type = 'table'"
		if tx.Dialect() != db.SQLite {
			q = "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
		}
		rows, err := tx.Query(ctx, q)
		if err != nil {
			return err
		}
		var tables []string
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				return err
			}
			tables = append(tables, n)
		}
		rows.Close()
		if len(tables) < 10 {
			return fmt.Errorf("only %d tables", len(tables))
		}
		for _, table := range tables {
			rows, err := tx.Query(ctx, `SELECT * FROM "`+table+`"`)
			if err != nil {
				return err
			}
			cols, _ := rows.Columns()
			for rows.Next() {
				vals := make([]any, len(cols))
				ptrs := make([]any, len(cols))
				for i := range vals {
					ptrs[i] = &vals[i]
				}
				if err := rows.Scan(ptrs...); err != nil {
					rows.Close()
					return err
				}
				for i, v := range vals {
					s := fmt.Sprint(v)
					if b, ok := v.([]byte); ok {
						s = string(b)
					}
					if c := containsCanary(s); c != "" {
						rows.Close()
						return fmt.Errorf("canary %q in %s.%s", c, table, cols[i])
					}
				}
			}
			rows.Close()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// scanDataDir reads every file of the data directory (the SQLite file,
// recordings and their archives) and fails on a canary.
func scanDataDir(t *testing.T, fd *Instance) {
	t.Helper()
	err := filepath.WalkDir(fd.DataDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if c := containsCanary(string(b)); c != "" {
			return fmt.Errorf("canary %q in %s", c, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Permission checks for every remote-assistance endpoint: anonymous
// visitors are sent to sign in, staff without assist:start are refused
// (ASVS 8.2.1; TestRouteRoleMatrix checks every role), another customer
// cannot see or act on someone else's session (ASVS 8.2.2: not found),
// the sockets answer 426 to plain HTTP, refuse a foreign Origin
// (ASVS 3.5.x) and a ticket that is not a valid one (ASVS 4.4.x).
func TestAssistPermissions(t *testing.T) {
	fd := Start(t, fastHashing)
	sup, convID := assistDesk(t, fd)
	// An invitation, by the supervisor.
	req, _ := http.NewRequest("POST", fd.URL+"/console/conversations/"+convID+"/assist", strings.NewReader(""))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: "__Host-fd_session", Value: sup})
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	m := assistSessionLink.FindStringSubmatch(res.Header.Get("Location"))
	if res.StatusCode != http.StatusSeeOther || m == nil {
		t.Fatalf("invite: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	sid := m[1]

	fd.createStaff(t, "officer@acme.example", "security_officer")
	officer := fd.signInAPI(t, "officer@acme.example", apiPassword)
	fd.enrolTOTPAPI(t, officer)
	fd.registerAPI(t, "other@example.com")
	other := fd.signInAPI(t, "other@example.com", apiPassword)
	owner := fd.signInAPI(t, "minh@example.com", apiPassword)

	for _, c := range []struct {
		method, path, who, token string
		want                     int
	}{
		{"GET", "/support/assist", "anonymous", "", http.StatusSeeOther},
		{"GET", "/support/assist/state", "anonymous", "", http.StatusSeeOther},
		{"GET", "/support/assist/" + sid, "anonymous", "", http.StatusSeeOther},
		{"GET", "/console/assist/" + sid, "anonymous", "", http.StatusSeeOther},
		{"POST", "/support/assist/" + sid + "/accept", "anonymous", "", http.StatusUnauthorized},
		{"POST", "/console/conversations/" + convID + "/assist", "officer", officer, http.StatusForbidden},
		{"GET", "/console/assist/" + sid, "officer", officer, http.StatusForbidden},
		{"POST", "/console/assist/" + sid + "/ticket", "officer", officer, http.StatusForbidden},
		{"POST", "/console/assist/" + sid + "/stop", "officer", officer, http.StatusForbidden},
		{"GET", "/console/assist/" + sid + "/recording", "officer", officer, http.StatusForbidden},
		{"POST", "/console/desk/agents/" + fd.accountID(t, officer) + "/card", "officer", officer, http.StatusForbidden},
		{"GET", "/support/assist/" + sid, "another customer", other, http.StatusNotFound},
		{"GET", "/support/assist/" + sid + "/recording", "another customer", other, http.StatusNotFound},
		{"POST", "/support/assist/" + sid + "/accept", "another customer", other, http.StatusNotFound},
		{"POST", "/support/assist/" + sid + "/lower", "another customer", other, http.StatusNotFound},
		{"POST", "/support/assist/" + sid + "/stop", "another customer", other, http.StatusNotFound},
		{"GET", "/console/assist/" + sid, "a customer", other, http.StatusForbidden},
		// Record my steps: only on one's own conversation, and a ticket
		// without consent only for a recording of steps, never a live session.
		{"POST", "/support/" + convID + "/steps", "anonymous", "", http.StatusUnauthorized},
		{"POST", "/support/" + convID + "/steps", "another customer", other, http.StatusNotFound},
		{"POST", "/support/assist/" + sid + "/ticket", "anonymous", "", http.StatusUnauthorized},
		{"POST", "/support/assist/" + sid + "/ticket", "another customer", other, http.StatusNotFound},
		{"POST", "/support/assist/" + sid + "/ticket", "the customer, for a live session", owner, http.StatusConflict},
		{"GET", "/support/assist/ws", "anonymous", "", http.StatusUpgradeRequired},
		{"GET", "/console/assist/ws", "the agent", sup, http.StatusUpgradeRequired},
	} {
		if status, _ := fd.consoleRequest(t, c.method, c.path, c.token, url.Values{"level": {"control"}}); status != c.want {
			t.Errorf("%s %s as %s: %d, want %d", c.method, c.path, c.who, status, c.want)
		}
	}
	// The other customer's invitation is not theirs to see.
	_, state := fd.consoleRequest(t, "GET", "/support/assist/state", other, nil)
	if strings.Contains(string(state), sid) {
		t.Fatal("another customer sees the invitation")
	}

	// Sockets: a foreign Origin is refused before the upgrade; a bad ticket closes the socket.
	ws := "ws" + strings.TrimPrefix(fd.URL, "http")
	for _, path := range []string{"/support/assist/ws", "/console/assist/ws"} {
		h := http.Header{"Origin": {"https://evil.example"}, "Cookie": {"__Host-fd_session=" + sup}}
		_, resp, err := websocket.Dial(context.Background(), ws+path, &websocket.DialOptions{HTTPHeader: h})
		if err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s from a foreign origin: %v %v", path, err, resp)
		}
	}
	conn, _, err := websocket.Dial(context.Background(), ws+"/support/assist/ws", &websocket.DialOptions{HTTPHeader: http.Header{"Origin": {fd.URL}}})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()
	if err := wsjson.Write(context.Background(), conn, map[string]string{"type": "hello", "ticket": strings.Repeat("A", 43)}); err != nil {
		t.Fatal(err)
	}
	var reply map[string]any
	if err := wsjson.Read(context.Background(), conn, &reply); err != nil || reply["code"] != "bad_ticket" {
		t.Fatalf("bad ticket: %v %v", reply, err)
	}
	if _, _, err := conn.Read(context.Background()); websocket.CloseStatus(err) != websocket.StatusPolicyViolation {
		t.Fatalf("socket with a bad ticket: %v", err)
	}
}
