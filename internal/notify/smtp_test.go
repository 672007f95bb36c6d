package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"net/mail"
	"net/url"
	"strings"
	"testing"
)

// smtpURL builds a URL with the test credentials for a test server.
func smtpURL(scheme string, s *testServer, user *url.Userinfo, query string) string {
	u := url.URL{Scheme: scheme, User: user, Host: s.addr, RawQuery: query}
	return u.String()
}

// sendCase is one localised message and what must arrive.
type sendCase struct {
	name        string
	msg         Message
	wantLocale  string
	wantGreet   string
	wantFooter  string
	wantMsgID   string // "" means generated
	wantReplyTo string
	wantRefs    string
}

var sendCases = []sendCase{
	{
		name: "vietnamese",
		msg: Message{
			To:       mail.Address{Name: "Nguyễn Thị Hồng", Address: "hong@example.vn"},
			Template: "notice",
			Locale:   "vi-VN",
			Data: map[string]any{
				"Name":       "Hồng",
				"Title":      "Mã xác minh của bạn là 493817 — hãy nhập trong vòng 10 phút",
				"Body":       "Chúng tôi đã nhận được yêu cầu đăng nhập vào tài khoản của bạn.\n\n<script>alert('xss')</script>",
				"ActionURL":  "https://frontdesk.test/verify?code=493817&lang=vi",
				"ActionText": "Xác minh ngay",
				"SupportURL": "https://frontdesk.test/help",
			},
		},
		wantLocale: "vi",
		wantGreet:  "Xin chào Hồng,",
		wantFooter: "Nếu bạn cần giúp đỡ, hãy liên hệ bộ phận hỗ trợ: https://frontdesk.test/help",
	},
	{
		name: "chinese",
		msg: Message{
			To:        mail.Address{Name: "王小明", Address: "xiaoming@example.cn"},
			Template:  "notice",
			Locale:    "zh-Hans-CN",
			MessageID: "reply-7@frontdesk.test",
			InReplyTo: "<ticket-42@frontdesk.test>",
			References: []string{
				"<ticket-41@frontdesk.test>",
				"ticket-42@frontdesk.test",
			},
			Data: map[string]any{
				"Name":  "王小明",
				"Title": "您的工单 #42 有新的回复",
				"Body":  "客服人员已回复您的问题。<script>alert(1)</script>",
			},
		},
		wantLocale:  "zh",
		wantGreet:   "王小明，您好！",
		wantFooter:  "如需帮助，请联系客服支持。",
		wantMsgID:   "<reply-7@frontdesk.test>",
		wantReplyTo: "<ticket-42@frontdesk.test>",
		wantRefs:    "<ticket-41@frontdesk.test> <ticket-42@frontdesk.test>",
	},
}

func TestSendSTARTTLS(t *testing.T) {
	srv := startServer(t, serverOptions{startTLS: true, auth: true})
	var logs bytes.Buffer
	m := newTestMailer(t, Config{
		SMTPURL:   smtpURL("smtp", srv, url.UserPassword(testUser, testPassword), ""),
		TLSConfig: &tls.Config{RootCAs: srv.roots},
	}, &logs)

	for i, tc := range sendCases {
		t.Run(tc.name, func(t *testing.T) {
			id, err := m.Send(context.Background(), tc.msg)
			if err != nil {
				t.Fatalf("Send: %v", err)
			}
			got := srv.received()
			if len(got) != i+1 {
				t.Fatalf("server has %d messages, want %d", len(got), i+1)
			}
			rcv := got[i]
			if !rcv.tls {
				t.Error("message travelled without TLS")
			}
			if rcv.from != "no-reply@frontdesk.test" || len(rcv.to) != 1 || rcv.to[0] != tc.msg.To.Address {
				t.Errorf("envelope = %q -> %q", rcv.from, rcv.to)
			}
			checkMessage(t, rcv.data, id, tc)
		})
	}

	log := logs.String()
	for _, secret := range []string{testPassword, "493817", "https://frontdesk.test/verify", "hong@", "xiaoming@", "alert", "Hồng"} {
		if strings.Contains(log, secret) {
			t.Errorf("log contains %q:\n%s", secret, log)
		}
	}
	for _, want := range []string{"template=notice", "to_domain=example.vn", "to_domain=example.cn", "outcome=sent", "message_id="} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
}

