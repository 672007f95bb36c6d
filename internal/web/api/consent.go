package api

import (
	"net/http"

	"github.com/frontdesk/frontdesk/internal/consent"
	"github.com/frontdesk/frontdesk/internal/web"
)

// consentJSON is where the customer stands on one purpose, with the
// notice in every language.
func consentJSON(st consent.Status) map[string]any {
	out := map[string]any{"purpose": st.Notice.Purpose, "optional": consent.IsOptional(st.Notice.Purpose), "notice": st.Notice,
		"active": st.Active, "outdated": st.Outdated, "ask_again": st.AskAgain}
	if st.Last != nil {
		out["last"] = st.Last
	}
	return out
}

// apiConsents lists the signed-in customer's consents and their history.
// A request with Sec-GPC: 1 withdraws a standing consent to analytics
// first (recorded with channel gpc). // GDPR 7, 15
func (s *Handler) apiConsents(w http.ResponseWriter, r *http.Request) error {
	p := web.Principal(r.Context())
	ctx := r.Context()
	if consent.GPC(ctx) {
		if _, err := s.deps.Consent.HonourGPC(ctx, p.AccountID, web.ClientIP(ctx), r.UserAgent()); err != nil {
			return err
		}
	}
	st, err := s.deps.Consent.State(ctx, p.AccountID)
	if err != nil {
		return err
	}
	hist, err := s.deps.Consent.History(ctx, p.AccountID)
	if err != nil {
		return err
	}
	purposes := make([]map[string]any, 0, len(st))
	for _, x := range st {
		purposes = append(purposes, consentJSON(x))
	}
	if hist == nil {
		hist = []*consent.Record{}
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"purposes": purposes, "records": hist, "gpc": consent.GPC(ctx)})
	return nil
}

// apiChooseConsent gives or withdraws consent to an optional purpose, or
// acknowledges the privacy notice: 201 with the new record, or 200 with
// the standing one when the choice changes nothing. // GDPR 7(1), 7(3)
func (s *Handler) apiChooseConsent(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Purpose string `json:"purpose"`
		Choice  string `json:"choice"`
		Version int    `json:"version"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	p := web.Principal(r.Context())
	rec, added, err := s.deps.Consent.Choose(r.Context(), consent.Choice{AccountID: p.AccountID, Purpose: in.Purpose, Choice: in.Choice,
		Channel: consent.ChannelAPI, Version: in.Version, IP: web.ClientIP(r.Context()), UserAgent: r.UserAgent()})
	if err != nil {
		return web.PrivacyError(err)
	}
	status := http.StatusOK
	if added {
		status = http.StatusCreated
	}
	web.WriteJSON(w, status, map[string]any{"record": rec, "changed": added})
	return nil
}

// apiConsentReceipt answers the receipt of one of the customer's records.
func (s *Handler) apiConsentReceipt(w http.ResponseWriter, r *http.Request) error {
	rc, err := s.deps.Consent.ReceiptOf(r.Context(), web.Principal(r.Context()).AccountID, r.PathValue("id"))
	if err != nil {
		return web.PrivacyError(err)
	}
	web.WriteJSON(w, http.StatusOK, rc)
	return nil
}
