package support

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/mailin"
)

// Files sent in a conversation: chat uploads from the customer, files an
// agent sends, e-mail attachments (inbound.go). Each is sealed with the
// contact's key. Uploads are checked by content, not by name or declared
// type: only the kinds below are accepted, and they are served back as
// downloads with nosniff, never rendered inline by the portal.

// UploadTypes are the content types accepted for uploads, as sniffed.
var UploadTypes = map[string]string{
	"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif", "image/webp": ".webp",
	"application/pdf": ".pdf", "text/plain; charset=utf-8": ".txt",
}

// MaxUploadBytes bounds one uploaded file.
const MaxUploadBytes = 10 << 20

// Attachment describes a stored file.
type Attachment struct {
	ID             string    `json:"id"`
	ConversationID string    `json:"conversation_id"`
	MessageID      string    `json:"message_id"`
	Filename       string    `json:"filename"`
	ContentType    string    `json:"content_type"`
	Size           int       `json:"size"`
	CreatedAt      time.Time `json:"created_at"`
}

// ErrUploadType refuses a file whose content is not an accepted kind.
var ErrUploadType = errors.New("support: this kind of file is not accepted")

// sniff returns the accepted content type of data, or "". Text that
// starts like markup (an SVG or HTML page the sniffer calls plain text)
// is refused too: a download never renders it, but a file named .png
// that is really a page has no business in a conversation.
func sniff(data []byte) string {
	ct := http.DetectContentType(data)
	if _, ok := UploadTypes[ct]; !ok {
		return ""
	}
	if strings.HasPrefix(ct, "text/") && bytes.HasPrefix(bytes.TrimLeft(data, " \t\r\n\ufeff"), []byte("<")) {
		return ""
	}
	return ct
}

// Upload adds a file to a conversation as a message of its own (kind
// customer or agent), deduplicated by client id like any message.
func (s *Service) Upload(ctx context.Context, convID, kind, author, clientID, filename string, data []byte) (*Message, *Attachment, error) {
	if kind != KindCustomer && kind != KindAgent {
		return nil, nil, invalid("kind", "files come from the customer or an agent")
	}
	if len(data) == 0 || len(data) > MaxUploadBytes {
		return nil, nil, invalid("file", "a file of at most 10 MB")
	}
	ct := sniff(data)
	if ct == "" {
		return nil, nil, ErrUploadType
	}
	name := safeName(filename)
	var msg *Message
	var att *Attachment
	var dup bool
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		c, subject, err := s.load(ctx, tx, convID, true)
		if err != nil {
			return err
		}
		if c.Status == StatusClosed {
			return ErrClosed
		}
		body := fmt.Sprintf("[%s] %s (%s)", "file", name, byteSize(len(data)))
		if msg, dup, err = s.post(ctx, tx, c, subject, kind, author, clientID, body); err != nil || dup {
			return err
		}
		if err := s.keepAttachments(ctx, tx, c, subject, msg.ID, []mailin.Attachment{{Filename: name, ContentType: ct, Data: data}}); err != nil {
			return err
		}
		list, err := s.attachments(ctx, tx, "message_id = ?", msg.ID)
		if err != nil || len(list) == 0 {
			return err
		}
		att = &list[0]
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	if !dup {
		s.publish(ctx, convID, "message", msg)
	}
	return msg, att, nil
}

func byteSize(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}

// Attachments lists a conversation's files (without their data).
func (s *Service) Attachments(ctx context.Context, convID string) ([]Attachment, error) {
	var out []Attachment
	err := s.db.Read(ctx, func(tx *db.Tx) (err error) {
		out, err = s.attachments(ctx, tx, "conversation_id = ?", convID)
		return err
	})
	return out, err
}

func (s *Service) attachments(ctx context.Context, tx *db.Tx, where string, arg any) ([]Attachment, error) {
	type row struct {
		a    Attachment
		name []byte
	}
	rows, err := tx.Query(ctx, "SELECT id, conversation_id, message_id, filename_sealed, content_type, size, created_at FROM conversation_attachments WHERE "+where+" ORDER BY created_at, id", arg)
	list, err := db.Collect(rows, err, func(sc db.Scanner) (r row, err error) {
		err = sc.Scan(&r.a.ID, &r.a.ConversationID, &r.a.MessageID, &r.name, &r.a.ContentType, &r.a.Size, &r.a.CreatedAt)
		r.a.CreatedAt = r.a.CreatedAt.UTC()
		return r, err
	})
	if err != nil {
		return nil, err
	}
	out := []Attachment{}
	for _, r := range list {
		pt, err := s.keys.Open(ctx, tx, r.name, []byte("conversation_attachments.filename:"+r.a.ID))
		if err != nil {
			return nil, err
		}
		r.a.Filename = string(pt)
		out = append(out, r.a)
	}
	return out, nil
}

// AttachmentData returns a file and its content.
func (s *Service) AttachmentData(ctx context.Context, id string) (*Attachment, []byte, error) {
	var att *Attachment
	var data []byte
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		list, err := s.attachments(ctx, tx, "id = ?", id)
		if err != nil {
			return err
		}
		if len(list) == 0 {
			return ErrNotFound
		}
		att = &list[0]
		var ct []byte
		if err := tx.QueryRow(ctx, "SELECT data_sealed FROM conversation_attachments WHERE id = ?", id).Scan(&ct); errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		} else if err != nil {
			return err
		}
		data, err = s.keys.Open(ctx, tx, ct, []byte("conversation_attachments.data:"+id))
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return att, data, nil
}

// DownloadName is a file name safe for Content-Disposition: the stored
// name with the extension of its sniffed type.
func (a *Attachment) DownloadName() string {
	name := strings.Map(func(r rune) rune {
		if r < 0x20 || r == '"' || r == '\\' || r == 0x7f {
			return '_'
		}
		return r
	}, a.Filename)
	if ext := UploadTypes[a.ContentType]; ext != "" && !strings.HasSuffix(strings.ToLower(name), ext) {
		name += ext
	}
	return name
}
