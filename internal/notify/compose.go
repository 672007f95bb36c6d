package notify

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"mime/multipart"
	"mime/quotedprintable"
	"net/textproto"
	"strings"
	"time"
)

// headers is an ordered list of header fields, written as given.
type headers [][2]string

// add appends a field whose value is already encoded and checked.
func (h *headers) add(name, value string) { *h = append(*h, [2]string{name, value}) }

// composeHeaders checks every caller-supplied header value and returns the
// top-level header fields and the Message-ID. It writes nothing, so a
// refused value leaves no trace.
func (m *Mailer) composeHeaders(msg Message, r Rendered, now time.Time) (headers, string, error) {
	if err := checkAddress("To", msg.To); err != nil {
		return nil, "", err
	}
	if err := checkHeaderValue("Subject", r.Subject); err != nil {
		return nil, "", err
	}
	from := m.fromHeader
	if msg.From != nil {
		if err := checkAddress("From", *msg.From); err != nil {
			return nil, "", err
		}
		from = formatAddress(*msg.From)
	}
	if msg.ReplyTo != nil {
		if err := checkAddress("Reply-To", *msg.ReplyTo); err != nil {
			return nil, "", err
		}
	}
	msgID := msg.MessageID
	var err error
	if msgID == "" {
		msgID = "<" + randomHex(16) + "@" + addressDomain(m.from.Address) + ">"
	} else if msgID, err = normalizeMsgID("Message-ID", msgID); err != nil {
		return nil, "", err
	}
	var h headers
	h.add("From", from)
	if msg.ReplyTo != nil {
		h.add("Reply-To", formatAddress(*msg.ReplyTo))
	}
	h.add("To", formatAddress(msg.To))
	h.add("Subject", formatText(r.Subject))
	h.add("Date", now.Format(time.RFC1123Z))
	h.add("Message-ID", msgID)
	if msg.InReplyTo != "" {
		id, err := normalizeMsgID("In-Reply-To", msg.InReplyTo)
		if err != nil {
			return nil, "", err
		}
		h.add("In-Reply-To", id)
	}
	if len(msg.References) > 0 {
		refs := make([]string, len(msg.References))
		for i, ref := range msg.References {
			if refs[i], err = normalizeMsgID("References", ref); err != nil {
				return nil, "", err
			}
		}
		h.add("References", strings.Join(refs, "\r\n "))
	}
	h.add("MIME-Version", "1.0")
	h.add("Auto-Submitted", "auto-generated")
	h.add("Content-Language", r.Locale)
	return h, msgID, nil
}

// compose builds the complete RFC 5322 message with CRLF line ends: the
// headers above and a multipart/alternative body holding a text/plain and
// a text/html part, both UTF-8 and quoted-printable, so the message is
// 7-bit clean.
func (m *Mailer) compose(msg Message, r Rendered, now time.Time) ([]byte, string, error) {
	h, msgID, err := m.composeHeaders(msg, r, now)
	if err != nil {
		return nil, "", err
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, part := range []struct{ ctype, content string }{
		{"text/plain; charset=utf-8", r.Text},
		{"text/html; charset=utf-8", r.HTML},
	} {
		pw, err := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {part.ctype},
			"Content-Transfer-Encoding": {"quoted-printable"},
		})
		if err != nil {
			return nil, "", err
		}
		qp := quotedprintable.NewWriter(pw)
		// quotedprintable turns "\n" into CRLF, so give it bare LFs.
		if _, err := qp.Write([]byte(strings.ReplaceAll(part.content, "\r\n", "\n"))); err != nil {
			return nil, "", err
		}
		if err := qp.Close(); err != nil {
			return nil, "", err
		}
	}
	if err := mw.Close(); err != nil {
		return nil, "", err
	}
	h.add("Content-Type", "multipart/alternative; boundary=\""+mw.Boundary()+"\"")

	var out bytes.Buffer
	for _, f := range h {
		fmt.Fprintf(&out, "%s: %s\r\n", f[0], f[1])
	}
	out.WriteString("\r\n")
	out.Write(body.Bytes())
	return out.Bytes(), msgID, nil
}

// randomHex returns n random bytes from crypto/rand as hex.
func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails; see crypto/rand.Read
	return hex.EncodeToString(b)
}
