package web

import (
	"io"
	"net/http"
	"time"

	"github.com/frontdesk/frontdesk/internal/privacy"
)

// DownloadExport streams an export to its signed-in owner; the portal's
// download shares it.
func DownloadExport(w http.ResponseWriter, r *http.Request, svc *privacy.Service) error {
	id := r.PathValue("id")
	rc, err := svc.Download(r.Context(), Principal(r.Context()).AccountID, id)
	if err != nil {
		return PrivacyError(err)
	}
	defer rc.Close()
	h := w.Header()
	h.Set("Content-Type", "application/zip")
	h.Set("Content-Disposition", `attachment; filename="my-data-`+time.Now().UTC().Format("2006-01-02")+`.zip"`)
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, err = io.Copy(w, rc)
	return err
}
