package support_test

// The messaging bridges beyond messaging_test.go: the edges of the
// signature scheme, what a refused or repeated delivery leaves behind, and
// the outgoing webhook's retries, timed on synctest's fake clock rather
// than by sleeping.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/frontdesk/frontdesk/internal/identity/identitytest"
	"github.com/frontdesk/frontdesk/internal/support"
)

// tgIn is a Telegram customer message.
func tgIn(chat, id, text string) support.MessagingInbound {
	return support.MessagingInbound{Platform: "telegram", ChatID: chat, MessageID: id, From: "Hoa", Locale: "vi", Text: text}
}

// liveUpdates counts what the fixture published about conversation id.
func (f *fixture) liveUpdates(id string) int {
	f.bus.mu.Lock()
	defer f.bus.mu.Unlock()
	n := 0
	for _, s := range f.bus.subjects {
		if strings.HasPrefix(s, "conv."+id+".") {
			n++
		}
	}
	return n
}

// newBridgeFixture is newFixture with replies on messaging conversations
// posted through sender, and the service's log kept in logs.
func newBridgeFixture(t *testing.T, sender *support.WebhookSender, logs io.Writer) *fixture {
	k := identitytest.New(t, "default")
	bus := &recorder{}
	svc := support.New(support.Options{DB: k.D, Keys: k.Keys, Audit: k.Log, Bus: bus, Messaging: sender,
		Logger: slog.New(slog.NewTextHandler(logs, nil))})
	t.Cleanup(svc.WaitMail)
	return &fixture{Kit: k, bus: bus, svc: svc}
}

// The scheme as docs/messaging-webhooks.md shows it in shell: the value
// was computed by openssl, not by this package.
//
//	printf '%s.%s' "$t" "$body" | openssl dgst -sha256 -hmac "$secret"
func TestSignWebhookKnownAnswer(t *testing.T) {
	body := []byte(`{"platform":"telegram","chat_id":"123456","message_id":"9001","from":"Hoa","locale":"vi","text":"Tôi không đăng nhập được"}`)
	secret := []byte("whsec-example-0123456789abcdef")
	const want = "t=1800000000,v1=ab38c7d97c5438ff8f8d804bc23cd17c929b39dcaa70e90ec1b024cd24f249bb"
	if got := support.SignWebhook(secret, time.Unix(1_800_000_000, 0), body); got != want {
		t.Fatalf("SignWebhook = %s, want %s", got, want)
	}
	if err := support.VerifyWebhook([][]byte{secret}, want, body, time.Unix(1_800_000_100, 0)); err != nil {
		t.Fatal(err)
	}
}

