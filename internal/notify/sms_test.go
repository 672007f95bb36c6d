package notify

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"maps"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	testSID     = "AC0123456789abcdef0123456789abcdef"
	testToken   = "secret-auth-token-5f2b"
	testMG      = "MGfedcba9876543210fedcba9876543210"
	testFromNum = "+15005550006"
	testTo      = "+84912345678"
	// testBody is shaped like the MFA code message, with a WebOTP line.
	testBody = "493817 is your Frontdesk code.\n\n@id.example.com #493817"
)

// twilioRequest is what the fake Twilio saw.
type twilioRequest struct {
	method, path, query string
	user, pass          string
	authOK              bool
	contentType         string
	form                url.Values
}

// twilioAnswer is one scripted reply.
type twilioAnswer struct {
	status int
	header map[string]string
	body   string
}

var created = twilioAnswer{201, nil, `{"sid": "SM0123456789abcdef0123456789abcdef", "status": "queued"}`}

// fakeTwilio answers with the scripted replies in order, repeating the
// last, and records every request.
type fakeTwilio struct {
	mu      sync.Mutex
	answers []twilioAnswer
	got     []twilioRequest
}

func (f *fakeTwilio) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	user, pass, ok := r.BasicAuth()
	err := r.ParseForm()
	f.mu.Lock()
	defer f.mu.Unlock()
	f.got = append(f.got, twilioRequest{r.Method, r.URL.Path, r.URL.RawQuery, user, pass, ok, r.Header.Get("Content-Type"), r.PostForm})
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	a := f.answers[min(len(f.got), len(f.answers))-1]
	for k, v := range a.header {
		w.Header().Set(k, v)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(a.status)
	fmt.Fprint(w, a.body)
}

func (f *fakeTwilio) requests() []twilioRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.got)
}

// newTwilioTest starts a fake Twilio and a sender for it whose waits are
// recorded in *slept instead of slept.
func newTwilioTest(t *testing.T, from string, answers ...twilioAnswer) (*twilioSMS, *fakeTwilio, *[]time.Duration) {
	t.Helper()
	fake := &fakeTwilio{answers: answers}
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	s, err := NewSMS(SMSConfig{Provider: "twilio", URL: srv.URL, AccountSID: testSID, AuthToken: testToken,
		From: from, HTTPClient: srv.Client(), Clock: func() time.Time { return testNow }})
	if err != nil {
		t.Fatalf("NewSMS: %v", err)
	}
	tw := s.(*twilioSMS)
	slept := new([]time.Duration)
	tw.sleep = func(ctx context.Context, d time.Duration) error {
		*slept = append(*slept, d)
		return ctx.Err()
	}
	return tw, fake, slept
}

func TestTwilioRequest(t *testing.T) {
	for _, tc := range []struct{ from, field string }{
		{testFromNum, "From"},
		{testMG, "MessagingServiceSid"},
	} {
		t.Run(tc.field, func(t *testing.T) {
			s, fake, _ := newTwilioTest(t, tc.from, created)
			if err := s.SendSMS(context.Background(), testTo, testBody); err != nil {
				t.Fatalf("SendSMS: %v", err)
			}
			got := fake.requests()
			if len(got) != 1 {
				t.Fatalf("%d requests, want 1", len(got))
			}
			r := got[0]
			if r.method != http.MethodPost {
				t.Errorf("method = %s, want POST", r.method)
			}
			if want := "/2010-04-01/Accounts/" + testSID + "/Messages.json"; r.path != want || r.query != "" {
				t.Errorf("path = %s?%s, want %s", r.path, r.query, want)
			}
			if !r.authOK || r.user != testSID || r.pass != testToken {
				t.Errorf("basic auth = %v %q:%q, want the account SID and auth token", r.authOK, r.user, r.pass)
			}
			if mt, params, err := mime.ParseMediaType(r.contentType); err != nil || mt != "application/x-www-form-urlencoded" || len(params) != 0 {
				t.Errorf("Content-Type = %q", r.contentType)
			}
			want := url.Values{"To": {testTo}, tc.field: {tc.from}, "Body": {testBody}}
			if !maps.EqualFunc(r.form, want, slices.Equal) {
				t.Errorf("form = %v, want exactly %v", r.form, want)
			}
		})
	}
}

