package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/internal/access"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/frontdesk/frontdesk/internal/mfa"
)

// The staff console: customers (search, 360° page, actions), staff and
// roles, access reviews, recovery requests. Every route names the
// permission it needs (routes.go); pages share the portal's layout and
// work without JavaScript.

// ConsoleView is what every console page gets besides its own data.
type ConsoleView struct {
	Perms []string // what the signed-in staff member may do, for the menu
	Data  any
}

// can reports whether the menu should offer perm.
func (v ConsoleView) Can(perm string) bool { return slices.Contains(v.Perms, perm) }

func (s *Server) renderConsole(w http.ResponseWriter, r *http.Request, status int, page string, f *Form, data any) error {
	perms, err := s.opts.Access.PermissionsOf(r.Context(), Principal(r.Context()).AccountID)
	if err != nil {
		return err
	}
	if f == nil {
		f = NewForm(r)
	}
	f.Extra = ConsoleView{Perms: perms, Data: data}
	return s.Render(w, r, status, page, f)
}

// withAccess answers 404 when the server runs without the access service.
func (s *Server) withAccess(h func(http.ResponseWriter, *http.Request) error) func(http.ResponseWriter, *http.Request) error {
	if s.opts.Access == nil || s.opts.MFA == nil {
		return s.notFound
	}
	return h
}

func (s *Server) consoleHome(w http.ResponseWriter, r *http.Request) error {
	return s.renderConsole(w, r, http.StatusOK, "console_home", nil, nil)
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

func (s *Server) consoleCustomers(w http.ResponseWriter, r *http.Request) error {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	f := NewForm(r)
	f.Values["q"] = q
	var rows []customerRow
	if q != "" {
		hits, err := s.opts.Identity.Search(r.Context(), q, identity.KindCustomer, 50)
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
}

func (s *Server) consoleCustomer(w http.ResponseWriter, r *http.Request) error {
	return s.renderCustomer(w, r, http.StatusOK, NewForm(r))
}

func (s *Server) renderCustomer(w http.ResponseWriter, r *http.Request, status int, f *Form) error {
	ctx, id := r.Context(), r.PathValue("id")
	staff := Principal(ctx).AccountID
	d, err := s.opts.Identity.Detail(ctx, id)
	if err != nil {
		return IdentityError(err)
	}
	if d.Kind != identity.KindCustomer {
		return ErrNotFound // staff accounts are managed on the staff pages
	}
	until, err := s.opts.Access.Revealed(ctx, staff, id)
	if err != nil {
		return err
	}
	v := customerView{Detail: d, RevealUntil: until, Row: masked(d.Account, !until.IsZero())}
	v.Row.Locked = d.Locked
	fs, err := s.opts.MFA.Factors(ctx, id)
	if err != nil {
		return err
	}
	for _, fa := range fs {
		if !slices.Contains(v.Factors, fa.Kind) {
			v.Factors = append(v.Factors, fa.Kind)
		}
	}
	if v.Sessions, err = s.opts.Identity.SessionsOf(ctx, id); err != nil {
		return err
	}
	if v.History, err = s.opts.Identity.LoginHistory(ctx, id, 20); err != nil {
		return err
	}
	if until.IsZero() {
		for i := range v.Sessions {
			v.Sessions[i].IP = ""
		}
		for i := range v.History {
			v.History[i].IP = ""
		}
	}
	reqs, err := s.opts.MFA.RecoveryRequests(ctx, "")
	if err != nil {
		return err
	}
	for _, q := range reqs {
		if q.AccountID == id {
			v.Recoveries = append(v.Recoveries, q)
		}
	}
	if f.Notice == "" {
		if n := r.URL.Query().Get("done"); n != "" && len(n) < 20 {
			f.Notice = "console.done." + n
		}
	}
	return s.renderConsole(w, r, status, "console_customer", f, v)
}

func (s *Server) consoleReveal(w http.ResponseWriter, r *http.Request) error {
	ctx, id := r.Context(), r.PathValue("id")
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	if reason == "" || len([]rune(reason)) > 200 {
		f := NewForm(r)
		f.Errors["reason"] = s.Pages.Translator(Info(ctx).Lang)("console.reveal.reason_needed")
		return s.renderCustomer(w, r, http.StatusBadRequest, f)
	}
	if _, err := s.opts.Identity.Detail(ctx, id); err != nil {
		return IdentityError(err)
	}
	if _, err := s.opts.Access.Reveal(ctx, Principal(ctx).AccountID, id, reason); err != nil {
		return err
	}
	http.Redirect(w, r, "/console/customers/"+id+"?done=revealed", http.StatusSeeOther)
	return nil
}

// customerAction runs one console action and returns to the 360° page.
func (s *Server) customerAction(name string, do func(*Server, *http.Request, string) error) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		id := r.PathValue("id")
		d, err := s.opts.Identity.Detail(r.Context(), id)
		if err != nil {
			return IdentityError(err)
		}
		if d.Kind != identity.KindCustomer {
			return ErrNotFound
		}
		if err := do(s, r, id); err != nil {
			return IdentityError(err)
		}
		// From a conversation's account panel, back to the conversation.
		if back := r.PostFormValue("back"); ConvIDPattern.MatchString(back) {
			return BackToConversation(w, r, back, name)
		}
		http.Redirect(w, r, "/console/customers/"+id+"?done="+name, http.StatusSeeOther)
		return nil
	}
}

