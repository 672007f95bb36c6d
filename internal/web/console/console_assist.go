package console

import (
	"net/http"

	"github.com/frontdesk/frontdesk/internal/assist"
	"github.com/frontdesk/frontdesk/internal/web"
)

// Remote assistance in the console: "Ask to see the screen" on a
// conversation (assist:start) sends the invitation and opens the live
// view, which shows the identity card and the code the customer sees,
// replays the customer's page live (static/assist-view.js with
// @rrweb/replay), sends the agent's clicks as actions, asks for a higher
// level, and stops with a summary and outcome. Recordings replay under
// assist:replay; every replay is an audit entry (assist.Replay).

// assistLiveView is the data of the live view page.
type assistLiveView struct {
	Session    *assist.Session
	Invitation *assist.Invitation
	Levels     []string
	Outcomes   []string
}

// consoleAssistInvite sends the invitation from a conversation.
func (s *Handler) consoleAssistInvite(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if !web.ConvIDPattern.MatchString(id) {
		return web.ErrNotFound
	}
	inv, err := s.deps.Assist.Invite(r.Context(), web.Principal(r.Context()).AccountID, id)
	if err != nil {
		return web.AssistError(err)
	}
	http.Redirect(w, r, "/console/assist/"+inv.Session.ID, http.StatusSeeOther)
	return nil
}

// consoleAssistID checks the path's session id.
func consoleAssistID(r *http.Request) (string, error) {
	id := r.PathValue("id")
	if !web.SessionIDPattern.MatchString(id) {
		return "", web.ErrNotFound
	}
	return id, nil
}

// consoleAssistLive is the agent's live view of a session.
func (s *Handler) consoleAssistLive(w http.ResponseWriter, r *http.Request) error {
	id, err := consoleAssistID(r)
	if err != nil {
		return err
	}
	ctx, me := r.Context(), web.StaffActor(r)
	sess, err := s.deps.Assist.Get(ctx, id, me)
	if err != nil {
		return web.AssistError(err)
	}
	if sess.AgentID != me.AccountID {
		// Another agent's session: its replay is for assist:replay.
		return web.ErrNotFound
	}
	v := assistLiveView{Session: sess, Levels: assist.Levels, Outcomes: assist.Outcomes}
	if inv, err := s.deps.Assist.InvitationOf(ctx, id, me); err == nil {
		v.Invitation = inv
	}
	return s.renderConsole(w, r, http.StatusOK, "console_assist", nil, v)
}

// consoleAssistTicket gives the agent's live view a join ticket.
func (s *Handler) consoleAssistTicket(w http.ResponseWriter, r *http.Request) error {
	id, err := consoleAssistID(r)
	if err != nil {
		return err
	}
	ticket, err := s.deps.Assist.IssueTicket(r.Context(), id, web.StaffActor(r))
	if err != nil {
		return web.AssistError(err)
	}
	w.Header().Set("Cache-Control", "no-store")
	web.WriteJSON(w, http.StatusOK, map[string]string{"ticket": ticket})
	return nil
}

// consoleAssistStop ends the session from the console, or gives the
// summary and outcome of one already ended.
func (s *Handler) consoleAssistStop(w http.ResponseWriter, r *http.Request) error {
	id, err := consoleAssistID(r)
	if err != nil {
		return err
	}
	ctx, me := r.Context(), web.StaffActor(r)
	closing := &assist.Closing{Summary: r.PostFormValue("summary"), Outcome: r.PostFormValue("outcome")}
	if closing.Summary == "" && closing.Outcome == "" {
		closing = nil
	}
	sess, err := s.deps.Assist.Stop(ctx, id, me, closing)
	if err != nil {
		return web.AssistError(err)
	}
	if closing != nil && sess.Outcome == "" {
		if err := s.deps.Assist.Conclude(ctx, id, me.AccountID, *closing); err != nil {
			return web.AssistError(err)
		}
	}
	http.Redirect(w, r, "/console/assist/"+id, http.StatusSeeOther)
	return nil
}

// consoleAssistReplayPage replays a recording for staff with
// assist:replay.
func (s *Handler) consoleAssistReplayPage(w http.ResponseWriter, r *http.Request) error {
	id, err := consoleAssistID(r)
	if err != nil {
		return err
	}
	sess, err := s.deps.Assist.Get(r.Context(), id, web.StaffActor(r))
	if err != nil {
		return web.AssistError(err)
	}
	f := web.NewForm(r)
	f.Extra = web.AssistReplayView{Session: sess, Recording: "/console/assist/" + id + "/recording",
		Back: "/console/conversations/" + sess.ConversationID, Console: true}
	return s.Render(w, r, http.StatusOK, "assist_replay", f)
}

// consoleAssistRecording returns a recording (audited by the service
// before it is returned, ASVS 16.3.2).
func (s *Handler) consoleAssistRecording(w http.ResponseWriter, r *http.Request) error {
	id, err := consoleAssistID(r)
	if err != nil {
		return err
	}
	rec, err := s.deps.Assist.Replay(r.Context(), id, web.StaffActor(r))
	if err != nil {
		return web.AssistError(err)
	}
	web.WriteRecording(w, rec)
	return nil
}
