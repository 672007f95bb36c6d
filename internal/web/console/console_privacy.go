package console

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/internal/access"
	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/fault"
	"github.com/frontdesk/frontdesk/internal/privacy"
	"github.com/frontdesk/frontdesk/internal/web"
)

// The data-protection pages (privacy:manage): the queue of data-subject
// requests with their deadline clocks, a request's page with every step,
// and the incident register with its 72-hour clock, the authority notice
// and the notices to customers. Staff see people by name; ids stay in
// links and hover text.

const stampFormat = "2006-01-02 15:04"

// clock is a deadline as the pages show it: a phrase and a badge class.
type clock struct {
	Text, Class string
}

// requestRow is a request with the names a person reads.
type requestRow struct {
	privacy.Request
	Customer, Answerer, Creator string
	Clock                       clock
}

// auditStep is one audit entry of a request or incident.
type auditStep struct {
	At, Actor, Action string
	Details           string
}

type privacyView struct {
	Requests  []requestRow
	Request   *requestRow
	Filter    string
	Steps     []auditStep
	Hold      *privacy.Hold
	HoldBy    string
	Tables    []string
	Export    *privacy.Export
	Kinds     []string
	Channels  []string
	Regimes   []string
	Checks    []string
	Regime    string
	Today     string
	Incidents []incidentRow
	Incident  *incidentRow
	Draft     string
	Risks     []string
	Cats      []string
	Langs     []string
	Notices   []noticeRow
	Now       string
	ConvLink  bool
	Checked   map[string]bool // the incident form's ticked categories
}

type incidentRow struct {
	privacy.Incident
	Clock   clock
	Creator string
}

type noticeRow struct {
	privacy.Delivery
	Customer string
}

func (s *Handler) t(r *http.Request) func(string, ...any) string {
	return s.Pages.Translator(web.Info(r.Context()).Lang)
}

// customerName is "Name · e-mail" of a customer, or a phrase for one
// who was erased.
func (s *Handler) customerName(r *http.Request, id string) string {
	a, err := s.deps.Identity.AccountByID(r.Context(), id)
	if err != nil {
		return s.t(r)("dsar.erased_customer")
	}
	if a.Name != "" {
		return a.Name + " · " + a.Email
	}
	return a.Email
}

func (s *Handler) requestClock(r *http.Request, q *privacy.Request) clock {
	t := s.t(r)
	switch {
	case !q.Open():
		return clock{Text: t("dsar.status." + q.Status), Class: "status-closed"}
	case q.Overdue():
		return clock{Text: t("dsar.clock.overdue", -q.DaysLeft()), Class: "sla over"}
	case q.DaysLeft() <= 7:
		return clock{Text: t("dsar.clock.days_left", q.DaysLeft()), Class: "prio-high"}
	}
	return clock{Text: t("dsar.clock.days_left", q.DaysLeft()), Class: "sla"}
}

func (s *Handler) incidentClock(r *http.Request, i *privacy.Incident) clock {
	t := s.t(r)
	switch {
	case !i.Notifiable():
		return clock{Text: t("incident.clock.none"), Class: "status-closed"}
	case i.AuthorityAt != nil:
		return clock{Text: t("incident.clock.notified", i.AuthorityAt.Format(stampFormat)), Class: "status-closed"}
	case i.Overdue():
		return clock{Text: t("incident.clock.overdue", -i.HoursLeft()), Class: "sla over"}
	case i.HoursLeft() < 24:
		return clock{Text: t("incident.clock.hours_left", i.HoursLeft()), Class: "prio-high"}
	}
	return clock{Text: t("incident.clock.hours_left", i.HoursLeft()), Class: "sla"}
}

func (s *Handler) baseView() privacyView {
	return privacyView{Kinds: privacy.RequestKinds, Channels: []string{privacy.ChannelEmail, privacy.ChannelConversation, privacy.ChannelPortal},
		Regimes: privacy.Regimes, Checks: privacy.IdentityChecks, Regime: s.deps.Privacy.Regime(), Risks: privacy.Risks,
		Cats: privacy.IncidentCategories, Langs: privacy.Languages, Today: s.deps.DB.Now().Format("2006-01-02"),
		Now: s.deps.DB.Now().Format("2006-01-02T15:04")}
}

// privacyError puts an invalid input on the form, in the page's language,
// and answers 400; a missing thing is a 404.
func (s *Handler) privacyError(r *http.Request, f *web.Form, err error) (int, error) {
	if errors.Is(err, fault.ErrNotFound) {
		return 0, web.ErrNotFound
	}
	var inv *fault.Invalid
	if errors.As(err, &inv) {
		f.Error = s.t(r)("dsar.err." + inv.Field)
		return http.StatusBadRequest, nil
	}
	return 0, err
}

