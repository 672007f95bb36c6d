package mailin

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"strings"
	"time"

	"github.com/emersion/go-message"
	// Registers decoders for the legacy charsets (ISO-8859-*, Windows-125x,
	// GB2312/GBK/GB18030, Big5, Shift_JIS, …) used by bodies and headers.
	_ "github.com/emersion/go-message/charset"
	"github.com/emersion/go-message/textproto"
)

var (
	// ErrTooLarge reports a message longer than the limit given to Parse.
	ErrTooLarge = errors.New("mailin: message too large")
	// ErrMalformed reports a message whose header cannot be read at all.
	ErrMalformed = errors.New("mailin: malformed message")
)

// Message is an incoming e-mail, decoded to UTF-8.
type Message struct {
	MessageID  string   // without angle brackets; empty when missing
	InReplyTo  string   // first id of In-Reply-To, without angle brackets
	References []string // ids of References, oldest first, without angle brackets
	From       mail.Address
	ReplyTo    []mail.Address // where the sender wants answers; empty means From
	To, Cc     []mail.Address
	Subject    string
	Date       time.Time // zero when missing or unparseable
	// Text is the plain-text body. When the message has only HTML it is
	// derived from the HTML, paragraph breaks kept.
	Text string
	// HTML is the HTML body after sanitising (see docs/mail-in.md); empty
	// when the message has no HTML part. It is safe to embed in a page.
	HTML        string
	Attachments []Attachment
	// Skipped lists the parts left out of the message and why, so that the
	// desk can tell the agent instead of silently losing them.
	Skipped []SkippedPart
	// AutoSubmitted is true for auto-replies, bulk and list mail and bounces:
	// the desk must not answer them automatically, or mail loops follow.
	AutoSubmitted bool
}

// Attachment is a file carried by a message. Filename and ContentType come
// from the sender: treat them as untrusted.
type Attachment struct {
	Filename    string // base name only; may be empty
	ContentType string // lower-case media type, such as "application/pdf"
	Data        []byte // decoded content
	Inline      bool   // shown in the body (e.g. an image referenced by cid:)
	ContentID   string // without angle brackets; the target of cid: URLs
}

// SkippedPart describes a MIME part that Parse left out or could decode only
// in part.
type SkippedPart struct {
	Filename    string
	ContentType string
	Reason      string
}

// Parse reads one RFC 5322 message of at most maxBytes bytes from r.
//
// Malformed parts are skipped and listed in Message.Skipped; only a header
// that cannot be read makes Parse fail with ErrMalformed. A message longer
// than maxBytes fails with ErrTooLarge, but the returned Message still holds
// the header fields when they could be read, so that the desk can tell the
// sender. Errors never quote the message's content.
func Parse(r io.Reader, maxBytes int64) (*Message, error) {
	if maxBytes <= 0 {
		return nil, errors.New("mailin: parse: maxBytes must be positive")
	}
	raw, err := io.ReadAll(io.LimitReader(r, maxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("mailin: read message: %w", err)
	}
	if int64(len(raw)) > maxBytes {
		return headerOnly(raw), fmt.Errorf("%w: more than %d bytes", ErrTooLarge, maxBytes)
	}

	// An unknown charset or transfer encoding comes with an error and an
	// entity whose body is left as sent, which is the best we can do.
	root, _ := message.Read(bytes.NewReader(raw))
	if root == nil {
		return nil, fmt.Errorf("%w: cannot read header", ErrMalformed)
	}
	msg := &Message{}
	fillHeader(msg, root.Header)
	msg.AutoSubmitted = isAutoSubmitted(root.Header, msg.From)

	c := collector{msg: msg}
	c.walk(root, 0, "")
	c.finish()
	return msg, nil
}

// headerOnly parses what it can of the header of a message that is too long
// to parse whole; nil when even the header is unreadable.
func headerOnly(raw []byte) *Message {
	h, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(raw)))
	if err != nil {
		return nil
	}
	msg := &Message{}
	fillHeader(msg, message.Header{Header: h})
	msg.AutoSubmitted = isAutoSubmitted(message.Header{Header: h}, msg.From)
	return msg
}

func fillHeader(msg *Message, h message.Header) {
	if ids := msgIDs(h.Get("Message-Id")); len(ids) > 0 {
		msg.MessageID = ids[0]
	}
	if ids := msgIDs(h.Get("In-Reply-To")); len(ids) > 0 {
		msg.InReplyTo = ids[0]
	}
	msg.References = msgIDs(h.Get("References"))

	from := addressList(h.Get("From"))
	if len(from) == 0 {
		from = addressList(h.Get("Sender"))
	}
	if len(from) > 0 {
		msg.From = from[0]
	}
	msg.ReplyTo = addressList(h.Get("Reply-To"))
	msg.To = addressList(h.Get("To"))
	msg.Cc = addressList(h.Get("Cc"))

	// On an unknown charset Text returns the raw value, which is the best
	// we can do.
	subject, _ := h.Text("Subject")
	msg.Subject = cleanLine(subject)

	if d, err := mail.ParseDate(strings.TrimSpace(h.Get("Date"))); err == nil {
		msg.Date = d
	}
}
