package e2e

import (
	"maps"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/internal/risk/geotest"
)

// riskInstance starts Frontdesk with a GeoIP database and a Tor exit list
// written by the test, a clock the test moves, and 127.0.0.1 trusted to
// say where clients are.
func riskInstance(t *testing.T, extra map[string]string) (*Instance, *atomic.Int64) {
	t.Helper()
	dir := t.TempDir()
	city, tor := filepath.Join(dir, "city.mmdb"), filepath.Join(dir, "tor.txt")
	if err := geotest.City(city, true, geotest.Hanoi, geotest.Saigon, geotest.Frankfurt, geotest.VPNExit); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tor, []byte("# Tor exits\n185.220.101.4\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	vars := maps.Clone(fastHashing)
	vars["FRONTDESK_TRUSTED_PROXIES"] = "127.0.0.1/32"
	vars["FRONTDESK_GEOIP_DB"] = city
	vars["FRONTDESK_ANONYMISER_LISTS"] = tor
	maps.Copy(vars, extra)
	var offset atomic.Int64
	fd := StartClock(t, vars, func() time.Time { return time.Now().Add(time.Duration(offset.Load())) })
	return fd, &offset
}

type riskSignIn struct {
	Token       string
	MFARequired bool `json:"mfa_required"`
	Challenge   string
	Methods     []string
	Reason      string
}

func (i *Instance) signInFrom(t *testing.T, ip, email, pw string) (apiResponse, riskSignIn) {
	t.Helper()
	r := i.callFrom(t, ip, "POST", "/api/v1/sessions", "", map[string]string{"email": email, "password": pw})
	var out riskSignIn
	if r.Status == 200 || r.Status == 201 {
		r.decode(t, &out)
	}
	return r, out
}

type historyEvent struct {
	Result, Place, Decision, Rule string
	Signals                       []string
}

func (i *Instance) history(t *testing.T, token string) []historyEvent {
	t.Helper()
	r := i.call(t, "GET", "/api/v1/account/login-history", token, nil)
	var out struct{ Events []historyEvent }
	r.decode(t, &out)
	return out.Events
}

// Risk-based sign-in through the API, from places in a GeoIP database the
// test wrote: Hà Nội then Frankfurt 20 minutes later is impossible travel
// and steps up with an e-mailed code (the account has no factor); the
// place and the reasons are in the sign-in history.
func TestRiskImpossibleTravelStepUpAPI(t *testing.T) {
	fd, offset := riskInstance(t, nil)
	email := "lan@example.com"
	fd.registerAPI(t, email)
	hanoi, frankfurt := geotest.IP(geotest.Hanoi, 7), geotest.IP(geotest.Frankfurt, 9)

	if r, _ := fd.signInFrom(t, hanoi, email, apiPassword); r.Status != 201 {
		t.Fatalf("first sign-in from Hà Nội: %d %s", r.Status, r.Body)
	}
	offset.Add(int64(20 * time.Minute))
	r, c := fd.signInFrom(t, frankfurt, email, apiPassword)
	if r.Status != 200 || !c.MFARequired || c.Reason != "impossible_travel" || !slices.Equal(c.Methods, []string{"email"}) {
		t.Fatalf("Frankfurt 20 minutes later: %d %s", r.Status, r.Body)
	}
	n := len(fd.Mails(t, email))
	if s := fd.callFrom(t, frankfurt, "POST", "/api/v1/sessions/mfa/send", "", map[string]string{"challenge": c.Challenge, "method": "email"}); s.Status != 202 {
		t.Fatalf("send the e-mail code: %d %s", s.Status, s.Body)
	}
	code := fd.WaitMail(t, email, n).Code(t)
	if bad := fd.callFrom(t, frankfurt, "POST", "/api/v1/sessions/mfa", "", map[string]string{"challenge": c.Challenge, "method": "totp", "code": code}); bad.Status != 400 {
		t.Fatalf("a method the step-up did not offer: %d %s", bad.Status, bad.Body)
	}
	done := fd.callFrom(t, frankfurt, "POST", "/api/v1/sessions/mfa", "", map[string]string{"challenge": c.Challenge, "method": "email", "code": code})
	if done.Status != 201 {
		t.Fatalf("complete the step-up: %d %s", done.Status, done.Body)
	}
	var sess riskSignIn
	done.decode(t, &sess)
	// The owner hears of the new country, with where it was.
	if m := fd.WaitSubject(t, email, "New sign-in from"); !strings.Contains(m.Text, "Frankfurt am Main, DE") || !strings.Contains(m.Text, "Hetzner") {
		t.Fatalf("new-place e-mail: %q", m.Text)
	}
	h := fd.history(t, sess.Token)
	if len(h) < 2 || h[0].Result != "success" || h[0].Decision != "step_up" || h[0].Rule != "travel" ||
		!slices.Contains(h[0].Signals, "impossible_travel") || !slices.Contains(h[0].Signals, "new_country") ||
		!strings.HasPrefix(h[0].Place, "Frankfurt am Main, DE") {
		t.Fatalf("history after the step-up: %+v", h)
	}
	if h[1].Place != "Hanoi, VN · Viettel Group" || h[1].Decision != "allow" {
		t.Fatalf("the Hà Nội sign-in in the history: %+v", h[1])
	}
	// Private addresses are never abroad: the office network is allowed
	// right after Frankfurt.
	if r, _ := fd.signInFrom(t, "10.20.30.40", email, apiPassword); r.Status != 201 {
		t.Fatalf("sign-in from a private address: %d %s", r.Status, r.Body)
	}
	// A VPN exit's continental radius proves no travel: a new country, so
	// a notice, not a step-up.
	offset.Add(int64(time.Minute))
	if r, _ := fd.signInFrom(t, geotest.IP(geotest.VPNExit, 3), email, apiPassword); r.Status != 201 {
		t.Fatalf("sign-in through a VPN exit: %d %s", r.Status, r.Body)
	}
}

// The same journey 14 hours apart is possible: allowed, with a notice
// whose "this wasn't me" ends the session.
func TestRiskNewCountryNoticeAPI(t *testing.T) {
	fd, offset := riskInstance(t, nil)
	email := "huong@example.com"
	fd.registerAPI(t, email)
	if r, _ := fd.signInFrom(t, geotest.IP(geotest.Hanoi, 8), email, apiPassword); r.Status != 201 {
		t.Fatalf("Hà Nội: %d %s", r.Status, r.Body)
	}
	offset.Add(int64(14 * time.Hour))
	r, s := fd.signInFrom(t, geotest.IP(geotest.Frankfurt, 8), email, apiPassword)
	if r.Status != 201 || s.Token == "" {
		t.Fatalf("Frankfurt 14 hours later: %d %s", r.Status, r.Body)
	}
	m := fd.WaitSubject(t, email, "New sign-in from Frankfurt")
	if !strings.Contains(m.Text, "wasn't me") {
		t.Fatalf("notice: %q", m.Text)
	}
	h := fd.history(t, s.Token)
	if h[0].Decision != "notify" || h[0].Rule != "country" {
		t.Fatalf("history: %+v", h[0])
	}
	u, err := url.Parse(m.Link(t))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.PostForm(fd.URL+"/not-me", url.Values{"token": {u.Query().Get("token")}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("this wasn't me: %d", resp.StatusCode)
	}
	if r := fd.call(t, "GET", "/api/v1/session", s.Token, nil); r.Status != 401 {
		t.Fatalf("the session from Frankfurt still works after 'this wasn't me': %d", r.Status)
	}
}

// A right password from a Tor exit that has been trying many accounts is
// blocked: 403 sign_in_blocked with a way back, the owner told by e-mail,
// and the attempt in the history.
func TestRiskBlockAPI(t *testing.T) {
	fd, _ := riskInstance(t, nil)
	email := "tuan@example.com"
	fd.registerAPI(t, email)
	tor := "185.220.101.4"
	for i := range 5 {
		r, _ := fd.signInFrom(t, tor, "victim"+string(rune('a'+i))+"@example.com", apiPassword)
		if r.Status != 401 {
			t.Fatalf("stuffing attempt %d: %d %s", i, r.Status, r.Body)
		}
	}
	r, _ := fd.signInFrom(t, tor, email, apiPassword)
	if r.Status != 403 || r.errorCode(t) != "sign_in_blocked" || !strings.Contains(string(r.Body), "reset your password") {
		t.Fatalf("stuffing through Tor: %d %s", r.Status, r.Body)
	}
	if m := fd.WaitSubject(t, email, "We stopped a sign-in"); !strings.Contains(m.Text, "/forgot") {
		t.Fatalf("blocked notice: %q", m.Text)
	}
	token := fd.signInAPI(t, email, apiPassword) // from loopback: allowed
	h := fd.history(t, token)
	if len(h) < 2 || h[1].Result != "blocked" || h[1].Decision != "block" || h[1].Rule != "stuffing-anonymiser" {
		t.Fatalf("history: %+v", h)
	}
}
