package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/frontdesk/frontdesk/internal/identity"
)

// The customer portal's account pages. They are plain HTML forms that work
// without JavaScript; every POST passes the cross-origin check of the
// Browser tree.

// form is what every account page template gets.
type form struct {
	Values map[string]string // what the visitor typed (never passwords)
	Errors map[string]string // field → message, shown next to the field
	Error  string            // message for the whole form
	Notice string            // a confirmation, e.g. "we sent you a code"
	Next   string            // where to go after signing in
	Token  string            // a link's secret, carried through a confirm form
	Valid  bool              // the link is still usable
	Extra  any
}

func newForm(r *http.Request, fields ...string) *form {
	f := &form{Values: map[string]string{}, Errors: map[string]string{}}
	for _, k := range fields {
		f.Values[k] = strings.TrimSpace(r.PostFormValue(k))
	}
	return f
}

// fail puts an identity error on the form, translated, next to its field
// when it has one, and returns the status to answer with.
func (s *Server) fail(r *http.Request, f *form, err error) (int, error) {
	t := s.pages.translator(info(r.Context()).lang)
	mapped := identityError(err)
	var e *Error
	if !errors.As(mapped, &e) || e.Status >= 500 && e.Status != http.StatusServiceUnavailable {
		return 0, err
	}
	msg := t("err." + e.Code)
	if msg == "err."+e.Code {
		msg = e.Message
	}
	var fe *identity.FieldError
	if errors.As(err, &fe) {
		switch fe.Code {
		case "too_short":
			msg = t("err.too_short", fe.Min)
		case "too_long":
			msg = t("err.too_long", fe.Max)
		}
	}
	if e.Field != "" {
		f.Errors[e.Field] = msg
	} else {
		f.Error = msg
	}
	return e.Status, nil
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, page string, f *form) error {
	w.Header().Set("Cache-Control", "no-store")
	return s.pages.render(w, r, status, page, s.opts.OrgName, f)
}

func (s *Server) signupPage(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, http.StatusOK, "signup", newForm(r))
}

func (s *Server) signup(w http.ResponseWriter, r *http.Request) error {
	f := newForm(r, "email", "name")
	err := s.opts.Identity.Register(r.Context(), identity.Registration{Email: f.Values["email"], Password: r.PostFormValue("password"),
		Name: f.Values["name"], Locale: info(r.Context()).lang, IP: ClientIP(r.Context())})
	if err != nil {
		status, err := s.fail(r, f, err)
		if err != nil {
			return err
		}
		return s.render(w, r, status, "signup", f)
	}
	v := newForm(r, "email")
	v.Notice = "verify.sent"
	return s.render(w, r, http.StatusOK, "verify", v)
}

func (s *Server) verifyPage(w http.ResponseWriter, r *http.Request) error {
	f := newForm(r)
	f.Token = r.URL.Query().Get("token")
	return s.render(w, r, http.StatusOK, "verify", f)
}

func (s *Server) verify(w http.ResponseWriter, r *http.Request) error {
	f := newForm(r, "email")
	var err error
	if token := r.PostFormValue("token"); token != "" {
		f.Token = token
		_, err = s.opts.Identity.VerifyLink(r.Context(), token)
	} else {
		_, err = s.opts.Identity.VerifyEmail(r.Context(), f.Values["email"], strings.TrimSpace(r.PostFormValue("code")))
	}
	if err != nil {
		status, err := s.fail(r, f, err)
		if err != nil {
			return err
		}
		f.Token = ""
		return s.render(w, r, status, "verify", f)
	}
	in := newForm(r, "email")
	in.Notice = "signin.verified"
	s.deviceID(w, r)
	return s.render(w, r, http.StatusOK, "signin", in)
}

func (s *Server) signinPage(w http.ResponseWriter, r *http.Request) error {
	f := newForm(r)
	f.Next = r.URL.Query().Get("next")
	if n := r.URL.Query().Get("notice"); n == "signedout" || n == "reset" || n == "unlocked" {
		f.Notice = "signin." + n
	}
	s.deviceID(w, r) // also tells a POST whether the browser keeps cookies
	return s.render(w, r, http.StatusOK, "signin", f)
}

