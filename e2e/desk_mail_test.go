package e2e

import (
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/internal/mailin/imaptest"
)

// The support mailbox, end to end against a real IMAP server: an e-mail
// delivered to it becomes a conversation in the agent's inbox, in the
// writer's language; the agent's reply goes out threaded under it.
func TestSupportMailbox(t *testing.T) {
	imap := imaptest.Start(t)
	u := url.URL{Scheme: "imap", User: url.UserPassword(imaptest.User, imaptest.Password), Host: imap.Addr, Path: "/INBOX", RawQuery: "tls=none"}
	vars := map[string]string{"FRONTDESK_IMAP_URL": u.String(), "FRONTDESK_IMAP_INTERVAL": "1s"}
	for k, v := range fastHashing {
		vars[k] = v
	}
	fd := Start(t, vars)
	fd.createStaff(t, "sup@acme.example", "supervisor")
	sup := fd.signInAPI(t, "sup@acme.example", apiPassword)
	fd.enrolTOTPAPI(t, sup)

	raw, err := os.ReadFile("../internal/mailin/testdata/zh_gb2312.eml")
	if err != nil {
		t.Fatal(err)
	}
	imap.Deliver(raw)
	var page string
	deadline := time.Now().Add(20 * time.Second)
	for {
		_, body := fd.consoleRequest(t, "GET", "/console/inbox?view=all", sup, nil)
		page = string(body)
		if convLink.MatchString(page) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the e-mail never reached the inbox: %s", fd.Logs())
		}
		time.Sleep(200 * time.Millisecond)
	}
	conv := convLink.FindStringSubmatch(page)[1]
	_, body := fd.consoleRequest(t, "GET", "/console/conversations/"+conv, sup, nil)
	if !strings.Contains(string(body), "忘记密码") || !strings.Contains(string(body), "E-mail") {
		t.Fatalf("conversation page: %s", body)
	}
	if s := fd.postForm(t, "/console/conversations/"+conv+"/reply", sup, url.Values{"body": {"您好,请点击“忘记密码”重新设置。"}}); s != 303 {
		t.Fatalf("reply: %d", s)
	}
	if m := fd.WaitSubject(t, "zhang.wei@example.cn", "Re: 忘记密码"); !strings.Contains(m.Text, "重新设置") {
		t.Fatalf("reply mail: %q", m.Text)
	}
}
