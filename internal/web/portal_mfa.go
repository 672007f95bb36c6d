package web

import (
	"encoding/base64"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/frontdesk/frontdesk/internal/mfa"
	qrcode "github.com/skip2/go-qrcode"
)

// The portal's second-factor pages: the sign-in challenge, passkey
// sign-in, managing factors on the security page, step-up, enrolment for
// sessions that must, and support-assisted recovery. Forms work without
// JavaScript except the passkey ceremonies, which need the browser's
// WebAuthn API (static/webauthn.js).

// signedIn finishes a browser sign-in: session cookie, remembered device,
// no challenge cookie left behind.
func (s *Server) signedIn(w http.ResponseWriter, r *http.Request, res *identity.SignInResult, next string) {
	s.SetSessionCookie(w, res.Token, res.Session.ExpiresAt)
	s.SetCookie(w, s.Cookies.MFA, "", -1, true)
	if res.Remember != nil {
		s.SetCookie(w, s.Cookies.Remember, res.Remember.Token, int(time.Until(res.Remember.ExpiresAt).Seconds()), false)
	}
	dest := safeNext(next)
	if res.Session.MustEnrol {
		dest = "/account/mfa/setup"
	}
	http.Redirect(w, r, dest, http.StatusSeeOther)
}

// challengePage sends the browser to the second-factor page, keeping the
// challenge in a strict cookie rather than in the page.
func (s *Server) challengePage(w http.ResponseWriter, r *http.Request, c *identity.Challenge, next string) {
	s.SetCookie(w, s.Cookies.MFA, c.Token, int(time.Until(c.ExpiresAt).Seconds()), true)
	q := url.Values{"methods": {strings.Join(c.Methods, ",")}}
	if next != "" {
		q.Set("next", next)
	}
	http.Redirect(w, r, "/signin/mfa?"+q.Encode(), http.StatusSeeOther)
}

// mfaView is the challenge page's data.
type mfaView struct {
	Methods  []string
	Method   string // the method shown
	SentTo   string
	Remember bool // the policy offers "remember this device"
}

func (s *Server) mfaForm(r *http.Request) *Form {
	f := NewForm(r)
	f.Next = r.FormValue("next")
	var methods []string
	for _, m := range strings.Split(r.FormValue("methods"), ",") {
		switch m {
		case identity.MethodTOTP, identity.MethodWebAuthn, identity.MethodSMS, identity.MethodEmail, identity.MethodRecoveryCode:
			methods = append(methods, m)
		}
	}
	v := mfaView{Methods: methods, Method: r.FormValue("method"), Remember: s.opts.Identity.Policy().RememberDevice > 0}
	if v.Method == "" && len(methods) > 0 {
		v.Method = methods[0]
	}
	f.Values["methods"] = strings.Join(methods, ",")
	f.Extra = &v
	return f
}

func (s *Server) signinMFAPage(w http.ResponseWriter, r *http.Request) error {
	if CookieValue(r, s.Cookies.MFA) == "" {
		http.Redirect(w, r, "/signin", http.StatusSeeOther)
		return nil
	}
	return s.Render(w, r, http.StatusOK, "mfa", s.mfaForm(r))
}

func (s *Server) signinMFA(w http.ResponseWriter, r *http.Request) error {
	f := s.mfaForm(r)
	v := f.Extra.(*mfaView)
	res, err := s.opts.Identity.CompleteMFA(r.Context(), identity.MFAAttempt{Challenge: CookieValue(r, s.Cookies.MFA),
		Method: v.Method, Code: r.PostFormValue("code"), Credential: []byte(r.PostFormValue("credential")),
		Remember: r.PostFormValue("remember") == "on",
		SignIn:   identity.SignIn{IP: ClientIP(r.Context()), UserAgent: r.UserAgent(), DeviceID: s.DeviceID(w, r), Client: identity.ClientBrowser}})
	if errors.Is(err, identity.ErrChallengeInvalid) {
		s.SetCookie(w, s.Cookies.MFA, "", -1, true)
		in := NewForm(r)
		in.Next, in.Error = f.Next, s.Pages.Translator(Info(r.Context()).Lang)("err.challenge_invalid")
		return s.Render(w, r, http.StatusUnauthorized, "signin", in)
	}
	if err != nil {
		status, ferr := s.Fail(r, f, err)
		if ferr != nil {
			return ferr
		}
		if errors.Is(err, identity.ErrInvalidCode) {
			f.Errors["code"], f.Error = f.Error, "" // next to the field
		}
		return s.Render(w, r, status, "mfa", f)
	}
	s.signedIn(w, r, res, f.Next)
	return nil
}

