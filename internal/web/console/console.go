package console

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/internal/access"
	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/frontdesk/frontdesk/internal/mfa"
	"github.com/frontdesk/frontdesk/internal/risk"
	"github.com/frontdesk/frontdesk/internal/support"
	"github.com/frontdesk/frontdesk/internal/web"
)

// The staff console: customers (search, 360° page, actions), staff and
// roles, access reviews, recovery requests. Every route names the
// permission it needs (routes.go); pages share the portal's layout and
// work without JavaScript.

// ConsoleView is what every console page gets besides its own data.
type ConsoleView struct {
	Perms   []string // what the signed-in staff member may do, for the menu
	Data    any
	Nav     []web.NavGroup // the sidebar
	Backups bool           // the Backups page is mounted
	// BackupProblem, for staff who manage settings, is the backups'
	// problem code (backup.Health), shown as a banner on every page.
	BackupProblem string
}

// SidebarGroups gives the layout the console's sidebar.
func (v ConsoleView) SidebarGroups() []web.NavGroup { return v.Nav }

// can reports whether the menu should offer perm.
func (v ConsoleView) Can(perm string) bool { return slices.Contains(v.Perms, perm) }

func (s *Handler) renderConsole(w http.ResponseWriter, r *http.Request, status int, page string, f *web.Form, data any) error {
	perms, err := s.deps.Access.PermissionsOf(r.Context(), web.Principal(r.Context()).AccountID)
	if err != nil {
		return err
	}
	if f == nil {
		f = web.NewForm(r)
	}
	v := ConsoleView{Perms: perms, Data: data, Nav: s.sidebar(perms, r.URL.Path), Backups: s.deps.Backups != nil}
	if v.Backups && v.Can(access.SettingsManage) {
		v.BackupProblem = s.deps.Backups.Problem(r.Context())
	}
	f.Extra = v
	return s.Render(w, r, status, page, f)
}

// customerRow is a search hit with what the viewer may see.
type customerRow struct {
	ID, Email, Name, Phone, Status, Kind string
	Locked                               bool
}

func masked(a identity.Account, reveal bool) customerRow {
	row := customerRow{ID: a.ID, Email: a.Email, Name: a.Name, Phone: a.Phone, Status: a.Status, Kind: a.Kind}
	if !reveal {
		row.Email, row.Name, row.Phone = access.MaskEmail(a.Email), access.MaskName(a.Name), identity.MaskPhone(a.Phone)
		if a.Phone == "" {
			row.Phone = ""
		}
	}
	return row
}

func (s *Handler) consoleCustomers(w http.ResponseWriter, r *http.Request) error {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	f := web.NewForm(r)
	f.Values["q"] = q
	var rows []customerRow
	if q != "" {
		hits, err := s.deps.Identity.Search(r.Context(), q, identity.KindCustomer, 50)
		if err != nil {
			return err
		}
		for _, h := range hits {
			row := masked(h.Account, false)
			row.Locked = h.Locked
			rows = append(rows, row)
		}
		if len(rows) == 0 {
			f.Notice = "console.customers.none"
		}
	}
	if r.URL.Query().Get("done") == "bulk" {
		f.Notice = "console.done.bulk"
	}
	return s.renderConsole(w, r, http.StatusOK, "console_customers", f, rows)
}

// customerView is the 360° page's data.
type customerView struct {
	Row         customerRow
	Detail      *identity.AccountDetail
	RevealUntil time.Time
	Factors     []string
	Sessions    []identity.Session
	History     []identity.LoginEvent
	Recoveries  []mfa.RecoveryRequest
	// Conversations are the customer's, newest first, for staff who may
	// read conversations; nil when they may not (or there is no desk).
	Conversations []support.Conversation
	// Consents is where the customer stands on each purpose that needs
	// consent; nil when there is no consent ledger.
	Consents []customerConsent
}

func (s *Handler) consoleCustomer(w http.ResponseWriter, r *http.Request) error {
	return s.renderCustomer(w, r, http.StatusOK, web.NewForm(r))
}

