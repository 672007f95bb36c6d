package console

import (
	"errors"
	"maps"
	"net/http"
	"strconv"
	"strings"

	"github.com/frontdesk/frontdesk/internal/fault"
	"github.com/frontdesk/frontdesk/internal/risk"
	"github.com/frontdesk/frontdesk/internal/web"
)

// The security pages: the staff-monitoring alert queue, second approval
// of reveals past the hourly cap, and the sign-in risk rules with a dry
// run.

// alertRow is an alert with the staff member's name beside the id.
type alertRow struct {
	risk.Alert
	Staff, Assignee string
	NoteAuthors     []string
	Words           []string // the evidence as sentences in the page's language
}

type securityView struct {
	Alerts      []alertRow
	Alert       *alertRow
	Resolutions []string
	Self        string
	Policy      risk.Policy
	Decisions   []risk.Decision
	Kinds       []string
	DryRun      *risk.DryRun
}

// staffName is "Name <email>" for a staff account, the id when unknown.
func (s *Handler) staffName(r *http.Request, id string) string {
	if id == "" {
		return ""
	}
	a, err := s.deps.Identity.AccountByID(r.Context(), id)
	if err != nil {
		return id
	}
	if a.Name != "" {
		return a.Name + " <" + a.Email + ">"
	}
	return a.Email
}

func (s *Handler) consoleAlerts(w http.ResponseWriter, r *http.Request) error {
	status := r.URL.Query().Get("status")
	if status != risk.StatusOpen && status != risk.StatusAssigned && status != risk.StatusResolved {
		status = ""
	}
	list, err := s.deps.Risk.Alerts(r.Context(), status, 200)
	if err != nil {
		return err
	}
	v := securityView{}
	for _, a := range list {
		v.Alerts = append(v.Alerts, alertRow{Alert: a, Staff: s.staffName(r, a.StaffID), Assignee: s.staffName(r, a.Assignee)})
	}
	return s.renderConsole(w, r, http.StatusOK, "console_security_alerts", nil, v)
}

func (s *Handler) consoleAlert(w http.ResponseWriter, r *http.Request) error {
	return s.renderAlert(w, r, http.StatusOK, web.NewForm(r))
}

func (s *Handler) renderAlert(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	a, err := s.deps.Risk.Alert(r.Context(), r.PathValue("id"))
	if errors.Is(err, fault.ErrNotFound) {
		return web.ErrNotFound
	}
	if err != nil {
		return err
	}
	lang := web.Info(r.Context()).Lang
	row := alertRow{Alert: *a, Staff: s.staffName(r, a.StaffID), Assignee: s.staffName(r, a.Assignee),
		Words: words(s.Pages.Translator(lang), lang, *a)}
	for _, n := range a.Notes {
		row.NoteAuthors = append(row.NoteAuthors, s.staffName(r, n.AuthorID))
	}
	if d := r.URL.Query().Get("done"); d == "assigned" || d == "noted" || d == "resolved" || d == "approved" {
		f.Notice = "console.security.done." + d
	}
	return s.renderConsole(w, r, status, "console_security_alert", f, securityView{Alert: &row, Resolutions: risk.Resolutions,
		Self: web.Principal(r.Context()).AccountID})
}

// alertStep runs one step on an alert and returns to it.
func (s *Handler) alertStep(done string, do func(s *Handler, r *http.Request, id, self string) error) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		id := r.PathValue("id")
		if err := do(s, r, id, web.Principal(r.Context()).AccountID); err != nil {
			if errors.Is(err, fault.ErrNotFound) {
				return web.ErrNotFound
			}
			if errors.Is(err, fault.ErrInvalid) {
				f := web.NewForm(r)
				f.Error = s.Pages.Translator(web.Info(r.Context()).Lang)("console.security.err." + invalidField(err))
				return s.renderAlert(w, r, http.StatusBadRequest, f)
			}
			return err
		}
		http.Redirect(w, r, "/console/security/alerts/"+id+"?done="+done, http.StatusSeeOther)
		return nil
	}
}

