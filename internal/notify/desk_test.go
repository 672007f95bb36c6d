package notify

import (
	"context"
	"crypto/tls"
	"errors"
	"net/mail"
	"net/url"
	"strings"
	"testing"
)

// The desk's mail through a real SMTP server: written as the support
// mailbox (From and Reply-To), framed as a conversation (the agent's words
// once, no greeting of ours, the reference, no "do not reply"), while the
// envelope sender stays the configured one.
func TestSendDeskReply(t *testing.T) {
	srv := startServer(t, serverOptions{startTLS: true, auth: true})
	m := newTestMailer(t, Config{
		SMTPURL:    smtpURL("smtp", srv, url.UserPassword(testUser, testPassword), ""),
		TLSConfig:  &tls.Config{RootCAs: srv.roots},
		SupportURL: "https://frontdesk.test/contact",
	}, nil)
	desk := &mail.Address{Name: "Acme Support", Address: "help@acme.test"}
	for _, tc := range []struct{ locale, replyLine string }{
		{"en", "Reply to this e-mail to write to us"},
		{"vi", "Bạn chỉ cần trả lời thư này"},
		{"zh", "直接回复这封邮件即可联系我们"},
	} {
		msg := Message{To: mail.Address{Name: "Anna", Address: "anna@example.test"}, Template: "desk_reply", Locale: tc.locale, From: desk, ReplyTo: desk,
			Data: map[string]any{"Title": "Re: Locked out", "Body": "Hello Anna,\n\nYour account is unlocked.", "Signature": "— Bao, Acme",
				"Org": "Acme", "Ref": "FD-1A2B3C4D", "CanReply": true}}
		if _, err := m.Send(context.Background(), msg); err != nil {
			t.Fatalf("%s: %v", tc.locale, err)
		}
		got := srv.received()
		rcv := got[len(got)-1]
		if rcv.from != "no-reply@frontdesk.test" {
			t.Errorf("%s: envelope sender %q", tc.locale, rcv.from)
		}
		p := parseMail(t, rcv.data)
		if p.from.Address != "help@acme.test" || p.from.Name != "Acme Support" {
			t.Errorf("%s: From %v", tc.locale, p.from)
		}
		if rt, err := mail.ParseAddress(p.header.Get("Reply-To")); err != nil || rt.Address != "help@acme.test" {
			t.Errorf("%s: Reply-To %q", tc.locale, p.header.Get("Reply-To"))
		}
		if p.subject != "Re: Locked out [FD-1A2B3C4D]" {
			t.Errorf("%s: subject %q", tc.locale, p.subject)
		}
		for _, part := range []string{p.text, p.html} {
			if n := strings.Count(part, "Hello"); n != 1 {
				t.Errorf("%s: %d greetings in\n%s", tc.locale, n, part)
			}
			for _, want := range []string{"Your account is unlocked.", "— Bao, Acme", "FD-1A2B3C4D", tc.replyLine} {
				if !strings.Contains(part, want) {
					t.Errorf("%s: lacks %q:\n%s", tc.locale, want, part)
				}
			}
			for _, never := range []string{"do not reply", "không trả lời", "请勿"} {
				if strings.Contains(part, never) {
					t.Errorf("%s: says %q:\n%s", tc.locale, never, part)
				}
			}
		}
	}
}

// A From or Reply-To that would add a header is refused before anything
// is sent.
func TestSendDeskAddressRefused(t *testing.T) {
	m := newTestMailer(t, Config{OutboxDir: t.TempDir()}, nil)
	for _, bad := range []*mail.Address{{Name: "x\r\nBcc: a@b.test", Address: "help@acme.test"}, {Address: "not an address"}} {
		for _, msg := range []Message{
			{To: mail.Address{Address: "a@example.test"}, Template: "desk_reply", From: bad, Data: map[string]any{"Title": "T", "Body": "B"}},
			{To: mail.Address{Address: "a@example.test"}, Template: "desk_reply", ReplyTo: bad, Data: map[string]any{"Title": "T", "Body": "B"}},
		} {
			if _, err := m.Send(context.Background(), msg); !errors.Is(err, ErrHeaderInjection) && !errors.Is(err, ErrInvalidAddress) {
				t.Errorf("%+v: err %v", bad, err)
			}
		}
	}
}