func (s *Handler) renderCustomer(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	ctx, id := r.Context(), r.PathValue("id")
	staff := web.Principal(ctx).AccountID
	d, err := s.deps.Identity.Detail(ctx, id)
	if err != nil {
		return web.IdentityError(err)
	}
	if d.Kind != identity.KindCustomer {
		return web.ErrNotFound // staff accounts are managed on the staff pages
	}
	until, err := s.deps.Access.Revealed(ctx, staff, id)
	if err != nil {
		return err
	}
	v := customerView{Detail: d, RevealUntil: until, Row: masked(d.Account, !until.IsZero())}
	v.Row.Locked = d.Locked
	fs, err := s.deps.MFA.Factors(ctx, id)
	if err != nil {
		return err
	}
	for _, fa := range fs {
		if !slices.Contains(v.Factors, fa.Kind) {
			v.Factors = append(v.Factors, fa.Kind)
		}
	}
	if v.Sessions, err = s.deps.Identity.SessionsOf(ctx, id); err != nil {
		return err
	}
	if v.History, err = s.deps.Identity.LoginHistory(ctx, id, 20); err != nil {
		return err
	}
	if until.IsZero() {
		for i := range v.Sessions {
			v.Sessions[i].IP = ""
		}
		for i := range v.History {
			v.History[i].IP, v.History[i].Place = "", ""
		}
	}
	reqs, err := s.deps.MFA.RecoveryRequests(ctx, "")
	if err != nil {
		return err
	}
	for _, q := range reqs {
		if q.AccountID == id {
			v.Recoveries = append(v.Recoveries, q)
		}
	}
	if s.deps.Support != nil {
		if ok, err := s.deps.Access.Allowed(ctx, web.Principal(ctx), access.ConversationsRead); err != nil {
			return err
		} else if ok {
			if v.Conversations, err = s.deps.Support.ConversationsOf(ctx, id, 20); err != nil {
				return err
			}
		}
	}
	if v.Consents, err = s.customerConsents(r, id); err != nil {
		return err
	}
	if f.Notice == "" {
		if n := r.URL.Query().Get("done"); n != "" && len(n) < 20 {
			f.Notice = "console.done." + n
		}
	}
	return s.renderConsole(w, r, status, "console_customer", f, v)
}

func (s *Handler) consoleReveal(w http.ResponseWriter, r *http.Request) error {
	ctx, id := r.Context(), r.PathValue("id")
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	if reason == "" || len([]rune(reason)) > 200 {
		f := web.NewForm(r)
		f.Errors["reason"] = s.Pages.Translator(web.Info(ctx).Lang)("console.reveal.reason_needed")
		return s.renderCustomer(w, r, http.StatusBadRequest, f)
	}
	if _, err := s.deps.Identity.Detail(ctx, id); err != nil {
		return web.IdentityError(err)
	}
	if _, err := s.deps.Access.Reveal(ctx, web.Principal(ctx).AccountID, id, reason); errors.Is(err, risk.ErrSecondApprover) {
		f := web.NewForm(r)
		f.Error = s.Pages.Translator(web.Info(ctx).Lang)("err.second_approver_required")
		return s.renderCustomer(w, r, http.StatusForbidden, f)
	} else if err != nil {
		return err
	}
	http.Redirect(w, r, "/console/customers/"+id+"?done=revealed", http.StatusSeeOther)
	return nil
}

// customerAction runs one console action and returns to the 360° page.
func (s *Handler) customerAction(name string, do func(*Handler, *http.Request, string) error) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		id := r.PathValue("id")
		d, err := s.deps.Identity.Detail(r.Context(), id)
		if err != nil {
			return web.IdentityError(err)
		}
		if d.Kind != identity.KindCustomer {
			return web.ErrNotFound
		}
		if err := do(s, r, id); err != nil {
			return web.IdentityError(err)
		}
		// From a conversation's account panel, back to the conversation.
		if back := r.PostFormValue("back"); web.ConvIDPattern.MatchString(back) {
			return web.BackToConversation(w, r, back, name)
		}
		http.Redirect(w, r, "/console/customers/"+id+"?done="+name, http.StatusSeeOther)
		return nil
	}
}