func TestTwilioErrors(t *testing.T) {
	// The fake echoes the body and the token, as a careless proxy might.
	echo := strings.ReplaceAll(testBody, "\n", `\n`) + " " + testToken
	tests := []struct {
		name   string
		answer twilioAnswer
		want   []string
		code   int
	}{
		{"invalid number", twilioAnswer{400, nil, `{"code": 21211, "message": "Invalid 'To' Phone Number: ` + echo + `", "more_info": "https://www.twilio.com/docs/errors/21211", "status": 400}`},
			[]string{"HTTP 400", "21211", "Invalid 'To' Phone Number", "https://www.twilio.com/docs/errors/21211"}, 21211},
		{"bad credentials", twilioAnswer{401, nil, `{"code": 20003, "message": "Authenticate", "status": 401}`}, []string{"HTTP 401", "20003"}, 20003},
		{"not JSON", twilioAnswer{403, nil, "forbidden: " + url.Values{"Body": {testBody}}.Encode()}, []string{"HTTP 403"}, 0},
		{"redirect is not followed", twilioAnswer{307, map[string]string{"Location": "/elsewhere"}, ""}, []string{"HTTP 307"}, 0},
		{"2xx without sid", twilioAnswer{200, nil, `{"ok": true}`}, []string{"HTTP 200 without a message SID"}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, fake, _ := newTwilioTest(t, testFromNum, tc.answer)
			err := s.SendSMS(context.Background(), testTo, testBody)
			if err == nil {
				t.Fatal("SendSMS succeeded")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			for _, secret := range []string{"493817", testToken} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error %q contains the secret %q", err, secret)
				}
			}
			var se *SMSError
			if errors.As(err, &se) && se.Code != tc.code {
				t.Errorf("SMSError.Code = %d, want %d", se.Code, tc.code)
			}
			if n := len(fake.requests()); n != 1 {
				t.Errorf("%d requests, want 1 (no retry)", n)
			}
		})
	}
}

func TestTwilioRetry(t *testing.T) {
	unavailable := twilioAnswer{503, nil, `{"code": 20503, "message": "Service Unavailable", "status": 503}`}
	busy := func(after string) twilioAnswer {
		return twilioAnswer{429, map[string]string{"Retry-After": after}, `{"code": 20429, "message": "Too Many Requests", "status": 429}`}
	}
	tests := []struct {
		name     string
		answers  []twilioAnswer
		requests int
		slept    []time.Duration
		status   int // 0: success
	}{
		{"503 then created", []twilioAnswer{unavailable, created}, 2, []time.Duration{smsRetryWait}, 0},
		{"429 with Retry-After seconds", []twilioAnswer{busy("2"), created}, 2, []time.Duration{2 * time.Second}, 0},
		{"429 with Retry-After date", []twilioAnswer{busy(testNow.Add(time.Second).UTC().Format(http.TimeFormat)), created}, 2, []time.Duration{time.Second}, 0},
		{"429 with Retry-After too long", []twilioAnswer{busy("3600"), created}, 1, nil, 429},
		{"503 twice", []twilioAnswer{unavailable, unavailable, created}, 2, []time.Duration{smsRetryWait}, 503},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, fake, slept := newTwilioTest(t, testFromNum, tc.answers...)
			err := s.SendSMS(context.Background(), testTo, testBody)
			var se *SMSError
			switch {
			case tc.status == 0 && err != nil:
				t.Errorf("SendSMS: %v", err)
			case tc.status != 0 && (!errors.As(err, &se) || se.Status != tc.status):
				t.Errorf("SendSMS error = %v, want HTTP %d", err, tc.status)
			}
			if n := len(fake.requests()); n != tc.requests {
				t.Errorf("%d requests, want %d", n, tc.requests)
			}
			if !slices.Equal(*slept, tc.slept) {
				t.Errorf("waited %v, want %v", *slept, tc.slept)
			}
		})
	}
}

