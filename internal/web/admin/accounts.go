package admin

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/internal/access"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/frontdesk/frontdesk/internal/identity/bulkfile"
	"github.com/frontdesk/frontdesk/internal/web"
)

// accountJSON is an account as the admin API shows it: e-mail, name and
// phone masked as the console masks them, unless the caller revealed this
// account (customers:reveal_pii) in the last 15 minutes.
type accountJSON struct {
	ID            string     `json:"id"`
	Kind          string     `json:"kind"`
	Status        string     `json:"status"`
	Email         string     `json:"email"`
	Name          string     `json:"name,omitempty"`
	Phone         string     `json:"phone,omitempty"`
	Locale        string     `json:"locale"`
	EmailVerified bool       `json:"email_verified"`
	CreatedAt     time.Time  `json:"created_at"`
	Locked        bool       `json:"locked"`
	LockedUntil   *time.Time `json:"locked_until,omitempty"`
	FailedLogins  *int       `json:"failed_logins,omitempty"`
	MustReset     *bool      `json:"must_reset,omitempty"`
	LastActiveAt  *time.Time `json:"last_active_at,omitempty"`
	Roles         []string   `json:"roles,omitempty"`
	Masked        bool       `json:"masked"`
	RevealedUntil *time.Time `json:"revealed_until,omitempty"`
}

func masked(a identity.Account, locked bool) accountJSON {
	return accountJSON{ID: a.ID, Kind: a.Kind, Status: a.Status, Email: access.MaskEmail(a.Email), Name: access.MaskName(a.Name),
		Phone: identity.MaskPhone(a.Phone), Locale: a.Locale, EmailVerified: a.EmailVerified, CreatedAt: a.CreatedAt.UTC(), Locked: locked, Masked: true}
}

func (s *Handler) detailJSON(ctx context.Context, d *identity.AccountDetail) (accountJSON, error) {
	out := masked(d.Account, d.Locked)
	out.LockedUntil, out.FailedLogins, out.MustReset, out.LastActiveAt = d.LockedUntil, &d.Failed, &d.MustReset, d.LastActiveAt
	until, err := s.deps.Access.Revealed(ctx, callerOf(ctx).ID, d.ID)
	if err != nil {
		return out, err
	}
	if !until.IsZero() {
		out.Email, out.Name, out.Phone, out.Masked, out.RevealedUntil = d.Email, d.Name, d.Phone, false, &until
	}
	if d.Kind == identity.KindStaff {
		if out.Roles, err = s.deps.Access.RolesOf(ctx, d.ID); err != nil {
			return out, err
		}
	}
	return out, nil
}

// listAccounts lists accounts a page at a time (cursor = the last id of
// the previous page), or those a search finds (at most 100).
func (s *Handler) listAccounts(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q := r.URL.Query()
	for k := range q {
		if !slices.Contains([]string{"q", "kind", "cursor", "limit"}, k) {
			return badParam(k, "Unknown parameter "+strconv.Quote(k)+": use q, kind, cursor or limit.")
		}
	}
	kind := q.Get("kind")
	if kind != "" && kind != identity.KindCustomer && kind != identity.KindStaff {
		return badParam("kind", "Use kind=customer or kind=staff.")
	}
	cursor := q.Get("cursor")
	if cursor != "" && !validID(cursor) {
		return badParam("cursor", "Pass the next_cursor of the previous page unchanged.")
	}
	limit := 50
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			return badParam("limit", "Use a limit from 1 to 100.")
		}
		limit = n
	}
	search := strings.TrimSpace(q.Get("q"))
	if len(search) > 254 {
		return badParam("q", "Search with at most 254 characters.")
	}
	var hits []identity.SearchHit
	next := ""
	var err error
	if search == "" {
		hits, next, err = s.deps.Identity.ListAccounts(ctx, kind, cursor, limit)
	} else {
		hits, err = s.deps.Identity.Search(ctx, search, kind, 100)
		slices.SortFunc(hits, func(a, b identity.SearchHit) int { return strings.Compare(a.ID, b.ID) })
		hits = slices.DeleteFunc(hits, func(h identity.SearchHit) bool { return h.ID <= cursor })
		if len(hits) > limit {
			hits, next = hits[:limit], hits[limit-1].ID
		}
	}
	if err != nil {
		return err
	}
	out := make([]accountJSON, 0, len(hits))
	for _, h := range hits {
		out = append(out, masked(h.Account, h.Locked))
	}
	if err := s.recordRead(ctx, r, "accounts", map[string]any{"count": len(out), "searched": search != ""}); err != nil {
		return err
	}
	var nextCursor *string
	if next != "" {
		nextCursor = &next
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"accounts": out, "next_cursor": nextCursor})
	return nil
}

