package e2e

import (
	"net/url"
	"os"
	"regexp"
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

// Mail from the desk, end to end: a visitor writes from the contact page
// and is shown the reference; the acknowledgement comes from the support
// mailbox with the reference and no "do not reply"; the visitor's answer
// to it, delivered to the mailbox on a real IMAP server, joins the same
// conversation; the agent's reply by e-mail greets once, is signed, and
// can be answered.
func TestDeskMail(t *testing.T) {
	imap := imaptest.Start(t)
	u := url.URL{Scheme: "imap", User: url.UserPassword(imaptest.User, imaptest.Password), Host: imap.Addr, Path: "/INBOX", RawQuery: "tls=none"}
	vars := map[string]string{"FRONTDESK_IMAP_URL": u.String(), "FRONTDESK_IMAP_INTERVAL": "1s",
		"FRONTDESK_SUPPORT_EMAIL": imaptest.User, "FRONTDESK_ORG_NAME": "Acme Bank"}
	for k, v := range fastHashing {
		vars[k] = v
	}
	fd := Start(t, vars)
	fd.createStaff(t, "sup@acme.example", "supervisor")
	sup := fd.signInAPI(t, "sup@acme.example", apiPassword)
	fd.enrolTOTPAPI(t, sup)

	status, _ := fd.consoleRequest(t, "POST", "/contact", "", url.Values{"email": {"lan@example.vn"}, "name": {"Lan"},
		"body": {"Tôi không nhận được mã xác minh.\nĐã thử ba lần."}, "category": {"two_factor"}})
	if status != 303 {
		t.Fatalf("contact: %d", status)
	}
	res := fd.Get(t, "/contact")
	res.Body.Close()
	ack := fd.WaitMail(t, "lan@example.vn", 0)
	ref := regexp.MustCompile(`FD-[0-9A-F]{8}`).FindString(ack.Subject)
	if ref == "" || !strings.Contains(ack.Text, ref) {
		t.Fatalf("acknowledgement without the reference: %q\n%s", ack.Subject, ack.Text)
	}
	if !strings.Contains(ack.From, imaptest.User) || !strings.Contains(ack.ReplyTo, imaptest.User) {
		t.Errorf("acknowledgement From %q Reply-To %q", ack.From, ack.ReplyTo)
	}
	if strings.Contains(ack.Text, "không nhận được mã") {
		t.Errorf("the acknowledgement repeats the visitor's words:\n%s", ack.Text)
	}
	for _, never := range []string{"do not reply", "không trả lời thư này"} {
		if strings.Contains(ack.Text, never) {
			t.Errorf("acknowledgement says %q:\n%s", never, ack.Text)
		}
	}
	_, page := fd.consoleRequest(t, "GET", "/contact?sent="+ref, "", nil)
	if !strings.Contains(string(page), ref) || !strings.Contains(string(page), `id="sent-ref"`) {
		t.Errorf("the contact page does not show the reference %s", ref)
	}

	// The visitor answers the acknowledgement: the answer joins the thread.
	imap.Deliver([]byte("From: Lan <lan@example.vn>\r\nTo: " + imaptest.User + "\r\nSubject: Re: " + ack.Subject +
		"\r\nMessage-ID: <lan-2@example.vn>\r\nIn-Reply-To: " + ack.MessageID + "\r\nDate: Mon, 7 Dec 2026 10:00:00 +0700\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n\r\nSố điện thoại của tôi là 0901 234 567.\r\n"))
	var conv string
	deadline := time.Now().Add(20 * time.Second)
	for {
		_, body := fd.consoleRequest(t, "GET", "/console/inbox?view=all&q="+ref, sup, nil)
		if m := convLink.FindStringSubmatch(string(body)); m != nil {
			conv = m[1]
			_, body = fd.consoleRequest(t, "GET", "/console/conversations/"+conv, sup, nil)
			if strings.Contains(string(body), "0901 234 567") {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the answer to the acknowledgement never joined conversation %s %q: %s", ref, conv, fd.Logs())
		}
		time.Sleep(200 * time.Millisecond)
	}
	if s := fd.postForm(t, "/console/conversations/"+conv+"/reply", sup, url.Values{"body": {"Chào chị Lan,\n\nChúng tôi đã gửi lại mã."}}); s != 303 {
		t.Fatalf("reply: %d", s)
	}
	reply := fd.WaitSubject(t, "lan@example.vn", "Re: ")
	if !strings.Contains(reply.Subject, ref) || !strings.Contains(reply.Text, "Chúng tôi đã gửi lại mã.") || !strings.Contains(reply.Text, "Acme Bank") {
		t.Errorf("reply: %q\n%s", reply.Subject, reply.Text)
	}
	if n := strings.Count(reply.Text, "Chào"); n != 1 || strings.Contains(reply.Text, "Xin chào") {
		t.Errorf("the reply greets %d times:\n%s", n, reply.Text)
	}
	if !strings.Contains(reply.From, imaptest.User) || !strings.Contains(reply.ReplyTo, imaptest.User) {
		t.Errorf("reply From %q Reply-To %q", reply.From, reply.ReplyTo)
	}
}