func TestTwilioRetryRespectsContext(t *testing.T) {
	s, fake, _ := newTwilioTest(t, testFromNum, twilioAnswer{503, nil, `{}`}, created)
	ctx, cancel := context.WithCancel(context.Background())
	s.sleep = func(ctx context.Context, _ time.Duration) error {
		cancel() // the user went away while we waited
		return ctx.Err()
	}
	err := s.SendSMS(ctx, testTo, testBody)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("SendSMS error = %v, want context.Canceled", err)
	}
	if n := len(fake.requests()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

func TestSMSValidation(t *testing.T) {
	dir := t.TempDir()
	outbox, err := NewSMS(SMSConfig{OutboxDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	tw, fake, _ := newTwilioTest(t, testFromNum, created)
	tests := []struct {
		to, body string
		want     error
	}{
		{"+84912345678", "ok", nil},
		{"+12345678", "8 digits", nil},
		{"+123456789012345", "15 digits", nil},
		{"+12025550123", strings.Repeat("ệ", MaxSMSBody), nil},
		{"84912345678", "no plus", ErrInvalidPhoneNumber},
		{"+1234567", "7 digits", ErrInvalidPhoneNumber},
		{"+1234567890123456", "16 digits", ErrInvalidPhoneNumber},
		{"+0912345678", "country code 0", ErrInvalidPhoneNumber},
		{"+1 202 555 0123", "spaces", ErrInvalidPhoneNumber},
		{"+1202555012a", "letter", ErrInvalidPhoneNumber},
		{"+８４９１２３４５６７８", "full-width digits", ErrInvalidPhoneNumber},
		{"+84912345678\nBcc: x", "injection", ErrInvalidPhoneNumber},
		{"", "empty", ErrInvalidPhoneNumber},
		{testTo, "", ErrInvalidSMSBody},
		{testTo, " \n ", ErrInvalidSMSBody},
		{testTo, strings.Repeat("a", MaxSMSBody+1), ErrInvalidSMSBody},
		{testTo, "bad \xff UTF-8", ErrInvalidSMSBody},
		{testTo, "carriage\rreturn", ErrInvalidSMSBody},
		{testTo, "nul\x00", ErrInvalidSMSBody},
	}
	valid := 0
	for _, tc := range tests {
		for name, s := range map[string]SMS{"outbox": outbox, "twilio": tw} {
			err := s.SendSMS(context.Background(), tc.to, tc.body)
			if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("%s: SendSMS(%q, %.20q) = %v, want %v", name, tc.to, tc.body, err, tc.want)
			}
		}
		if tc.want == nil {
			valid++
		}
	}
	if n := len(fake.requests()); n != valid {
		t.Errorf("twilio got %d requests, want %d (invalid messages must not be sent)", n, valid)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != valid {
		t.Errorf("outbox has %d files, want %d (invalid messages must not be written)", len(entries), valid)
	}
}

func TestSMSConfigErrors(t *testing.T) {
	// Built only to check that NewSMS refuses it.
	insecure := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	good := SMSConfig{Provider: "twilio", AccountSID: testSID, AuthToken: testToken, From: testFromNum}
	with := func(f func(*SMSConfig)) SMSConfig { c := good; f(&c); return c }
	tests := []struct {
		name string
		cfg  SMSConfig
	}{
		{"unknown provider", with(func(c *SMSConfig) { c.Provider = "nexmo" })},
		{"outbox without directory", SMSConfig{}},
		{"missing SID", with(func(c *SMSConfig) { c.AccountSID = "" })},
		{"short SID", with(func(c *SMSConfig) { c.AccountSID = "AC0123" })},
		{"SID with path", with(func(c *SMSConfig) { c.AccountSID = "AC0123456789abcdef0123456789ab/../" })},
		{"missing token", with(func(c *SMSConfig) { c.AuthToken = "" })},
		{"missing From", with(func(c *SMSConfig) { c.From = "" })},
		{"From not E.164", with(func(c *SMSConfig) { c.From = "Frontdesk" })},
		{"short messaging service SID", with(func(c *SMSConfig) { c.From = "MG0123" })},
		{"URL with credentials", with(func(c *SMSConfig) { c.URL = "https://u:" + testToken + "@api.twilio.com" })},
		{"URL with query", with(func(c *SMSConfig) { c.URL = "https://api.twilio.com/?x=1" })},
		{"URL without host", with(func(c *SMSConfig) { c.URL = "https:///2010-04-01" })},
		{"client skipping TLS verification", with(func(c *SMSConfig) { c.HTTPClient = insecure })},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewSMS(tc.cfg)
			if !errors.Is(err, ErrInvalidSMSConfig) {
				t.Fatalf("NewSMS error = %v, want ErrInvalidSMSConfig", err)
			}
			if strings.Contains(err.Error(), testToken) {
				t.Errorf("error %q contains the auth token", err)
			}
		})
	}
}

// ASVS 12.3.1: the token and the codes travel over TLS; plain http is
// allowed only to this machine.
func TestSMSURLRequiresHTTPS(t *testing.T) {
	tests := []struct {
		url, endpoint string // endpoint "" means refused
	}{
		{"", "https://api.twilio.com/2010-04-01/Accounts/" + testSID + "/Messages.json"},
		{"https://sms-gw.example.com/twilio/", "https://sms-gw.example.com/twilio/2010-04-01/Accounts/" + testSID + "/Messages.json"},
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080/2010-04-01/Accounts/" + testSID + "/Messages.json"},
		{"http://[::1]:8080", "http://[::1]:8080/2010-04-01/Accounts/" + testSID + "/Messages.json"},
		{"http://api.twilio.com", ""},
		{"http://10.0.0.5:8080", ""},
		{"http://localhost:8080", ""}, // a name, which DNS or /etc/hosts could point anywhere
		{"ftp://api.twilio.com", ""},
		{"api.twilio.com", ""},
	}
	for _, tc := range tests {
		s, err := NewSMS(SMSConfig{Provider: "twilio", URL: tc.url, AccountSID: testSID, AuthToken: testToken, From: testMG})
		switch {
		case tc.endpoint == "" && !errors.Is(err, ErrInvalidSMSConfig):
			t.Errorf("URL %q: error = %v, want ErrInvalidSMSConfig", tc.url, err)
		case tc.endpoint != "" && err != nil:
			t.Errorf("URL %q: %v", tc.url, err)
		case tc.endpoint != "" && s.(*twilioSMS).endpoint != tc.endpoint:
			t.Errorf("URL %q: endpoint = %q, want %q", tc.url, s.(*twilioSMS).endpoint, tc.endpoint)
		}
	}
}

var smsOutboxName = regexp.MustCompile(`^([0-9]+)-([0-9a-f]{16})\.sms\.txt$`)

func TestSMSOutbox(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data", "outbox")
	s, err := NewSMS(SMSConfig{OutboxDir: dir, Clock: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	if info, err := os.Stat(dir); err != nil || info.Mode().Perm() != 0o700 {
		t.Fatalf("outbox directory: %v, %v; want mode 0700", info, err)
	}
	bodies := map[string]bool{testBody: true, "Mã của bạn: 123456": true}
	for b := range bodies {
		if err := s.SendSMS(context.Background(), testTo, b); err != nil {
			t.Fatalf("SendSMS: %v", err)
		}
	}
	if err := s.SendSMS(canceled(), testTo, "never written"); !errors.Is(err, context.Canceled) {
		t.Errorf("SendSMS with a canceled context = %v", err)
	}

	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(bodies) {
		t.Fatalf("outbox has %d entries, want %d (no temporary files)", len(entries), len(bodies))
	}
	for _, e := range entries {
		m := smsOutboxName.FindStringSubmatch(e.Name())
		if m == nil {
			t.Fatalf("file name %q does not match <unix-nanos>-<hex id>.sms.txt", e.Name())
		}
		if m[1] != strconv.FormatInt(testNow.UnixNano(), 10) {
			t.Errorf("file name %q does not start with the clock's unix nanoseconds", e.Name())
		}
		if info, err := e.Info(); err != nil || info.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v, %v; want mode 0600", e.Name(), info, err)
		}
		raw, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		head, body, ok := strings.Cut(string(raw), "\n\n")
		if !ok || head != "To: "+testTo || !bodies[body] {
			t.Errorf("%s = %q, want \"To: %s\", a blank line and one of the bodies", e.Name(), raw, testTo)
		}
		delete(bodies, body)
	}
}

func TestSMSOutboxRecreatesDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "outbox")
	s, err := NewSMS(SMSConfig{Provider: "outbox", OutboxDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := s.SendSMS(context.Background(), testTo, testBody); err != nil {
		t.Fatalf("SendSMS: %v", err)
	}
	if entries, err := os.ReadDir(dir); err != nil || len(entries) != 1 {
		t.Errorf("outbox after recreation: %d entries, %v", len(entries), err)
	}
}

func canceled() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}