var (
	consoleUnlock = func(s *Handler, r *http.Request, id string) error {
		return s.deps.Identity.StaffUnlock(r.Context(), id)
	}
	consoleReset = func(s *Handler, r *http.Request, id string) error { return s.deps.Identity.ForceReset(r.Context(), id) }
	consoleEnd   = func(s *Handler, r *http.Request, id string) error {
		return s.deps.Identity.EndSessionsOf(r.Context(), id)
	}
	consoleDis = func(s *Handler, r *http.Request, id string) error {
		return s.deps.Identity.SetDisabled(r.Context(), id, true)
	}
	consoleEn = func(s *Handler, r *http.Request, id string) error {
		return s.deps.Identity.SetDisabled(r.Context(), id, false)
	}
)

// Staff and roles.

// staffRow is a staff member as the staff page lists them.
type staffRow struct {
	identity.Account
	Roles []string
	State identity.StaffState
}

type staffView struct {
	Staff []staffRow
	Roles []access.RoleInfo
	Self  string
}

func (s *Handler) consoleStaff(w http.ResponseWriter, r *http.Request) error {
	return s.renderStaff(w, r, http.StatusOK, web.NewForm(r))
}

func (s *Handler) renderStaff(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	ctx := r.Context()
	list, err := s.deps.Identity.StaffAccounts(ctx)
	if err != nil {
		return err
	}
	states, err := s.deps.Identity.StaffStates(ctx)
	if err != nil {
		return err
	}
	v := staffView{Self: web.Principal(ctx).AccountID}
	for _, a := range list {
		roles, err := s.deps.Access.RolesOf(ctx, a.ID)
		if err != nil {
			return err
		}
		v.Staff = append(v.Staff, staffRow{Account: a, Roles: roles, State: states[a.ID]})
	}
	if v.Roles, err = s.deps.Access.AllRoles(ctx); err != nil {
		return err
	}
	if f.Notice == "" {
		if n := r.URL.Query().Get("done"); n != "" && len(n) < 20 {
			f.Notice = "console.done." + n
		}
	}
	return s.renderConsole(w, r, status, "console_staff", f, v)
}

func (s *Handler) consoleCreateStaff(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	f := web.NewForm(r, "email", "role")
	by := web.Principal(ctx).AccountID
	_, err := s.deps.Identity.InviteStaff(ctx, f.Values["email"], func(tx *db.Tx, id string) error {
		return s.deps.Access.Grant(ctx, tx, id, f.Values["role"], by)
	})
	if err != nil {
		if errors.Is(err, access.ErrUnknownRole) {
			f.Errors["role"] = s.Pages.Translator(web.Info(ctx).Lang)("console.staff.bad_role")
			return s.renderStaff(w, r, http.StatusBadRequest, f)
		}
		if errors.Is(err, identity.ErrExists) {
			f.Errors["email"] = s.Pages.Translator(web.Info(ctx).Lang)("console.staff.exists")
			return s.renderStaff(w, r, http.StatusConflict, f)
		}
		status, ferr := s.Fail(r, f, err)
		if ferr != nil {
			return ferr
		}
		return s.renderStaff(w, r, status, f)
	}
	http.Redirect(w, r, "/console/staff?done=invited", http.StatusSeeOther)
	return nil
}

func (s *Handler) consoleGrant(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	err := s.deps.Access.GrantRole(ctx, r.PathValue("id"), r.PostFormValue("role"), web.Principal(ctx).AccountID)
	return s.staffResult(w, r, err, "granted")
}

func (s *Handler) consoleRevoke(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	err := s.deps.Access.RevokeRole(ctx, r.PathValue("id"), r.PathValue("role"), web.Principal(ctx).AccountID, "revoked in the console")
	return s.staffResult(w, r, err, "revoked")
}