// --- requests

func (s *Handler) consolePrivacyRequests(w http.ResponseWriter, r *http.Request) error {
	return s.renderRequests(w, r, http.StatusOK, web.NewForm(r))
}

func (s *Handler) renderRequests(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	filter := r.URL.Query().Get("status")
	if !slices.Contains([]string{privacy.RequestOpen, privacy.RequestFulfilled, privacy.RequestRefused, privacy.RequestWithdrawn}, filter) {
		filter = ""
	}
	list, err := s.deps.Privacy.Requests(r.Context(), privacy.RequestFilter{Status: filter})
	if err != nil {
		return err
	}
	v := s.baseView()
	v.Filter = filter
	for i := range list {
		v.Requests = append(v.Requests, requestRow{Request: list[i], Customer: s.customerName(r, list[i].AccountID),
			Clock: s.requestClock(r, &list[i])})
	}
	if f.Values["received"] == "" {
		f.Values["received"] = v.Today
	}
	if r.URL.Query().Get("done") == "created" {
		f.Notice = "dsar.done.created"
	}
	return s.renderConsole(w, r, status, "console_privacy_requests", f, v)
}

// parseDay reads a YYYY-MM-DD date as midnight UTC, or zero when empty.
func parseDay(v string) (time.Time, bool) {
	if v == "" {
		return time.Time{}, true
	}
	t, err := time.Parse("2006-01-02", v)
	return t, err == nil
}

func (s *Handler) consolePrivacyCreate(w http.ResponseWriter, r *http.Request) error {
	f := web.NewForm(r, "email", "kind", "channel", "regime", "identity", "received", "details")
	received, ok := parseDay(f.Values["received"])
	if !ok {
		f.Error = s.t(r)("dsar.err.received")
		return s.renderRequests(w, r, http.StatusBadRequest, f)
	}
	if !received.IsZero() && received.Format("2006-01-02") == s.deps.DB.Now().Format("2006-01-02") {
		received = time.Time{} // today: the moment it is recorded
	}
	if f.Values["channel"] == privacy.ChannelPortal {
		f.Error = s.t(r)("dsar.err.channel")
		return s.renderRequests(w, r, http.StatusBadRequest, f)
	}
	q, err := s.deps.Privacy.CreateRequest(r.Context(), privacy.NewRequest{Email: f.Values["email"], Kind: f.Values["kind"],
		Channel: f.Values["channel"], Regime: f.Values["regime"], IdentityCheck: f.Values["identity"], Details: r.PostFormValue("details"),
		ReceivedAt: received, By: web.Principal(r.Context()).AccountID})
	if err != nil {
		st, err := s.privacyError(r, f, err)
		if err != nil {
			return err
		}
		return s.renderRequests(w, r, st, f)
	}
	http.Redirect(w, r, "/console/privacy/requests/"+q.ID+"?done=created", http.StatusSeeOther)
	return nil
}

func (s *Handler) consolePrivacyRequest(w http.ResponseWriter, r *http.Request) error {
	f := web.NewForm(r)
	if d := r.URL.Query().Get("done"); slices.Contains([]string{"created", "identity", "extended", "hold", "released", "answered"}, d) {
		f.Notice = "dsar.done." + d
	}
	return s.renderRequest(w, r, http.StatusOK, f)
}

func (s *Handler) renderRequest(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	ctx := r.Context()
	q, err := s.deps.Privacy.GetRequest(ctx, r.PathValue("id"))
	if errors.Is(err, fault.ErrNotFound) {
		return web.ErrNotFound
	}
	if err != nil {
		return err
	}
	v := s.baseView()
	row := requestRow{Request: *q, Customer: s.customerName(r, q.AccountID), Clock: s.requestClock(r, q)}
	if q.AnsweredBy != "" && q.AnsweredBy != "system" {
		row.Answerer = s.staffName(r, q.AnsweredBy)
	}
	if q.CreatedBy != "customer" {
		row.Creator = s.staffName(r, q.CreatedBy)
	}
	v.Request = &row
	if q.HoldID != "" {
		if v.Hold, err = s.deps.Privacy.HoldOf(ctx, q.HoldID); err != nil {
			return err
		}
		v.HoldBy = s.staffName(r, v.Hold.CreatedBy)
	}
	if q.ExportID != "" {
		v.Export, _ = s.deps.Privacy.ExportOf(ctx, q.AccountID, q.ExportID)
	}
	v.Tables = s.deps.Privacy.HoldTables()
	perms, err := s.deps.Access.PermissionsOf(ctx, web.Principal(ctx).AccountID)
	if err != nil {
		return err
	}
	v.ConvLink = q.ConversationID != "" && slices.Contains(perms, access.ConversationsRead)
	if v.Steps, err = s.steps(r, "privacy_request:"+q.ID); err != nil {
		return err
	}
	return s.renderConsole(w, r, status, "console_privacy_request", f, v)
}

