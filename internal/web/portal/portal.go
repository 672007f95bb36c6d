package portal

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/frontdesk/frontdesk/internal/web"
)

// The customer portal's account pages. They are plain HTML forms that work
// without JavaScript; every POST passes the cross-origin check of the
// Browser tree.

func (s *Handler) signupPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderSignup(w, r, http.StatusOK, web.NewForm(r))
}

// renderSignup shows the sign-up form with the notices of the consent
// ledger: the privacy notice to read, the optional purposes unticked
// unless the visitor ticked them (GDPR 7, 25(2)).
func (s *Handler) renderSignup(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	v, err := s.signupView(r)
	if err != nil {
		return err
	}
	f.Extra = v
	return s.Render(w, r, status, "signup", f)
}

func (s *Handler) signup(w http.ResponseWriter, r *http.Request) error {
	f := web.NewForm(r, "email", "name")
	reg := identity.Registration{Email: f.Values["email"], Password: r.PostFormValue("password"),
		Name: f.Values["name"], Locale: web.Info(r.Context()).Lang, IP: web.ClientIP(r.Context())}
	var err error
	if s.deps.Consent != nil {
		// The choices are checked before the registration is attempted,
		// so that a refused form changes nothing.
		choices := signupConsents(r)
		if err = s.deps.Consent.Check(r.Context(), &choices); err == nil {
			reg.Then = identity.RegistrationHook(s.deps.Consent.Pend(choices))
		}
	}
	var secret string
	if err == nil {
		secret, err = s.deps.Identity.Register(r.Context(), reg)
	}
	if err != nil {
		status, err := s.Fail(r, f, err)
		if err != nil {
			return err
		}
		return s.renderSignup(w, r, status, f)
	}
	v := web.NewForm(r, "email")
	v.Values["registration"] = secret // carried by the verify form: the code works only with it
	v.Notice = "verify.sent"
	return s.Render(w, r, http.StatusOK, "verify", v)
}

func (s *Handler) verifyPage(w http.ResponseWriter, r *http.Request) error {
	f := web.NewForm(r)
	f.Token = r.URL.Query().Get("token")
	return s.Render(w, r, http.StatusOK, "verify", f)
}

func (s *Handler) verify(w http.ResponseWriter, r *http.Request) error {
	f := web.NewForm(r, "email", "registration")
	proof := identity.RegistrantProof{Registration: f.Values["registration"], Password: r.PostFormValue("password")}
	var err error
	if token := r.PostFormValue("token"); token != "" {
		f.Token = token
		_, err = s.deps.Identity.VerifyLink(r.Context(), token, proof)
	} else {
		_, err = s.deps.Identity.VerifyEmail(r.Context(), f.Values["email"], strings.TrimSpace(r.PostFormValue("code")), proof)
	}
	if err != nil {
		status, err := s.Fail(r, f, err)
		if err != nil {
			return err
		}
		f.Token = ""
		return s.Render(w, r, status, "verify", f)
	}
	in := web.NewForm(r, "email")
	in.Notice = "signin.verified"
	s.DeviceID(w, r)
	return s.Render(w, r, http.StatusOK, "signin", in)
}

// resend mails a new code for the registration the verify form carries
// and shows the form again with the same secret. The page says the same
// whatever happened (ASVS 6.3.8).
func (s *Handler) resend(w http.ResponseWriter, r *http.Request) error {
	f := web.NewForm(r, "email", "registration")
	if err := s.deps.Identity.ResendVerification(r.Context(), f.Values["email"], f.Values["registration"], web.ClientIP(r.Context())); err != nil {
		status, err := s.Fail(r, f, err)
		if err != nil {
			return err
		}
		return s.Render(w, r, status, "verify", f)
	}
	f.Notice = "verify.resent"
	return s.Render(w, r, http.StatusOK, "verify", f)
}

func (s *Handler) signinPage(w http.ResponseWriter, r *http.Request) error {
	f := web.NewForm(r)
	f.Next = r.URL.Query().Get("next")
	if n := r.URL.Query().Get("notice"); n == "signedout" || n == "reset" || n == "unlocked" {
		f.Notice = "signin." + n
	}
	s.DeviceID(w, r) // also tells a POST whether the browser keeps cookies
	return s.Render(w, r, http.StatusOK, "signin", f)
}

