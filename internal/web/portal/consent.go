package portal

import (
	"net/http"
	"strconv"

	"github.com/frontdesk/frontdesk/internal/consent"
	"github.com/frontdesk/frontdesk/internal/web"
)

// consentItem is one purpose on a page: its current notice in the page's
// language and where the customer stands.
type consentItem struct {
	Purpose    string
	Optional   bool
	Version    int
	Title      string
	Paragraphs []string
	consent.Status
}

// consentView is the consents part of the privacy page.
type consentView struct {
	Items   []consentItem
	History []*consent.Record
	GPC     bool
	// Ask: a notice changed materially since the customer chose (a
	// consent lapsed, or the privacy notice is to be read again); the
	// page asks them to choose again.
	Ask bool
}

func noticeItem(n *consent.Notice, lang string) consentItem {
	title, _ := n.In(lang)
	return consentItem{Purpose: n.Purpose, Optional: consent.IsOptional(n.Purpose), Version: n.Version, Title: title,
		Paragraphs: n.Paragraphs(lang)}
}

// consents reads the customer's consents for the privacy page. A request
// with the Global Privacy Control signal first withdraws a standing
// consent to analytics (recorded with channel gpc).
func (s *Handler) consents(r *http.Request, accountID string) (*consentView, error) {
	if s.deps.Consent == nil {
		return nil, nil
	}
	ctx := r.Context()
	if consent.GPC(ctx) {
		if _, err := s.deps.Consent.HonourGPC(ctx, accountID, web.ClientIP(ctx), r.UserAgent()); err != nil {
			return nil, err
		}
	}
	st, err := s.deps.Consent.State(ctx, accountID)
	if err != nil {
		return nil, err
	}
	hist, err := s.deps.Consent.History(ctx, accountID)
	if err != nil {
		return nil, err
	}
	v := &consentView{History: hist, GPC: consent.GPC(ctx)}
	lang := web.Info(ctx).Lang
	for _, x := range st {
		it := noticeItem(x.Notice, lang)
		it.Status = x
		v.Ask = v.Ask || x.AskAgain
		v.Items = append(v.Items, it)
	}
	return v, nil
}

// privacyConsent gives or withdraws one consent with one click, or
// acknowledges the privacy notice. // GDPR 7(1), 7(3)
func (s *Handler) privacyConsent(w http.ResponseWriter, r *http.Request) error {
	p := web.Principal(r.Context())
	version, err := strconv.Atoi(r.PostFormValue("version"))
	if err != nil {
		version = -1 // refused below as bad input
	}
	choice := r.PostFormValue("choice")
	_, _, err = s.deps.Consent.Choose(r.Context(), consent.Choice{AccountID: p.AccountID, Purpose: r.PostFormValue("purpose"),
		Choice: choice, Channel: consent.ChannelPortal, Version: version, IP: web.ClientIP(r.Context()), UserAgent: r.UserAgent()})
	if err != nil {
		f := web.NewForm(r)
		status, err := s.Fail(r, f, err)
		if err != nil {
			return err
		}
		for _, msg := range f.Errors { // the form's fields are hidden: say it above the page
			f.Error = msg
		}
		clear(f.Errors)
		return s.renderPrivacy(w, r, status, f)
	}
	notice := "consent_given"
	switch choice {
	case consent.Withdrawn:
		notice = "consent_withdrawn"
	case consent.Acknowledged:
		notice = "consent_acknowledged"
	}
	http.Redirect(w, r, "/account/privacy?notice="+notice+"#consents", http.StatusSeeOther)
	return nil
}

// privacyReceipt downloads the receipt of one of the customer's records.
func (s *Handler) privacyReceipt(w http.ResponseWriter, r *http.Request) error {
	rc, err := s.deps.Consent.ReceiptOf(r.Context(), web.Principal(r.Context()).AccountID, r.PathValue("id"))
	if err != nil {
		return web.PrivacyError(err)
	}
	w.Header().Set("Content-Disposition", `attachment; filename="consent-receipt-`+rc.Body.ID+`.json"`)
	w.Header().Set("Cache-Control", "no-store")
	web.WriteJSON(w, http.StatusOK, rc)
	return nil
}

// signupConsents reads the sign-up form's choices: the ticked optional
// purposes (name "consent") and the notice versions shown ("v_<purpose>").
func signupConsents(r *http.Request) consent.Signup {
	c := consent.Signup{Given: r.PostForm["consent"], Versions: map[string]int{}, Channel: consent.ChannelPortal,
		GPC: consent.GPC(r.Context()), IP: web.ClientIP(r.Context()), UserAgent: r.UserAgent()}
	for _, p := range consent.Purposes {
		if v := r.PostFormValue("v_" + p); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n <= 0 {
				n = -1 // a version no notice has: refused as stale
			}
			c.Versions[p] = n
		}
	}
	return c
}

// signupView is what the sign-up page shows of the ledger: every notice,
// the optional purposes unticked unless the visitor ticked them.
type signupView struct {
	Items []consentItem
	Given map[string]bool
	GPC   bool
}

func (s *Handler) signupView(r *http.Request) (*signupView, error) {
	if s.deps.Consent == nil {
		return nil, nil
	}
	cur, err := s.deps.Consent.Current(r.Context())
	if err != nil {
		return nil, err
	}
	v := &signupView{Given: map[string]bool{}, GPC: consent.GPC(r.Context())}
	for _, p := range r.PostForm["consent"] {
		v.Given[p] = true
	}
	for _, n := range cur {
		v.Items = append(v.Items, noticeItem(n, web.Info(r.Context()).Lang))
	}
	return v, nil
}