func (s *Server) signin(w http.ResponseWriter, r *http.Request) error {
	f := newForm(r, "email")
	f.Next = r.PostFormValue("next")
	if _, err := r.Cookie(s.cookies.device); err != nil {
		// The cookie set with the form did not come back: this browser does
		// not keep cookies (or not SameSite ones), so no session could work.
		f.Error = s.pages.translator(info(r.Context()).lang)("signin.nocookies")
		s.deviceID(w, r)
		return s.render(w, r, http.StatusBadRequest, "signin", f)
	}
	res, err := s.opts.Identity.SignIn(r.Context(), identity.SignIn{Email: f.Values["email"], Password: r.PostFormValue("password"),
		IP: ClientIP(r.Context()), UserAgent: r.UserAgent(), DeviceID: s.deviceID(w, r), Client: identity.ClientBrowser,
		RememberToken: cookieValue(r, s.cookies.remember)})
	if err != nil {
		status, ferr := s.fail(r, f, err)
		if ferr != nil {
			return ferr
		}
		if errors.Is(err, identity.ErrEmailNotVerified) {
			f.Notice, f.Error = "verify.sent", ""
			return s.render(w, r, http.StatusForbidden, "verify", f)
		}
		return s.render(w, r, status, "signin", f)
	}
	if res.Challenge != nil {
		s.challengePage(w, r, res.Challenge, f.Next)
		return nil
	}
	// A new token on every sign-in (ASVS 7.2.4): whatever cookie the
	// browser had before is replaced.
	s.signedIn(w, r, res, f.Next)
	return nil
}

func (s *Server) signout(w http.ResponseWriter, r *http.Request) error {
	if err := s.opts.Identity.SignOut(r.Context(), principal(r.Context())); err != nil {
		return err
	}
	s.clearSessionCookie(w)
	clearSiteData(w)
	http.Redirect(w, r, "/signin?notice=signedout", http.StatusSeeOther)
	return nil
}

func (s *Server) forgotPage(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, http.StatusOK, "forgot", newForm(r))
}

func (s *Server) forgot(w http.ResponseWriter, r *http.Request) error {
	f := newForm(r, "email")
	if err := s.opts.Identity.RequestReset(r.Context(), f.Values["email"], ClientIP(r.Context())); err != nil {
		status, err := s.fail(r, f, err)
		if err != nil {
			return err
		}
		return s.render(w, r, status, "forgot", f)
	}
	f.Notice = "reset.sent"
	return s.render(w, r, http.StatusOK, "reset", f)
}

func (s *Server) resetPage(w http.ResponseWriter, r *http.Request) error {
	f := newForm(r)
	if f.Token = r.URL.Query().Get("token"); f.Token != "" {
		ok, err := s.opts.Identity.ResetLinkValid(r.Context(), f.Token)
		if err != nil {
			return err
		}
		if !ok {
			f.Token, f.Error = "", s.pages.translator(info(r.Context()).lang)("err.invalid_code")
		}
	}
	return s.render(w, r, http.StatusOK, "reset", f)
}

func (s *Server) reset(w http.ResponseWriter, r *http.Request) error {
	f := newForm(r, "email")
	f.Token = r.PostFormValue("token")
	var err error
	if f.Token != "" {
		err = s.opts.Identity.ResetWithLink(r.Context(), f.Token, r.PostFormValue("password"))
	} else {
		err = s.opts.Identity.ConfirmReset(r.Context(), f.Values["email"], strings.TrimSpace(r.PostFormValue("code")), r.PostFormValue("password"))
	}
	if err != nil {
		status, err := s.fail(r, f, err)
		if err != nil {
			return err
		}
		return s.render(w, r, status, "reset", f)
	}
	s.clearSessionCookie(w)
	http.Redirect(w, r, "/signin?notice=reset", http.StatusSeeOther)
	return nil
}

