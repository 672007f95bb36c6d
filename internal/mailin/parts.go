package mailin

import (
	"errors"
	"io"
	"strings"

	"github.com/emersion/go-message"
	"golang.org/x/text/unicode/norm"
)

// Limits on the MIME structure. The byte size is bounded by Parse's maxBytes;
// these stop a small message from costing much through deep nesting or
// thousands of tiny parts.
const (
	maxDepth       = 16
	maxParts       = 500
	maxAttachments = 100
)

// Reasons given in SkippedPart.
const (
	reasonTooDeep        = "nested too deeply"
	reasonTooManyParts   = "too many MIME parts"
	reasonTooManyAttach  = "too many attachments"
	reasonBadMultipart   = "malformed multipart structure; later parts lost"
	reasonBadEncoding    = "content could not be decoded"
	reasonPartialDecoded = "text could be decoded only in part"
)

// collector walks a message's MIME tree and fills a Message.
type collector struct {
	msg        *Message
	text, html []string
	parts      int
	overflow   bool // the part limit was hit and reported
}

// walk visits one entity and, for a multipart one, its children. parent is the
// media type of the enclosing multipart, or "" for the root.
func (c *collector) walk(e *message.Entity, depth int, parent string) {
	c.parts++
	if c.parts > maxParts {
		if !c.overflow {
			c.overflow = true
			c.skip("", "", reasonTooManyParts)
		}
		return
	}
	mediaType, params := contentType(e.Header)

	mr := e.MultipartReader()
	if mr == nil {
		c.leaf(e, mediaType, params, parent)
		return
	}
	if depth >= maxDepth {
		c.skip("", mediaType, reasonTooDeep)
		return
	}
	for {
		// An unknown charset or transfer encoding comes with a part whose
		// body is left as sent; that is kept, so only a missing part counts.
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return
		}
		if part == nil {
			// The error quotes message lines; keep it out of Skipped.
			c.skip("", mediaType, reasonBadMultipart)
			return
		}
		c.walk(part, depth+1, mediaType)
	}
}

// leaf handles a part that is not multipart: a body or an attachment.
func (c *collector) leaf(e *message.Entity, mediaType string, params map[string]string, parent string) {
	disp, dparams, _ := e.Header.ContentDisposition()
	disp = strings.ToLower(disp)
	filename := dparams["filename"]
	if filename == "" {
		filename = params["name"]
	}
	filename = cleanFilename(filename)

	isText := mediaType == "text/plain" || mediaType == "text/html"
	if isText && disp != "attachment" && filename == "" {
		data, err := io.ReadAll(e.Body)
		if err != nil {
			// Keep what was decoded: losing the customer's words is worse
			// than showing a damaged tail.
			c.skip("", mediaType, reasonPartialDecoded)
		}
		body := strings.ToValidUTF8(string(data), "\uFFFD")
		if mediaType == "text/html" {
			c.html = append(c.html, body)
		} else {
			c.text = append(c.text, body)
		}
		return
	}

	if len(c.msg.Attachments) >= maxAttachments {
		c.skip(filename, mediaType, reasonTooManyAttach)
		return
	}
	data, err := io.ReadAll(e.Body)
	if err != nil {
		c.skip(filename, mediaType, reasonBadEncoding)
		return
	}
	cid := compact(strings.Trim(strings.TrimSpace(e.Header.Get("Content-Id")), "<>"))
	c.msg.Attachments = append(c.msg.Attachments, Attachment{
		Filename:    filename,
		ContentType: mediaType,
		Data:        data,
		Inline:      disp == "inline" || (disp == "" && (cid != "" || parent == "multipart/related")),
		ContentID:   cid,
	})
}

func (c *collector) skip(filename, mediaType, reason string) {
	c.msg.Skipped = append(c.msg.Skipped, SkippedPart{Filename: filename, ContentType: mediaType, Reason: reason})
}

// finish sets the bodies once every part has been seen.
func (c *collector) finish() {
	if len(c.html) > 0 {
		c.msg.HTML = norm.NFC.String(sanitizeHTML(strings.Join(c.html, "\n")))
	}
	text := strings.Join(c.text, "\n\n")
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = norm.NFC.String(strings.ReplaceAll(text, "\x00", ""))
	if strings.TrimSpace(text) == "" && c.msg.HTML != "" {
		text = htmlToText(c.msg.HTML)
	}
	c.msg.Text = strings.TrimRight(text, " \t\r\n")
}

// contentType returns the lower-case media type and its parameters, falling
// back to the bare type when the parameters are malformed.
func contentType(h message.Header) (string, map[string]string) {
	t, params, err := h.ContentType()
	if err != nil {
		t, _, _ = strings.Cut(h.Get("Content-Type"), ";")
		params = nil
	}
	t = strings.ToLower(strings.TrimSpace(t))
	if !strings.Contains(t, "/") {
		t = "application/octet-stream"
	}
	return t, params
}
