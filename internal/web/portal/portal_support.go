package portal

import (
	"errors"
	"net/http"

	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/frontdesk/frontdesk/internal/support"
	"github.com/frontdesk/frontdesk/internal/web"
)

// The portal side of the desk: anyone can write to support from the
// contact page (a visitor leaves an e-mail address for the answer); a
// signed-in customer sees their conversations and replies in them.

type contactView struct {
	Email, Ref    string
	Sent          string // the reference of the conversation just started
	SignedIn      bool
	Conversations []support.Conversation
	Categories    []support.Category
	Lang          string
	Assist        bool   // links to the customer's remote-assistance pages
	OrgName       string // the customer's organisation, if any
}

func (s *Handler) contactData(r *http.Request) (*contactView, error) {
	ctx := r.Context()
	ref := r.URL.Query().Get("ref")
	if len(ref) > 64 {
		ref = ""
	}
	v := &contactView{Email: s.deps.SupportEmail, Ref: ref, Lang: web.Info(ctx).Lang}
	if s.deps.Support == nil {
		return v, nil
	}
	cats, err := s.deps.Support.Categories(ctx)
	if err != nil {
		return nil, err
	}
	for _, c := range cats {
		if !c.Archived {
			v.Categories = append(v.Categories, c)
		}
	}
	if p := web.Principal(ctx); p != nil && p.Kind == identity.KindCustomer {
		v.SignedIn = true
		if v.Conversations, err = s.deps.Support.ConversationsOf(ctx, p.AccountID, 20); err != nil {
			return nil, err
		}
		if s.deps.Assist != nil {
			v.Assist = true
			o, _, err := s.deps.Assist.OrgOf(ctx, p.AccountID)
			if err != nil {
				return nil, err
			}
			if o != nil {
				v.OrgName = o.Name
			}
		}
	}
	return v, nil
}

func (s *Handler) contact(w http.ResponseWriter, r *http.Request) error {
	v, err := s.contactData(r)
	if err != nil {
		return err
	}
	f := web.NewForm(r)
	f.Extra = v
	if sent := r.URL.Query().Get("sent"); sent == "1" || web.ReferencePattern.MatchString(sent) {
		f.Notice = "contact.sent"
		if sent != "1" {
			v.Sent = sent
		}
	}
	// From an error page: the problem is a server error, and the request
	// id lets the desk find it in the logs.
	if v.Ref != "" {
		f.Values["category"] = "server_error"
		f.Values["body"] = "(" + v.Ref + ")\n"
	}
	return s.Render(w, r, http.StatusOK, "contact", f)
}

// contactSend starts a conversation from the contact page.
func (s *Handler) contactSend(w http.ResponseWriter, r *http.Request) error {
	if s.deps.Support == nil {
		return web.ErrNotFound
	}
	ctx := r.Context()
	f := web.NewForm(r, "email", "name", "subject", "body", "category")
	who := support.Who{Email: f.Values["email"], Name: f.Values["name"], Locale: web.Info(ctx).Lang}
	signedIn := false
	if p := web.Principal(ctx); p != nil && p.Kind == identity.KindCustomer {
		a, err := s.deps.Identity.AccountByID(ctx, p.AccountID)
		if err != nil {
			return err
		}
		who, signedIn = support.Who{AccountID: a.ID, Email: a.Email, Name: a.Name, Locale: a.Locale}, true
	}
	n := support.NewConversation{Who: who, Channel: support.ChannelPortal, Subject: f.Values["subject"], Body: f.Values["body"], Category: f.Values["category"], Acknowledge: true}
	if !signedIn {
		n.IP = web.ClientIP(ctx)
		if who.Email == "" {
			f.Errors["email"] = s.Pages.Translator(web.Info(ctx).Lang)("contact.err.email")
		}
	}
	var c *support.Conversation
	var err error
	if len(f.Errors) == 0 {
		c, err = s.deps.Support.Start(ctx, n)
	}
	var inv *support.InvalidError
	var rl *support.RateLimitedError
	switch {
	case errors.As(err, &rl):
		return &web.Error{Status: http.StatusTooManyRequests, Code: "rate_limited", Message: "Too many messages from your network. Try again later.", RetryAfter: rl.RetryAfter}
	case errors.As(err, &inv):
		f.Errors[inv.Field] = s.Pages.Translator(web.Info(ctx).Lang)("contact.err." + inv.Field)
	case err != nil:
		return err
	}
	if len(f.Errors) > 0 {
		v, err := s.contactData(r)
		if err != nil {
			return err
		}
		f.Extra = v
		return s.Render(w, r, http.StatusBadRequest, "contact", f)
	}
	if signedIn {
		http.Redirect(w, r, "/support/"+c.ID+"?sent=1", http.StatusSeeOther)
		return nil
	}
	http.Redirect(w, r, "/contact?sent="+support.Reference(c.ID), http.StatusSeeOther)
	return nil
}

