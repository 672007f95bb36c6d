package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// SMS sends short text messages, such as one-time codes, to phones.
type SMS interface {
	// SendSMS sends body to the E.164 number to (e.g. "+84912345678").
	// Errors never contain body, which may hold a one-time code.
	SendSMS(ctx context.Context, to, body string) error
}

// SMS limits and defaults.
const (
	// MaxSMSBody is the longest body in characters, about three SMS
	// segments, which keeps cost and abuse bounded.
	MaxSMSBody = 480

	// DefaultTwilioURL is the Twilio REST API base.
	DefaultTwilioURL = "https://api.twilio.com"

	// DefaultSMSTimeout bounds one HTTP request to the provider when the
	// HTTP client has no Timeout of its own.
	DefaultSMSTimeout = 10 * time.Second
)

// Sentinel errors for SMS, returned wrapped. Test with errors.Is.
var (
	// ErrInvalidSMSConfig reports an SMSConfig that cannot be used.
	ErrInvalidSMSConfig = errors.New("invalid SMS configuration")

	// ErrInvalidPhoneNumber reports a number that is not E.164: "+", then
	// 8 to 15 digits, the first not 0.
	ErrInvalidPhoneNumber = errors.New("phone number is not in E.164 form like +84912345678")

	// ErrInvalidSMSBody reports an empty body, one longer than MaxSMSBody
	// characters, or one with invalid UTF-8 or control characters other
	// than newline.
	ErrInvalidSMSBody = errors.New("invalid SMS body")
)

// SMSConfig configures NewSMS. It is built once from flags and FRONTDESK_*
// variables.
type SMSConfig struct {
	// Provider is "outbox" (the default when empty) or "twilio".
	Provider string

	// OutboxDir receives one <unix-nanos>-<id>.sms.txt file per message
	// with the outbox provider. It is created with mode 0700 if missing.
	OutboxDir string

	// URL is the Twilio API base; empty means DefaultTwilioURL. It must be
	// https, except to a loopback IP address (local test servers).
	URL string

	// AccountSID ("AC" and 32 hex digits) and AuthToken authenticate to
	// Twilio.
	AccountSID string
	AuthToken  string

	// From is the sender: an E.164 number, or a messaging service SID
	// ("MG" and 32 hex digits), which is sent as MessagingServiceSid.
	From string

	// HTTPClient, if set, is used for requests to Twilio (tests pass one
	// trusting their server). Redirects are never followed.
	HTTPClient *http.Client

	// Clock returns the current time for outbox file names and Retry-After
	// dates; nil means time.Now.
	Clock func() time.Time
}

// NewSMS validates cfg and returns the configured sender. The outbox
// provider creates OutboxDir. Errors wrap ErrInvalidSMSConfig and never
// contain the auth token.
func NewSMS(cfg SMSConfig) (SMS, error) {
	clock := cfg.Clock
	if clock == nil {
		clock = time.Now
	}
	switch strings.ToLower(strings.TrimSpace(cfg.Provider)) {
	case "", "outbox":
		if cfg.OutboxDir == "" {
			return nil, fmt.Errorf("notify: sms: %w: the outbox provider needs a directory", ErrInvalidSMSConfig)
		}
		if err := os.MkdirAll(cfg.OutboxDir, 0o700); err != nil {
			return nil, fmt.Errorf("notify: sms outbox: %w", err)
		}
		return &smsOutbox{dir: cfg.OutboxDir, clock: clock}, nil
	case "twilio":
		t, err := newTwilio(cfg, clock)
		if err != nil {
			return nil, fmt.Errorf("notify: sms: %w", err)
		}
		return t, nil
	default:
		return nil, fmt.Errorf("notify: sms: %w: provider %q is not supported (want outbox or twilio)", ErrInvalidSMSConfig, cfg.Provider)
	}
}