// detail reads the account in the path, or answers 404.
func (s *Handler) detail(r *http.Request) (*identity.AccountDetail, error) {
	id := r.PathValue("id")
	if !validID(id) {
		return nil, web.ErrNotFound
	}
	d, err := s.deps.Identity.Detail(r.Context(), id)
	if err != nil {
		return nil, apiError(err)
	}
	return d, nil
}

func (s *Handler) getAccount(w http.ResponseWriter, r *http.Request) error {
	d, err := s.detail(r)
	if err != nil {
		return err
	}
	out, err := s.detailJSON(r.Context(), d)
	if err != nil {
		return err
	}
	if err := s.recordRead(r.Context(), r, "account:"+d.ID, nil); err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"account": out})
	return nil
}

// revealAccount shows one account unmasked for 15 minutes, with the reason
// in the audit trail, as the console's Show does.
func (s *Handler) revealAccount(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Reason string `json:"reason"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	in.Reason = strings.TrimSpace(in.Reason)
	if len(in.Reason) < 3 || len(in.Reason) > 200 {
		return &web.Error{Status: http.StatusBadRequest, Code: "reason_required", Field: "reason", Message: "Say why you need to see this customer's details (3 to 200 characters)."}
	}
	d, err := s.detail(r)
	if err != nil {
		return err
	}
	if _, err := s.deps.Access.Reveal(r.Context(), callerOf(r.Context()).ID, d.ID, in.Reason); err != nil {
		return apiError(err)
	}
	out, err := s.detailJSON(r.Context(), d)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"account": out})
	return nil
}

// createAccount creates one account from the same fields as a bulk file's
// row, with the same checks; a staff role must be within the caller's own
// permissions.
func (s *Handler) createAccount(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	var in struct {
		Email        string `json:"email"`
		Name         string `json:"name,omitempty"`
		Phone        string `json:"phone,omitempty"`
		Locale       string `json:"locale,omitempty"`
		Role         string `json:"role,omitempty"`
		PasswordHash string `json:"password_hash,omitempty"`
		SendInvite   bool   `json:"send_invite,omitempty"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	if strings.TrimSpace(in.Email) == "" {
		return &web.Error{Status: http.StatusBadRequest, Code: "invalid_email", Field: "email", Message: "Give the account's e-mail address."}
	}
	c := callerOf(ctx)
	if in.Role != "" { // checked here to answer with the role's own error
		if ok, err := s.deps.Access.RoleExists(ctx, in.Role); err != nil {
			return err
		} else if !ok {
			return apiError(access.ErrUnknownRole)
		}
	}
	line, _ := json.Marshal(map[string]any{"email": in.Email, "name": in.Name, "phone": in.Phone, "locale": in.Locale, "role": in.Role,
		"password_hash": in.PasswordHash, "send_invite": in.SendInvite})
	opts := bulkfile.Options{Format: bulkfile.JSONL, ValidRole: func(string) bool { return true }}
	res, err := s.deps.Identity.ImportAccounts(ctx, bulkfile.NewReader(bytes.NewReader(line), opts), identity.ImportOptions{
		By: c.by(), Source: "admin_api",
		Grant: func(tx *db.Tx, id, role string) error { return s.deps.Access.Grant(ctx, tx, id, role, c.by()) }})
	if err != nil {
		return apiError(err)
	}
	if len(res.Errors) > 0 {
		e := res.Errors[0]
		return &web.Error{Status: http.StatusBadRequest, Code: "invalid_" + e.Field, Field: e.Field, Message: web.SentenceCase(e.Reason) + "."}
	}
	if res.Skipped > 0 {
		return &web.Error{Status: http.StatusConflict, Code: "account_exists", Field: "email", Message: "An account with this e-mail address exists already."}
	}
	var id string
	err = s.deps.DB.Read(ctx, func(tx *db.Tx) error {
		a, err := s.deps.Identity.FindByEmail(ctx, tx, in.Email)
		if err == nil && a != nil {
			id = a.ID
		}
		return err
	})
	if err != nil || id == "" {
		return err
	}
	d, err := s.deps.Identity.Detail(ctx, id)
	if err != nil {
		return err
	}
	out, err := s.detailJSON(ctx, d)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, map[string]any{"account": out, "invited": res.Invited > 0})
	return nil
}

