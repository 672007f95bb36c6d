package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/frontdesk/frontdesk/internal/support"
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

func (s *Server) consoleDesk(w http.ResponseWriter, r *http.Request) error {
	return s.renderDesk(w, r, http.StatusOK, NewForm(r))
}

func (s *Server) renderDesk(w http.ResponseWriter, r *http.Request, status int, f *Form) error {
	ctx := r.Context()
	v := deskView{Lang: Info(ctx).Lang, AgentNames: map[string]string{}, Cards: s.opts.Assist != nil}
	var err error
	if v.Agents, err = s.opts.Support.Agents(ctx); err != nil {
		return err
	}
	isAgent := map[string]bool{}
	for _, a := range v.Agents {
		isAgent[a.AccountID] = true
		v.AgentNames[a.AccountID] = a.DisplayName
	}
	staff, err := s.opts.Identity.StaffAccounts(ctx)
	if err != nil {
		return err
	}
	for _, a := range staff {
		if !isAgent[a.ID] && a.Status == identity.StatusActive {
			v.Staff = append(v.Staff, a)
		}
	}
	if v.Teams, err = s.opts.Support.Teams(ctx); err != nil {
		return err
	}
	if v.SLAs, err = s.opts.Support.SLAs(ctx); err != nil {
		return err
	}
	if v.Categories, err = s.opts.Support.Categories(ctx); err != nil {
		return err
	}
	if v.Canned, err = s.opts.Support.CannedReplies(ctx, ""); err != nil {
		return err
	}
	if f.Notice == "" && r.URL.Query().Get("done") != "" {
		f.Notice = "desk.saved"
	}
	return s.renderConsole(w, r, status, "console_desk", f, v)
}

// deskResult shows a settings error on the page, or goes back to it.
func (s *Server) deskResult(w http.ResponseWriter, r *http.Request, err error) error {
	if err == nil {
		http.Redirect(w, r, "/console/desk?done=1", http.StatusSeeOther)
		return nil
	}
	pub := SupportError(err)
	if e, ok := pub.(*Error); ok && e.Status == http.StatusBadRequest {
		f := NewForm(r)
		f.Error = e.Message
		return s.renderDesk(w, r, http.StatusBadRequest, f)
	}
	return pub
}

func (s *Server) consoleDeskAgent(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	max, _ := strconv.Atoi(r.PostFormValue("max_open"))
	id := r.PostFormValue("account")
	if d, err := s.opts.Identity.Detail(r.Context(), id); err != nil || d.Kind != identity.KindStaff {
		return s.deskResult(w, r, &support.InvalidError{Field: "account", Reason: "choose a staff member"})
	}
	err := s.opts.Support.SaveAgent(r.Context(), support.Agent{AccountID: id, DisplayName: r.PostFormValue("display_name"),
		Languages: r.PostForm["language"], Away: r.PostFormValue("away") == "true", MaxOpen: max})
	return s.deskResult(w, r, err)
}

func (s *Server) consoleDeskTeam(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	_, err := s.opts.Support.CreateTeam(r.Context(), r.PostFormValue("name"))
	return s.deskResult(w, r, err)
}

func (s *Server) consoleDeskMember(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	err := s.opts.Support.SetTeamMember(r.Context(), r.PathValue("id"), r.PostFormValue("agent"), r.PostFormValue("member") != "false")
	return s.deskResult(w, r, err)
}

func (s *Server) consoleDeskSLA(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	first, _ := strconv.Atoi(r.PostFormValue("first_response"))
	res, _ := strconv.Atoi(r.PostFormValue("resolution"))
	err := s.opts.Support.SetSLA(r.Context(), support.SLA{Priority: r.PostFormValue("priority"), FirstResponse: first, Resolution: res,
		BusinessHours: r.PostFormValue("business_hours") == "true"})
	return s.deskResult(w, r, err)
}

// consoleDeskHours takes the time zone and, per weekday, "09:00-17:00" or
// nothing for a closed day.
func (s *Server) consoleDeskHours(w http.ResponseWriter, r *http.Request) error {
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
	return s.deskResult(w, r, s.opts.Support.SetHours(r.Context(), strings.TrimSpace(r.PostFormValue("time_zone")), week))
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

func (s *Server) consoleDeskCategory(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	err := s.opts.Support.SaveCategory(r.Context(), support.Category{ID: strings.TrimSpace(r.PostFormValue("id")),
		Names:    map[string]string{"en": r.PostFormValue("name_en"), "vi": r.PostFormValue("name_vi"), "zh": r.PostFormValue("name_zh")},
		Archived: r.PostFormValue("archived") == "true"})
	return s.deskResult(w, r, err)
}

func (s *Server) consoleDeskCanned(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	_, err := s.opts.Support.SaveCanned(r.Context(), support.Canned{ID: r.PostFormValue("id"), Title: r.PostFormValue("title"),
		Body: r.PostFormValue("body"), Language: r.PostFormValue("language"), CreatedBy: Principal(r.Context()).AccountID})
	return s.deskResult(w, r, err)
}

func (s *Server) consoleDeskCannedDelete(w http.ResponseWriter, r *http.Request) error {
	return s.deskResult(w, r, s.opts.Support.DeleteCanned(r.Context(), r.PathValue("id")))
}
