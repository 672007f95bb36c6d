package notify

import (
	"bytes"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
	"testing"
	"time"
)

// testFrom is the sender used by every test.
const testFrom = "Frontdesk <no-reply@frontdesk.test>"

// testNow is the fixed clock of every test mailer.
var testNow = time.Date(2025, 3, 14, 9, 26, 53, 0, time.FixedZone("ICT", 7*60*60))

// newTestMailer builds a Mailer with a fixed clock, logging into logs.
func newTestMailer(t testing.TB, cfg Config, logs *bytes.Buffer) *Mailer {
	t.Helper()
	if cfg.From == "" {
		cfg.From = testFrom
	}
	cfg.Clock = func() time.Time { return testNow }
	var w io.Writer = io.Discard
	if logs != nil {
		w = logs
	}
	m, err := NewMailer(cfg, slog.New(slog.NewTextHandler(w, nil)))
	if err != nil {
		t.Fatalf("NewMailer: %v", err)
	}
	return m
}

// parsedMail is a message taken apart the way a mail client would.
type parsedMail struct {
	header  mail.Header
	subject string
	from    *mail.Address
	to      *mail.Address
	date    time.Time
	parts   []textproto.MIMEHeader
	text    string
	html    string
}

// parseMail parses raw with net/mail, mime/multipart and
// mime/quotedprintable, failing the test on anything malformed.
func parseMail(t *testing.T, raw []byte) parsedMail {
	t.Helper()
	for i, line := range strings.Split(string(raw), "\r\n") {
		if len(line) > 998 {
			t.Fatalf("line %d is %d bytes long", i+1, len(line))
		}
		if strings.Contains(line, "\n") {
			t.Fatalf("line %d has a bare LF", i+1)
		}
	}
	for i, c := range raw {
		if c >= 0x80 {
			t.Fatalf("byte %d is not 7-bit: %#x", i, c)
		}
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("ReadMessage: %v", err)
	}
	p := parsedMail{header: msg.Header}
	if p.subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); err != nil {
		t.Fatalf("Subject: %v", err)
	}
	if p.from, err = mail.ParseAddress(msg.Header.Get("From")); err != nil {
		t.Fatalf("From: %v", err)
	}
	if p.to, err = mail.ParseAddress(msg.Header.Get("To")); err != nil {
		t.Fatalf("To: %v", err)
	}
	if p.date, err = msg.Header.Date(); err != nil {
		t.Fatalf("Date: %v", err)
	}
	mediaType, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mediaType != "multipart/alternative" {
		t.Fatalf("Content-Type %q: %v", msg.Header.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		// NextRawPart keeps Content-Transfer-Encoding so it can be checked.
		part, err := mr.NextRawPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("NextRawPart: %v", err)
		}
		if cte := part.Header.Get("Content-Transfer-Encoding"); cte != "quoted-printable" {
			t.Fatalf("Content-Transfer-Encoding = %q", cte)
		}
		body, err := io.ReadAll(quotedprintable.NewReader(part))
		if err != nil {
			t.Fatalf("quoted-printable: %v", err)
		}
		// Text in MIME travels with CRLF line ends; compare with LF.
		body = bytes.ReplaceAll(body, []byte("\r\n"), []byte("\n"))
		p.parts = append(p.parts, part.Header)
		switch part.Header.Get("Content-Type") {
		case "text/plain; charset=utf-8":
			p.text = string(body)
		case "text/html; charset=utf-8":
			p.html = string(body)
		default:
			t.Fatalf("unexpected part %q", part.Header.Get("Content-Type"))
		}
	}
	if len(p.parts) != 2 || p.text == "" || p.html == "" {
		t.Fatalf("want a text and an HTML part, got %d parts", len(p.parts))
	}
	return p
}
