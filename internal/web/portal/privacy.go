package portal

import (
	"errors"
	"net/http"

	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/frontdesk/frontdesk/internal/privacy"
	"github.com/frontdesk/frontdesk/internal/web"
)

// privacyView is what the privacy page shows: the customer's exports and
// their account's closure, if one is pending.
type privacyView struct {
	Exports     []privacy.Export
	Closure     *privacy.Closure
	CoolOffDays int
	Staff       bool
	Consents    *consentView
}

func (s *Handler) privacyPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderPrivacy(w, r, http.StatusOK, web.NewForm(r))
}

func (s *Handler) renderPrivacy(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	p := web.Principal(r.Context())
	exports, err := s.deps.Privacy.Exports(r.Context(), p.AccountID)
	if err != nil {
		return err
	}
	closure, err := s.deps.Privacy.ClosureOf(r.Context(), p.AccountID)
	if err != nil {
		return err
	}
	consents, err := s.consents(r, p.AccountID)
	if err != nil {
		return err
	}
	if f.Notice == "" {
		switch n := r.URL.Query().Get("notice"); n {
		case "export", "closing", "kept", "consent_given", "consent_withdrawn", "consent_acknowledged":
			f.Notice = "privacy.done." + n
		}
	}
	f.Extra = privacyView{Exports: exports, Closure: closure, CoolOffDays: int(s.deps.Privacy.CoolOff().Hours() / 24),
		Staff: p.Kind == identity.KindStaff, Consents: consents}
	return s.Render(w, r, status, "privacy", f)
}

// privacyFail shows err on the privacy page, or sends the customer to
// confirm it is them when the action needs a recent sign-in.
func (s *Handler) privacyFail(w http.ResponseWriter, r *http.Request, err error) error {
	if errors.Is(err, identity.ErrStepUpRequired) {
		http.Redirect(w, r, "/account/reauth?next=/account/privacy", http.StatusSeeOther)
		return nil
	}
	f := web.NewForm(r)
	status, err := s.Fail(r, f, err)
	if err != nil {
		return err
	}
	return s.renderPrivacy(w, r, status, f)
}

// privacyExport asks for a copy of the customer's data, after a recent
// sign-in. // GDPR 15, GDPR 20
func (s *Handler) privacyExport(w http.ResponseWriter, r *http.Request) error {
	p := web.Principal(r.Context())
	if err := s.deps.Identity.RequireFresh(p); err != nil {
		return s.privacyFail(w, r, err)
	}
	if _, err := s.deps.Privacy.RequestExport(r.Context(), p.AccountID, "customer"); err != nil {
		return s.privacyFail(w, r, err)
	}
	http.Redirect(w, r, "/account/privacy?notice=export", http.StatusSeeOther)
	return nil
}

func (s *Handler) privacyDownload(w http.ResponseWriter, r *http.Request) error {
	return web.DownloadExport(w, r, s.deps.Privacy)
}

// privacyClose starts closing the account, after a recent sign-in and a
// ticked confirmation. // GDPR 17
func (s *Handler) privacyClose(w http.ResponseWriter, r *http.Request) error {
	p := web.Principal(r.Context())
	if r.PostFormValue("confirm") != "yes" {
		f := web.NewForm(r)
		f.Errors["confirm"] = s.Pages.Translator(web.Info(r.Context()).Lang)("privacy.close.confirm_needed")
		return s.renderPrivacy(w, r, http.StatusBadRequest, f)
	}
	if err := s.deps.Identity.RequireFresh(p); err != nil {
		return s.privacyFail(w, r, err)
	}
	if _, err := s.deps.Privacy.Close(r.Context(), p.AccountID); err != nil {
		return s.privacyFail(w, r, err)
	}
	http.Redirect(w, r, "/account/privacy?notice=closing", http.StatusSeeOther)
	return nil
}

func (s *Handler) privacyKeep(w http.ResponseWriter, r *http.Request) error {
	if err := s.deps.Privacy.CancelClosure(r.Context(), web.Principal(r.Context()).AccountID); err != nil {
		return s.privacyFail(w, r, err)
	}
	http.Redirect(w, r, "/account/privacy?notice=kept", http.StatusSeeOther)
	return nil
}

// closureCancel keeps an account with the mailed link (the GET only shows
// the button, so a mail scanner following links cannot use it up).
func (s *Handler) closureCancel(w http.ResponseWriter, r *http.Request) error {
	f := web.NewForm(r)
	if err := s.deps.Privacy.CancelClosureByToken(r.Context(), r.PostFormValue("token")); err != nil {
		status, err := s.Fail(r, f, err)
		if err != nil {
			return err
		}
		return s.Render(w, r, status, "closure_cancel", f)
	}
	f.Notice = "privacy.done.kept"
	return s.Render(w, r, http.StatusOK, "closure_cancel", f)
}
