package e2e

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
)

// Mail is one message from the instance's outbox, decoded.
type Mail struct {
	To, Subject, Text string
	// From, ReplyTo and MessageID are the header fields as sent.
	From, ReplyTo, MessageID string
}

// Mails returns the messages to addr in the outbox, oldest first.
func (i *Instance) Mails(t testing.TB, addr string) []Mail {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(i.DataDir, "outbox", "*.eml"))
	sort.Strings(files) // <unix-nanos>-<id>.eml
	var out []Mail
	for _, name := range files {
		raw, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		m, err := mail.ReadMessage(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		to, _ := mail.ParseAddress(m.Header.Get("To"))
		if to == nil || !strings.EqualFold(to.Address, addr) {
			continue
		}
		subject, _ := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
		_, params, _ := mime.ParseMediaType(m.Header.Get("Content-Type"))
		p, err := multipart.NewReader(m.Body, params["boundary"]).NextPart()
		if err != nil {
			t.Fatal(err)
		}
		text, _ := io.ReadAll(p) // multipart undoes the quoted-printable
		out = append(out, Mail{To: to.Address, Subject: subject, Text: string(text),
			From: m.Header.Get("From"), ReplyTo: m.Header.Get("Reply-To"), MessageID: m.Header.Get("Message-ID")})
	}
	return out
}

// WaitMail waits until addr has received more than n messages (mail is sent
// in the background) and returns the newest.
func (i *Instance) WaitMail(t testing.TB, addr string, n int) Mail {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		if ms := i.Mails(t, addr); len(ms) > n {
			return ms[len(ms)-1]
		}
		if time.Now().After(deadline) {
			t.Fatalf("no new e-mail to %s (have %d)", addr, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// WaitSubject waits for a message to addr whose subject contains sub and
// returns the latest such message. Mails of separate requests are sent in
// the background and may arrive in any order; this does not depend on it.
func (i *Instance) WaitSubject(t testing.TB, addr, sub string) Mail {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		ms := i.Mails(t, addr)
		for k := len(ms) - 1; k >= 0; k-- {
			if strings.Contains(ms[k].Subject, sub) {
				return ms[k]
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no e-mail to %s about %q", addr, sub)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

var (
	codeRE = regexp.MustCompile(`\b[0-9]{6}\b`)
	linkRE = regexp.MustCompile(`https?://[^\s]+\?token=[A-Za-z0-9_-]+`)
)

// Code returns the six-digit code in the message.
func (m Mail) Code(t testing.TB) string {
	t.Helper()
	c := codeRE.FindString(m.Text)
	if c == "" {
		t.Fatalf("no code in %q", m.Text)
	}
	return c
}

// Link returns the first link with a token in the message.
func (m Mail) Link(t testing.TB) string {
	t.Helper()
	l := linkRE.FindString(m.Text)
	if l == "" {
		t.Fatalf("no link in %q", m.Text)
	}
	return l
}
