package console

import (
	"net/http"

	"github.com/frontdesk/frontdesk/internal/support"
	"github.com/frontdesk/frontdesk/internal/web"
)

func (s *Handler) consoleAttach(w http.ResponseWriter, r *http.Request) error {
	ctx, id := r.Context(), r.PathValue("id")
	name, data, err := web.ReadFilePart(r)
	if err != nil {
		return err
	}
	if _, _, err := s.deps.Support.Upload(ctx, id, support.KindAgent, web.Principal(ctx).AccountID, "", name, data); err != nil {
		return web.UploadError(err)
	}
	return web.BackToConversation(w, r, id, "attached")
}

func (s *Handler) consoleAttachment(w http.ResponseWriter, r *http.Request) error {
	a, data, err := web.Attachment(r, s.deps.Support, "")
	if err != nil {
		return err
	}
	return web.SendFile(w, a, data)
}
