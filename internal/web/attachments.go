package web

import (
	"bytes"
	"encoding/base64"
	"errors"
	"net/http"

	"github.com/frontdesk/frontdesk/internal/support"
)

// Files in conversations: agents upload from the console, customers from
// the portal or the chat widget; everyone downloads only files of
// conversations they may read. Files are always sent as downloads
// (Content-Disposition: attachment, nosniff, a sandboxing CSP), never
// rendered by the portal's origin.

// FileUploadLimit bounds the body of a route that takes one file of up to
// support.MaxUploadBytes, with room for the form around it.
const FileUploadLimit = support.MaxUploadBytes + 64<<10

var ErrNoFile = &Error{Status: http.StatusBadRequest, Code: "file_required", Field: "file", Message: "Choose a file to send."}

func (s *Server) consoleAttach(w http.ResponseWriter, r *http.Request) error {
	ctx, id := r.Context(), r.PathValue("id")
	name, data, err := ReadFilePart(r)
	if err != nil {
		return err
	}
	if _, _, err := s.opts.Support.Upload(ctx, id, support.KindAgent, Principal(ctx).AccountID, "", name, data); err != nil {
		return UploadError(err)
	}
	return BackToConversation(w, r, id, "attached")
}

func (s *Server) supportAttach(w http.ResponseWriter, r *http.Request) error {
	c, err := s.myConversation(r)
	if err != nil {
		return err
	}
	name, data, err := ReadFilePart(r)
	if err != nil {
		return err
	}
	if _, _, err := s.opts.Support.Upload(r.Context(), c.ID, support.KindCustomer, "", "", name, data); err != nil {
		return UploadError(err)
	}
	http.Redirect(w, r, "/support/"+c.ID, http.StatusSeeOther)
	return nil
}

// Attachment loads the file named by the path's {id} from the conversation
// convID ("" for any).
func Attachment(r *http.Request, sv *support.Service, convID string) (*support.Attachment, []byte, error) {
	id := r.PathValue("id")
	if !ConvIDPattern.MatchString(id) {
		return nil, nil, ErrNotFound
	}
	a, data, err := sv.AttachmentData(r.Context(), id)
	if err != nil {
		return nil, nil, SupportError(err)
	}
	if convID != "" && a.ConversationID != convID {
		return nil, nil, ErrNotFound
	}
	return a, data, nil
}

func (s *Server) consoleAttachment(w http.ResponseWriter, r *http.Request) error {
	a, data, err := Attachment(r, s.opts.Support, "")
	if err != nil {
		return err
	}
	return SendFile(w, a, data)
}

// supportAttachment serves a signed-in customer's own file.
func (s *Server) supportAttachment(w http.ResponseWriter, r *http.Request) error {
	a, data, err := Attachment(r, s.opts.Support, "")
	if err != nil {
		return err
	}
	c, err := s.opts.Support.Get(r.Context(), a.ConversationID, false)
	if err != nil {
		return SupportError(err)
	}
	if p := Principal(r.Context()); p == nil || c.Contact.AccountID != p.AccountID {
		return ErrNotFound
	}
	return SendFile(w, a, data)
}

// chatAttachment serves a file of the conversation a chat ticket names.
func (s *Server) chatAttachment(w http.ResponseWriter, r *http.Request) error {
	conv, ok := s.ticketConversation(r.URL.Query().Get("ticket"), s.Now())
	if !ok {
		return ErrNotFound
	}
	a, data, err := Attachment(r, s.opts.Support, conv)
	if err != nil {
		return err
	}
	w.Header().Set("Referrer-Policy", "no-referrer")
	return SendFile(w, a, data)
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
	if ClientID(f.ClientID) == "" || f.ClientID == "" || f.Size <= 0 || f.Size > support.MaxUploadBytes {
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
	msg, att, err := c.s.opts.Support.Upload(c.ctx, c.conv, support.KindCustomer, "", u.clientID, u.name, u.buf.Bytes())
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