// securityView is the security page's data.
type securityView struct {
	Account  *identity.Account
	Sessions []identity.Session
	History  []identity.LoginEvent
	MinLen   int
	MFA      *mfaManageView
}

func (s *Server) securityPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderSecurity(w, r, http.StatusOK, newForm(r))
}

func (s *Server) renderSecurity(w http.ResponseWriter, r *http.Request, status int, f *form) error {
	p := principal(r.Context())
	a, err := s.opts.Identity.AccountByID(r.Context(), p.AccountID)
	if err != nil {
		return err
	}
	sessions, err := s.opts.Identity.Sessions(r.Context(), p)
	if err != nil {
		return err
	}
	history, err := s.opts.Identity.LoginHistory(r.Context(), p.AccountID, 20)
	if err != nil {
		return err
	}
	if f.Notice == "" {
		switch r.URL.Query().Get("notice") {
		case "password", "ended", "ended_others", "added", "removed", "renamed", "forgotten":
			f.Notice = "security.done." + r.URL.Query().Get("notice")
		}
	}
	v := securityView{Account: a, Sessions: sessions, History: history, MinLen: s.opts.Identity.Policy().Password.MinLength}
	if s.opts.MFA != nil {
		if v.MFA, err = s.mfaManage(r); err != nil {
			return err
		}
	}
	f.Extra = v
	return s.render(w, r, status, "security", f)
}

func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) error {
	f := newForm(r)
	err := s.opts.Identity.ChangePassword(r.Context(), principal(r.Context()), r.PostFormValue("current_password"), r.PostFormValue("password"))
	if err != nil {
		status, err := s.fail(r, f, err)
		if err != nil {
			return err
		}
		return s.renderSecurity(w, r, status, f)
	}
	http.Redirect(w, r, "/account/security?notice=password", http.StatusSeeOther)
	return nil
}

func (s *Server) endSession(w http.ResponseWriter, r *http.Request) error {
	p := principal(r.Context())
	id := r.PathValue("id")
	if err := s.opts.Identity.EndSession(r.Context(), p, id); err != nil {
		return identityError(err)
	}
	if id == p.Session.ID {
		s.clearSessionCookie(w)
		http.Redirect(w, r, "/signin?notice=signedout", http.StatusSeeOther)
		return nil
	}
	http.Redirect(w, r, "/account/security?notice=ended", http.StatusSeeOther)
	return nil
}

func (s *Server) endOtherSessions(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.opts.Identity.EndOtherSessions(r.Context(), principal(r.Context())); err != nil {
		return err
	}
	http.Redirect(w, r, "/account/security?notice=ended_others", http.StatusSeeOther)
	return nil
}

// linkPage shows a confirm button for an e-mailed link (unlock, "this
// wasn't me"): a GET never changes anything, so mail scanners that follow
// links cannot use them up.
func (s *Server) linkPage(page string) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		f := newForm(r)
		f.Token = r.URL.Query().Get("token")
		return s.render(w, r, http.StatusOK, page, f)
	}
}

func (s *Server) unlock(w http.ResponseWriter, r *http.Request) error {
	if err := s.opts.Identity.Unlock(r.Context(), r.PostFormValue("token")); err != nil {
		f := newForm(r)
		status, err := s.fail(r, f, err)
		if err != nil {
			return err
		}
		return s.render(w, r, status, "unlock", f)
	}
	http.Redirect(w, r, "/signin?notice=unlocked", http.StatusSeeOther)
	return nil
}

func (s *Server) notMe(w http.ResponseWriter, r *http.Request) error {
	f := newForm(r)
	if err := s.opts.Identity.NotMe(r.Context(), r.PostFormValue("token")); err != nil {
		status, err := s.fail(r, f, err)
		if err != nil {
			return err
		}
		return s.render(w, r, status, "notme", f)
	}
	s.clearSessionCookie(w)
	f.Notice = "notme.done"
	f.Valid = true
	return s.render(w, r, http.StatusOK, "notme", f)
}