// myConversation loads a conversation of the signed-in customer, or 404.
func (s *Handler) myConversation(r *http.Request) (*support.Conversation, error) {
	if s.deps.Support == nil {
		return nil, web.ErrNotFound
	}
	id := r.PathValue("id")
	if !web.ConvIDPattern.MatchString(id) {
		return nil, web.ErrNotFound
	}
	c, err := s.deps.Support.Get(r.Context(), id, false)
	if err != nil {
		return nil, web.SupportError(err)
	}
	if p := web.Principal(r.Context()); p == nil || c.Contact.AccountID != p.AccountID {
		return nil, web.ErrNotFound // not yours: the same answer as no such conversation
	}
	return c, nil
}

func (s *Handler) supportConversation(w http.ResponseWriter, r *http.Request) error {
	f := web.NewForm(r)
	switch {
	case r.URL.Query().Get("sent") == "1":
		f.Notice = "contact.sent_signed_in"
	case r.URL.Query().Get("rated") == "1":
		f.Notice = "survey.thanks"
	case r.URL.Query().Get("steps") == "1":
		f.Notice = "assist.c.steps_started"
	}
	return s.conversationPage(w, r, http.StatusOK, f)
}

// conversationPage renders the customer's conversation with f's notice or
// error.
func (s *Handler) conversationPage(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	c, err := s.myConversation(r)
	if err != nil {
		return err
	}
	v, err := s.supportView(r, c)
	if err != nil {
		return err
	}
	f.Extra = v
	return s.Render(w, r, status, "support_conversation", f)
}

// supportConversationView is a customer's conversation with its survey.
type supportConversationView struct {
	C      *support.Conversation
	Survey *support.Survey
	Files  map[string]support.Attachment
	Steps  bool // "record my steps" is on the page (remote assistance is on, the conversation open)
	// StepsPlan is false when the customer's plan (basic) leaves remote
	// assistance out: the page says so instead of offering the button.
	StepsPlan bool
}

func (s *Handler) supportView(r *http.Request, c *support.Conversation) (supportConversationView, error) {
	sv, err := s.deps.Support.SurveyOf(r.Context(), c.ID)
	if err != nil {
		return supportConversationView{}, err
	}
	files, err := web.FilesByMessage(s.deps.Support, r, c.ID)
	if err != nil {
		return supportConversationView{}, err
	}
	v := supportConversationView{C: c, Survey: sv, Files: files}
	if s.deps.Assist != nil && c.Status != support.StatusClosed {
		pol, err := s.deps.Assist.Effective(r.Context(), c.Contact.AccountID)
		if err != nil {
			return supportConversationView{}, err
		}
		v.Steps, v.StepsPlan = true, pol.Allowed
	}
	return v, nil
}

func (s *Handler) supportReply(w http.ResponseWriter, r *http.Request) error {
	c, err := s.myConversation(r)
	if err != nil {
		return err
	}
	f := web.NewForm(r, "body")
	_, _, err = s.deps.Support.Post(r.Context(), c.ID, support.NewMessage{Kind: support.KindCustomer, Body: f.Values["body"], ClientID: web.ClientID(r.PostFormValue("client_id"))})
	var inv *support.InvalidError
	if errors.As(err, &inv) {
		f.Errors["body"] = s.Pages.Translator(web.Info(r.Context()).Lang)("desk.err.body")
		v, err := s.supportView(r, c)
		if err != nil {
			return err
		}
		f.Extra = v
		return s.Render(w, r, http.StatusBadRequest, "support_conversation", f)
	}
	if err != nil {
		return web.SupportError(err)
	}
	http.Redirect(w, r, "/support/"+c.ID, http.StatusSeeOther)
	return nil
}