// newTwilio validates the Twilio part of cfg.
func newTwilio(cfg SMSConfig, clock func() time.Time) (*twilioSMS, error) {
	if !isSID(cfg.AccountSID, "AC") {
		return nil, fmt.Errorf("%w: Twilio account SID must be \"AC\" and 32 hex digits", ErrInvalidSMSConfig)
	}
	if cfg.AuthToken == "" {
		return nil, fmt.Errorf("%w: Twilio auth token is missing", ErrInvalidSMSConfig)
	}
	t := &twilioSMS{sid: cfg.AccountSID, token: cfg.AuthToken, clock: clock, sleep: sleepCtx}
	switch {
	case isSID(cfg.From, "MG"):
		t.fromField = "MessagingServiceSid"
	case checkE164(cfg.From) == nil:
		t.fromField = "From"
	default:
		return nil, fmt.Errorf("%w: Twilio From must be an E.164 number or a messaging service SID (MG…)", ErrInvalidSMSConfig)
	}
	t.from = cfg.From
	base, err := smsBaseURL(cfg.URL)
	if err != nil {
		return nil, err
	}
	t.endpoint = base + "/2010-04-01/Accounts/" + cfg.AccountSID + "/Messages.json"

	t.client = http.Client{}
	if cfg.HTTPClient != nil {
		if tr, ok := cfg.HTTPClient.Transport.(*http.Transport); ok && tr.TLSClientConfig != nil && tr.TLSClientConfig.InsecureSkipVerify {
			return nil, fmt.Errorf("%w: the HTTP client must verify TLS certificates", ErrInvalidSMSConfig)
		}
		t.client = *cfg.HTTPClient
	}
	// A redirect could move the credentials or the code to another host
	// or to plain http; Twilio never redirects the Messages API.
	t.client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	if t.client.Timeout == 0 {
		t.timeout = DefaultSMSTimeout
	}
	return t, nil
}

// smsBaseURL validates the API base URL and returns it without a
// trailing slash.
func smsBaseURL(raw string) (string, error) {
	if raw == "" {
		raw = DefaultTwilioURL
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return "", fmt.Errorf("%w: SMS API URL must look like %s", ErrInvalidSMSConfig, DefaultTwilioURL)
	}
	if u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return "", fmt.Errorf("%w: SMS API URL must not have credentials, a query or a fragment", ErrInvalidSMSConfig)
	}
	switch u.Scheme {
	case "https":
	case "http":
		// Plain http only to this machine (tests, a local relay): the
		// request carries the auth token and a one-time code. ASVS 12.3.1.
		ip, err := netip.ParseAddr(u.Hostname())
		if err != nil || !ip.IsLoopback() {
			return "", fmt.Errorf("%w: SMS API URL must use https (http only to a loopback IP address)", ErrInvalidSMSConfig)
		}
	default:
		return "", fmt.Errorf("%w: SMS API URL scheme %q is not supported (want https)", ErrInvalidSMSConfig, u.Scheme)
	}
	return strings.TrimSuffix(u.String(), "/"), nil
}

