package web

import (
	"bytes"
	"errors"
	"net/http"
	"path"

	"github.com/frontdesk/frontdesk/internal/assist"
)

// Remote assistance, the customer's side in the portal: the customer
// script (static/assist.js, on every page of a signed-in customer) asks
// /support/assist/state for an open session, shows the invitation with the
// agent's identity card and the verification code, takes the consent
// (accept), keeps the banner (lower, stop), and joins the relay socket
// (assist_socket.go) with a single-use ticket. The customer replays their
// own recordings from /support/assist. docs/remote-assistance.md.

// withAssist answers 404 when the server runs without remote assistance.
func (s *Server) withAssist(h func(http.ResponseWriter, *http.Request) error) func(http.ResponseWriter, *http.Request) error {
	if s.opts.Assist == nil {
		return s.notFound
	}
	return h
}

// assistAsset serves the rrweb builds (and the notice of their licence).
func (s *Server) assistAsset(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("file")
	if name != assist.AssetRecorder && name != assist.AssetReplayer && name != assist.AssetReplayCSS && name != assist.AssetThirdParty {
		return ErrNotFound
	}
	b, ok := assist.Asset(name)
	if !ok {
		return ErrNotFound
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
	http.ServeContent(w, r, "", startTime, bytes.NewReader(b))
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
func (s *Server) assistState(w http.ResponseWriter, r *http.Request) error {
	me, err := CustomerOf(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	open, err := s.opts.Assist.Open(ctx, me)
	if err != nil {
		return err
	}
	out := []assistOffer{}
	for i := range open {
		sess := &open[i]
		o := assistOffer{Session: sess}
		if sess.Kind == assist.KindAssist {
			inv, err := s.opts.Assist.InvitationOf(ctx, sess.ID, assist.Actor{AccountID: me})
			if err == nil {
				o.Card, o.Code, o.Verified = &inv.Card, inv.Code, s.opts.Assist.VerifyCard(inv.Card) == nil
			}
		}
		out = append(out, o)
	}
	w.Header().Set("Cache-Control", "no-store")
	WriteJSON(w, http.StatusOK, map[string]any{"sessions": out, "levels": assist.Levels})
	return nil
}

// assistSessionOf checks the path's session id and that the signed-in
// customer is its customer.
func (s *Server) assistSessionOf(r *http.Request) (string, string, error) {
	me, err := CustomerOf(r)
	if err != nil {
		return "", "", err
	}
	id := r.PathValue("id")
	if !SessionIDPattern.MatchString(id) {
		return "", "", ErrNotFound
	}
	return id, me, nil
}

// assistAccept is the customer's consent to a level (and the only way to
// raise one); it answers with the session and a join ticket.
func (s *Server) assistAccept(w http.ResponseWriter, r *http.Request) error {
	id, me, err := s.assistSessionOf(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	sess, err := s.opts.Assist.Accept(ctx, id, me, r.PostFormValue("level"))
	if err != nil {
		return AssistError(err)
	}
	ticket, err := s.opts.Assist.IssueTicket(ctx, id, assist.Actor{AccountID: me})
	if err != nil {
		return AssistError(err)
	}
	w.Header().Set("Cache-Control", "no-store")
	WriteJSON(w, http.StatusOK, map[string]any{"session": sess, "ticket": ticket})
	return nil
}

// assistStartSteps starts "record my steps" on the customer's own
// conversation: pressing the button is the consent; assist.js on the next
// page finds the recording and starts it.
func (s *Server) assistStartSteps(w http.ResponseWriter, r *http.Request) error {
	me, err := CustomerOf(r)
	if err != nil {
		return err
	}
	conv := r.PathValue("id")
	if !ConvIDPattern.MatchString(conv) {
		return ErrNotFound
	}
	_, err = s.opts.Assist.StartSteps(r.Context(), me, conv)
	switch {
	case errors.Is(err, assist.ErrPlan):
		return s.stepsRefused(w, r, http.StatusForbidden, "assist.c.steps_plan")
	case errors.Is(err, assist.ErrBusy):
		return s.stepsRefused(w, r, http.StatusConflict, "assist.c.steps_busy")
	case err != nil:
		return AssistError(err)
	}
	http.Redirect(w, r, "/support/"+conv+"?steps=1", http.StatusSeeOther)
	return nil
}

// stepsRefused shows the conversation again with why the recording did not
// start (the plan, or a session already open), in the customer's language.
// StartSteps has already checked that the conversation is theirs.
func (s *Server) stepsRefused(w http.ResponseWriter, r *http.Request, status int, msg string) error {
	f := NewForm(r)
	f.Error = s.Pages.Translator(Info(r.Context()).Lang)(msg)
	return s.conversationPage(w, r, status, f)
}

// assistStepsTicket gives a join ticket for the customer's open recording
// of steps. Unlike a live session, a recording of steps goes on across
// the portal's pages without a new consent: nobody watches it live, the
// banner stays on every page, and Stop ends it. A live session's ticket
// comes only with a consent (assistAccept).
func (s *Server) assistStepsTicket(w http.ResponseWriter, r *http.Request) error {
	id, me, err := s.assistSessionOf(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	sess, err := s.opts.Assist.Get(ctx, id, assist.Actor{AccountID: me})
	if err != nil {
		return AssistError(err)
	}
	if sess.Kind != assist.KindSteps || sess.State != assist.StateActive {
		return &Error{Status: http.StatusConflict, Code: "assist_state", Message: "Only a recording of steps continues without a new consent."}
	}
	ticket, err := s.opts.Assist.IssueTicket(ctx, id, assist.Actor{AccountID: me})
	if err != nil {
		return AssistError(err)
	}
	w.Header().Set("Cache-Control", "no-store")
	WriteJSON(w, http.StatusOK, map[string]any{"session": sess, "ticket": ticket})
	return nil
}

// assistLower lowers the level at once.
func (s *Server) assistLower(w http.ResponseWriter, r *http.Request) error {
	id, me, err := s.assistSessionOf(r)
	if err != nil {
		return err
	}
	sess, err := s.opts.Assist.LowerLevel(r.Context(), id, me, r.PostFormValue("level"))
	if err != nil {
		return AssistError(err)
	}
	WriteJSON(w, http.StatusOK, map[string]any{"session": sess})
	return nil
}

// assistStop is the customer's Stop (or decline, on an invitation): always
// honoured.
func (s *Server) assistStop(w http.ResponseWriter, r *http.Request) error {
	id, me, err := s.assistSessionOf(r)
	if err != nil {
		return err
	}
	sess, err := s.opts.Assist.Stop(r.Context(), id, assist.Actor{AccountID: me}, nil)
	if err != nil {
		return AssistError(err)
	}
	WriteJSON(w, http.StatusOK, map[string]any{"session": sess})
	return nil
}

// assistPortal lists the customer's sessions, each with its replay when
// it was recorded.
func (s *Server) assistPortal(w http.ResponseWriter, r *http.Request) error {
	me, err := CustomerOf(r)
	if err != nil {
		return err
	}
	list, err := s.opts.Assist.OfCustomer(r.Context(), me, 50)
	if err != nil {
		return err
	}
	f := NewForm(r)
	f.Extra = list
	return s.Render(w, r, http.StatusOK, "support_assist", f)
}

// assistReplayPage shows the customer's own recording in the replayer.
func (s *Server) assistReplayPage(w http.ResponseWriter, r *http.Request) error {
	id, me, err := s.assistSessionOf(r)
	if err != nil {
		return err
	}
	sess, err := s.opts.Assist.Get(r.Context(), id, assist.Actor{AccountID: me})
	if err != nil {
		return AssistError(err)
	}
	f := NewForm(r)
	f.Extra = AssistReplayView{Session: sess, Recording: "/support/assist/" + id + "/recording", Back: "/support/assist"}
	return s.Render(w, r, http.StatusOK, "assist_replay", f)
}

// assistRecording returns the customer's own recording (audited by the
// service before it is returned).
func (s *Server) assistRecording(w http.ResponseWriter, r *http.Request) error {
	id, me, err := s.assistSessionOf(r)
	if err != nil {
		return err
	}
	rec, err := s.opts.Assist.Replay(r.Context(), id, assist.Actor{AccountID: me})
	if err != nil {
		return AssistError(err)
	}
	WriteRecording(w, rec)
	return nil
}
