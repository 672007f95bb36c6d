package support_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/internal/support"
)

var (
	secretA = []byte("0123456789abcdef-old-secret")
	secretB = []byte("fedcba9876543210-new-secret")
)

// Signatures: the right secret (either of two during a rotation), an
// untouched body and a fresh timestamp, or nothing.
func TestWebhookSignature(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	body := []byte(`{"platform":"telegram","chat_id":"42","text":"hi"}`)
	good := support.SignWebhook(secretB, now, body)
	secrets := [][]byte{secretA, secretB}
	if err := support.VerifyWebhook(secrets, good, body, now.Add(time.Minute)); err != nil {
		t.Fatalf("good signature: %v", err)
	}
	for name, tc := range map[string]struct {
		header string
		body   []byte
		now    time.Time
		want   error
	}{
		"wrong secret":    {support.SignWebhook([]byte("not-the-secret-at-all"), now, body), body, now, support.ErrWebhookSignature},
		"tampered body":   {good, []byte(strings.Replace(string(body), "hi", "hi!", 1)), now, support.ErrWebhookSignature},
		"too old":         {good, body, now.Add(support.WebhookTolerance + time.Second), support.ErrWebhookStale},
		"from the future": {good, body, now.Add(-support.WebhookTolerance - time.Second), support.ErrWebhookStale},
		"empty":           {"", body, now, support.ErrWebhookSignature},
		"no v1":           {"t=1800000000", body, now, support.ErrWebhookSignature},
		"not hex":         {"t=1800000000,v1=" + strings.Repeat("z", 64), body, now, support.ErrWebhookSignature},
		"huge time":       {"t=99999999999999999999,v1=" + strings.Repeat("0", 64), body, now, support.ErrWebhookSignature},
	} {
		if err := support.VerifyWebhook(secrets, tc.header, tc.body, tc.now); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", name, err, tc.want)
		}
	}
	// At the edge of the window it still verifies.
	if err := support.VerifyWebhook(secrets, good, body, now.Add(support.WebhookTolerance)); err != nil {
		t.Fatalf("at the edge: %v", err)
	}
}

// Deliveries: a chat's messages land in one conversation; the same
// platform message is stored once; a replayed delivery is refused and
// changes nothing; a closed conversation's chat starts a new one.
func TestReceiveMessaging(t *testing.T) {
	f := newFixture(t)
	in := support.MessagingInbound{Platform: "telegram", ChatID: "42", MessageID: "m1", From: "Hoa", Locale: "vi", Text: "Xin chào, tôi cần hỗ trợ"}
	c, m, dup, err := f.svc.ReceiveMessaging(ctx, "d1", in)
	if err != nil || dup || c.Channel != support.ChannelMessaging || c.Contact.Name != "Hoa" || m.Seq != 1 {
		t.Fatalf("first: %+v %v %v", c, dup, err)
	}
	if _, _, _, err := f.svc.ReceiveMessaging(ctx, "d1", in); !errors.Is(err, support.ErrWebhookReplay) {
		t.Fatalf("replayed delivery: %v", err)
	}
	if _, _, dup, err := f.svc.ReceiveMessaging(ctx, "d2", in); err != nil || !dup {
		t.Fatalf("same platform message, new delivery: %v %v", dup, err)
	}
	in.MessageID, in.Text = "m2", "Tài khoản bị khóa"
	c2, m2, _, err := f.svc.ReceiveMessaging(ctx, "d3", in)
	if err != nil || c2.ID != c.ID || m2.Seq != 2 {
		t.Fatalf("second message: %v", err)
	}
	if _, err := f.svc.Update(ctx, c.ID, support.Change{Status: support.StatusClosed}); err != nil {
		t.Fatal(err)
	}
	in.MessageID = "m3"
	c3, _, _, err := f.svc.ReceiveMessaging(ctx, "d4", in)
	if err != nil || c3.ID == c.ID {
		t.Fatalf("after closing: %v", err)
	}
	for _, bad := range []support.MessagingInbound{{Platform: "Tele Gram", ChatID: "1", Text: "x"}, {Platform: "x", ChatID: "", Text: "x"}, {Platform: "x", ChatID: "1", Text: " "}} {
		if _, _, _, err := f.svc.ReceiveMessaging(ctx, "d-bad", bad); !errors.Is(err, support.ErrInvalid) {
			t.Errorf("%+v: %v", bad, err)
		}
	}
	f.Clock.Add(25 * time.Hour)
	if n, err := f.svc.PurgeWebhookDeliveries(ctx); err != nil || n != 4 {
		t.Fatalf("purge: %d %v", n, err)
	}
}

// Replies go out signed; 5xx is retried, 4xx is not, redirects are not
// followed, plain http is refused except on loopback.
func TestOutgoingWebhook(t *testing.T) {
	var mu sync.Mutex
	var got []support.Outgoing
	fails := 1
	bridge := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := support.VerifyWebhook([][]byte{secretA}, r.Header.Get("Frontdesk-Signature"), body, time.Now()); err != nil {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if fails > 0 {
			fails--
			w.Header().Set("Retry-After", "1")
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		var ev support.Outgoing
		json.Unmarshal(body, &ev)
		got = append(got, ev)
	}))
	defer bridge.Close()
	sender, err := support.NewWebhookSender(bridge.URL, secretA)
	if err != nil {
		t.Fatal(err)
	}
	k := newFixture(t)
	svc := support.New(support.Options{DB: k.D, Keys: k.Keys, Audit: k.Log, Messaging: sender})
	c, _, _, err := svc.ReceiveMessaging(ctx, "d1", support.MessagingInbound{Platform: "whatsapp", ChatID: "84912345678", MessageID: "w1", Text: "Hello"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.Post(ctx, c.ID, support.NewMessage{Kind: support.KindAgent, AuthorID: "a1", Body: "How can I help?"}); err != nil {
		t.Fatal(err)
	}
	svc.WaitMail()
	mu.Lock()
	if len(got) != 1 || got[0].ExternalRef != "whatsapp:84912345678" || got[0].Message.Body != "How can I help?" {
		t.Fatalf("delivered: %+v", got)
	}
	mu.Unlock()

	// ASVS 1.3.6: a redirect is not followed (the URL is the operator's
	// configuration, not user input, but a compromised bridge must not
	// bounce the desk's requests elsewhere).
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, bridge.URL, http.StatusTemporaryRedirect)
	}))
	defer redirect.Close()
	rs, _ := support.NewWebhookSender(redirect.URL, secretA)
	if err := rs.Send(context.Background(), support.Outgoing{Type: "message", Delivery: "x"}); err == nil {
		t.Fatal("a redirect was followed")
	}
	var tries int
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		tries++
		mu.Unlock()
		http.Error(w, "no", http.StatusBadRequest)
	}))
	defer bad.Close()
	bs, _ := support.NewWebhookSender(bad.URL, secretA)
	if err := bs.Send(context.Background(), support.Outgoing{Type: "message", Delivery: "y"}); err == nil || tries != 1 {
		t.Fatalf("400: %v after %d tries", err, tries)
	}
	if _, err := support.NewWebhookSender("http://bridge.example/hook", secretA); err == nil {
		t.Fatal("plain http to a remote host accepted")
	}
	if _, err := support.NewWebhookSender("https://bridge.example/hook", []byte("short")); err == nil {
		t.Fatal("a short secret accepted")
	}
}