func (s *Handler) signin(w http.ResponseWriter, r *http.Request) error {
	f := web.NewForm(r, "email")
	f.Next = r.PostFormValue("next")
	if _, err := r.Cookie(s.Cookies.Device); err != nil {
		// The cookie set with the form did not come back: this browser does
		// not keep cookies (or not SameSite ones), so no session could work.
		f.Error = s.Pages.Translator(web.Info(r.Context()).Lang)("signin.nocookies")
		s.DeviceID(w, r)
		return s.Render(w, r, http.StatusBadRequest, "signin", f)
	}
	res, err := s.deps.Identity.SignIn(r.Context(), identity.SignIn{Email: f.Values["email"], Password: r.PostFormValue("password"),
		IP: web.ClientIP(r.Context()), UserAgent: r.UserAgent(), DeviceID: s.DeviceID(w, r), Client: identity.ClientBrowser,
		RememberToken: web.CookieValue(r, s.Cookies.Remember)})
	if err != nil {
		status, ferr := s.Fail(r, f, err)
		if ferr != nil {
			return ferr
		}
		if errors.Is(err, identity.ErrEmailNotVerified) {
			f.Notice, f.Error = "verify.sent", ""
			return s.Render(w, r, http.StatusForbidden, "verify", f)
		}
		f.Extra = signinTries(r, f, err)
		return s.Render(w, r, status, "signin", f)
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

func (s *Handler) signout(w http.ResponseWriter, r *http.Request) error {
	if err := s.deps.Identity.SignOut(r.Context(), web.Principal(r.Context())); err != nil {
		return err
	}
	s.ClearSessionCookie(w)
	web.ClearSiteData(w)
	http.Redirect(w, r, "/signin?notice=signedout", http.StatusSeeOther)
	return nil
}

func (s *Handler) forgotPage(w http.ResponseWriter, r *http.Request) error {
	return s.Render(w, r, http.StatusOK, "forgot", web.NewForm(r))
}

func (s *Handler) forgot(w http.ResponseWriter, r *http.Request) error {
	f := web.NewForm(r, "email")
	if err := s.deps.Identity.RequestReset(r.Context(), f.Values["email"], web.ClientIP(r.Context())); err != nil {
		status, err := s.Fail(r, f, err)
		if err != nil {
			return err
		}
		return s.Render(w, r, status, "forgot", f)
	}
	f.Notice = "reset.sent"
	return s.Render(w, r, http.StatusOK, "reset", f)
}

func (s *Handler) resetPage(w http.ResponseWriter, r *http.Request) error {
	f := web.NewForm(r)
	if f.Token = r.URL.Query().Get("token"); f.Token != "" {
		ok, err := s.deps.Identity.ResetLinkValid(r.Context(), f.Token)
		if err != nil {
			return err
		}
		if !ok {
			f.Token, f.Error = "", s.Pages.Translator(web.Info(r.Context()).Lang)("err.invalid_code")
		}
	}
	return s.Render(w, r, http.StatusOK, "reset", f)
}

func (s *Handler) reset(w http.ResponseWriter, r *http.Request) error {
	f := web.NewForm(r, "email")
	f.Token = r.PostFormValue("token")
	var err error
	if f.Token != "" {
		err = s.deps.Identity.ResetWithLink(r.Context(), f.Token, r.PostFormValue("password"))
	} else {
		err = s.deps.Identity.ConfirmReset(r.Context(), f.Values["email"], strings.TrimSpace(r.PostFormValue("code")), r.PostFormValue("password"))
	}
	if err != nil {
		status, err := s.Fail(r, f, err)
		if err != nil {
			return err
		}
		return s.Render(w, r, status, "reset", f)
	}
	s.ClearSessionCookie(w)
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
	// AskConsent: a notice changed materially since the customer chose;
	// the page points them to their privacy page to choose again.
	AskConsent bool
}

func (s *Handler) securityPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderSecurity(w, r, http.StatusOK, web.NewForm(r))
}

func (s *Handler) renderSecurity(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	p := web.Principal(r.Context())
	a, err := s.deps.Identity.AccountByID(r.Context(), p.AccountID)
	if err != nil {
		return err
	}
	sessions, err := s.deps.Identity.Sessions(r.Context(), p)
	if err != nil {
		return err
	}
	history, err := s.deps.Identity.LoginHistory(r.Context(), p.AccountID, 20)
	if err != nil {
		return err
	}
	if f.Notice == "" {
		switch r.URL.Query().Get("notice") {
		case "password", "ended", "ended_others", "added", "removed", "renamed", "forgotten":
			f.Notice = "security.done." + r.URL.Query().Get("notice")
		}
	}
	v := securityView{Account: a, Sessions: sessions, History: history, MinLen: s.deps.Identity.Policy().Password.MinLength}
	if s.deps.MFA != nil {
		if v.MFA, err = s.mfaManage(r); err != nil {
			return err
		}
	}
	if s.deps.Consent != nil {
		st, err := s.deps.Consent.State(r.Context(), p.AccountID)
		if err != nil {
			return err
		}
		for _, x := range st {
			v.AskConsent = v.AskConsent || x.AskAgain
		}
	}
	f.Extra = v
	return s.Render(w, r, status, "security", f)
}

func (s *Handler) changePassword(w http.ResponseWriter, r *http.Request) error {
	f := web.NewForm(r)
	err := s.deps.Identity.ChangePassword(r.Context(), web.Principal(r.Context()), r.PostFormValue("current_password"), r.PostFormValue("password"))
	if err != nil {
		status, err := s.Fail(r, f, err)
		if err != nil {
			return err
		}
		return s.renderSecurity(w, r, status, f)
	}
	http.Redirect(w, r, "/account/security?notice=password", http.StatusSeeOther)
	return nil
}

func (s *Handler) endSession(w http.ResponseWriter, r *http.Request) error {
	p := web.Principal(r.Context())
	id := r.PathValue("id")
	if err := s.deps.Identity.EndSession(r.Context(), p, id); err != nil {
		return web.IdentityError(err)
	}
	if id == p.Session.ID {
		s.ClearSessionCookie(w)
		http.Redirect(w, r, "/signin?notice=signedout", http.StatusSeeOther)
		return nil
	}
	http.Redirect(w, r, "/account/security?notice=ended", http.StatusSeeOther)
	return nil
}

func (s *Handler) endOtherSessions(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.deps.Identity.EndOtherSessions(r.Context(), web.Principal(r.Context())); err != nil {
		return err
	}
	http.Redirect(w, r, "/account/security?notice=ended_others", http.StatusSeeOther)
	return nil
}

// linkPage shows a confirm button for an e-mailed link (unlock, "this
// wasn't me"): a GET never changes anything, so mail scanners that follow
// links cannot use them up.
func (s *Handler) linkPage(page string) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		f := web.NewForm(r)
		f.Token = r.URL.Query().Get("token")
		return s.Render(w, r, http.StatusOK, page, f)
	}
}

