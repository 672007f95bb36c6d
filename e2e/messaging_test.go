package e2e

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/internal/support"
)

// A messaging bridge, end to end: signed deliveries become a conversation,
// replays and forgeries are refused, and the agent's reply reaches the
// bridge signed.
func TestMessagingBridge(t *testing.T) {
	secret := []byte("bridge secret 0123456789")
	var mu sync.Mutex
	var replies []support.Outgoing
	bridge := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if support.VerifyWebhook([][]byte{secret}, r.Header.Get("Frontdesk-Signature"), body, time.Now()) != nil {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		var ev support.Outgoing
		json.Unmarshal(body, &ev)
		mu.Lock()
		replies = append(replies, ev)
		mu.Unlock()
	}))
	defer bridge.Close()
	vars := map[string]string{"FRONTDESK_MESSAGING_SECRETS": string(secret), "FRONTDESK_MESSAGING_OUTBOUND_URL": bridge.URL}
	for k, v := range fastHashing {
		vars[k] = v
	}
	fd := Start(t, vars)
	deliver := func(delivery string, body []byte, sig string) (int, map[string]any) {
		req, _ := http.NewRequest("POST", fd.URL+"/api/v1/messaging/inbound", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Frontdesk-Delivery", delivery)
		req.Header.Set("Frontdesk-Signature", sig)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var out map[string]any
		json.NewDecoder(res.Body).Decode(&out)
		return res.StatusCode, out
	}
	body := []byte(`{"platform":"telegram","chat_id":"777","message_id":"1","from":"Minh","text":"Thẻ của tôi bị khóa"}`)
	status, out := deliver("d1", body, support.SignWebhook(secret, time.Now(), body))
	if status != http.StatusOK || out["conversation_id"] == nil {
		t.Fatalf("delivery: %d %v", status, out)
	}
	conv := out["conversation_id"].(string)
	// ASVS (derived, webhooks): replay and forgery refused, nothing stored.
	if status, _ := deliver("d1", body, support.SignWebhook(secret, time.Now(), body)); status != http.StatusConflict {
		t.Fatalf("replay: %d", status)
	}
	if status, _ := deliver("d2", body, support.SignWebhook([]byte("someone else's secret!!"), time.Now(), body)); status != http.StatusUnauthorized {
		t.Fatalf("forged: %d", status)
	}
	if status, _ := deliver("d3", body, support.SignWebhook(secret, time.Now().Add(-10*time.Minute), body)); status != http.StatusUnauthorized {
		t.Fatalf("stale: %d", status)
	}
	fd.createStaff(t, "sup@acme.example", "supervisor")
	sup := fd.signInAPI(t, "sup@acme.example", apiPassword)
	fd.enrolTOTPAPI(t, sup)
	if s := fd.postForm(t, "/console/conversations/"+conv+"/reply", sup, url.Values{"body": {"Chúng tôi đã mở khóa thẻ."}}); s != http.StatusSeeOther {
		t.Fatalf("reply: %d", s)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		n := len(replies)
		mu.Unlock()
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the reply never reached the bridge")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if r := replies[0]; r.ExternalRef != "telegram:777" || r.Message.Body != "Chúng tôi đã mở khóa thẻ." || r.ConversationID != conv {
		t.Fatalf("bridge got %+v", r)
	}
}
