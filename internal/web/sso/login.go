package sso

import (
	"errors"
	"net/http"
	"net/url"
	"slices"

	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/frontdesk/frontdesk/internal/oidc"
	"github.com/frontdesk/frontdesk/internal/web"
)

// step is what an authorization request needs next from the customer.
type step int

const (
	stepSignIn  step = iota + 1 // no session: the sign-in page
	stepEnrol                   // a session that must first enrol a factor
	stepReauth                  // prompt=login, max_age or acr_values: confirm again
	stepConsent                 // a third-party app, or prompt=consent
	stepDone                    // nothing: the code can be issued
)

// flow is one authorization request as the pages see it.
type flow struct {
	req    *oidc.AuthRequest
	client *oidc.Client
	p      *identity.Principal
}

// load reads the request of the page's path; an unknown or expired one
// gets the error page (its client cannot be told safely).
func (s *Handler) load(w http.ResponseWriter, r *http.Request) (*flow, error) {
	a, err := s.deps.OIDC.Request(r.Context(), r.PathValue("id"))
	if errors.Is(err, oidc.ErrRequestNotFound) {
		return nil, s.problem(w, r, "expired")
	}
	if err != nil {
		return nil, err
	}
	c, err := s.deps.OIDC.Client(r.Context(), a.ClientID)
	if errors.Is(err, oidc.ErrClientNotFound) {
		return nil, s.problem(w, r, "unknown_app")
	}
	if err != nil {
		return nil, err
	}
	return &flow{req: a, client: c, p: web.Principal(r.Context())}, nil
}

// next decides the step. A confirmation made after the request was
// created (AuthAt not before it) satisfies prompt=login and acr_values;
// max_age is measured from the last confirmation.
func (s *Handler) next(r *http.Request, f *flow) (step, string, error) {
	a, p := f.req, f.p
	if p == nil {
		return stepSignIn, "login_required", nil
	}
	if p.Session.MustEnrol {
		return stepEnrol, "interaction_required", nil
	}
	fresh := !p.Session.AuthAt.Before(a.CreatedAt)
	now := s.Now()
	switch {
	case a.HasPrompt("login") && !fresh,
		a.MaxAge != nil && now.Sub(p.Session.AuthAt) > *a.MaxAge:
		return stepReauth, "login_required", nil
	case a.NeedsAAL2() && p.Session.AAL < 2:
		if fresh {
			// Confirmed again and still without a second factor: the
			// account has none to offer.
			return 0, "unmet_authentication_requirements", nil
		}
		return stepReauth, "interaction_required", nil
	}
	need, err := s.deps.OIDC.NeedsConsent(r.Context(), p.AccountID, f.client, a.Scopes)
	if err != nil {
		return 0, "", err
	}
	if need || a.HasPrompt("consent") {
		return stepConsent, "consent_required", nil
	}
	return stepDone, "", nil
}

// login is where the provider sends the browser for every authorization
// request: it signs in, confirms, asks consent, or finishes.
func (s *Handler) login(w http.ResponseWriter, r *http.Request) error {
	r = r.WithContext(oidc.WithClientMemo(r.Context()))
	f, err := s.load(w, r)
	if f == nil {
		return err
	}
	st, code, err := s.next(r, f)
	if err != nil {
		return err
	}
	if st != stepDone && (f.req.HasPrompt("none") || st == 0) {
		// prompt=none: the client asked us not to show anything.
		return s.toClient(w, r, f, code)
	}
	here := oidc.LoginPath + "/" + f.req.ID + "?after=1"
	switch st {
	case stepSignIn:
		http.Redirect(w, r, "/signin?next="+url.QueryEscape(here), http.StatusSeeOther)
	case stepEnrol:
		http.Redirect(w, r, "/account/mfa/setup", http.StatusSeeOther)
	case stepReauth:
		http.Redirect(w, r, "/account/reauth?next="+url.QueryEscape(here), http.StatusSeeOther)
	case stepConsent:
		return s.consentPage(w, r, f)
	case stepDone:
		return s.finish(w, r, f, r.URL.Query().Get("after") != "")
	}
	return nil
}