func (s *Server) signinMFASend(w http.ResponseWriter, r *http.Request) error {
	f := s.mfaForm(r)
	v := f.Extra.(*mfaView)
	dest, err := s.opts.MFA.SendCode(r.Context(), CookieValue(r, s.Cookies.MFA), v.Method, ClientIP(r.Context()))
	if err != nil {
		status, err := s.Fail(r, f, err)
		if err != nil {
			return err
		}
		return s.Render(w, r, status, "mfa", f)
	}
	v.SentTo, f.Notice = dest, "mfa.sent"
	return s.Render(w, r, http.StatusOK, "mfa", f)
}

// jsonOrError answers the passkey scripts: JSON either way.
func (s *Server) jsonOrError(w http.ResponseWriter, r *http.Request, v any, err error) error {
	if err != nil {
		e := PublicError(IdentityError(err))
		if e == ErrInternal {
			return err
		}
		WriteJSONError(w, e, Info(r.Context()).ID)
		return nil
	}
	w.Header().Set("Cache-Control", "no-store")
	WriteJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) signinMFAWebAuthn(w http.ResponseWriter, r *http.Request) error {
	opts, err := s.opts.MFA.BeginWebAuthn(r.Context(), CookieValue(r, s.Cookies.MFA))
	return s.jsonOrError(w, r, map[string]any{"options": opts}, err)
}

func (s *Server) signinPasskeyBegin(w http.ResponseWriter, r *http.Request) error {
	id, opts, err := s.opts.MFA.BeginPasskeySignInFrom(r.Context(), ClientIP(r.Context()))
	return s.jsonOrError(w, r, map[string]any{"ceremony": id, "options": opts}, err)
}

func (s *Server) signinPasskey(w http.ResponseWriter, r *http.Request) error {
	f := NewForm(r)
	f.Next = r.PostFormValue("next")
	res, err := PasskeySignIn(r, s.opts.Identity, s.opts.MFA, r.PostFormValue("ceremony"), []byte(r.PostFormValue("credential")),
		identity.SignIn{IP: ClientIP(r.Context()), UserAgent: r.UserAgent(), DeviceID: s.DeviceID(w, r), Client: identity.ClientBrowser})
	if err != nil {
		status, err := s.Fail(r, f, err)
		if err != nil {
			return err
		}
		f.Error = s.Pages.Translator(Info(r.Context()).Lang)("err.passkey_failed")
		return s.Render(w, r, status, "signin", f)
	}
	s.signedIn(w, r, res, f.Next)
	return nil
}

// Managing factors.

// mfaManageView is the second-factor part of the security and setup pages.
type mfaManageView struct {
	Status   *MFAStatus
	Passkeys bool
	SMS      bool
	Email    bool
}

func (s *Server) mfaManage(r *http.Request) (*mfaManageView, error) {
	st, err := MFAStatusOf(r, s.opts.MFA, s.opts.Identity)
	if err != nil {
		return nil, err
	}
	v := &mfaManageView{Status: st}
	for _, m := range st.AvailableMethods {
		switch m {
		case identity.MethodWebAuthn:
			v.Passkeys = true
		case identity.MethodSMS:
			v.SMS = true
		case identity.MethodEmail:
			v.Email = true
		}
	}
	return v, nil
}