var (
	consoleUnlock = func(s *Server, r *http.Request, id string) error { return s.opts.Identity.StaffUnlock(r.Context(), id) }
	consoleReset  = func(s *Server, r *http.Request, id string) error { return s.opts.Identity.ForceReset(r.Context(), id) }
	consoleEnd    = func(s *Server, r *http.Request, id string) error {
		return s.opts.Identity.EndSessionsOf(r.Context(), id)
	}
	consoleDis = func(s *Server, r *http.Request, id string) error {
		return s.opts.Identity.SetDisabled(r.Context(), id, true)
	}
	consoleEn = func(s *Server, r *http.Request, id string) error {
		return s.opts.Identity.SetDisabled(r.Context(), id, false)
	}
)

// Staff and roles.

// staffRow is a staff member as the staff page lists them.
type staffRow struct {
	identity.Account
	Roles []string
}

type staffView struct {
	Staff []staffRow
	Roles []access.RoleInfo
	Self  string
}

func (s *Server) consoleStaff(w http.ResponseWriter, r *http.Request) error {
	return s.renderStaff(w, r, http.StatusOK, NewForm(r))
}

func (s *Server) renderStaff(w http.ResponseWriter, r *http.Request, status int, f *Form) error {
	ctx := r.Context()
	list, err := s.opts.Identity.StaffAccounts(ctx)
	if err != nil {
		return err
	}
	v := staffView{Self: Principal(ctx).AccountID}
	for _, a := range list {
		roles, err := s.opts.Access.RolesOf(ctx, a.ID)
		if err != nil {
			return err
		}
		v.Staff = append(v.Staff, staffRow{Account: a, Roles: roles})
	}
	if v.Roles, err = s.opts.Access.AllRoles(ctx); err != nil {
		return err
	}
	if f.Notice == "" {
		if n := r.URL.Query().Get("done"); n != "" && len(n) < 20 {
			f.Notice = "console.done." + n
		}
	}
	return s.renderConsole(w, r, status, "console_staff", f, v)
}

func (s *Server) consoleCreateStaff(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	f := NewForm(r, "email", "role")
	by := Principal(ctx).AccountID
	_, err := s.opts.Identity.InviteStaff(ctx, f.Values["email"], func(tx *db.Tx, id string) error {
		return s.opts.Access.Grant(ctx, tx, id, f.Values["role"], by)
	})
	if err != nil {
		if errors.Is(err, access.ErrUnknownRole) {
			f.Errors["role"] = s.Pages.Translator(Info(ctx).Lang)("console.staff.bad_role")
			return s.renderStaff(w, r, http.StatusBadRequest, f)
		}
		if errors.Is(err, identity.ErrExists) {
			f.Errors["email"] = s.Pages.Translator(Info(ctx).Lang)("console.staff.exists")
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

func (s *Server) consoleGrant(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	err := s.opts.Access.GrantRole(ctx, r.PathValue("id"), r.PostFormValue("role"), Principal(ctx).AccountID)
	return s.staffResult(w, r, err, "granted")
}

func (s *Server) consoleRevoke(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	err := s.opts.Access.RevokeRole(ctx, r.PathValue("id"), r.PathValue("role"), Principal(ctx).AccountID, "revoked in the console")
	return s.staffResult(w, r, err, "revoked")
}

func (s *Server) staffResult(w http.ResponseWriter, r *http.Request, err error, done string) error {
	if err != nil {
		f := NewForm(r)
		t := s.Pages.Translator(Info(r.Context()).Lang)
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

func (s *Server) consoleCreateRole(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if err := r.ParseForm(); err != nil {
		return err
	}
	err := s.opts.Access.CreateRole(ctx, strings.TrimSpace(r.PostFormValue("name")), strings.TrimSpace(r.PostFormValue("description")),
		r.PostForm["permission"], Principal(ctx).AccountID)
	return s.staffResult(w, r, err, "role")
}

// consoleBulk applies one action to the customers selected in a search:
// disable, force a password reset, or end their sessions. Each account
// gets its own audit entry; each action needs its own permission.
func (s *Server) consoleBulk(w http.ResponseWriter, r *http.Request) error {
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
		return &Error{Status: http.StatusBadRequest, Code: "invalid_action", Message: "Choose what to do with the selected customers."}
	}
	ok, err := s.opts.Access.Allowed(ctx, Principal(ctx), perm)
	if err != nil {
		return err
	}
	if !ok {
		return ErrForbidden
	}
	ids := r.PostForm["id"]
	if r.PostFormValue("scope") == "search" {
		// Every customer the search finds, as its page lists them (50 at most).
		hits, err := s.opts.Identity.Search(ctx, r.PostFormValue("q"), identity.KindCustomer, 50)
		if err != nil {
			return err
		}
		ids = ids[:0]
		for _, h := range hits {
			ids = append(ids, h.ID)
		}
	}
	if len(ids) == 0 || len(ids) > 100 {
		return &Error{Status: http.StatusBadRequest, Code: "invalid_selection", Message: "Select between 1 and 100 customers."}
	}
	done := 0
	for _, id := range ids {
		d, err := s.opts.Identity.Detail(ctx, id)
		if err != nil || d.Kind != identity.KindCustomer {
			continue
		}
		if err := do(s, r, id); err != nil {
			return err
		}
		done++
	}
	f := NewForm(r)
	f.Values["q"] = r.PostFormValue("q")
	http.Redirect(w, r, "/console/customers?done=bulk&n="+strconv.Itoa(done)+"&q="+url.QueryEscape(f.Values["q"]), http.StatusSeeOther)
	return nil
}