// steps lists the audit entries of a target, oldest first, with names.
func (s *Handler) steps(r *http.Request, target string) ([]auditStep, error) {
	recs, err := audit.Query(r.Context(), s.deps.DB, nil, audit.Filter{Target: target, Limit: 500})
	if err != nil {
		return nil, err
	}
	t := s.t(r)
	out := make([]auditStep, 0, len(recs))
	names := map[string]string{}
	for i := len(recs) - 1; i >= 0; i-- {
		e := recs[i]
		who := t("dsar.actor.system")
		switch {
		case e.Actor.Kind == audit.ActorCustomer:
			who = t("dsar.actor.customer")
		case e.Actor.ID != "" && e.Actor.Kind == audit.ActorStaff:
			if _, ok := names[e.Actor.ID]; !ok {
				names[e.Actor.ID] = s.staffName(r, e.Actor.ID)
			}
			who = names[e.Actor.ID]
		}
		var parts []string
		for _, k := range []string{"kind", "channel", "decision", "to", "reason", "tables", "queued", "reference", "locale"} {
			v, ok := e.Details[k]
			text := fmt.Sprint(v)
			if !ok || text == "" {
				continue
			}
			switch k {
			case "kind":
				text = t("dsar.kind." + text)
			case "channel":
				text = t("dsar.channel." + text)
			case "decision":
				text = t("dsar.status." + text)
			case "locale":
				text = t("incident.lang." + text)
			case "tables":
				if list, ok := v.([]any); ok {
					var names []string
					for _, n := range list {
						names = append(names, fmt.Sprint(n))
					}
					text = strings.Join(names, ", ")
				}
			case "to":
				if at, err := time.Parse(time.RFC3339Nano, text); err == nil {
					text = at.UTC().Format(stampFormat) + " UTC"
				} else if slices.Contains(privacy.IdentityChecks, text) {
					text = t("dsar.check." + text)
				}
			}
			parts = append(parts, text)
		}
		out = append(out, auditStep{At: e.At.UTC().Format(stampFormat), Actor: who,
			Action: t("console.action." + e.Action), Details: strings.Join(parts, " · ")})
	}
	return out, nil
}

// requestStep runs one step on a request and returns to its page.
func (s *Handler) requestStep(done string, fields []string, do func(s *Handler, r *http.Request, f *web.Form, id string) error) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		id := r.PathValue("id")
		f := web.NewForm(r, fields...)
		if err := do(s, r, f, id); err != nil {
			st, err := s.privacyError(r, f, err)
			if err != nil {
				return err
			}
			return s.renderRequest(w, r, st, f)
		}
		http.Redirect(w, r, "/console/privacy/requests/"+id+"?done="+done, http.StatusSeeOther)
		return nil
	}
}

func requestIdentity(s *Handler, r *http.Request, f *web.Form, id string) error {
	return s.deps.Privacy.RecordIdentityCheck(r.Context(), id, f.Values["identity"], f.Values["note"])
}

func requestExtend(s *Handler, r *http.Request, f *web.Form, id string) error {
	return s.deps.Privacy.Extend(r.Context(), id, f.Values["reason"])
}

func requestHold(s *Handler, r *http.Request, f *web.Form, id string) error {
	until, ok := parseDay(f.Values["until"])
	if !ok || until.IsZero() {
		return &fault.Invalid{Field: "until", Reason: "a date"}
	}
	_, err := s.deps.Privacy.PlaceHold(r.Context(), id, r.PostForm["table"], f.Values["reason"], until, web.Principal(r.Context()).AccountID)
	return err
}

func requestRelease(s *Handler, r *http.Request, f *web.Form, id string) error {
	return s.deps.Privacy.ReleaseHold(r.Context(), id, f.Values["reason"])
}

func requestAnswer(s *Handler, r *http.Request, f *web.Form, id string) error {
	return s.deps.Privacy.Answer(r.Context(), id, f.Values["decision"], r.PostFormValue("answer"), web.Principal(r.Context()).AccountID)
}

