package admin

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/frontdesk/frontdesk/internal/consent"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/fault"
	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/frontdesk/frontdesk/internal/web"
)

// consentJSON is where one customer stands on a purpose, for the
// business's own tools: the e-mail address in clear, since a mailing tool
// needs it (the route's permission, consents:read, says so).
type consentJSON struct {
	AccountID string    `json:"account_id"`
	Email     string    `json:"email"`
	Purpose   string    `json:"purpose"`
	Choice    string    `json:"choice"`
	Version   int       `json:"notice_version"`
	Channel   string    `json:"channel"`
	At        time.Time `json:"recorded_at"`
	RecordID  string    `json:"record_id"`
}

// listConsents answers, for one purpose, where each customer with a
// record stands (given, withdrawn, lapsed), a page at a time in the order
// of account ids (after = the next_cursor of the previous page). Erased
// customers, whose records the ledger keeps, are left out, so a page may
// be shorter than the limit; the list ends when next_cursor is null.
func (s *Handler) listConsents(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q := r.URL.Query()
	for k, v := range q {
		if !slices.Contains([]string{"purpose", "choice", "after", "limit"}, k) {
			return badParam(k, "Unknown parameter "+strconv.Quote(k)+": use purpose, choice, after or limit.")
		}
		if len(v) > 1 {
			return badParam(k, "Give "+k+" once.")
		}
	}
	in := consent.StandingQuery{Purpose: q.Get("purpose"), Choice: q.Get("choice"), After: q.Get("after")}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return badParam("limit", "Use a limit from 1 to "+strconv.Itoa(consent.MaxStandingLimit)+".")
		}
		in.Limit = n
	}
	out := []consentJSON{}
	next := ""
	err := s.deps.DB.Read(ctx, func(tx *db.Tx) error {
		out = out[:0]
		page, n, err := s.deps.Consent.StandingsIn(ctx, tx, in)
		if err != nil {
			return err
		}
		next = n
		ids := make([]string, len(page))
		for i, st := range page {
			ids[i] = st.AccountID
		}
		accounts, err := s.deps.Identity.AccountsIn(ctx, tx, ids)
		if err != nil {
			return err
		}
		for _, st := range page {
			a, ok := accounts[st.AccountID]
			if !ok || a.Kind != identity.KindCustomer {
				continue // erased: the ledger outlives the account
			}
			out = append(out, consentJSON{AccountID: st.AccountID, Email: a.Email, Purpose: st.Purpose, Choice: st.Choice,
				Version: st.Version, Channel: st.Channel, At: st.At, RecordID: st.RecordID})
		}
		return nil
	})
	var inv *fault.Invalid
	if errors.As(err, &inv) {
		return badParam(inv.Field, web.SentenceCase(inv.Reason)+".")
	}
	if err != nil {
		return err
	}
	if err := s.recordRead(ctx, r, "consents", map[string]any{"purpose": in.Purpose, "choice": in.Choice, "count": len(out)}); err != nil {
		return err
	}
	var nextCursor *string
	if next != "" {
		nextCursor = &next
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"consents": out, "next_cursor": nextCursor})
	return nil
}
