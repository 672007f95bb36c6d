package notify

import (
	"context"
	"crypto/tls"
	"errors"
	"net/mail"
	"net/textproto"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// ASVS 1.3.11
//
// TestHeaderInjection checks that a CR, LF or other control character in
// any header value is refused before anything reaches the SMTP server or
// the outbox.
func TestHeaderInjection(t *testing.T) {
	srv := startServer(t, serverOptions{startTLS: true, auth: true})
	relay := newTestMailer(t, Config{
		SMTPURL:   smtpURL("smtp", srv, url.UserPassword(testUser, testPassword), ""),
		TLSConfig: &tls.Config{RootCAs: srv.roots},
	}, nil)
	outboxDir := filepath.Join(t.TempDir(), "outbox")
	outbox := newTestMailer(t, Config{OutboxDir: outboxDir}, nil)

	const bcc = "Bcc: victim@evil.test"
	tests := []struct {
		name   string
		modify func(*Message)
		want   error
	}{
		{"CRLF in display name", func(m *Message) { m.To.Name = "Eve\r\n" + bcc }, ErrHeaderInjection},
		{"CR in display name", func(m *Message) { m.To.Name = "Eve\r" + bcc }, ErrHeaderInjection},
		{"LF in display name", func(m *Message) { m.To.Name = "Eve\n" + bcc }, ErrHeaderInjection},
		{"NUL in display name", func(m *Message) { m.To.Name = "Eve\x00" }, ErrHeaderInjection},
		{"NEL in display name", func(m *Message) { m.To.Name = "Eve\u0085" + bcc }, ErrHeaderInjection},
		{"invalid UTF-8 in display name", func(m *Message) { m.To.Name = "Eve\xff" }, ErrHeaderInjection},
		{"CRLF in address", func(m *Message) { m.To.Address = "a@example.com\r\n" + bcc }, ErrHeaderInjection},
		{"LF in address", func(m *Message) { m.To.Address = "a@example.com\n" + bcc }, ErrHeaderInjection},
		{"CRLF in subject", func(m *Message) { m.Data["Title"] = "Hello\r\n" + bcc }, ErrHeaderInjection},
		{"LF in subject", func(m *Message) { m.Data["Title"] = "Hello\n" + bcc }, ErrHeaderInjection},
		{"CR in subject", func(m *Message) { m.Data["Title"] = "Hello\r" + bcc }, ErrHeaderInjection},
		{"DEL in subject", func(m *Message) { m.Data["Title"] = "Hello\x7f" }, ErrHeaderInjection},
		{"line separator in subject", func(m *Message) { m.Data["Title"] = "Hello\u2028" + bcc }, ErrHeaderInjection},
		{"CRLF in Message-ID", func(m *Message) { m.MessageID = "<x@frontdesk.test>\r\n" + bcc }, ErrHeaderInjection},
		{"LF in In-Reply-To", func(m *Message) { m.InReplyTo = "<x@frontdesk.test>\n" + bcc }, ErrHeaderInjection},
		{"CR in References", func(m *Message) { m.References = []string{"<a@frontdesk.test>", "<b@frontdesk.test>\r" + bcc} }, ErrHeaderInjection},
		{"space in Message-ID", func(m *Message) { m.MessageID = "<x y@frontdesk.test>" }, ErrInvalidMessageID},
		{"Message-ID without @", func(m *Message) { m.MessageID = "<frontdesk.test>" }, ErrInvalidMessageID},
		{"address with a name", func(m *Message) { m.To.Address = "Eve <eve@example.com>" }, ErrInvalidAddress},
		{"two addresses", func(m *Message) { m.To.Address = "eve@example.com, victim@evil.test" }, ErrInvalidAddress},
		{"non-ASCII address", func(m *Message) { m.To.Address = "hồng@example.vn" }, ErrInvalidAddress},
	}
	for _, tc := range tests {
		for _, m := range []*Mailer{relay, outbox} {
			t.Run(tc.name+"/"+m.transport.String(), func(t *testing.T) {
				msg := Message{
					To:       mail.Address{Name: "Eve", Address: "eve@example.com"},
					Template: "notice",
					Data:     map[string]any{"Title": "Hello", "Body": "Body"},
				}
				tc.modify(&msg)
				id, err := m.Send(context.Background(), msg)
				if !errors.Is(err, tc.want) {
					t.Fatalf("Send = %q, %v; want %v", id, err, tc.want)
				}
				if strings.Contains(err.Error(), "victim") {
					t.Errorf("error repeats the injected value: %v", err)
				}
			})
		}
	}
	if n := len(srv.received()); n != 0 {
		t.Errorf("SMTP server received %d messages", n)
	}
	if entries, _ := os.ReadDir(outboxDir); len(entries) != 0 {
		t.Errorf("outbox has %d files", len(entries))
	}
}

// FuzzHeaderValue checks that any display name, subject and Message-ID is
// either refused or written so that a mail parser reads back exactly one
// header of each kind with the original value.
func FuzzHeaderValue(f *testing.F) {
	for _, seed := range [][2]string{
		{"Nguyễn Thị Hồng", "Mã xác minh của bạn"},
		{"王小明", "您的验证码：493817"},
		{"Eve\r\nBcc: x@evil.test", "Hi\nBcc: x@evil.test"},
		{`"quoted" <name>, (comment)`, "=?utf-8?q?spoof?="},
		{"", strings.Repeat("long subject ", 40)},
		{"a\u2028b", "\x00\x7f\u0085"},
	} {
		f.Add(seed[0], seed[1], "id@frontdesk.test")
	}
	m := newTestMailer(f, Config{OutboxDir: f.TempDir()}, nil)
	f.Fuzz(func(t *testing.T, name, subject, msgID string) {
		subject = strings.TrimSpace(subject)
		for _, v := range []string{name, subject, msgID} {
			if checkHeaderValue("v", v) == nil && (!utf8.ValidString(v) || strings.IndexFunc(v, unicode.IsControl) >= 0) {
				t.Fatalf("accepted %q", v)
			}
		}
		if subject == "" {
			return
		}
		msg := Message{To: mail.Address{Name: name, Address: "to@example.com"}, MessageID: msgID}
		raw, id, err := m.compose(msg, Rendered{Subject: subject, Text: "t", HTML: "h", Locale: "en"}, testNow)
		if err != nil {
			if !errors.Is(err, ErrHeaderInjection) && !errors.Is(err, ErrInvalidMessageID) {
				t.Fatalf("unexpected error: %v", err)
			}
			return
		}
		p := parseMail(t, raw)
		for _, h := range []string{"From", "To", "Subject", "Message-ID", "Date"} {
			if len(p.header[textproto.CanonicalMIMEHeaderKey(h)]) != 1 {
				t.Fatalf("%d %s headers", len(p.header[h]), h)
			}
		}
		if len(p.header) != 9 {
			t.Fatalf("message has %d header fields, want 9:\n%s", len(p.header), raw)
		}
		if p.subject != subject {
			t.Fatalf("Subject read back as %q, want %q", p.subject, subject)
		}
		if p.to.Name != name || p.to.Address != "to@example.com" {
			t.Fatalf("To read back as %+v, want name %q", p.to, name)
		}
		if p.header.Get("Message-ID") != id {
			t.Fatalf("Message-ID read back as %q, want %q", p.header.Get("Message-ID"), id)
		}
	})
}
