package web

import (
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
