package live

import (
	"bytes"
	"encoding/base64"
	"errors"
	"net/http"

	"github.com/frontdesk/frontdesk/internal/support"
	"github.com/frontdesk/frontdesk/internal/web"
)

// chatAttachment serves a file of the conversation a chat ticket names.
func (s *Handler) chatAttachment(w http.ResponseWriter, r *http.Request) error {
	conv, ok := s.ticketConversation(r.URL.Query().Get("ticket"), s.Now())
	if !ok {
		return web.ErrNotFound
	}
	a, data, err := web.Attachment(r, s.deps.Support, conv)
	if err != nil {
		return err
	}
	w.Header().Set("Referrer-Policy", "no-referrer")
	return web.SendFile(w, a, data)
}

// chatUpload collects a file sent over the chat socket in chunks.
type chatUpload struct {
	clientID, name string
	size           int
	buf            bytes.Buffer
}

func (c *chatConn) fileBegin(f chatFrame) error {
	if c.conv == "" {
		return c.fail("no_conversation", "Write a message first.")
	}
	if web.ClientID(f.ClientID) == "" || f.ClientID == "" || f.Size <= 0 || f.Size > support.MaxUploadBytes {
		return c.write(map[string]any{"type": "error", "code": "invalid_file", "client_id": f.ClientID, "message": "Send a file of at most 10 MB."})
	}
	c.upload = &chatUpload{clientID: f.ClientID, name: f.Name, size: f.Size}
	return nil
}

func (c *chatConn) fileChunk(f chatFrame) error {
	u := c.upload
	if u == nil || u.clientID != f.ClientID {
		return c.fail("no_file", "Begin the file first.")
	}
	b, err := base64.StdEncoding.DecodeString(f.Data)
	if err != nil || u.buf.Len()+len(b) > u.size {
		c.upload = nil
		return c.write(map[string]any{"type": "error", "code": "invalid_file", "client_id": f.ClientID, "message": "The file arrived damaged. Send it again."})
	}
	u.buf.Write(b)
	return nil
}

func (c *chatConn) fileEnd(f chatFrame) error {
	u := c.upload
	c.upload = nil
	if u == nil || u.clientID != f.ClientID || u.buf.Len() != u.size {
		return c.write(map[string]any{"type": "error", "code": "invalid_file", "client_id": f.ClientID, "message": "The file arrived incomplete. Send it again."})
	}
	msg, att, err := c.s.deps.Support.Upload(c.ctx, c.conv, support.KindCustomer, "", u.clientID, u.name, u.buf.Bytes())
	switch {
	case errors.Is(err, support.ErrUploadType):
		return c.write(map[string]any{"type": "error", "code": "file_type", "client_id": f.ClientID, "message": "Send a picture (PNG, JPEG, GIF, WebP), a PDF or a text file."})
	case err != nil:
		return err
	}
	out := map[string]any{"type": "ack", "client_id": u.clientID, "seq": msg.Seq, "id": msg.ID}
	if att != nil {
		out["attachment"] = att.ID
	}
	return c.write(out)
}