// consoleConversationPrivacy is the agent's "make this a privacy request"
// on a conversation with a customer account (conversations:write): the
// request joins the queue, where the privacy staff check the identity.
func (s *Handler) consoleConversationPrivacy(w http.ResponseWriter, r *http.Request) error {
	ctx, id := r.Context(), r.PathValue("id")
	c, err := s.deps.Support.Get(ctx, id, false)
	if err != nil {
		return web.SupportError(err)
	}
	if c.Contact.AccountID == "" {
		return &web.Error{Status: http.StatusConflict, Code: "no_account", Message: "This conversation is not with a customer account."}
	}
	_, err = s.deps.Privacy.CreateRequest(ctx, privacy.NewRequest{AccountID: c.Contact.AccountID, Kind: r.PostFormValue("kind"),
		Channel: privacy.ChannelConversation, ConversationID: id, Details: r.PostFormValue("details"), By: web.Principal(ctx).AccountID})
	var inv *fault.Invalid
	if errors.As(err, &inv) {
		return &web.Error{Status: http.StatusBadRequest, Code: "invalid_" + inv.Field, Message: s.t(r)("dsar.err." + inv.Field)}
	}
	if err != nil {
		return err
	}
	return web.BackToConversation(w, r, id, "privacy")
}

// --- incidents

func (s *Handler) consoleIncidents(w http.ResponseWriter, r *http.Request) error {
	return s.renderIncidents(w, r, http.StatusOK, web.NewForm(r))
}

func (s *Handler) renderIncidents(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	list, err := s.deps.Privacy.Incidents(r.Context())
	if err != nil {
		return err
	}
	v := s.baseView()
	for i := range list {
		v.Incidents = append(v.Incidents, incidentRow{Incident: list[i], Clock: s.incidentClock(r, &list[i])})
	}
	if f.Values["aware"] == "" {
		f.Values["aware"] = v.Now
	}
	v.Checked = map[string]bool{}
	for _, c := range r.PostForm["category"] {
		v.Checked[c] = true
	}
	return s.renderConsole(w, r, status, "console_privacy_incidents", f, v)
}

var incidentFields = []string{"title", "description", "aware", "occurred", "people", "records", "consequences", "measures", "risk",
	"notice_en", "notice_vi", "notice_zh"}

// incidentInput reads the incident form; times are "YYYY-MM-DDTHH:MM" UTC.
func incidentInput(r *http.Request, f *web.Form) (privacy.IncidentInput, error) {
	in := privacy.IncidentInput{Title: f.Values["title"], Description: r.PostFormValue("description"),
		Consequences: r.PostFormValue("consequences"), Measures: r.PostFormValue("measures"), Risk: f.Values["risk"],
		Categories: r.PostForm["category"]}
	var err error
	if in.AwareAt, err = parseMinute(f.Values["aware"]); err != nil || in.AwareAt.IsZero() {
		return in, &fault.Invalid{Field: "aware", Reason: "a date and time"}
	}
	if in.OccurredAt, err = parseMinute(f.Values["occurred"]); err != nil {
		return in, &fault.Invalid{Field: "occurred", Reason: "a date and time"}
	}
	for _, p := range []struct {
		field string
		dst   *int
	}{{"people", &in.People}, {"records", &in.Records}} {
		if f.Values[p.field] == "" {
			continue
		}
		if *p.dst, err = strconv.Atoi(f.Values[p.field]); err != nil {
			return in, &fault.Invalid{Field: "numbers", Reason: "a whole number"}
		}
	}
	if _, ok := r.PostForm["notice_en"]; ok {
		in.Notices = map[string]string{}
		for _, l := range privacy.Languages {
			in.Notices[l] = r.PostFormValue("notice_" + l)
		}
	}
	return in, nil
}

func parseMinute(v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	return time.Parse("2006-01-02T15:04", v)
}

func (s *Handler) consoleIncidentCreate(w http.ResponseWriter, r *http.Request) error {
	f := web.NewForm(r, incidentFields...)
	in, err := incidentInput(r, f)
	var inc *privacy.Incident
	if err == nil {
		inc, err = s.deps.Privacy.CreateIncident(r.Context(), in, web.Principal(r.Context()).AccountID)
	}
	if err != nil {
		st, err := s.privacyError(r, f, err)
		if err != nil {
			return err
		}
		return s.renderIncidents(w, r, st, f)
	}
	http.Redirect(w, r, "/console/privacy/incidents/"+inc.ID+"?done=created", http.StatusSeeOther)
	return nil
}

func (s *Handler) consoleIncident(w http.ResponseWriter, r *http.Request) error {
	f := web.NewForm(r)
	if d := r.URL.Query().Get("done"); slices.Contains([]string{"created", "saved", "authority", "queued"}, d) {
		f.Notice = "incident.done." + d
	}
	return s.renderIncident(w, r, http.StatusOK, f)
}