// isSID reports whether s is a Twilio SID: prefix and 32 hex digits.
func isSID(s, prefix string) bool {
	rest, ok := strings.CutPrefix(s, prefix)
	if !ok || len(rest) != 32 {
		return false
	}
	for _, c := range rest {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// checkE164 accepts "+" and 8 to 15 digits, the first not 0 (no country
// code starts with 0).
func checkE164(s string) error {
	d, ok := strings.CutPrefix(s, "+")
	if !ok || len(d) < 8 || len(d) > 15 || d[0] == '0' {
		return ErrInvalidPhoneNumber
	}
	for _, c := range d {
		if c < '0' || c > '9' {
			return ErrInvalidPhoneNumber
		}
	}
	return nil
}

// checkSMS validates a message before anything is sent or written. The
// errors do not repeat the body or the number.
func checkSMS(to, body string) error {
	if err := checkE164(to); err != nil {
		return fmt.Errorf("notify: sms: %w", err)
	}
	n := utf8.RuneCountInString(body)
	switch {
	case strings.TrimSpace(body) == "":
		return fmt.Errorf("notify: sms: %w: empty", ErrInvalidSMSBody)
	case n > MaxSMSBody:
		return fmt.Errorf("notify: sms: %w: %d characters, at most %d", ErrInvalidSMSBody, n, MaxSMSBody)
	case !utf8.ValidString(body):
		return fmt.Errorf("notify: sms: %w: not valid UTF-8", ErrInvalidSMSBody)
	case strings.ContainsFunc(body, func(r rune) bool { return r != '\n' && unicode.IsControl(r) }):
		return fmt.Errorf("notify: sms: %w: control character", ErrInvalidSMSBody)
	}
	return nil
}

// sleepCtx waits for d or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Retry policy for 429 and 5xx answers: one retry, after Retry-After when
// it asks for at most smsMaxRetryWait, else after smsRetryWait.
const (
	smsRetryWait    = 500 * time.Millisecond
	smsMaxRetryWait = 3 * time.Second
	smsMaxResponse  = 64 << 10
)

// twilioSMS sends through the Twilio Messages API.
type twilioSMS struct {
	endpoint   string // .../Accounts/{sid}/Messages.json
	sid, token string
	fromField  string // "From" or "MessagingServiceSid"
	from       string
	client     http.Client
	timeout    time.Duration // per request, when client.Timeout is zero
	clock      func() time.Time
	sleep      func(context.Context, time.Duration) error // tests record instead
}

var _ SMS = (*twilioSMS)(nil)

// SMSError is an error answer from the SMS provider. It holds neither the
// message body nor credentials.
type SMSError struct {
	Status   int    // HTTP status code
	Code     int    // provider error code, e.g. Twilio 21211; 0 if none
	Message  string // provider message, control characters removed
	MoreInfo string // provider documentation of Code
}

func (e *SMSError) Error() string {
	s := fmt.Sprintf("notify: sms: twilio: HTTP %d", e.Status)
	if e.Code != 0 {
		s += fmt.Sprintf(", error %d", e.Code)
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.MoreInfo != "" {
		s += " (" + e.MoreInfo + ")"
	}
	return s
}

// SendSMS posts the message and retries once if Twilio answers 429 or 5xx.
// Network errors are not retried: the message may have gone out.
func (t *twilioSMS) SendSMS(ctx context.Context, to, body string) error {
	if err := checkSMS(to, body); err != nil {
		return err
	}
	form := url.Values{"To": {to}, t.fromField: {t.from}, "Body": {body}}.Encode()
	wait, err := t.post(ctx, form, body)
	if err == nil || wait < 0 {
		return err
	}
	if serr := t.sleep(ctx, wait); serr != nil {
		return fmt.Errorf("%w; not retried: %w", err, serr)
	}
	_, err = t.post(ctx, form, body)
	return err
}

// post makes one request. On failure it also returns how long to wait
// before a retry, or -1 if the request must not be retried.
func (t *twilioSMS) post(ctx context.Context, form, body string) (time.Duration, error) {
	if t.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, t.timeout)
		defer cancel()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.endpoint, strings.NewReader(form))
	if err != nil {
		return -1, fmt.Errorf("notify: sms: twilio: %w", err)
	}
	req.SetBasicAuth(t.sid, t.token)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := t.client.Do(req)
	if err != nil {
		// url.Error names the endpoint only; the token is in a header.
		return -1, fmt.Errorf("notify: sms: twilio: %w", err)
	}
	defer resp.Body.Close()
	var answer struct {
		SID      string `json:"sid"`
		Code     int    `json:"code"`
		Message  string `json:"message"`
		MoreInfo string `json:"more_info"`
	}
	decErr := json.NewDecoder(io.LimitReader(resp.Body, smsMaxResponse)).Decode(&answer)
	io.Copy(io.Discard, io.LimitReader(resp.Body, smsMaxResponse)) // lets the connection be reused
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		if decErr != nil || answer.SID == "" {
			return -1, fmt.Errorf("notify: sms: twilio: HTTP %d without a message SID", resp.StatusCode)
		}
		return 0, nil
	}
	// The raw answer is never quoted: a proxy or a fake could echo the
	// request, which holds the code.
	e := &SMSError{
		Status:   resp.StatusCode,
		Code:     answer.Code,
		Message:  cleanProviderText(answer.Message, body, t.token),
		MoreInfo: cleanProviderText(answer.MoreInfo, body, t.token),
	}
	if resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode < 500 {
		return -1, e
	}
	return t.retryWait(resp.Header.Get("Retry-After")), e
}

// retryWait reads a Retry-After value (seconds or an HTTP date). It
// returns -1 when the provider asks for more than smsMaxRetryWait: a user
// is waiting for the code, and retrying earlier would not be honouring it.
func (t *twilioSMS) retryWait(h string) time.Duration {
	if h == "" {
		return smsRetryWait
	}
	var d time.Duration
	if n, err := strconv.ParseInt(h, 10, 64); err == nil || errors.Is(err, strconv.ErrRange) {
		if n > int64(smsMaxRetryWait/time.Second) {
			return -1
		}
		d = time.Duration(max(n, 0)) * time.Second
	} else if at, err := http.ParseTime(h); err == nil {
		d = max(at.Sub(t.clock()), 0)
	} else {
		return smsRetryWait
	}
	if d > smsMaxRetryWait {
		return -1
	}
	return d
}

// cleanProviderText makes text from the provider safe for errors and
// logs: secrets replaced, control characters dropped, at most 200
// characters.
func cleanProviderText(s string, secrets ...string) string {
	for _, x := range secrets {
		if x != "" {
			s = strings.ReplaceAll(s, x, "[redacted]")
		}
	}
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, s)
	if r := []rune(s); len(r) > 200 {
		s = string(r[:200]) + "…"
	}
	return s
}