// ASVS 11.4.3: the signature is the full 256-bit HMAC-SHA-256, and a
// shortened one is refused. The timestamp is inside the MAC, so moving it
// breaks the signature; the window is 5 minutes either side, inclusive.
func TestVerifyWebhookEdges(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	body := []byte(`{"platform":"telegram","chat_id":"42","message_id":"7","text":"hi"}`)
	good := support.SignWebhook(secretA, now, body)
	ts, sig, _ := strings.Cut(strings.TrimPrefix(good, "t="), ",v1=")
	if len(sig) != 64 || ts != "1800000000" {
		t.Fatalf("SignWebhook = %q", good)
	}
	both := [][]byte{secretA, secretB}
	for name, tc := range map[string]struct {
		secrets [][]byte
		header  string
		at      time.Time
		want    error
	}{
		"5 minutes late":        {both, good, now.Add(5 * time.Minute), nil},
		"5 minutes early":       {both, good, now.Add(-5 * time.Minute), nil},
		"a second too late":     {both, good, now.Add(5*time.Minute + time.Second), support.ErrWebhookStale},
		"a second too early":    {both, good, now.Add(-5*time.Minute - time.Second), support.ErrWebhookStale},
		"a day late":            {both, good, now.Add(24 * time.Hour), support.ErrWebhookStale},
		"old secret listed 2nd": {[][]byte{secretB, secretA}, good, now, nil},
		"old secret removed":    {[][]byte{secretB}, good, now, support.ErrWebhookSignature},
		"no secret configured":  {nil, good, now, support.ErrWebhookSignature},
		// An empty secret in the list (FRONTDESK_MESSAGING_SECRETS="a,,b")
		// must not let anyone sign with the empty key.
		"empty secret":           {[][]byte{{}, secretB}, support.SignWebhook(nil, now, body), now, support.ErrWebhookSignature},
		"timestamp moved":        {both, "t=1800000001,v1=" + sig, now, support.ErrWebhookSignature},
		"signature truncated":    {both, "t=" + ts + ",v1=" + sig[:32], now, support.ErrWebhookSignature},
		"signature extended":     {both, good + "00", now, support.ErrWebhookSignature},
		"only t":                 {both, "t=" + ts, now, support.ErrWebhookSignature},
		"only v1":                {both, "v1=" + sig, now, support.ErrWebhookSignature},
		"empty t":                {both, "t=,v1=" + sig, now, support.ErrWebhookSignature},
		"no equals signs":        {both, "t" + ts + ",v1" + sig, now, support.ErrWebhookSignature},
		"t not an integer":       {both, "t=1.8e9,v1=" + sig, now, support.ErrWebhookSignature},
		"t of 400 digits":        {both, "t=" + strings.Repeat("9", 400) + ",v1=" + sig, now, support.ErrWebhookSignature},
		"t of 13 digits, signed": {both, support.SignWebhook(secretA, time.Unix(1_800_000_000_000, 0), body), now, support.ErrWebhookSignature},
		"negative t, signed":     {both, support.SignWebhook(secretA, time.Unix(-1, 0), body), now, support.ErrWebhookStale},
		"v1 not hex":             {both, "t=" + ts + ",v1=" + strings.Repeat("g", 64), now, support.ErrWebhookSignature},
		"v1 with a NUL":          {both, "t=" + ts + ",v1=" + sig[:63] + "\x00", now, support.ErrWebhookSignature},
		"a megabyte of parts":    {both, strings.Repeat("x=1,", 1<<18) + good, now, nil},
		"a megabyte of junk":     {both, strings.Repeat(",", 1<<20), now, support.ErrWebhookSignature},
	} {
		err := support.VerifyWebhook(tc.secrets, tc.header, body, tc.at)
		if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", name, err, tc.want)
		}
	}
}

// Whatever the header and body, verification answers with one of its two
// errors or accepts; it never panics.
func FuzzVerifyWebhook(f *testing.F) {
	now := time.Unix(1_800_000_000, 0)
	body := []byte(`{"text":"hi"}`)
	f.Add(support.SignWebhook(secretA, now, body), body)
	f.Add("t=1800000000,v1=", body)
	f.Add("t=-9223372036854775808,v1="+strings.Repeat("0", 64), []byte{})
	f.Add("v1=,t=,v1=,t=", []byte("\xff"))
	f.Fuzz(func(t *testing.T, header string, body []byte) {
		err := support.VerifyWebhook([][]byte{secretA, secretB}, header, body, now)
		if err != nil && !errors.Is(err, support.ErrWebhookSignature) && !errors.Is(err, support.ErrWebhookStale) {
			t.Fatalf("VerifyWebhook(%q) = %v", header, err)
		}
	})
}

