package console

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/frontdesk/frontdesk/internal/support"
	"github.com/frontdesk/frontdesk/internal/web"
)

// The desk's settings (desk:manage): agents, teams, SLA targets, business
// hours, categories and canned replies.

type deskView struct {
	Agents     []support.Agent
	Staff      []identity.Account // staff who are not agents yet
	Teams      []support.Team
	SLAs       []support.SLA
	Categories []support.Category
	Canned     []support.Canned
	Lang       string
	AgentNames map[string]string
	Cards      bool // remote assistance is on: agents have identity cards
}

func (s *Handler) consoleDesk(w http.ResponseWriter, r *http.Request) error {
	return s.renderDesk(w, r, http.StatusOK, web.NewForm(r))
}

func (s *Handler) renderDesk(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	ctx := r.Context()
	v := deskView{Lang: web.Info(ctx).Lang, AgentNames: map[string]string{}, Cards: s.deps.Assist != nil}
	var err error
	if v.Agents, err = s.deps.Support.Agents(ctx); err != nil {
		return err
	}
	isAgent := map[string]bool{}
	for _, a := range v.Agents {
		isAgent[a.AccountID] = true
		v.AgentNames[a.AccountID] = a.DisplayName
	}
	staff, err := s.deps.Identity.StaffAccounts(ctx)
	if err != nil {
		return err
	}
	for _, a := range staff {
		if !isAgent[a.ID] && a.Status == identity.StatusActive {
			v.Staff = append(v.Staff, a)
		}
	}
	if v.Teams, err = s.deps.Support.Teams(ctx); err != nil {
		return err
	}
	if v.SLAs, err = s.deps.Support.SLAs(ctx); err != nil {
		return err
	}
	if v.Categories, err = s.deps.Support.Categories(ctx); err != nil {
		return err
	}
	if v.Canned, err = s.deps.Support.CannedReplies(ctx, ""); err != nil {
		return err
	}
	if f.Notice == "" && r.URL.Query().Get("done") != "" {
		f.Notice = "desk.saved"
	}
	return s.renderConsole(w, r, status, "console_desk", f, v)
}

// deskResult shows a settings error on the page, or goes back to it.
func (s *Handler) deskResult(w http.ResponseWriter, r *http.Request, err error) error {
	if err == nil {
		http.Redirect(w, r, "/console/desk?done=1", http.StatusSeeOther)
		return nil
	}
	pub := web.SupportError(err)
	if e, ok := pub.(*web.Error); ok && e.Status == http.StatusBadRequest {
		f := web.NewForm(r)
		f.Error = e.Message
		return s.renderDesk(w, r, http.StatusBadRequest, f)
	}
	return pub
}

func (s *Handler) consoleDeskAgent(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	max, _ := strconv.Atoi(r.PostFormValue("max_open"))
	id := r.PostFormValue("account")
	if d, err := s.deps.Identity.Detail(r.Context(), id); err != nil || d.Kind != identity.KindStaff {
		return s.deskResult(w, r, &support.InvalidError{Field: "account", Reason: "choose a staff member"})
	}
	err := s.deps.Support.SaveAgent(r.Context(), support.Agent{AccountID: id, DisplayName: r.PostFormValue("display_name"),
		Languages: r.PostForm["language"], Away: r.PostFormValue("away") == "true", MaxOpen: max})
	return s.deskResult(w, r, err)
}

func (s *Handler) consoleDeskTeam(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	_, err := s.deps.Support.CreateTeam(r.Context(), r.PostFormValue("name"))
	return s.deskResult(w, r, err)
}

func (s *Handler) consoleDeskMember(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	err := s.deps.Support.SetTeamMember(r.Context(), r.PathValue("id"), r.PostFormValue("agent"), r.PostFormValue("member") != "false")
	return s.deskResult(w, r, err)
}

func (s *Handler) consoleDeskSLA(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	first, _ := strconv.Atoi(r.PostFormValue("first_response"))
	res, _ := strconv.Atoi(r.PostFormValue("resolution"))
	err := s.deps.Support.SetSLA(r.Context(), support.SLA{Priority: r.PostFormValue("priority"), FirstResponse: first, Resolution: res,
		BusinessHours: r.PostFormValue("business_hours") == "true"})
	return s.deskResult(w, r, err)
}

// consoleDeskHours takes the time zone and, per weekday, "09:00-17:00" or
// nothing for a closed day.
func (s *Handler) consoleDeskHours(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	var week []support.Hours
	for d := time.Sunday; d <= time.Saturday; d++ {
		v := strings.TrimSpace(r.PostFormValue("day" + strconv.Itoa(int(d))))
		if v == "" {
			continue
		}
		open, closing, ok := strings.Cut(v, "-")
		o, err1 := clockMinutes(open)
		c, err2 := clockMinutes(closing)
		if !ok || err1 != nil || err2 != nil {
			return s.deskResult(w, r, &support.InvalidError{Field: "hours", Reason: "write each open day as 09:00-17:00"})
		}
		week = append(week, support.Hours{Weekday: d, Open: o, Close: c})
	}
	return s.deskResult(w, r, s.deps.Support.SetHours(r.Context(), strings.TrimSpace(r.PostFormValue("time_zone")), week))
}

func clockMinutes(v string) (int, error) {
	t, err := time.Parse("15:04", strings.TrimSpace(v))
	if err != nil {
		if strings.TrimSpace(v) == "24:00" {
			return 24 * 60, nil
		}
		return 0, err
	}
	return t.Hour()*60 + t.Minute(), nil
}

func (s *Handler) consoleDeskCategory(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	err := s.deps.Support.SaveCategory(r.Context(), support.Category{ID: strings.TrimSpace(r.PostFormValue("id")),
		Names:    map[string]string{"en": r.PostFormValue("name_en"), "vi": r.PostFormValue("name_vi"), "zh": r.PostFormValue("name_zh")},
		Archived: r.PostFormValue("archived") == "true"})
	return s.deskResult(w, r, err)
}

func (s *Handler) consoleDeskCanned(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	_, err := s.deps.Support.SaveCanned(r.Context(), support.Canned{ID: r.PostFormValue("id"), Title: r.PostFormValue("title"),
		Body: r.PostFormValue("body"), Language: r.PostFormValue("language"), CreatedBy: web.Principal(r.Context()).AccountID})
	return s.deskResult(w, r, err)
}

func (s *Handler) consoleDeskCannedDelete(w http.ResponseWriter, r *http.Request) error {
	return s.deskResult(w, r, s.deps.Support.DeleteCanned(r.Context(), r.PathValue("id")))
}
