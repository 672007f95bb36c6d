package api

import (
	"net/http"

	"github.com/frontdesk/frontdesk/internal/privacy"
	"github.com/frontdesk/frontdesk/internal/web"
)

// exportJSON is an export as the API shows it: a download URL once it is
// ready.
func (s *Handler) exportJSON(e *privacy.Export) map[string]any {
	out := map[string]any{"id": e.ID, "status": e.Status, "done": e.Done, "total": e.Total, "created_at": e.CreatedAt}
	if e.ExpiresAt != nil {
		out["expires_at"] = e.ExpiresAt
	}
	if e.Status == privacy.ExportReady {
		out["download_url"] = s.BaseURL.String() + "/api/v1/account/exports/" + e.ID + "/download"
	}
	return out
}

// apiRequestExport asks for a copy of the signed-in account's data, after
// a recent sign-in or step-up. // GDPR 15, GDPR 20
func (s *Handler) apiRequestExport(w http.ResponseWriter, r *http.Request) error {
	p := web.Principal(r.Context())
	if err := s.deps.Identity.RequireFresh(p); err != nil {
		return web.IdentityError(err)
	}
	e, err := s.deps.Privacy.RequestExport(r.Context(), p.AccountID, "customer")
	if err != nil {
		return web.PrivacyError(err)
	}
	web.WriteJSON(w, http.StatusAccepted, map[string]any{"export": map[string]any{"id": e.ID, "status": e.Status}})
	return nil
}

func (s *Handler) apiExport(w http.ResponseWriter, r *http.Request) error {
	e, err := s.deps.Privacy.ExportOf(r.Context(), web.Principal(r.Context()).AccountID, r.PathValue("id"))
	if err != nil {
		return web.PrivacyError(err)
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"export": s.exportJSON(e)})
	return nil
}

// apiDownloadExport streams the ZIP to its owner, once.
func (s *Handler) apiDownloadExport(w http.ResponseWriter, r *http.Request) error {
	return web.DownloadExport(w, r, s.deps.Privacy)
}

// apiCloseAccount starts closing the signed-in customer's account, after a
// recent sign-in or step-up; it answers the closure date. // GDPR 17
func (s *Handler) apiCloseAccount(w http.ResponseWriter, r *http.Request) error {
	p := web.Principal(r.Context())
	if err := s.deps.Identity.RequireFresh(p); err != nil {
		return web.IdentityError(err)
	}
	c, err := s.deps.Privacy.Close(r.Context(), p.AccountID)
	if err != nil {
		return web.PrivacyError(err)
	}
	web.WriteJSON(w, http.StatusAccepted, map[string]any{"closes_at": c.ClosesAt})
	return nil
}

func (s *Handler) apiClosure(w http.ResponseWriter, r *http.Request) error {
	c, err := s.deps.Privacy.ClosureOf(r.Context(), web.Principal(r.Context()).AccountID)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"closure": c})
	return nil
}

func (s *Handler) apiCancelClosure(w http.ResponseWriter, r *http.Request) error {
	if err := s.deps.Privacy.CancelClosure(r.Context(), web.Principal(r.Context()).AccountID); err != nil {
		return web.PrivacyError(err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// apiCancelClosureByToken keeps an account with the mailed link's token.
func (s *Handler) apiCancelClosureByToken(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Token string `json:"token"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	if err := s.deps.Privacy.CancelClosureByToken(r.Context(), in.Token); err != nil {
		return web.PrivacyError(err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