// A replayed delivery id is refused whatever it carries, and changes
// nothing: no message, no new conversation, no live update.
func TestMessagingReplayChangesNothing(t *testing.T) {
	f := newFixture(t)
	c, _, _, err := f.svc.ReceiveMessaging(ctx, "tg-1", tgIn("42", "m1", "Tôi không đăng nhập được"))
	if err != nil {
		t.Fatal(err)
	}
	updates := f.liveUpdates(c.ID)
	f.Clock.Add(time.Minute)
	for _, again := range []support.MessagingInbound{
		tgIn("42", "m1", "Tôi không đăng nhập được"), // the same request
		tgIn("42", "m2", "a different message"),      // the id reused for another message
		tgIn("99", "m3", "another chat"),             // or for another chat
	} {
		if _, _, _, err := f.svc.ReceiveMessaging(ctx, "tg-1", again); !errors.Is(err, support.ErrWebhookReplay) {
			t.Fatalf("%+v under a seen delivery id: %v", again, err)
		}
	}
	got, err := f.svc.Get(ctx, c.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	if got.MessageCount != 1 || len(got.Messages) != 1 || !got.UpdatedAt.Equal(c.UpdatedAt) {
		t.Fatalf("after the replays: %d messages, updated %v (was %v)", len(got.Messages), got.UpdatedAt, c.UpdatedAt)
	}
	if n := f.liveUpdates(c.ID); n != updates {
		t.Fatalf("replays published %d live updates", n-updates)
	}
	if all, err := f.svc.List(ctx, support.Filter{Channel: support.ChannelMessaging}); err != nil || len(all) != 1 {
		t.Fatalf("messaging conversations: %d %v", len(all), err)
	}
}

// A delivery refused for its content leaves its id unused, so the bridge
// can correct it and send it again under the same id; a delivery id
// outside 1-64 characters of [A-Za-z0-9_-] is refused.
func TestMessagingRefusedDeliveryLeavesItsID(t *testing.T) {
	f := newFixture(t)
	for name, in := range map[string]support.MessagingInbound{
		"no text":             tgIn("42", "m1", " \n "),
		"text too long":       tgIn("42", "m1", strings.Repeat("a", support.MaxBody+1)),
		"text not UTF-8":      tgIn("42", "m1", "\xff\xfe"),
		"upper-case platform": {Platform: "Telegram", ChatID: "42", Text: "hi"},
		"platform with colon": {Platform: "tele:gram", ChatID: "42", Text: "hi"},
		"platform of 21":      {Platform: strings.Repeat("a", 21), ChatID: "42", Text: "hi"},
		"no chat":             {Platform: "telegram", Text: "hi"},
		"chat of 129":         tgIn(strings.Repeat("1", 129), "m1", "hi"),
		"message id of 129":   tgIn("42", strings.Repeat("m", 129), "hi"),
	} {
		if _, _, _, err := f.svc.ReceiveMessaging(ctx, "tg-1", in); !errors.Is(err, support.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
	for _, id := range []string{"", strings.Repeat("a", 65), "a b", "a/b", "a.b", "é", "a\n"} {
		if _, _, _, err := f.svc.ReceiveMessaging(ctx, id, tgIn("42", "m1", "hi")); !errors.Is(err, support.ErrInvalid) {
			t.Errorf("delivery id %q: %v, want ErrInvalid", id, err)
		}
	}
	if _, _, _, err := f.svc.ReceiveMessaging(ctx, "tg-1", tgIn("42", "m1", "hi")); err != nil {
		t.Fatalf("the corrected delivery: %v", err)
	}
	if _, _, _, err := f.svc.ReceiveMessaging(ctx, strings.Repeat("A-_9", 16), tgIn("42", "m2", "hi")); err != nil {
		t.Fatalf("a 64-character delivery id: %v", err)
	}
}

// The same platform message under two delivery ids (the bridge lost our
// answer and retried under a new id) is stored once, published once, and
// a late copy does not reopen a resolved conversation. The same message id
// in another chat is another message.
func TestMessagingSameMessageTwoDeliveries(t *testing.T) {
	f := newFixture(t)
	c1, m1, dup, err := f.svc.ReceiveMessaging(ctx, "tg-1", tgIn("42", "m1", "Thẻ của tôi bị khóa"))
	if err != nil || dup {
		t.Fatalf("first: %v %v", dup, err)
	}
	f.Clock.Add(time.Minute)
	c2, m2, dup, err := f.svc.ReceiveMessaging(ctx, "tg-2", tgIn("42", "m1", "Thẻ của tôi bị khóa"))
	if err != nil || !dup || c2.ID != c1.ID || m2.ID != m1.ID {
		t.Fatalf("again: dup %v, message %s (first %s), %v", dup, m2.ID, m1.ID, err)
	}
	if _, err := f.svc.Update(ctx, c1.ID, support.Change{Status: support.StatusResolved}); err != nil {
		t.Fatal(err)
	}
	updates := f.liveUpdates(c1.ID)
	if _, _, dup, err := f.svc.ReceiveMessaging(ctx, "tg-3", tgIn("42", "m1", "Thẻ của tôi bị khóa")); err != nil || !dup {
		t.Fatalf("late copy: %v %v", dup, err)
	}
	got, err := f.svc.Get(ctx, c1.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	if got.MessageCount != 1 || got.Status != support.StatusResolved || f.liveUpdates(c1.ID) != updates {
		t.Fatalf("after the copies: %d messages, %s", got.MessageCount, got.Status)
	}
	other, _, dup, err := f.svc.ReceiveMessaging(ctx, "tg-4", tgIn("43", "m1", "another chat"))
	if err != nil || dup || other.ID == c1.ID {
		t.Fatalf("same message id, other chat: %v %v", dup, err)
	}
}

// A closed conversation stays closed: the chat's next message starts a
// new messaging conversation with a visitor (no e-mail), and later
// messages follow the new one. A resolved one is reopened instead.
func TestMessagingAfterClosing(t *testing.T) {
	f := newFixture(t)
	old, _, _, err := f.svc.ReceiveMessaging(ctx, "tg-1", tgIn("42", "m1", "first problem"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Update(ctx, old.ID, support.Change{Status: support.StatusClosed}); err != nil {
		t.Fatal(err)
	}
	f.Clock.Add(time.Hour)
	c, m, _, err := f.svc.ReceiveMessaging(ctx, "tg-2", tgIn("42", "m2", "second problem"))
	if err != nil || c.ID == old.ID {
		t.Fatalf("after closing: %v", err)
	}
	if c.Channel != support.ChannelMessaging || c.Status != support.StatusOpen || c.Contact.Email != "" || c.Contact.AccountID != "" ||
		c.Contact.Name != "Hoa" || m.Kind != support.KindCustomer || m.Body != "second problem" {
		t.Fatalf("new conversation: %+v, message %+v", c, m)
	}
	if c3, _, _, err := f.svc.ReceiveMessaging(ctx, "tg-3", tgIn("42", "m3", "more")); err != nil || c3.ID != c.ID {
		t.Fatalf("next message: %v", err)
	}
	if got, err := f.svc.Get(ctx, old.ID, true); err != nil || got.MessageCount != 1 || got.Status != support.StatusClosed {
		t.Fatalf("the closed conversation changed: %v", err)
	}

	if _, err := f.svc.Update(ctx, c.ID, support.Change{Status: support.StatusResolved}); err != nil {
		t.Fatal(err)
	}
	again, _, _, err := f.svc.ReceiveMessaging(ctx, "tg-4", tgIn("42", "m4", "still broken"))
	if err != nil || again.ID != c.ID || again.Status != support.StatusOpen {
		t.Fatalf("after resolving: %+v %v", again, err)
	}
}

// Delivery ids are kept for a day: one seen 23 hours ago is still refused,
// one from 25 hours ago is forgotten (by then the signature's 5-minute
// window refuses the old request).
func TestPurgeWebhookDeliveriesKeepsADay(t *testing.T) {
	f := newFixture(t)
	if _, _, _, err := f.svc.ReceiveMessaging(ctx, "old", tgIn("42", "m1", "hi")); err != nil {
		t.Fatal(err)
	}
	f.Clock.Add(2 * time.Hour)
	if _, _, _, err := f.svc.ReceiveMessaging(ctx, "new", tgIn("42", "m2", "hi again")); err != nil {
		t.Fatal(err)
	}
	f.Clock.Add(23 * time.Hour)
	if n, err := f.svc.PurgeWebhookDeliveries(ctx); err != nil || n != 1 {
		t.Fatalf("purged %d, %v", n, err)
	}
	if _, _, _, err := f.svc.ReceiveMessaging(ctx, "new", tgIn("42", "m3", "x")); !errors.Is(err, support.ErrWebhookReplay) {
		t.Fatalf("a 23-hour-old id: %v", err)
	}
	if _, _, _, err := f.svc.ReceiveMessaging(ctx, "old", tgIn("42", "m3", "x")); err != nil {
		t.Fatalf("a purged id: %v", err)
	}
}

// ASVS 12.3.1 (TLS to outside services) and 1.3.6: the bridge's URL is
// https, or http on a loopback address; anything else is refused when the
// sender is built, with an error that says so.
func TestNewWebhookSenderURL(t *testing.T) {
	for _, u := range []string{"https://bridge.example/hook", "https://10.0.0.1:8443/x", "http://127.0.0.1:8080/hook",
		"http://127.9.9.9/", "http://[::1]:8080/hook", "http://localhost:9000/"} {
		if _, err := support.NewWebhookSender(u, secretA); err != nil {
			t.Errorf("%s refused: %v", u, err)
		}
	}
	for _, u := range []string{"http://bridge.example/hook", "http://10.0.0.1/", "http://169.254.169.254/latest",
		"http://localhost.bridge.example/", "http://127.0.0.1.nip.io/", "ftp://127.0.0.1/", "ws://127.0.0.1/",
		"bridge.example/hook", "https://", ""} {
		_, err := support.NewWebhookSender(u, secretA)
		if err == nil {
			t.Errorf("%q accepted", u)
		} else if !strings.Contains(err.Error(), "URL") {
			t.Errorf("%q: unclear error %q", u, err)
		}
	}
}

// attempt is one request the scripted bridge received.
type attempt struct {
	path   string
	header http.Header
	body   []byte
}

// scriptedBridge answers with the statuses of its script, then 200, and
// keeps every attempt. Keep-alives are off so that no client connection
// outlives a synctest bubble.
type scriptedBridge struct {
	*httptest.Server
	mu       sync.Mutex
	script   []string // "503", or "429 30" for a Retry-After
	attempts []attempt
}

func newScriptedBridge(t *testing.T, script ...string) *scriptedBridge {
	b := &scriptedBridge{script: script}
	b.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		b.mu.Lock()
		defer b.mu.Unlock()
		b.attempts = append(b.attempts, attempt{r.URL.Path, r.Header.Clone(), body})
		if len(b.script) == 0 {
			return
		}
		status, retry, _ := strings.Cut(b.script[0], " ")
		b.script = b.script[1:]
		if retry != "" {
			w.Header().Set("Retry-After", retry)
		}
		code, _ := strconv.Atoi(status)
		if code >= 300 && code < 400 {
			w.Header().Set("Location", "http://"+r.Host+"/elsewhere")
		}
		w.WriteHeader(code)
	}))
	b.Config.SetKeepAlivesEnabled(false)
	b.Start()
	t.Cleanup(b.Close)
	return b
}

func (b *scriptedBridge) tries() []attempt {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.attempts)
}

// Retries on synctest's clock: network errors, 429 and 5xx are tried
// again (at most 3 attempts, backing off 1 s then 2 s, or Retry-After up
// to a minute) under the same delivery id with a fresh signature; other
// answers, redirects included (ASVS 1.3.6), are final after one attempt.
// The error never carries the body or the secret.
func TestWebhookSenderRetries(t *testing.T) {
	ev := support.Outgoing{Type: "message", Delivery: "dlv-1", ConversationID: "c1", ExternalRef: "telegram:42",
		Message: support.OutgoingMessage{ID: "m1", Kind: support.KindAgent, Body: "Mã bí mật của bạn", AuthorName: "An"}}
	for name, tc := range map[string]struct {
		script   []string
		attempts int
		waited   time.Duration
		ok       bool
	}{
		"accepted":                  {nil, 1, 0, true},
		"503 then accepted":         {[]string{"503"}, 2, time.Second, true},
		"500, 502, accepted":        {[]string{"500", "502"}, 3, 3 * time.Second, true},
		"503 three times":           {[]string{"503", "503", "503"}, 3, 3 * time.Second, false},
		"429 with Retry-After 30":   {[]string{"429 30"}, 2, 30 * time.Second, true},
		"Retry-After over a minute": {[]string{"429 3600"}, 2, time.Minute, true},
		"400":                       {[]string{"400"}, 1, 0, false},
		"401":                       {[]string{"401"}, 1, 0, false},
		"404":                       {[]string{"404"}, 1, 0, false},
		"redirect 302":              {[]string{"302"}, 1, 0, false},
		"redirect 307":              {[]string{"307"}, 1, 0, false},
		"redirect 308":              {[]string{"308"}, 1, 0, false},
	} {
		t.Run(name, func(t *testing.T) {
			bridge := newScriptedBridge(t, tc.script...)
			sender, err := support.NewWebhookSender(bridge.URL+"/hook", secretA)
			if err != nil {
				t.Fatal(err)
			}
			synctest.Test(t, func(t *testing.T) {
				start := time.Now()
				err := sender.Send(context.Background(), ev)
				if waited := time.Since(start); waited != tc.waited {
					t.Errorf("waited %v, want %v", waited, tc.waited)
				}
				if tc.ok != (err == nil) {
					t.Fatalf("Send: %v", err)
				}
				if err != nil && (strings.Contains(err.Error(), ev.Message.Body) || strings.Contains(err.Error(), string(secretA))) {
					t.Fatalf("the error carries the body or the secret: %v", err)
				}
				tries := bridge.tries()
				if len(tries) != tc.attempts {
					t.Fatalf("%d attempts, want %d", len(tries), tc.attempts)
				}
				for i, a := range tries {
					if a.header.Get("Frontdesk-Delivery") != ev.Delivery || a.header.Get("Content-Type") != "application/json" {
						t.Errorf("attempt %d headers: %v", i+1, a.header)
					}
					if err := support.VerifyWebhook([][]byte{secretA}, a.header.Get("Frontdesk-Signature"), a.body, time.Now()); err != nil {
						t.Errorf("attempt %d signature: %v", i+1, err)
					}
				}
			})
			for _, a := range bridge.tries() {
				if a.path != "/hook" {
					t.Fatalf("a request to %s: a redirect was followed", a.path)
				}
			}
		})
	}
}

// An unreachable bridge is tried three times; a context that ends during
// the backoff stops the retries at once.
func TestWebhookSenderUnreachable(t *testing.T) {
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()
	sender, err := support.NewWebhookSender(gone.URL, secretA)
	if err != nil {
		t.Fatal(err)
	}
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		if err := sender.Send(context.Background(), support.Outgoing{Type: "message", Delivery: "d"}); err == nil {
			t.Fatal("delivered to a closed port")
		}
		if waited := time.Since(start); waited != 3*time.Second {
			t.Fatalf("waited %v between three attempts, want 3s", waited)
		}
	})

	bridge := newScriptedBridge(t, "503", "503", "503")
	sender, err = support.NewWebhookSender(bridge.URL, secretA)
	if err != nil {
		t.Fatal(err)
	}
	synctest.Test(t, func(t *testing.T) {
		sctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		defer cancel()
		if err := sender.Send(sctx, support.Outgoing{Type: "message", Delivery: "d"}); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Send after the deadline: %v", err)
		}
		if n := len(bridge.tries()); n != 1 {
			t.Fatalf("%d attempts", n)
		}
	})
}