// checkMessage compares a delivered message with what tc asked for.
func checkMessage(t *testing.T, raw []byte, id string, tc sendCase) {
	t.Helper()
	p := parseMail(t, raw)
	h := p.header
	if p.subject != tc.msg.Data["Title"] {
		t.Errorf("Subject = %q, want %q", p.subject, tc.msg.Data["Title"])
	}
	if p.from.Name != "Frontdesk" || p.from.Address != "no-reply@frontdesk.test" {
		t.Errorf("From = %+v", p.from)
	}
	if *p.to != tc.msg.To {
		t.Errorf("To = %+v, want %+v", p.to, tc.msg.To)
	}
	if !p.date.Equal(testNow) {
		t.Errorf("Date = %v, want %v", p.date, testNow)
	}
	if h.Get("Message-ID") != id {
		t.Errorf("Message-ID = %q, Send returned %q", h.Get("Message-ID"), id)
	}
	if tc.wantMsgID != "" && id != tc.wantMsgID {
		t.Errorf("Message-ID = %q, want %q", id, tc.wantMsgID)
	}
	if tc.wantMsgID == "" && (!strings.HasPrefix(id, "<") || !strings.HasSuffix(id, "@frontdesk.test>")) {
		t.Errorf("generated Message-ID %q", id)
	}
	for name, want := range map[string]string{
		"In-Reply-To":      tc.wantReplyTo,
		"References":       tc.wantRefs,
		"MIME-Version":     "1.0",
		"Auto-Submitted":   "auto-generated",
		"Content-Language": tc.wantLocale,
	} {
		if got := h.Get(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if p.parts[0].Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Errorf("first part is %q, want text/plain", p.parts[0].Get("Content-Type"))
	}

	body := tc.msg.Data["Body"].(string)
	for _, want := range []string{tc.wantGreet, body, tc.wantFooter} {
		if !strings.Contains(p.text, want) {
			t.Errorf("text part lacks %q:\n%s", want, p.text)
		}
	}
	if u, ok := tc.msg.Data["ActionURL"].(string); ok && !strings.Contains(p.text, u) {
		t.Errorf("text part lacks the link %q", u)
	}
	if strings.Contains(p.html, "<script>") || !strings.Contains(p.html, "&lt;script&gt;") {
		t.Errorf("HTML part does not escape <script>:\n%s", p.html)
	}
	for _, want := range []string{`<html lang="` + tc.wantLocale + `">`, tc.wantGreet, tc.msg.Data["Title"].(string)} {
		if !strings.Contains(p.html, want) {
			t.Errorf("HTML part lacks %q", want)
		}
	}
	if tc.msg.Data["ActionURL"] != nil && !strings.Contains(p.html, `href="https://frontdesk.test/verify?code=493817&amp;lang=vi"`) {
		t.Errorf("HTML part lacks the escaped link:\n%s", p.html)
	}
}

func TestSendImplicitTLS(t *testing.T) {
	srv := startServer(t, serverOptions{implicitTLS: true, auth: true})
	m := newTestMailer(t, Config{
		SMTPURL:   smtpURL("smtps", srv, url.UserPassword(testUser, testPassword), ""),
		TLSConfig: &tls.Config{RootCAs: srv.roots},
	}, nil)
	id, err := m.Send(context.Background(), sendCases[1].msg)
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	got := srv.received()
	if len(got) != 1 || !got[0].tls {
		t.Fatalf("got %d messages (tls=%v), want 1 over TLS", len(got), len(got) == 1 && got[0].tls)
	}
	checkMessage(t, got[0].data, id, sendCases[1])
}

func TestSendAuthLogin(t *testing.T) {
	srv := startServer(t, serverOptions{startTLS: true, auth: true, loginOnly: true})
	m := newTestMailer(t, Config{
		SMTPURL:   smtpURL("smtp", srv, url.UserPassword(testUser, testPassword), ""),
		TLSConfig: &tls.Config{RootCAs: srv.roots},
	}, nil)
	if _, err := m.Send(context.Background(), sendCases[0].msg); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if n, tries := len(srv.received()), srv.authAttempts(); n != 1 || tries != 1 {
		t.Fatalf("server got %d messages after %d AUTH attempts, want 1 and 1", n, tries)
	}
}

func TestSendRefused(t *testing.T) {
	msg := Message{To: mail.Address{Address: "a@example.com"}, Template: "test", Locale: "en"}
	creds := url.UserPassword(testUser, testPassword)
	tests := []struct {
		name      string
		opts      serverOptions
		scheme    string
		user      *url.Userinfo
		query     string
		trust     bool
		wantErr   error // nil: any error
		wantAuths int
	}{
		{"wrong password", serverOptions{startTLS: true, auth: true}, "smtp", url.UserPassword(testUser, "wrong-Pa55word"), "", true, ErrAuthFailed, 1},
		{"no STARTTLS with credentials", serverOptions{auth: true, insecure: true}, "smtp", creds, "", true, ErrTLSUnavailable, 0},
		{"no STARTTLS without credentials", serverOptions{}, "smtp", nil, "", true, ErrTLSUnavailable, 0},
		{"untrusted certificate", serverOptions{startTLS: true, auth: true}, "smtp", creds, "", false, nil, 0},
		{"plain server needs auth", serverOptions{auth: true, insecure: true}, "smtp", nil, "tls=none", true, nil, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := startServer(t, tc.opts)
			cfg := Config{SMTPURL: smtpURL(tc.scheme, srv, tc.user, tc.query)}
			if tc.trust {
				cfg.TLSConfig = &tls.Config{RootCAs: srv.roots}
			}
			var logs bytes.Buffer
			m := newTestMailer(t, cfg, &logs)
			_, err := m.Send(context.Background(), msg)
			if err == nil {
				t.Fatal("Send succeeded")
			}
			if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Errorf("err = %v, want %v", err, tc.wantErr)
			}
			for _, secret := range []string{testPassword, "wrong-Pa55word", "Pa55"} {
				if strings.Contains(err.Error(), secret) || strings.Contains(logs.String(), secret) {
					t.Errorf("error or log reveals the password: %v", err)
				}
			}
			if n := srv.authAttempts(); n != tc.wantAuths {
				t.Errorf("server saw %d AUTH attempts, want %d", n, tc.wantAuths)
			}
			if n := len(srv.received()); n != 0 {
				t.Errorf("server received %d messages", n)
			}
			t.Logf("error: %v", err)
		})
	}
}

func TestSendPlainRelay(t *testing.T) {
	srv := startServer(t, serverOptions{})
	m := newTestMailer(t, Config{SMTPURL: smtpURL("smtp", srv, nil, "tls=none")}, nil)
	id, err := m.Send(context.Background(), sendCases[0].msg)
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	got := srv.received()
	if len(got) != 1 || got[0].tls {
		t.Fatalf("got %d messages, want 1 without TLS", len(got))
	}
	checkMessage(t, got[0].data, id, sendCases[0])
}

func TestSendCancelled(t *testing.T) {
	srv := startServer(t, serverOptions{startTLS: true, auth: true})
	m := newTestMailer(t, Config{
		SMTPURL:   smtpURL("smtp", srv, url.UserPassword(testUser, testPassword), ""),
		TLSConfig: &tls.Config{RootCAs: srv.roots},
	}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := m.Send(ctx, sendCases[0].msg); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if n := len(srv.received()); n != 0 {
		t.Errorf("server received %d messages", n)
	}
}
