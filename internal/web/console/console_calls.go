package console

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/internal/support"
	"github.com/frontdesk/frontdesk/internal/web"
)

// Phone calls and complaints in the console.

// callFromForm reads a call: direction, number, duration as "m:ss" or
// seconds, outcome, notes.
func callFromForm(r *http.Request, agent string) support.Call {
	return support.Call{AgentID: agent, Direction: r.PostFormValue("direction"), Number: r.PostFormValue("number"),
		Duration: parseDuration(r.PostFormValue("duration")), Outcome: r.PostFormValue("outcome"), Notes: r.PostFormValue("notes")}
}

// parseDuration reads "12:34" (minutes and seconds) or a number of
// seconds; anything else is -1, which the desk refuses.
func parseDuration(v string) int {
	v = strings.TrimSpace(v)
	if m, s, ok := strings.Cut(v, ":"); ok {
		mi, err1 := strconv.Atoi(m)
		si, err2 := strconv.Atoi(s)
		if err1 != nil || err2 != nil || si < 0 || si > 59 || mi < 0 {
			return -1
		}
		return mi*60 + si
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return -1
	}
	return n
}

func (s *Handler) consoleLogCall(w http.ResponseWriter, r *http.Request) error {
	ctx, id := r.Context(), r.PathValue("id")
	if err := r.ParseForm(); err != nil {
		return err
	}
	c := callFromForm(r, web.Principal(ctx).AccountID)
	c.ConversationID = id
	if _, err := s.deps.Support.LogCall(ctx, c); err != nil {
		return web.SupportError(err)
	}
	return web.BackToConversation(w, r, id, "call")
}

// consoleStartCall opens a conversation from a phone call.
func (s *Handler) consoleStartCall(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if err := r.ParseForm(); err != nil {
		return err
	}
	who := support.Who{Email: strings.TrimSpace(r.PostFormValue("email")), Name: strings.TrimSpace(r.PostFormValue("name")), Locale: r.PostFormValue("language")}
	conv, err := s.deps.Support.StartFromCall(ctx, who, r.PostFormValue("subject"), callFromForm(r, web.Principal(ctx).AccountID))
	if err != nil {
		return web.SupportError(err)
	}
	return web.BackToConversation(w, r, conv.ID, "call")
}

type complaintsView struct {
	Open, Resolved []support.Complaint
	Now            time.Time
}

func (s *Handler) consoleComplaints(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	open, err := s.deps.Support.Complaints(ctx, "open")
	if err != nil {
		return err
	}
	resolved, err := s.deps.Support.Complaints(ctx, "resolved")
	if err != nil {
		return err
	}
	for i := range open {
		open[i].Contact.Email = web.MaskedContact(support.Contact{Email: open[i].Contact.Email})
	}
	for i := range resolved {
		resolved[i].Contact.Email = web.MaskedContact(support.Contact{Email: resolved[i].Contact.Email})
	}
	f := web.NewForm(r)
	if r.URL.Query().Get("done") == "1" {
		f.Notice = "desk.complaint.resolved"
	}
	return s.renderConsole(w, r, http.StatusOK, "console_complaints", f, complaintsView{Open: open, Resolved: resolved})
}

func (s *Handler) consoleResolveComplaint(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if err := r.ParseForm(); err != nil {
		return err
	}
	if err := s.deps.Support.ResolveComplaint(ctx, r.PathValue("id"), web.Principal(ctx).AccountID, r.PostFormValue("resolution")); err != nil {
		return web.SupportError(err)
	}
	http.Redirect(w, r, "/console/complaints?done=1", http.StatusSeeOther)
	return nil
}