// invalidField names what an invalid step was about, for its message.
func invalidField(err error) string {
	var inv *fault.Invalid
	switch {
	case errors.As(err, &inv):
		return inv.Field
	case errors.Is(err, risk.ErrSelfApprove):
		return "self"
	}
	return "closed"
}

func alertAssign(s *Handler, r *http.Request, id, self string) error {
	return s.deps.Risk.Assign(r.Context(), id, self)
}

func alertNote(s *Handler, r *http.Request, id, self string) error {
	return s.deps.Risk.AddNote(r.Context(), id, self, r.PostFormValue("note"))
}

func alertResolve(s *Handler, r *http.Request, id, self string) error {
	return s.deps.Risk.Resolve(r.Context(), id, self, r.PostFormValue("resolution"))
}

func alertApprove(s *Handler, r *http.Request, id, self string) error {
	a, err := s.deps.Risk.Alert(r.Context(), id)
	if err != nil {
		return err
	}
	_, err = s.deps.Risk.ApproveReveals(r.Context(), a.StaffID, self)
	return err
}

var decisions = []risk.Decision{risk.Allow, risk.Notify, risk.StepUp, risk.Block}

func (s *Handler) consoleRules(w http.ResponseWriter, r *http.Request) error {
	p, err := s.deps.Risk.CurrentPolicy(r.Context())
	if err != nil {
		return err
	}
	f := web.NewForm(r)
	if r.URL.Query().Get("done") == "saved" {
		f.Notice = "console.security.done.saved"
	}
	return s.renderConsole(w, r, http.StatusOK, "console_security_rules", f, securityView{Policy: p, Decisions: decisions, Kinds: risk.Kinds})
}

// consoleRulesPost dry-runs the edited rules, or saves them.
func (s *Handler) consoleRulesPost(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p, err := s.deps.Risk.CurrentPolicy(ctx)
	if err != nil {
		return err
	}
	f := web.NewForm(r)
	for i, rule := range p.Rules {
		p.Rules[i].Then = risk.Decision(r.PostFormValue("then_" + rule.ID))
		p.Rules[i].Off = r.PostFormValue("off_"+rule.ID) == "on"
	}
	num := func(name string, into *int) {
		if n, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue(name))); err == nil {
			*into = n
		} else {
			*into = -1 // refused by Check
		}
	}
	speed := int(p.MaxSpeedKmh)
	num("max_speed_kmh", &speed)
	p.MaxSpeedKmh = float64(speed)
	limits := maps.Clone(p.Staff.HourlyLimits)
	for _, k := range risk.Kinds {
		if _, sent := r.PostForm["limit_"+k]; sent {
			n := 0
			num("limit_"+k, &n)
			limits[k] = n
		}
	}
	p.Staff.HourlyLimits = limits
	num("work_start", &p.Staff.WorkStart)
	num("work_end", &p.Staff.WorkEnd)
	p.Staff.TimeZone = strings.TrimSpace(r.PostFormValue("time_zone"))
	v := securityView{Policy: p, Decisions: decisions, Kinds: risk.Kinds}
	if err := p.Check(); err != nil {
		var inv *fault.Invalid
		errors.As(err, &inv)
		f.Error = s.Pages.Translator(web.Info(ctx).Lang)("console.security.err.policy")
		if inv != nil {
			f.Errors[inv.Field] = inv.Reason
		}
		return s.renderConsole(w, r, http.StatusBadRequest, "console_security_rules", f, v)
	}
	if r.PostFormValue("op") == "save" {
		if err := s.deps.Risk.SavePolicy(ctx, p, web.Principal(ctx).AccountID); err != nil {
			return err
		}
		http.Redirect(w, r, "/console/security/rules?done=saved", http.StatusSeeOther)
		return nil
	}
	dry, err := s.deps.Risk.DryRun(ctx, p.Rules)
	if err != nil {
		return err
	}
	v.DryRun = &dry
	return s.renderConsole(w, r, http.StatusOK, "console_security_rules", f, v)
}
