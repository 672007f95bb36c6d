package web

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/frontdesk/frontdesk/internal/access"
	"github.com/frontdesk/frontdesk/internal/support"
)

// ReadFilePart reads the "file" part of a multipart form.
func ReadFilePart(r *http.Request) (string, []byte, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return "", nil, ErrNoFile
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return "", nil, ErrNoFile
		}
		if err != nil {
			return "", nil, err
		}
		if part.FormName() == "file" && part.FileName() != "" {
			data, err := io.ReadAll(io.LimitReader(part, support.MaxUploadBytes+1))
			part.Close()
			if err != nil {
				return "", nil, err
			}
			return part.FileName(), data, nil
		}
		part.Close()
	}
}

// SendFile answers with a stored file as a download.
func SendFile(w http.ResponseWriter, a *support.Attachment, data []byte) error {
	h := w.Header()
	h.Set("Content-Type", a.ContentType)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": a.DownloadName()}))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	h.Set("Cache-Control", "private, no-store")
	h.Set("Content-Length", strconv.Itoa(len(data)))
	_, err := io.Copy(w, bytes.NewReader(data))
	return err
}

// InboxViews are the inbox's saved views.
var InboxViews = []string{"mine", "unassigned", "active", "breached", "all"}

func MaskedContact(c support.Contact) string {
	if c.Name != "" {
		return c.Name
	}
	if c.Email != "" {
		return access.MaskEmail(c.Email)
	}
	return ""
}

// CategoryNames maps category ids to their names in lang.
func CategoryNames(cats []support.Category, lang string) map[string]string {
	m := make(map[string]string, len(cats))
	for _, c := range cats {
		m[c.ID] = c.Name(lang)
	}
	return m
}

var ConvIDPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)

// ReferencePattern matches a conversation's reference (support.Reference).
var ReferencePattern = regexp.MustCompile(`^FD-[0-9A-F]{8}$`)

func SentenceCase(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// back returns to the conversation with a notice.
func BackToConversation(w http.ResponseWriter, r *http.Request, id, done string) error {
	http.Redirect(w, r, "/console/conversations/"+id+"?done="+done, http.StatusSeeOther)
	return nil
}

// ClientID keeps a form's idempotency key when it looks like one, so a
// reply form submitted twice posts once.
func ClientID(v string) string {
	if len(v) > 64 || strings.ContainsFunc(v, func(r rune) bool {
		return !(r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	}) {
		return ""
	}
	return v
}

// FilesByMessage maps a conversation's message ids to their files.
func FilesByMessage(sv *support.Service, r *http.Request, conv string) (map[string]support.Attachment, error) {
	list, err := sv.Attachments(r.Context(), conv)
	if err != nil {
		return nil, err
	}
	m := make(map[string]support.Attachment, len(list))
	for _, a := range list {
		m[a.MessageID] = a
	}
	return m, nil
}
