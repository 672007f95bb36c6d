package portal

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/frontdesk/frontdesk/internal/support"
	"github.com/frontdesk/frontdesk/internal/web"
)

// After the answer, on the portal: the survey page an e-mail links to
// (public: the link's token is the credential), the same questions on a
// signed-in customer's conversation page, and complaints.

type surveyView struct {
	Survey *support.Survey
	Token  string
	Done   bool
}

func (s *Handler) surveyPage(w http.ResponseWriter, r *http.Request) error {
	if s.deps.Support == nil {
		return web.ErrNotFound
	}
	token := r.URL.Query().Get("token")
	sv, err := s.deps.Support.SurveyByToken(r.Context(), token)
	if errors.Is(err, support.ErrNotFound) {
		f := web.NewForm(r)
		f.Error = s.Pages.Translator(web.Info(r.Context()).Lang)("survey.invalid")
		return s.Render(w, r, http.StatusNotFound, "survey", f)
	}
	if err != nil {
		return err
	}
	f := web.NewForm(r)
	f.Extra = surveyView{Survey: sv, Token: token, Done: r.URL.Query().Get("done") == "1"}
	// The page is reached from an e-mail: keep its token out of referrers.
	w.Header().Set("Referrer-Policy", "no-referrer")
	return s.Render(w, r, http.StatusOK, "survey", f)
}

// surveyAnswer takes a rating and/or a follow-up answer, by token (the
// e-mail's link) or, for a signed-in customer, by conversation.
func (s *Handler) surveyAnswer(w http.ResponseWriter, r *http.Request) error {
	if s.deps.Support == nil {
		return web.ErrNotFound
	}
	ctx := r.Context()
	token, convID := r.PostFormValue("token"), ""
	back := "/survey?done=1&token=" + token
	if token == "" {
		c, err := s.myConversation(r)
		if err != nil {
			return err
		}
		convID, back = c.ID, "/support/"+c.ID+"?rated=1"
	}
	var err error
	if v := r.PostFormValue("score"); v != "" {
		score, _ := strconv.Atoi(v)
		err = s.deps.Support.Rate(ctx, token, convID, score, r.PostFormValue("comment"))
	}
	if v := r.PostFormValue("stayed_solved"); err == nil && v != "" {
		err = s.deps.Support.AnswerFollowUp(ctx, token, convID, v == "yes")
	}
	switch {
	case errors.Is(err, support.ErrSurveyAnswered):
		return &web.Error{Status: http.StatusConflict, Code: "already_answered", Message: "You have already answered. Thank you!"}
	case err != nil:
		return web.SupportError(err)
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
	return nil
}

type complaintView struct {
	SignedIn      bool
	Conversations []support.Conversation
	Filed         bool
}

func (s *Handler) complaintPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderComplaint(w, r, http.StatusOK, web.NewForm(r))
}

func (s *Handler) renderComplaint(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	if s.deps.Support == nil {
		return web.ErrNotFound
	}
	ctx := r.Context()
	v := complaintView{Filed: r.URL.Query().Get("filed") == "1"}
	if p := web.Principal(ctx); p != nil && p.Kind == identity.KindCustomer {
		v.SignedIn = true
		var err error
		if v.Conversations, err = s.deps.Support.ConversationsOf(ctx, p.AccountID, 50); err != nil {
			return err
		}
	}
	if c := r.URL.Query().Get("conversation"); web.ConvIDPattern.MatchString(c) && f.Values["conversation"] == "" {
		f.Values["conversation"] = c
	}
	f.Extra = v
	return s.Render(w, r, status, "complaint", f)
}

func (s *Handler) complaintSend(w http.ResponseWriter, r *http.Request) error {
	if s.deps.Support == nil {
		return web.ErrNotFound
	}
	ctx := r.Context()
	f := web.NewForm(r, "email", "conversation", "assist", "when", "body")
	t := s.Pages.Translator(web.Info(ctx).Lang)
	n := support.NewComplaint{Who: support.Who{Email: f.Values["email"], Locale: web.Info(ctx).Lang}, ConversationID: f.Values["conversation"],
		AssistID: f.Values["assist"], Body: f.Values["body"]}
	if p := web.Principal(ctx); p != nil && p.Kind == identity.KindCustomer {
		a, err := s.deps.Identity.AccountByID(ctx, p.AccountID)
		if err != nil {
			return err
		}
		n.Who = support.Who{AccountID: a.ID, Email: a.Email, Name: a.Name, Locale: a.Locale}
	} else {
		n.IP = web.ClientIP(ctx)
		if n.Who.Email == "" {
			f.Errors["email"] = t("contact.err.email")
		}
	}
	if v := strings.TrimSpace(f.Values["when"]); v != "" {
		when, err := time.Parse("2006-01-02T15:04", v)
		if err != nil {
			f.Errors["when"] = t("complaint.err.when")
		}
		n.OccurredAt = when
	}
	if n.ConversationID != "" && !web.ConvIDPattern.MatchString(n.ConversationID) {
		f.Errors["conversation"] = t("complaint.err.conversation")
	}
	if len(f.Errors) == 0 {
		_, err := s.deps.Support.FileComplaint(ctx, n)
		var inv *support.InvalidError
		var rl *support.RateLimitedError
		switch {
		case errors.As(err, &rl):
			return &web.Error{Status: http.StatusTooManyRequests, Code: "rate_limited", Message: "Too many messages from your network. Try again later.", RetryAfter: rl.RetryAfter}
		case errors.As(err, &inv) && inv.Field == "conversation_id":
			f.Errors["conversation"] = t("complaint.err.conversation")
		case errors.As(err, &inv):
			f.Errors["body"] = t("contact.err.body")
		case err != nil:
			return err
		}
	}
	if len(f.Errors) > 0 {
		return s.renderComplaint(w, r, http.StatusBadRequest, f)
	}
	http.Redirect(w, r, "/complaint?filed=1", http.StatusSeeOther)
	return nil
}
