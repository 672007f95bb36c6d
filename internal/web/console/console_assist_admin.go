package console

import (
	"bytes"
	"encoding/base64"
	"errors"
	"image"
	_ "image/jpeg" // image.DecodeConfig of uploaded card photos
	_ "image/png"
	"io"
	"mime"
	"net/http"

	"github.com/frontdesk/frontdesk/internal/assist"
	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/frontdesk/frontdesk/internal/web"
)

// The console's administration of remote assistance beyond the
// organisation pages (assist_orgs.go): marking an organisation's admin
// members, and agents' identity cards (docs/remote-assistance.md,
// "Organisations and templates", "Identity cards").

// consoleAssistOrgAdmin marks a member as an admin of the organisation, or
// unmarks them (settings:manage).
func (s *Handler) consoleAssistOrgAdmin(w http.ResponseWriter, r *http.Request) error {
	o, _, err := s.orgs().Of(r)
	if err != nil {
		return err
	}
	admin := r.PostFormValue("admin") == "on"
	return s.orgs().Done(w, r, s.deps.Assist.SetAdmin(r.Context(), o.ID, r.PathValue("account"), admin), "admin")
}

// agentCardRoute saves an agent's identity card; its body may hold a photo.
const agentCardRoute = "POST /console/desk/agents/{id}/card"

// Uploaded card photos: PNG or JPEG, small enough to be kept inline in the
// profile (a data: URL under assist.MaxPhotoDataURL once in base64) and
// small on the customer's screen.
const (
	maxCardPhotoBytes  = 64 << 10
	maxCardPhotoPixels = 1024
	agentCardBodyLimit = maxCardPhotoBytes + 64<<10
)

// agentCardView is the identity card page of one staff account.
type agentCardView struct {
	AccountID, Email string
	Card             assist.Card // the preview, as the customer sees it
	HasCard          bool
	HasPhoto         bool
	MaxPhotoKiB      int
	MaxPhotoPixels   int
}

// cardAccount is the path's staff account; anything else is not found.
func (s *Handler) cardAccount(r *http.Request) (*identity.Account, error) {
	id := r.PathValue("id")
	if !web.ConvIDPattern.MatchString(id) {
		return nil, web.ErrNotFound
	}
	a, err := s.deps.Identity.AccountByID(r.Context(), id)
	if errors.Is(err, identity.ErrNotFound) || (err == nil && a.Kind != identity.KindStaff) {
		return nil, web.ErrNotFound
	}
	return a, err
}

// consoleAgentCard shows an agent's identity card and the form to change
// it (desk:manage, like the desk's agents).
func (s *Handler) consoleAgentCard(w http.ResponseWriter, r *http.Request) error {
	a, err := s.cardAccount(r)
	if err != nil {
		return err
	}
	f := web.NewForm(r)
	if r.URL.Query().Get("done") == "1" {
		f.Notice = "assist.agent_card.saved"
	}
	return s.agentCardPage(w, r, http.StatusOK, f, a)
}

func (s *Handler) agentCardPage(w http.ResponseWriter, r *http.Request, status int, f *web.Form, a *identity.Account) error {
	ctx := r.Context()
	v := agentCardView{AccountID: a.ID, Email: a.Email, MaxPhotoKiB: maxCardPhotoBytes >> 10, MaxPhotoPixels: maxCardPhotoPixels}
	name, err := s.deps.Support.AgentName(ctx, a.ID)
	if err != nil {
		return err
	}
	v.Card.Name = name
	if v.Card.Name == "" {
		v.Card.Name = a.Email
	}
	p, err := s.deps.Assist.ProfileOf(ctx, a.ID)
	switch {
	case err == nil:
		v.HasCard, v.HasPhoto = true, p.Photo != ""
		v.Card.StaffNumber, v.Card.Department, v.Card.Photo = p.StaffNumber, p.Department, p.Photo
		for k, val := range map[string]string{"staff_number": p.StaffNumber, "department": p.Department} {
			if _, typed := f.Values[k]; !typed {
				f.Values[k] = val
			}
		}
	case !errors.Is(err, assist.ErrNoProfile):
		return err
	}
	return s.renderConsole(w, r, status, "console_agent_card", f, v)
}

// consoleAgentCardSave saves an agent's staff number, department and
// photo: an uploaded picture replaces it, "remove" clears it, otherwise
// the current one is kept. A refused card is shown again with the reason
// (422) and nothing is saved.
func (s *Handler) consoleAgentCardSave(w http.ResponseWriter, r *http.Request) error {
	a, err := s.cardAccount(r)
	if err != nil {
		return err
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
		// The body is bounded by agentCardBodyLimit, so nothing goes to disk.
		if err := r.ParseMultipartForm(2 * agentCardBodyLimit); err != nil {
			return err
		}
	}
	ctx := r.Context()
	f := web.NewForm(r, "staff_number", "department")
	p := assist.Profile{AccountID: a.ID, StaffNumber: f.Values["staff_number"], Department: f.Values["department"]}
	cur, err := s.deps.Assist.ProfileOf(ctx, a.ID)
	switch {
	case err == nil:
		p.Photo = cur.Photo
	case !errors.Is(err, assist.ErrNoProfile):
		return err
	}
	if r.PostFormValue("remove_photo") == "on" {
		p.Photo = ""
	}
	photo, err := cardPhotoUpload(r)
	if err != nil {
		f.Errors["photo_file"] = s.Pages.Translator(web.Info(ctx).Lang)("assist.agent_card.photo_bad")
		return s.agentCardPage(w, r, http.StatusUnprocessableEntity, f, a)
	}
	if photo != "" {
		p.Photo = photo
	}
	var inv *assist.InvalidError
	if err := s.deps.Assist.SaveProfile(ctx, p); errors.As(err, &inv) {
		field := inv.Field
		if field == "photo" {
			field = "photo_file"
		}
		f.Errors[field] = web.SentenceCase(inv.Reason) + "."
		return s.agentCardPage(w, r, http.StatusUnprocessableEntity, f, a)
	} else if err != nil {
		return web.AssistError(err)
	}
	http.Redirect(w, r, "/console/desk/agents/"+a.ID+"/card?done=1", http.StatusSeeOther)
	return nil
}

var errCardPhoto = errors.New("web: not a PNG or JPEG picture within the card's limits")

// cardPhotoUpload reads the form's photo_file as a data: URL, "" when no
// file was chosen. The picture must be a PNG or JPEG whose header decodes,
// of at most maxCardPhotoBytes and maxCardPhotoPixels on each side: it is
// kept in the profile and shown inline (the pages' CSP allows pictures
// only from the portal itself and data: URLs, so a link to another site
// would not show, and would tell that site who looks at the card).
func cardPhotoUpload(r *http.Request) (string, error) {
	file, _, err := r.FormFile("photo_file")
	if errors.Is(err, http.ErrMissingFile) || errors.Is(err, http.ErrNotMultipart) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, maxCardPhotoBytes+1))
	if err != nil {
		return "", err
	}
	if len(data) == 0 || len(data) > maxCardPhotoBytes {
		return "", errCardPhoto
	}
	ctype := http.DetectContentType(data)
	if ctype != "image/png" && ctype != "image/jpeg" {
		return "", errCardPhoto
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || "image/"+format != ctype || cfg.Width < 1 || cfg.Height < 1 || cfg.Width > maxCardPhotoPixels || cfg.Height > maxCardPhotoPixels {
		return "", errCardPhoto
	}
	return "data:" + ctype + ";base64," + base64.StdEncoding.EncodeToString(data), nil
}