func (s *Server) setupPage(w http.ResponseWriter, r *http.Request) error {
	if !Principal(r.Context()).Session.MustEnrol {
		http.Redirect(w, r, "/account/security", http.StatusSeeOther)
		return nil
	}
	v, err := s.mfaManage(r)
	if err != nil {
		return err
	}
	f := NewForm(r)
	f.Extra = v
	return s.Render(w, r, http.StatusOK, "setup", f)
}

// stepUp sends the owner to confirm their password (and second factor)
// when err asks for it, and reports whether it did.
func (s *Server) stepUp(w http.ResponseWriter, r *http.Request, err error) bool {
	if !errors.Is(err, identity.ErrStepUpRequired) {
		return false
	}
	http.Redirect(w, r, "/account/reauth?next=/account/security", http.StatusSeeOther)
	return true
}

// back returns to the page the owner manages factors from.
func (s *Server) back(r *http.Request) string {
	if Principal(r.Context()).Session.MustEnrol {
		return "/account/mfa/setup"
	}
	return "/account/security"
}

// totpView is the authenticator-app enrolment page's data.
type totpView struct {
	Secret string
	QR     template.URL // data: URI of a PNG we encoded ourselves
}

func (s *Server) startTOTP(w http.ResponseWriter, r *http.Request) error {
	ctx, p := r.Context(), Principal(r.Context())
	a, err := s.opts.Identity.Account(ctx, p)
	if err != nil {
		return err
	}
	e, err := s.opts.MFA.StartTOTP(ctx, p, a.Email)
	if s.stepUp(w, r, err) {
		return nil
	}
	if err != nil {
		return IdentityError(err)
	}
	png, err := qrcode.Encode(e.URL, qrcode.Medium, 256)
	if err != nil {
		return err
	}
	f := NewForm(r)
	f.Extra = totpView{Secret: spaced(e.Secret), QR: template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))}
	return s.Render(w, r, http.StatusOK, "totp", f)
}