// updateAccount changes a customer's name, phone or language.
func (s *Handler) updateAccount(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Name   *string `json:"name"`
		Phone  *string `json:"phone"`
		Locale *string `json:"locale"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	if in.Name == nil && in.Phone == nil && in.Locale == nil {
		return &web.Error{Status: http.StatusBadRequest, Code: "nothing_to_change", Message: "Send at least one of name, phone or locale."}
	}
	d, err := s.customer(r)
	if err != nil {
		return err
	}
	if _, err := s.deps.Identity.UpdateProfile(r.Context(), d.ID, identity.ProfileChange{Name: in.Name, Phone: in.Phone, Locale: in.Locale}); err != nil {
		return apiError(err)
	}
	return s.writeDetail(w, r, d.ID)
}

func (s *Handler) writeDetail(w http.ResponseWriter, r *http.Request, id string) error {
	d, err := s.deps.Identity.Detail(r.Context(), id)
	if err != nil {
		return apiError(err)
	}
	out, err := s.detailJSON(r.Context(), d)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"account": out})
	return nil
}

// customer reads the customer account in the path; staff accounts are
// managed through their roles, as in the console.
func (s *Handler) customer(r *http.Request) (*identity.AccountDetail, error) {
	d, err := s.detail(r)
	if err != nil {
		return nil, err
	}
	if d.Kind != identity.KindCustomer {
		return nil, &web.Error{Status: http.StatusConflict, Code: "not_a_customer", Message: "This action is for customer accounts; manage staff accounts through their roles."}
	}
	return d, nil
}

// The account actions, as the console's.
type accountActionFunc func(*identity.Service, context.Context, string) error

var (
	actDisable = func(i *identity.Service, ctx context.Context, id string) error { return i.SetDisabled(ctx, id, true) }
	actEnable  = func(i *identity.Service, ctx context.Context, id string) error { return i.SetDisabled(ctx, id, false) }
	actUnlock  = func(i *identity.Service, ctx context.Context, id string) error { return i.StaffUnlock(ctx, id) }
	actReset   = func(i *identity.Service, ctx context.Context, id string) error { return i.ForceReset(ctx, id) }
	// actEndSessions ends every session of the account.
	actEndSessions = func(i *identity.Service, ctx context.Context, id string) error { return i.EndSessionsOf(ctx, id) }
)

// accountAction runs one action on the customer in the path and answers
// with the account as it is afterwards. The body, if any, must be an
// empty JSON object.
func (s *Handler) accountAction(do accountActionFunc) web.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if r.ContentLength != 0 {
			var in struct{}
			if err := web.DecodeJSON(r, &in); err != nil {
				return err
			}
		}
		d, err := s.customer(r)
		if err != nil {
			return err
		}
		if err := do(s.deps.Identity, r.Context(), d.ID); err != nil {
			return apiError(err)
		}
		return s.writeDetail(w, r, d.ID)
	}
}