func (s *Handler) renderIncident(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	ctx := r.Context()
	inc, err := s.deps.Privacy.GetIncident(ctx, r.PathValue("id"))
	if errors.Is(err, fault.ErrNotFound) {
		return web.ErrNotFound
	}
	if err != nil {
		return err
	}
	v := s.baseView()
	v.Incident = &incidentRow{Incident: *inc, Clock: s.incidentClock(r, inc), Creator: s.staffName(r, inc.CreatedBy)}
	v.Draft = s.deps.Privacy.AuthorityNotice(inc)
	ds, err := s.deps.Privacy.Deliveries(ctx, inc.ID, 200)
	if err != nil {
		return err
	}
	for _, d := range ds {
		v.Notices = append(v.Notices, noticeRow{Delivery: d, Customer: s.customerName(r, d.AccountID)})
	}
	if v.Steps, err = s.steps(r, "privacy_incident:"+inc.ID); err != nil {
		return err
	}
	// The edit form starts from the record unless a refused edit is shown.
	v.Checked = map[string]bool{}
	cats := inc.Categories
	if status != http.StatusOK && f.Values["title"] != "" {
		cats = r.PostForm["category"]
	}
	for _, c := range cats {
		v.Checked[c] = true
	}
	if status == http.StatusOK || f.Values["title"] == "" {
		f.Values = map[string]string{"title": inc.Title, "description": inc.Description, "aware": inc.AwareAt.Format("2006-01-02T15:04"),
			"people": strconv.Itoa(inc.People), "records": strconv.Itoa(inc.Records), "consequences": inc.Consequences,
			"measures": inc.Measures, "risk": inc.Risk, "notice_en": inc.Notices["en"], "notice_vi": inc.Notices["vi"],
			"notice_zh": inc.Notices["zh"]}
		if !inc.OccurredAt.IsZero() {
			f.Values["occurred"] = inc.OccurredAt.Format("2006-01-02T15:04")
		}
	} else {
		f.Values["description"], f.Values["consequences"], f.Values["measures"] = r.PostFormValue("description"),
			r.PostFormValue("consequences"), r.PostFormValue("measures")
		for _, l := range privacy.Languages {
			f.Values["notice_"+l] = r.PostFormValue("notice_" + l)
		}
	}
	return s.renderConsole(w, r, status, "console_privacy_incident", f, v)
}

// incidentStep runs one change on an incident and returns to its page.
func (s *Handler) incidentStep(done string, do func(s *Handler, r *http.Request, f *web.Form, id string) error) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		id := r.PathValue("id")
		f := web.NewForm(r, incidentFields...)
		if err := do(s, r, f, id); err != nil {
			st, err := s.privacyError(r, f, err)
			if err != nil {
				return err
			}
			return s.renderIncident(w, r, st, f)
		}
		http.Redirect(w, r, "/console/privacy/incidents/"+id+"?done="+done, http.StatusSeeOther)
		return nil
	}
}

func incidentSave(s *Handler, r *http.Request, f *web.Form, id string) error {
	if _, err := s.deps.Privacy.GetIncident(r.Context(), id); err != nil {
		return err
	}
	in, err := incidentInput(r, f)
	if err != nil {
		return err
	}
	return s.deps.Privacy.UpdateIncident(r.Context(), id, in)
}

func incidentAuthority(s *Handler, r *http.Request, f *web.Form, id string) error {
	return s.deps.Privacy.RecordAuthorityNotice(r.Context(), id, strings.TrimSpace(r.PostFormValue("reference")))
}

func incidentNotices(s *Handler, r *http.Request, f *web.Form, id string) error {
	if _, err := s.deps.Privacy.GetIncident(r.Context(), id); err != nil {
		return err
	}
	_, err := s.deps.Privacy.QueueNotices(r.Context(), id, strings.FieldsFunc(r.PostFormValue("recipients"), func(c rune) bool {
		return c == '\n' || c == '\r' || c == ',' || c == ';' || c == ' '
	}))
	return err
}

// consoleAuthorityNotice answers the drafted notice to the supervisory
// authority as a Markdown file, to copy into the authority's form.
func (s *Handler) consoleAuthorityNotice(w http.ResponseWriter, r *http.Request) error {
	inc, err := s.deps.Privacy.GetIncident(r.Context(), r.PathValue("id"))
	if errors.Is(err, fault.ErrNotFound) {
		return web.ErrNotFound
	}
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/markdown; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="breach-notice-`+inc.ID[:8]+`.md"`)
	_, err = w.Write([]byte(s.deps.Privacy.AuthorityNotice(inc)))
	return err
}
