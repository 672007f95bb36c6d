package console

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/frontdesk/frontdesk/internal/consent"
	"github.com/frontdesk/frontdesk/internal/fault"
	"github.com/frontdesk/frontdesk/internal/web"
)

// The notices of the consent ledger (privacy:manage): the privacy notice
// and the notices of the purposes that need consent, each in every
// language. An edit publishes the next version; a published version never
// changes, because customers' choices point at the version they saw. The
// editor says whether a change is minor (consents keep counting) or
// material (customers are asked again); there is no default, so that
// nobody publishes a material change by leaving a box as it was.

// noticeBodyLimit bounds the editor's form: a title and a body in each
// of the three languages at their longest, each character percent-encoded
// (9 bytes for a Chinese character), and the fields around them. A bigger
// body is refused before it is read.
const noticeBodyLimit = 3*(consent.MaxBody+consent.MaxTitle)*9 + 16<<10

// The editor's choice of what kind of change a version is.
const (
	changeMinor    = "minor"
	changeMaterial = "material"
)

// versionRow is one version as the pages show it.
type versionRow struct {
	*consent.Notice
	Publisher string // staff name, or the phrase for the release's defaults
}

type noticesView struct {
	Rows     []versionRow // the current version of each purpose (list page)
	Purpose  string
	Optional bool
	Current  *versionRow
	Versions []versionRow // newest first (a purpose's page)
	Langs    []string
}

func (s *Handler) noticeVersion(r *http.Request, n *consent.Notice) versionRow {
	row := versionRow{Notice: n, Publisher: s.t(r)("notice.by_default")}
	if n.CreatedBy != "system" {
		row.Publisher = s.staffName(r, n.CreatedBy)
	}
	return row
}

// consoleNotices lists the purposes with their current version.
func (s *Handler) consoleNotices(w http.ResponseWriter, r *http.Request) error {
	cur, err := s.deps.Consent.Current(r.Context())
	if err != nil {
		return err
	}
	v := noticesView{Langs: consent.Languages}
	for _, n := range cur {
		v.Rows = append(v.Rows, s.noticeVersion(r, n))
	}
	return s.renderConsole(w, r, http.StatusOK, "console_notices", nil, v)
}

// consoleNotice is a purpose's page: the editor, filled with the current
// version, and every version.
func (s *Handler) consoleNotice(w http.ResponseWriter, r *http.Request) error {
	f := web.NewForm(r)
	if r.URL.Query().Get("done") == "published" {
		f.Notice = "notice.done.published"
	}
	return s.renderNotice(w, r, http.StatusOK, f)
}

func (s *Handler) renderNotice(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	purpose := r.PathValue("purpose")
	if !consent.IsPurpose(purpose) {
		return web.ErrNotFound
	}
	versions, err := s.deps.Consent.Versions(r.Context(), purpose)
	if err != nil {
		return err
	}
	if len(versions) == 0 {
		return web.ErrNotFound // the defaults are seeded at start
	}
	v := noticesView{Purpose: purpose, Optional: consent.IsOptional(purpose), Langs: consent.Languages}
	for _, n := range versions {
		v.Versions = append(v.Versions, s.noticeVersion(r, n))
	}
	v.Current = &v.Versions[0]
	if status == http.StatusOK || status == http.StatusRequestEntityTooLarge {
		// The editor starts from the current version's text (a form too
		// big to read has no text to show again).
		for _, l := range consent.Languages {
			f.Values["title_"+l], f.Values["body_"+l] = v.Current.Title[l], v.Current.Body[l]
		}
		f.Values["base"] = strconv.Itoa(v.Current.Version)
	}
	if status == http.StatusConflict {
		// Another version was published since the editor opened: the
		// typed text stays, the versions below show what changed, and
		// publishing again starts from the version now current.
		f.Values["base"] = strconv.Itoa(v.Current.Version)
	}
	return s.renderConsole(w, r, status, "console_notice", f, v)
}

// consoleNoticePublish publishes the next version of a purpose's notice,
// audited in the same transaction (consent.Publish). A refused draft is
// shown again as typed, with the reason, and publishes nothing.
func (s *Handler) consoleNoticePublish(w http.ResponseWriter, r *http.Request) error {
	purpose := r.PathValue("purpose")
	if !consent.IsPurpose(purpose) {
		return web.ErrNotFound
	}
	t := s.t(r)
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if !errors.As(err, &tooBig) {
			return &web.Error{Status: http.StatusBadRequest, Code: "bad_form", Message: "The form could not be read. Go back to the page and try again.", Err: err}
		}
		f := web.NewForm(r)
		f.Error = t("notice.err.too_big", consent.MaxBody)
		return s.renderNotice(w, r, http.StatusRequestEntityTooLarge, f)
	}
	fields := []string{"base", "change"}
	for _, l := range consent.Languages {
		fields = append(fields, "title_"+l, "body_"+l)
	}
	f := web.NewForm(r, fields...)
	d := consent.Draft{Purpose: purpose, Title: map[string]string{}, Body: map[string]string{}}
	for _, l := range consent.Languages {
		// Absent from the form is refused like empty (consent.Draft.check).
		d.Title[l], d.Body[l] = f.Values["title_"+l], f.Values["body_"+l]
	}
	base, err := strconv.Atoi(f.Values["base"])
	switch {
	case err != nil || base <= 0:
		f.Error = t("notice.err.base")
		return s.renderNotice(w, r, http.StatusConflict, f)
	case f.Values["change"] != changeMinor && f.Values["change"] != changeMaterial:
		f.Errors["change"] = t("notice.err.change")
		f.Error = f.Errors["change"]
		return s.renderNotice(w, r, http.StatusBadRequest, f)
	}
	d.Base, d.Reconsent = base, f.Values["change"] == changeMaterial
	if _, err := s.deps.Consent.Publish(r.Context(), web.Principal(r.Context()).AccountID, d); err != nil {
		var inv *fault.Invalid
		if !errors.As(err, &inv) {
			return err
		}
		status := http.StatusBadRequest
		msg := noticeMessage(t, inv.Field)
		switch {
		case inv.Field == "base":
			status = http.StatusConflict
		case strings.HasPrefix(inv.Field, "title_") || strings.HasPrefix(inv.Field, "body_"):
			f.Errors[inv.Field] = msg
		}
		f.Error = msg
		return s.renderNotice(w, r, status, f)
	}
	http.Redirect(w, r, "/console/privacy/notices/"+purpose+"?done=published", http.StatusSeeOther)
	return nil
}

// noticeMessage says why a draft was refused, in the page's language.
func noticeMessage(t func(string, ...any) string, field string) string {
	kind, lang, _ := strings.Cut(field, "_")
	switch kind {
	case "title":
		return t("notice.err.title", t("incident.lang."+lang), consent.MaxTitle)
	case "body":
		return t("notice.err.body", t("incident.lang."+lang), consent.MaxBody)
	case "base", "same":
		return t("notice.err." + kind)
	}
	return t("notice.err.form")
}