func (s *Handler) staffResult(w http.ResponseWriter, r *http.Request, err error, done string) error {
	if err != nil {
		f := web.NewForm(r)
		t := s.Pages.Translator(web.Info(r.Context()).Lang)
		status := http.StatusBadRequest
		switch {
		case errors.Is(err, access.ErrSelfGrant):
			f.Error, status = t("console.err.self"), http.StatusForbidden
		case errors.Is(err, access.ErrUnknownRole), errors.Is(err, access.ErrNotStaff), errors.Is(err, access.ErrInvalidRole):
			f.Error = t("console.staff.bad_role")
		default:
			return err
		}
		return s.renderStaff(w, r, status, f)
	}
	http.Redirect(w, r, "/console/staff?done="+done, http.StatusSeeOther)
	return nil
}

func (s *Handler) consoleCreateRole(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if err := r.ParseForm(); err != nil {
		return err
	}
	err := s.deps.Access.CreateRole(ctx, strings.TrimSpace(r.PostFormValue("name")), strings.TrimSpace(r.PostFormValue("description")),
		r.PostForm["permission"], web.Principal(ctx).AccountID)
	return s.staffResult(w, r, err, "role")
}

// consoleBulk applies one action to the customers selected in a search:
// disable, force a password reset, or end their sessions. Each account
// gets its own audit entry; each action needs its own permission.
func (s *Handler) consoleBulk(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if err := r.ParseForm(); err != nil {
		return err
	}
	action := r.PostFormValue("action")
	perm, do := "", consoleDis
	switch action {
	case "disable":
		perm, do = access.CustomersDisable, consoleDis
	case "reset":
		perm, do = access.CustomersResetPassword, consoleReset
	case "end-sessions":
		perm, do = access.CustomersDisable, consoleEnd
	default:
		return &web.Error{Status: http.StatusBadRequest, Code: "invalid_action", Message: "Choose what to do with the selected customers."}
	}
	ok, err := s.deps.Access.Allowed(ctx, web.Principal(ctx), perm)
	if err != nil {
		return err
	}
	if !ok {
		return web.ForbiddenFor(perm)
	}
	ids := r.PostForm["id"]
	if r.PostFormValue("scope") == "search" {
		// Every customer the search finds, as its page lists them (50 at most).
		hits, err := s.deps.Identity.Search(ctx, r.PostFormValue("q"), identity.KindCustomer, 50)
		if err != nil {
			return err
		}
		ids = ids[:0]
		for _, h := range hits {
			ids = append(ids, h.ID)
		}
	}
	if len(ids) == 0 || len(ids) > 100 {
		return &web.Error{Status: http.StatusBadRequest, Code: "invalid_selection", Message: "Select between 1 and 100 customers."}
	}
	// One entry for the action as a whole, before its per-customer ones:
	// staff monitoring counts bulk actions from it (one a click, whatever
	// the number of customers).
	if s.deps.DB != nil && s.deps.Audit != nil {
		if err := s.deps.DB.Write(ctx, func(tx *db.Tx) error {
			return s.deps.Audit.Record(ctx, tx, audit.Event{Action: "customers.bulk", Target: "customers",
				Details: map[string]any{"action": action, "selected": len(ids)}})
		}); err != nil {
			return err
		}
	}
	done := 0
	for _, id := range ids {
		d, err := s.deps.Identity.Detail(ctx, id)
		if err != nil || d.Kind != identity.KindCustomer {
			continue
		}
		if err := do(s, r, id); err != nil {
			return err
		}
		done++
	}
	f := web.NewForm(r)
	f.Values["q"] = r.PostFormValue("q")
	http.Redirect(w, r, "/console/customers?done=bulk&n="+strconv.Itoa(done)+"&q="+url.QueryEscape(f.Values["q"]), http.StatusSeeOther)
	return nil
}