// finish marks the request done and sends the browser to the provider's
// callback, which issues the code. After a form (sign-in, confirmation,
// consent) the way out is a page that moves on by itself: a redirect
// chain that starts at a form may not leave the site under the form's
// CSP (form-action 'self').
//
// Without a form (single sign-on: the session already satisfies the
// request) the code is issued here, in the same write that finishes the
// request, and the browser goes straight back to the client.
func (s *Handler) finish(w http.ResponseWriter, r *http.Request, f *flow, afterForm bool) error {
	p := f.p
	au := oidc.Authentication{AccountID: p.AccountID, SessionID: p.Session.ID, AuthTime: p.Session.AuthAt, Methods: p.Session.Methods, AAL: p.Session.AAL}
	if !afterForm {
		back, fp, err := s.deps.Provider.Issue(r.Context(), f.req, au)
		switch {
		case errors.Is(err, oidc.ErrRequestNotFound):
			return s.problem(w, r, "expired")
		case err != nil:
			return err
		case fp != nil:
			return s.formPost(w, r, fp)
		}
		http.Redirect(w, r, back, http.StatusFound)
		return nil
	}
	err := s.deps.OIDC.Complete(r.Context(), f.req.ID, au)
	if errors.Is(err, oidc.ErrRequestNotFound) {
		return s.problem(w, r, "expired")
	}
	if err != nil {
		return err
	}
	return s.continuePage(w, r, f.client, oidc.CallbackPath+"?id="+url.QueryEscape(f.req.ID))
}

// toClient ends the request and tells the client why, by its redirect URI.
func (s *Handler) toClient(w http.ResponseWriter, r *http.Request, f *flow, code string) error {
	if err := s.deps.OIDC.Deny(r.Context(), f.req.ID); err != nil {
		return err
	}
	if f.req.ResponseMode == "form_post" {
		fields := []oidc.FormField{{Name: "error", Value: code}}
		if f.req.State != "" {
			fields = append(fields, oidc.FormField{Name: "state", Value: f.req.State})
		}
		fields = append(fields, oidc.FormField{Name: "iss", Value: s.deps.OIDC.Issuer()})
		return s.formPost(w, r, &oidc.FormPost{Action: f.req.RedirectURI, Fields: fields, Client: f.client})
	}
	u, err := url.Parse(f.req.RedirectURI)
	if err != nil {
		return err
	}
	q := u.Query()
	q.Set("error", code)
	if f.req.State != "" {
		q.Set("state", f.req.State)
	}
	q.Set("iss", s.deps.OIDC.Issuer())
	u.RawQuery = q.Encode()
	if r.Method == http.MethodPost {
		return s.continuePage(w, r, f.client, u.String())
	}
	http.Redirect(w, r, u.String(), http.StatusFound)
	return nil
}

// consentView is the consent page's data.
type consentView struct {
	ID     string
	Client *oidc.Client
	Scopes []string
}

func (s *Handler) consentPage(w http.ResponseWriter, r *http.Request, f *flow) error {
	var scopes []string
	for _, sc := range f.req.Scopes {
		if sc != "openid" {
			scopes = append(scopes, sc)
		}
	}
	form := web.NewForm(r)
	form.Extra = consentView{ID: f.req.ID, Client: f.client, Scopes: scopes}
	return s.Render(w, r, http.StatusOK, "oauth_consent", form)
}

// consent takes the customer's answer. It is accepted only where the
// request is at its consent step: a hand-made post cannot skip a
// confirmation the client asked for.
func (s *Handler) consent(w http.ResponseWriter, r *http.Request) error {
	r = r.WithContext(oidc.WithClientMemo(r.Context()))
	f, err := s.load(w, r)
	if f == nil {
		return err
	}
	st, _, err := s.next(r, f)
	if err != nil {
		return err
	}
	if st != stepConsent && st != stepDone {
		http.Redirect(w, r, oidc.LoginPath+"/"+f.req.ID, http.StatusSeeOther)
		return nil
	}
	if r.PostFormValue("answer") != "allow" {
		return s.toClient(w, r, f, "access_denied")
	}
	if !f.client.FirstParty {
		if err := s.deps.OIDC.GrantConsent(r.Context(), f.p.AccountID, f.client.ID, f.req.Scopes); err != nil {
			return err
		}
	}
	return s.finish(w, r, f, true)
}

// continueView is the page that moves on to next by itself.
type continueView struct {
	Client *oidc.Client
	URL    string
}

func (s *Handler) continuePage(w http.ResponseWriter, r *http.Request, c *oidc.Client, next string) error {
	form := web.NewForm(r)
	form.Extra = continueView{Client: c, URL: next}
	return s.Render(w, r, http.StatusOK, "oauth_continue", form)
}

// problem shows the provider's error page for a request that cannot be
// sent back to its client.
func (s *Handler) problem(w http.ResponseWriter, r *http.Request, code string) error {
	if !slices.Contains([]string{"expired", "unknown_app"}, code) {
		code = "expired"
	}
	form := web.NewForm(r)
	form.Extra = code
	return s.Render(w, r, http.StatusBadRequest, "oauth_error", form)
}

// logoutPage is where an app's sign-out without an id_token_hint lands:
// the customer chooses to sign out of Frontdesk too.
func (s *Handler) logoutPage(w http.ResponseWriter, r *http.Request) error {
	return s.Render(w, r, http.StatusOK, "oauth_logout", web.NewForm(r))
}