// An agent's reply on a messaging conversation reaches the bridge as the
// documented payload, signed; notes do not, nor replies on a messaging
// conversation without a bridge reference. A refused reply is logged
// without its text or the secret.
func TestMessagingRepliesReachTheBridge(t *testing.T) {
	bridge := newScriptedBridge(t)
	sender, err := support.NewWebhookSender(bridge.URL, secretA)
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	f := newBridgeFixture(t, sender, &logs)
	f.agent("a1", "An")
	c, _, _, err := f.svc.ReceiveMessaging(ctx, "tg-1", tgIn("123456", "m1", "Tôi không đăng nhập được"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.svc.Post(ctx, c.ID, support.NewMessage{Kind: support.KindNote, AuthorID: "a1", Body: "internal: checked the lockout"}); err != nil {
		t.Fatal(err)
	}
	reply, _, err := f.svc.Post(ctx, c.ID, support.NewMessage{Kind: support.KindAgent, AuthorID: "a1", Body: "Chúng tôi đã mở khóa tài khoản."})
	if err != nil {
		t.Fatal(err)
	}
	// A messaging conversation opened in the console has no chat to post to.
	unbridged, err := f.svc.Start(ctx, support.NewConversation{Channel: support.ChannelMessaging, Body: "logged by hand"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.svc.Post(ctx, unbridged.ID, support.NewMessage{Kind: support.KindAgent, AuthorID: "a1", Body: "nowhere to go"}); err != nil {
		t.Fatal(err)
	}
	f.svc.WaitMail()

	tries := bridge.tries()
	if len(tries) != 1 {
		t.Fatalf("%d requests to the bridge, want the one reply", len(tries))
	}
	a := tries[0]
	// The sender signs with the wall clock, not the fixture's.
	if err := support.VerifyWebhook([][]byte{secretA}, a.header.Get("Frontdesk-Signature"), a.body, time.Now()); err != nil {
		t.Fatalf("signature: %v", err)
	}
	var ev map[string]any
	if err := json.Unmarshal(a.body, &ev); err != nil {
		t.Fatal(err)
	}
	msg, _ := ev["message"].(map[string]any)
	if len(ev) != 5 || ev["type"] != "message" || ev["delivery"] != a.header.Get("Frontdesk-Delivery") || ev["conversation_id"] != c.ID ||
		ev["external_ref"] != "telegram:123456" || len(msg) != 5 || msg["id"] != reply.ID || msg["kind"] != "agent" ||
		msg["body"] != reply.Body || msg["created_at"] != reply.CreatedAt.Format(time.RFC3339Nano) || msg["author_name"] != "An" {
		t.Fatalf("payload: %s", a.body)
	}
	if d, _ := ev["delivery"].(string); d == "" || len(d) > 64 {
		t.Fatalf("delivery id %q", d)
	}

	// The bridge refuses the next reply: logged, without text or secret.
	bridge.mu.Lock()
	bridge.script = []string{"400"}
	bridge.mu.Unlock()
	if _, _, err := f.svc.Post(ctx, c.ID, support.NewMessage{Kind: support.KindAgent, AuthorID: "a1", Body: "Mật khẩu tạm thời: 834-221"}); err != nil {
		t.Fatal(err)
	}
	f.svc.WaitMail()
	line := logs.String()
	if !strings.Contains(line, "not delivered") || strings.Contains(line, "834-221") || strings.Contains(line, string(secretA)) {
		t.Fatalf("log: %s", line)
	}
}
