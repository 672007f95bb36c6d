package portal

import (
	"net/http"

	"github.com/frontdesk/frontdesk/internal/support"
	"github.com/frontdesk/frontdesk/internal/web"
)

func (s *Handler) supportAttach(w http.ResponseWriter, r *http.Request) error {
	c, err := s.myConversation(r)
	if err != nil {
		return err
	}
	name, data, err := web.ReadFilePart(r)
	if err != nil {
		return err
	}
	if _, _, err := s.deps.Support.Upload(r.Context(), c.ID, support.KindCustomer, "", "", name, data); err != nil {
		return web.UploadError(err)
	}
	http.Redirect(w, r, "/support/"+c.ID, http.StatusSeeOther)
	return nil
}

// supportAttachment serves a signed-in customer's own file.
func (s *Handler) supportAttachment(w http.ResponseWriter, r *http.Request) error {
	a, data, err := web.Attachment(r, s.deps.Support, "")
	if err != nil {
		return err
	}
	c, err := s.deps.Support.Get(r.Context(), a.ConversationID, false)
	if err != nil {
		return web.SupportError(err)
	}
	if p := web.Principal(r.Context()); p == nil || c.Contact.AccountID != p.AccountID {
		return web.ErrNotFound
	}
	return web.SendFile(w, a, data)
}
