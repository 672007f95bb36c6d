package e2e

import (
	"net/http"
	"net/url"
	"testing"
)

// The chat widget learns of a co-browsing invitation and of its end, on
// the portal and on another site of the business, and points to the
// conversation's page in the portal: consent is only taken there, signed
// in, with the agent's card and code (a chat ticket does not prove who
// holds it).
func TestAssistInviteInWidget(t *testing.T) {
	vars := map[string]string{"FRONTDESK_WIDGET_ORIGINS": "https://shop.example"}
	for k, v := range fastHashing {
		vars[k] = v
	}
	fd := Start(t, vars)
	sup := assistAgent(t, fd)
	fd.registerAPI(t, "minh@example.com")
	cust := fd.signInAPI(t, "minh@example.com", apiPassword)

	// The signed-in customer writes from the widget on the portal.
	c, _, err := fd.dialChat(t, fd.URL, cust)
	if err != nil {
		t.Fatal(err)
	}
	defer c.conn.CloseNow()
	c.send(map[string]any{"type": "hello", "locale": "en"})
	c.next("welcome")
	c.send(map[string]any{"type": "msg", "client_id": "c1", "body": "I cannot find where to change my card limit"})
	ack := c.next("ack")
	conv, ticket := ack["conversation_id"].(string), ack["ticket"].(string)

	// The same conversation in the widget on the shop's site, by its ticket.
	shop, _, err := fd.dialChat(t, "https://shop.example", "")
	if err != nil {
		t.Fatal(err)
	}
	defer shop.conn.CloseNow()
	shop.send(map[string]any{"type": "hello", "ticket": ticket, "last_seq": 1})
	shop.next("welcome")

	if s, body := fd.consoleRequest(t, "POST", "/console/conversations/"+conv+"/assist", sup, nil); s != http.StatusSeeOther {
		t.Fatalf("invite: %d %s", s, body)
	}
	want := fd.URL + "/support/" + conv
	var session string
	for name, w := range map[string]*chatClient{"portal": c, "shop": shop} {
		inv := w.next("assist_invite")
		if inv["url"] != want || inv["session_id"] == "" {
			t.Fatalf("%s widget: invitation %v, want a link to %s", name, inv, want)
		}
		session = inv["session_id"].(string)
		// Nothing of the consent travels to the widget: no code, no card.
		if inv["code"] != nil || inv["card"] != nil {
			t.Fatalf("%s widget: %v", name, inv)
		}
	}
	// The link leads to the conversation's page, for its customer only.
	if s, _ := fd.consoleRequest(t, "GET", "/support/"+conv, cust, nil); s != http.StatusOK {
		t.Fatalf("conversation page: %d", s)
	}

	// The agent withdraws: both widgets say the request has ended.
	if s, body := fd.consoleRequest(t, "POST", "/console/assist/"+session+"/stop", sup, url.Values{}); s != http.StatusSeeOther {
		t.Fatalf("withdraw: %d %s", s, body)
	}
	for name, w := range map[string]*chatClient{"portal": c, "shop": shop} {
		if end := w.next("assist_closed"); end["session_id"] != session {
			t.Fatalf("%s widget: %v", name, end)
		}
	}
}
