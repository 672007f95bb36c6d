package console

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/frontdesk/frontdesk/internal/consent"
	"github.com/frontdesk/frontdesk/internal/fault"
	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/frontdesk/frontdesk/internal/web"
)

// The customer's consents on the 360° page: where they stand on each
// purpose that needs consent and, for staff who answer customers
// (conversations:write), a form to record a choice the customer made by
// phone or in person (docs/architecture.md, "Choices recorded by staff").

// customerConsent is one purpose on the 360° page: its current notice in
// the page's language and where the customer stands.
type customerConsent struct {
	Purpose    string
	Version    int
	Title      string
	Paragraphs []string
	consent.Status
}

// customerConsents reads the customer's standing on the optional
// purposes; nil when there is no ledger.
func (s *Handler) customerConsents(r *http.Request, accountID string) ([]customerConsent, error) {
	if s.deps.Consent == nil {
		return nil, nil
	}
	st, err := s.deps.Consent.State(r.Context(), accountID)
	if err != nil {
		return nil, err
	}
	lang := web.Info(r.Context()).Lang
	var out []customerConsent
	for _, x := range st {
		if !consent.IsOptional(x.Notice.Purpose) {
			continue
		}
		title, _ := x.Notice.In(lang)
		out = append(out, customerConsent{Purpose: x.Notice.Purpose, Version: x.Notice.Version, Title: title,
			Paragraphs: x.Notice.Paragraphs(lang), Status: x})
	}
	return out, nil
}

// consoleRecordConsent records the choice a customer told a staff member:
// channel support, recorded_by the staff member, the notice version the
// page showed (if it changed since, nothing is recorded and the page says
// so), the note in the audit entry. // GDPR 7(1), 7(3)
func (s *Handler) consoleRecordConsent(w http.ResponseWriter, r *http.Request) error {
	ctx, id := r.Context(), r.PathValue("id")
	d, err := s.deps.Identity.Detail(ctx, id)
	if err != nil {
		return web.IdentityError(err)
	}
	if d.Kind != identity.KindCustomer {
		return web.ErrNotFound
	}
	f := web.NewForm(r, "purpose", "choice", "note")
	f.Values["note"] = r.PostFormValue("note") // kept as typed, for the page
	version, err := strconv.Atoi(r.PostFormValue("v_" + f.Values["purpose"]))
	if err != nil {
		version = 0 // refused below as a stale page
	}
	_, added, err := s.deps.Consent.RecordForCustomer(ctx, consent.StaffChoice{AccountID: id, Purpose: f.Values["purpose"],
		Choice: f.Values["choice"], Version: version, StaffID: web.Principal(ctx).AccountID, Note: f.Values["note"]})
	t := s.Pages.Translator(web.Info(ctx).Lang)
	var inv *fault.Invalid
	switch {
	case errors.As(err, &inv):
		switch key := "console.consent.err." + inv.Field; inv.Field {
		case "note":
			f.Errors["note"] = t(key)
			if len([]rune(strings.TrimSpace(f.Values["note"]))) > consent.MaxNote {
				f.Errors["note"] = t("console.consent.err.note_long", consent.MaxNote)
			}
		case "purpose", "choice":
			f.Errors[inv.Field] = t(key)
		}
		f.Error = t("console.consent.err.form")
		return s.renderCustomer(w, r, http.StatusBadRequest, f)
	case errors.Is(err, consent.ErrStale):
		f.Error = t("console.consent.err.stale")
		return s.renderCustomer(w, r, http.StatusConflict, f)
	case err != nil:
		return err
	}
	done := "consent"
	if !added {
		done = "consent_same"
	}
	http.Redirect(w, r, "/console/customers/"+id+"?done="+done+"#consents", http.StatusSeeOther)
	return nil
}
