package portal

import (
	"bytes"
	"errors"
	"net/http"
	"path"

	"github.com/frontdesk/frontdesk/internal/assist"
	"github.com/frontdesk/frontdesk/internal/web"
)

// Remote assistance, the customer's side in the portal: the customer
// script (static/assist.js, on every page of a signed-in customer) asks
// /support/assist/state for an open session, shows the invitation with the
// agent's identity card and the verification code, takes the consent
// (accept), keeps the banner (lower, stop), and joins the relay socket
// (assist_socket.go) with a single-use ticket. The customer replays their
// own recordings from /support/assist. docs/remote-assistance.md.

// assistAsset serves the rrweb builds (and the notice of their licence).
func (s *Handler) assistAsset(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("file")
	if name != assist.AssetRecorder && name != assist.AssetReplayer && name != assist.AssetReplayCSS && name != assist.AssetThirdParty {
		return web.ErrNotFound
	}
	b, ok := assist.Asset(name)
	if !ok {
		return web.ErrNotFound
	}
	ctype := "text/javascript; charset=utf-8"
	switch path.Ext(name) {
	case ".css":
		ctype = "text/css; charset=utf-8"
	case ".txt":
		ctype = "text/plain; charset=utf-8"
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Cache-Control", "public, max-age=3600")
	http.ServeContent(w, r, "", web.StartTime, bytes.NewReader(b))
	return nil
}

// assistOffer is an open session as the customer's script gets it.
type assistOffer struct {
	Session *assist.Session    `json:"session"`
	Card    *assist.SignedCard `json:"card,omitempty"`
	Code    string             `json:"code,omitempty"`
	// Verified says the card's signature was checked by the server; the
	// script shows an unverified card as a warning, never as a person.
	Verified bool `json:"verified"`
}

// assistState lists the customer's open sessions with their invitations.
func (s *Handler) assistState(w http.ResponseWriter, r *http.Request) error {
	me, err := web.CustomerOf(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	open, err := s.deps.Assist.Open(ctx, me)
	if err != nil {
		return err
	}
	out := []assistOffer{}
	for i := range open {
		sess := &open[i]
		o := assistOffer{Session: sess}
		if sess.Kind == assist.KindAssist {
			inv, err := s.deps.Assist.InvitationOf(ctx, sess.ID, assist.Actor{AccountID: me})
			if err == nil {
				o.Card, o.Code, o.Verified = &inv.Card, inv.Code, s.deps.Assist.VerifyCard(inv.Card) == nil
			}
		}
		out = append(out, o)
	}
	w.Header().Set("Cache-Control", "no-store")
	web.WriteJSON(w, http.StatusOK, map[string]any{"sessions": out, "levels": assist.Levels})
	return nil
}

// assistSessionOf checks the path's session id and that the signed-in
// customer is its customer.
func (s *Handler) assistSessionOf(r *http.Request) (string, string, error) {
	me, err := web.CustomerOf(r)
	if err != nil {
		return "", "", err
	}
	id := r.PathValue("id")
	if !web.SessionIDPattern.MatchString(id) {
		return "", "", web.ErrNotFound
	}
	return id, me, nil
}

// assistAccept is the customer's consent to a level (and the only way to
// raise one); it answers with the session and a join ticket.
func (s *Handler) assistAccept(w http.ResponseWriter, r *http.Request) error {
	id, me, err := s.assistSessionOf(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	sess, err := s.deps.Assist.Accept(ctx, id, me, r.PostFormValue("level"))
	if err != nil {
		return web.AssistError(err)
	}
	ticket, err := s.deps.Assist.IssueTicket(ctx, id, assist.Actor{AccountID: me})
	if err != nil {
		return web.AssistError(err)
	}
	w.Header().Set("Cache-Control", "no-store")
	web.WriteJSON(w, http.StatusOK, map[string]any{"session": sess, "ticket": ticket})
	return nil
}

// assistStartSteps starts "record my steps" on the customer's own
// conversation: pressing the button is the consent; assist.js on the next
// page finds the recording and starts it.
func (s *Handler) assistStartSteps(w http.ResponseWriter, r *http.Request) error {
	me, err := web.CustomerOf(r)
	if err != nil {
		return err
	}
	conv := r.PathValue("id")
	if !web.ConvIDPattern.MatchString(conv) {
		return web.ErrNotFound
	}
	_, err = s.deps.Assist.StartSteps(r.Context(), me, conv)
	switch {
	case errors.Is(err, assist.ErrPlan):
		return s.stepsRefused(w, r, http.StatusForbidden, "assist.c.steps_plan")
	case errors.Is(err, assist.ErrBusy):
		return s.stepsRefused(w, r, http.StatusConflict, "assist.c.steps_busy")
	case err != nil:
		return web.AssistError(err)
	}
	http.Redirect(w, r, "/support/"+conv+"?steps=1", http.StatusSeeOther)
	return nil
}

// stepsRefused shows the conversation again with why the recording did not
// start (the plan, or a session already open), in the customer's language.
// StartSteps has already checked that the conversation is theirs.
func (s *Handler) stepsRefused(w http.ResponseWriter, r *http.Request, status int, msg string) error {
	f := web.NewForm(r)
	f.Error = s.Pages.Translator(web.Info(r.Context()).Lang)(msg)
	return s.conversationPage(w, r, status, f)
}

// assistStepsTicket gives a join ticket for the customer's open recording
// of steps. Unlike a live session, a recording of steps goes on across
// the portal's pages without a new consent: nobody watches it live, the
// banner stays on every page, and Stop ends it. A live session's ticket
// comes only with a consent (assistAccept).
func (s *Handler) assistStepsTicket(w http.ResponseWriter, r *http.Request) error {
	id, me, err := s.assistSessionOf(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	sess, err := s.deps.Assist.Get(ctx, id, assist.Actor{AccountID: me})
	if err != nil {
		return web.AssistError(err)
	}
	if sess.Kind != assist.KindSteps || sess.State != assist.StateActive {
		return &web.Error{Status: http.StatusConflict, Code: "assist_state", Message: "Only a recording of steps continues without a new consent."}
	}
	ticket, err := s.deps.Assist.IssueTicket(ctx, id, assist.Actor{AccountID: me})
	if err != nil {
		return web.AssistError(err)
	}
	w.Header().Set("Cache-Control", "no-store")
	web.WriteJSON(w, http.StatusOK, map[string]any{"session": sess, "ticket": ticket})
	return nil
}

// assistLower lowers the level at once.
func (s *Handler) assistLower(w http.ResponseWriter, r *http.Request) error {
	id, me, err := s.assistSessionOf(r)
	if err != nil {
		return err
	}
	sess, err := s.deps.Assist.LowerLevel(r.Context(), id, me, r.PostFormValue("level"))
	if err != nil {
		return web.AssistError(err)
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"session": sess})
	return nil
}

// assistStop is the customer's Stop (or decline, on an invitation): always
// honoured.
func (s *Handler) assistStop(w http.ResponseWriter, r *http.Request) error {
	id, me, err := s.assistSessionOf(r)
	if err != nil {
		return err
	}
	sess, err := s.deps.Assist.Stop(r.Context(), id, assist.Actor{AccountID: me}, nil)
	if err != nil {
		return web.AssistError(err)
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"session": sess})
	return nil
}

// assistPortal lists the customer's sessions, each with its replay when
// it was recorded.
func (s *Handler) assistPortal(w http.ResponseWriter, r *http.Request) error {
	me, err := web.CustomerOf(r)
	if err != nil {
		return err
	}
	list, err := s.deps.Assist.OfCustomer(r.Context(), me, 50)
	if err != nil {
		return err
	}
	f := web.NewForm(r)
	f.Extra = list
	return s.Render(w, r, http.StatusOK, "support_assist", f)
}

// assistReplayPage shows the customer's own recording in the replayer.
func (s *Handler) assistReplayPage(w http.ResponseWriter, r *http.Request) error {
	id, me, err := s.assistSessionOf(r)
	if err != nil {
		return err
	}
	sess, err := s.deps.Assist.Get(r.Context(), id, assist.Actor{AccountID: me})
	if err != nil {
		return web.AssistError(err)
	}
	f := web.NewForm(r)
	f.Extra = web.AssistReplayView{Session: sess, Recording: "/support/assist/" + id + "/recording", Back: "/support/assist"}
	return s.Render(w, r, http.StatusOK, "assist_replay", f)
}

// assistRecording returns the customer's own recording (audited by the
// service before it is returned).
func (s *Handler) assistRecording(w http.ResponseWriter, r *http.Request) error {
	id, me, err := s.assistSessionOf(r)
	if err != nil {
		return err
	}
	rec, err := s.deps.Assist.Replay(r.Context(), id, assist.Actor{AccountID: me})
	if err != nil {
		return web.AssistError(err)
	}
	web.WriteRecording(w, rec)
	return nil
}