// spaced groups a base32 secret by four for typing.
func spaced(s string) string {
	var b strings.Builder
	for i, c := range s {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func (s *Server) confirmTOTP(w http.ResponseWriter, r *http.Request) error {
	f := NewForm(r, "name")
	codes, err := s.opts.MFA.ConfirmTOTP(r.Context(), Principal(r.Context()), r.PostFormValue("code"), f.Values["name"])
	if err != nil {
		status, err := s.Fail(r, f, err)
		if err != nil {
			return err
		}
		f.Extra = totpView{Secret: r.PostFormValue("secret")}
		f.Values["secret"] = r.PostFormValue("secret")
		return s.Render(w, r, status, "totp", f)
	}
	return s.showCodes(w, r, codes, "mfa.added")
}

// showCodes shows new recovery codes once, or goes back when there are
// none (the account had some already).
func (s *Server) showCodes(w http.ResponseWriter, r *http.Request, codes []string, notice string) error {
	if len(codes) == 0 {
		http.Redirect(w, r, "/account/security?notice="+strings.TrimPrefix(notice, "mfa."), http.StatusSeeOther)
		return nil
	}
	f := NewForm(r)
	f.Notice = notice
	f.Extra = codes
	return s.Render(w, r, http.StatusOK, "codes", f)
}

func (s *Server) startPhone(w http.ResponseWriter, r *http.Request) error {
	f := NewForm(r, "phone")
	var err error
	if r.PostFormValue("channel") == identity.MethodEmail {
		_, err = s.opts.MFA.StartEmailCodes(r.Context(), Principal(r.Context()), ClientIP(r.Context()))
	} else {
		_, err = s.opts.MFA.StartPhone(r.Context(), Principal(r.Context()), f.Values["phone"], ClientIP(r.Context()))
	}
	if s.stepUp(w, r, err) {
		return nil
	}
	if err != nil {
		status, err := s.Fail(r, f, err)
		if err != nil {
			return err
		}
		return s.renderManage(w, r, status, f)
	}
	f.Notice = "mfa.code_sent"
	return s.Render(w, r, http.StatusOK, "phone", f)
}

func (s *Server) confirmPhone(w http.ResponseWriter, r *http.Request) error {
	f := NewForm(r, "name")
	codes, err := s.opts.MFA.ConfirmSent(r.Context(), Principal(r.Context()), r.PostFormValue("code"), f.Values["name"])
	if err != nil {
		status, err := s.Fail(r, f, err)
		if err != nil {
			return err
		}
		return s.Render(w, r, status, "phone", f)
	}
	return s.showCodes(w, r, codes, "mfa.added")
}

func (s *Server) passkeyRegisterBegin(w http.ResponseWriter, r *http.Request) error {
	ctx, p := r.Context(), Principal(r.Context())
	a, err := s.opts.Identity.Account(ctx, p)
	if err != nil {
		return err
	}
	opts, err := s.opts.MFA.BeginPasskeyRegistration(ctx, p, a.Email)
	return s.jsonOrError(w, r, map[string]any{"options": opts}, err)
}

func (s *Server) passkeyRegister(w http.ResponseWriter, r *http.Request) error {
	f := NewForm(r, "name")
	codes, err := s.opts.MFA.FinishPasskeyRegistration(r.Context(), Principal(r.Context()), []byte(r.PostFormValue("credential")), f.Values["name"])
	if s.stepUp(w, r, err) {
		return nil
	}
	if err != nil {
		status, err := s.Fail(r, f, err)
		if err != nil {
			return err
		}
		return s.renderManage(w, r, status, f)
	}
	return s.showCodes(w, r, codes, "mfa.added")
}

// renderManage shows an error on the page factors are managed from.
func (s *Server) renderManage(w http.ResponseWriter, r *http.Request, status int, f *Form) error {
	if Principal(r.Context()).Session.MustEnrol {
		v, err := s.mfaManage(r)
		if err != nil {
			return err
		}
		f.Extra = v
		return s.Render(w, r, status, "setup", f)
	}
	return s.renderSecurity(w, r, status, f)
}

func (s *Server) removeFactor(w http.ResponseWriter, r *http.Request) error {
	err := s.opts.MFA.RemoveFactor(r.Context(), Principal(r.Context()), r.PathValue("id"))
	if s.stepUp(w, r, err) {
		return nil
	}
	if err != nil {
		f := NewForm(r)
		status, err := s.Fail(r, f, err)
		if err != nil {
			return err
		}
		return s.renderSecurity(w, r, status, f)
	}
	http.Redirect(w, r, "/account/security?notice=removed", http.StatusSeeOther)
	return nil
}

func (s *Server) renameFactor(w http.ResponseWriter, r *http.Request) error {
	f := NewForm(r, "name")
	if err := s.opts.MFA.RenameFactor(r.Context(), Principal(r.Context()), r.PathValue("id"), f.Values["name"]); err != nil {
		status, err := s.Fail(r, f, err)
		if err != nil {
			return err
		}
		return s.renderSecurity(w, r, status, f)
	}
	http.Redirect(w, r, "/account/security?notice=renamed", http.StatusSeeOther)
	return nil
}

func (s *Server) regenerateCodes(w http.ResponseWriter, r *http.Request) error {
	codes, err := s.opts.MFA.RegenerateRecoveryCodes(r.Context(), Principal(r.Context()))
	if s.stepUp(w, r, err) {
		return nil
	}
	if err != nil {
		return IdentityError(err)
	}
	return s.showCodes(w, r, codes, "mfa.codes_new")
}

func (s *Server) forgetDevice(w http.ResponseWriter, r *http.Request) error {
	if err := s.opts.Identity.ForgetDevice(r.Context(), Principal(r.Context()), r.PathValue("id")); err != nil {
		return IdentityError(err)
	}
	http.Redirect(w, r, "/account/security?notice=forgotten", http.StatusSeeOther)
	return nil
}

// Step-up.

func (s *Server) reauthForm(r *http.Request) (*Form, error) {
	f := NewForm(r)
	f.Next = r.FormValue("next")
	st, err := MFAStatusOf(r, s.opts.MFA, s.opts.Identity)
	if err != nil {
		return nil, err
	}
	var methods []string
	if !st.MustEnrol && len(st.Factors) > 0 {
		seen := map[string]bool{}
		for _, fa := range st.Factors {
			if !seen[fa.Kind] && (fa.Kind != identity.MethodEmail || s.opts.Identity.Policy().EmailOTPFactor) {
				seen[fa.Kind] = true
				methods = append(methods, fa.Kind)
			}
		}
		if st.RecoveryCodesLeft > 0 {
			methods = append(methods, identity.MethodRecoveryCode)
		}
	}
	v := &mfaView{Methods: methods, Method: r.FormValue("method")}
	if v.Method == "" && len(methods) > 0 {
		v.Method = methods[0]
	}
	f.Extra = v
	return f, nil
}

func (s *Server) reauthPage(w http.ResponseWriter, r *http.Request) error {
	f, err := s.reauthForm(r)
	if err != nil {
		return err
	}
	return s.Render(w, r, http.StatusOK, "reauth", f)
}

func (s *Server) reauth(w http.ResponseWriter, r *http.Request) error {
	f, err := s.reauthForm(r)
	if err != nil {
		return err
	}
	v := f.Extra.(*mfaView)
	if r.PostFormValue("send") != "" {
		dest, err := s.opts.MFA.SendReauthCode(r.Context(), Principal(r.Context()), v.Method, ClientIP(r.Context()))
		if err != nil {
			status, err := s.Fail(r, f, err)
			if err != nil {
				return err
			}
			return s.Render(w, r, status, "reauth", f)
		}
		v.SentTo, f.Notice = dest, "mfa.sent"
		return s.Render(w, r, http.StatusOK, "reauth", f)
	}
	var proof *identity.Proof
	if len(v.Methods) > 0 {
		proof = &identity.Proof{Method: v.Method, Code: r.PostFormValue("code"), Credential: []byte(r.PostFormValue("credential"))}
	}
	if err := s.opts.Identity.Reauthenticate(r.Context(), Principal(r.Context()), r.PostFormValue("password"), proof); err != nil {
		status, err := s.Fail(r, f, err)
		if err != nil {
			return err
		}
		return s.Render(w, r, status, "reauth", f)
	}
	http.Redirect(w, r, safeNext(f.Next), http.StatusSeeOther)
	return nil
}

func (s *Server) reauthWebAuthn(w http.ResponseWriter, r *http.Request) error {
	opts, err := s.opts.MFA.BeginReauthWebAuthn(r.Context(), Principal(r.Context()))
	return s.jsonOrError(w, r, map[string]any{"options": opts}, err)
}

// Support-assisted recovery, the customer's side.

func (s *Server) recoveryPage(w http.ResponseWriter, r *http.Request) error {
	return s.Render(w, r, http.StatusOK, "recovery", NewForm(r))
}

func (s *Server) recovery(w http.ResponseWriter, r *http.Request) error {
	f := NewForm(r, "email", "message")
	if err := s.opts.MFA.FileRecovery(r.Context(), f.Values["email"], f.Values["message"], ClientIP(r.Context())); err != nil {
		status, err := s.Fail(r, f, err)
		if err != nil {
			return err
		}
		return s.Render(w, r, status, "recovery", f)
	}
	done := NewForm(r)
	done.Notice, done.Valid = "recovery.received", true
	return s.Render(w, r, http.StatusOK, "recovery", done)
}

func (s *Server) cancelRecovery(w http.ResponseWriter, r *http.Request) error {
	f := NewForm(r)
	if err := s.opts.MFA.CancelRecovery(r.Context(), r.PostFormValue("token")); err != nil {
		status, err := s.Fail(r, f, err)
		if err != nil {
			return err
		}
		return s.Render(w, r, status, "recovery_cancel", f)
	}
	f.Notice, f.Valid = "recovery.cancelled", true
	return s.Render(w, r, http.StatusOK, "recovery_cancel", f)
}

var _ = mfa.ErrNotFound