func (s *Handler) unlock(w http.ResponseWriter, r *http.Request) error {
	if err := s.deps.Identity.Unlock(r.Context(), r.PostFormValue("token")); err != nil {
		f := web.NewForm(r)
		status, err := s.Fail(r, f, err)
		if err != nil {
			return err
		}
		return s.Render(w, r, status, "unlock", f)
	}
	http.Redirect(w, r, "/signin?notice=unlocked", http.StatusSeeOther)
	return nil
}

func (s *Handler) notMe(w http.ResponseWriter, r *http.Request) error {
	f := web.NewForm(r)
	if err := s.deps.Identity.NotMe(r.Context(), r.PostFormValue("token")); err != nil {
		status, err := s.Fail(r, f, err)
		if err != nil {
			return err
		}
		return s.Render(w, r, status, "notme", f)
	}
	s.ClearSessionCookie(w)
	f.Notice = "notme.done"
	f.Valid = true
	return s.Render(w, r, http.StatusOK, "notme", f)
}

// pausedAfter is the number of failed attempts in a row from one sign-in
// form after which the page explains that sign-in may be paused.
const pausedAfter = 3

// signinHelp is what the sign-in page adds after failed attempts.
type signinHelp struct {
	Paused bool // explain paused sign-in, the unlock e-mail and the reset
}

// signinTries counts the failed attempts made from this form (the count
// travels in a hidden field) and decides whether to explain paused
// sign-in. A paused account is answered like a wrong password, so that
// nobody learns which accounts exist or are paused (ASVS 6.3.8); the
// explanation comes after a few failures whatever the account, and says
// what may have happened and the ways out, never that it did.
func signinTries(r *http.Request, f *web.Form, err error) signinHelp {
	tries, _ := strconv.Atoi(r.PostFormValue("tries"))
	if tries < 0 || tries > 100 {
		tries = 0
	}
	if errors.Is(err, identity.ErrInvalidCredentials) {
		tries++
	}
	f.Values["tries"] = strconv.Itoa(tries)
	var rl *identity.RateLimitedError
	return signinHelp{Paused: tries >= pausedAfter || errors.As(err, &rl)}
}
