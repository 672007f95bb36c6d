package portal

import (
	"encoding/base64"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/frontdesk/frontdesk/internal/mfa"
	"github.com/frontdesk/frontdesk/internal/risk"
	"github.com/frontdesk/frontdesk/internal/web"
	qrcode "github.com/skip2/go-qrcode"
)

// The portal's second-factor pages: the sign-in challenge, passkey
// sign-in, managing factors on the security page, step-up, enrolment for
// sessions that must, and support-assisted recovery. Forms work without
// JavaScript except the passkey ceremonies, which need the browser's
// WebAuthn API (static/webauthn.js).

// signedIn finishes a browser sign-in: session cookie, remembered device,
// no challenge cookie left behind.
func (s *Handler) signedIn(w http.ResponseWriter, r *http.Request, res *identity.SignInResult, next string) {
	s.SetSessionCookie(w, res.Token, res.Session.ExpiresAt)
	s.SetCookie(w, s.Cookies.MFA, "", -1, true)
	if res.Remember != nil {
		s.SetCookie(w, s.Cookies.Remember, res.Remember.Token, int(time.Until(res.Remember.ExpiresAt).Seconds()), false)
	}
	dest := safeNext(next)
	if next == "" && res.Account != nil && res.Account.Kind == identity.KindStaff {
		dest = "/console" // staff work in the console, not on the customer's security page
	}
	if res.Session.MustEnrol {
		dest = "/account/mfa/setup"
	}
	http.Redirect(w, r, dest, http.StatusSeeOther)
}

// challengePage sends the browser to the second-factor page, keeping the
// challenge in a strict cookie rather than in the page.
func (s *Handler) challengePage(w http.ResponseWriter, r *http.Request, c *identity.Challenge, next string) {
	s.SetCookie(w, s.Cookies.MFA, c.Token, int(time.Until(c.ExpiresAt).Seconds()), true)
	q := url.Values{"methods": {strings.Join(c.Methods, ",")}}
	if c.Reason != "" {
		q.Set("reason", c.Reason)
	}
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
	Remember bool   // the policy offers "remember this device"
	Reason   string // the risk signal that asked for this step, if any
}

func (s *Handler) mfaForm(r *http.Request) *web.Form {
	f := web.NewForm(r)
	f.Next = r.FormValue("next")
	var methods []string
	for _, m := range strings.Split(r.FormValue("methods"), ",") {
		switch m {
		case identity.MethodTOTP, identity.MethodWebAuthn, identity.MethodSMS, identity.MethodEmail, identity.MethodRecoveryCode:
			methods = append(methods, m)
		}
	}
	v := mfaView{Methods: methods, Method: r.FormValue("method"), Remember: s.deps.Identity.Policy().RememberDevice > 0}
	if reason := r.FormValue("reason"); slices.Contains(risk.AllSignals, reason) {
		v.Reason = reason
	}
	if v.Method == "" && len(methods) > 0 {
		v.Method = methods[0]
	}
	f.Values["methods"] = strings.Join(methods, ",")
	f.Extra = &v
	return f
}

func (s *Handler) signinMFAPage(w http.ResponseWriter, r *http.Request) error {
	if web.CookieValue(r, s.Cookies.MFA) == "" {
		http.Redirect(w, r, "/signin", http.StatusSeeOther)
		return nil
	}
	return s.Render(w, r, http.StatusOK, "mfa", s.mfaForm(r))
}

func (s *Handler) signinMFA(w http.ResponseWriter, r *http.Request) error {
	f := s.mfaForm(r)
	v := f.Extra.(*mfaView)
	res, err := s.deps.Identity.CompleteMFA(r.Context(), identity.MFAAttempt{Challenge: web.CookieValue(r, s.Cookies.MFA),
		Method: v.Method, Code: r.PostFormValue("code"), Credential: []byte(r.PostFormValue("credential")),
		Remember: r.PostFormValue("remember") == "on",
		SignIn:   identity.SignIn{IP: web.ClientIP(r.Context()), UserAgent: r.UserAgent(), DeviceID: s.DeviceID(w, r), Client: identity.ClientBrowser}})
	if errors.Is(err, identity.ErrChallengeInvalid) {
		s.SetCookie(w, s.Cookies.MFA, "", -1, true)
		in := web.NewForm(r)
		in.Next, in.Error = f.Next, s.Pages.Translator(web.Info(r.Context()).Lang)("err.challenge_invalid")
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

func (s *Handler) signinMFASend(w http.ResponseWriter, r *http.Request) error {
	f := s.mfaForm(r)
	v := f.Extra.(*mfaView)
	dest, err := s.deps.MFA.SendCode(r.Context(), web.CookieValue(r, s.Cookies.MFA), v.Method, web.ClientIP(r.Context()))
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
func (s *Handler) jsonOrError(w http.ResponseWriter, r *http.Request, v any, err error) error {
	if err != nil {
		e := web.PublicError(web.IdentityError(err))
		if e == web.ErrInternal {
			return err
		}
		web.WriteJSONError(w, e, web.Info(r.Context()).ID)
		return nil
	}
	w.Header().Set("Cache-Control", "no-store")
	web.WriteJSON(w, http.StatusOK, v)
	return nil
}

func (s *Handler) signinMFAWebAuthn(w http.ResponseWriter, r *http.Request) error {
	opts, err := s.deps.MFA.BeginWebAuthn(r.Context(), web.CookieValue(r, s.Cookies.MFA))
	return s.jsonOrError(w, r, map[string]any{"options": opts}, err)
}

func (s *Handler) signinPasskeyBegin(w http.ResponseWriter, r *http.Request) error {
	id, opts, err := s.deps.MFA.BeginPasskeySignInFrom(r.Context(), web.ClientIP(r.Context()))
	return s.jsonOrError(w, r, map[string]any{"ceremony": id, "options": opts}, err)
}

func (s *Handler) signinPasskey(w http.ResponseWriter, r *http.Request) error {
	f := web.NewForm(r)
	f.Next = r.PostFormValue("next")
	res, err := web.PasskeySignIn(r, s.deps.Identity, s.deps.MFA, r.PostFormValue("ceremony"), []byte(r.PostFormValue("credential")),
		identity.SignIn{IP: web.ClientIP(r.Context()), UserAgent: r.UserAgent(), DeviceID: s.DeviceID(w, r), Client: identity.ClientBrowser})
	if err != nil {
		status, err := s.Fail(r, f, err)
		if err != nil {
			return err
		}
		f.Error = s.Pages.Translator(web.Info(r.Context()).Lang)("err.passkey_failed")
		return s.Render(w, r, status, "signin", f)
	}
	s.signedIn(w, r, res, f.Next)
	return nil
}

// Managing factors.

// mfaManageView is the second-factor part of the security and setup pages.
type mfaManageView struct {
	Status   *web.MFAStatus
	Passkeys bool
	SMS      bool
	Email    bool
}

func (s *Handler) mfaManage(r *http.Request) (*mfaManageView, error) {
	st, err := web.MFAStatusOf(r, s.deps.MFA, s.deps.Identity)
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

func (s *Handler) setupPage(w http.ResponseWriter, r *http.Request) error {
	if !web.Principal(r.Context()).Session.MustEnrol {
		http.Redirect(w, r, "/account/security", http.StatusSeeOther)
		return nil
	}
	v, err := s.mfaManage(r)
	if err != nil {
		return err
	}
	f := web.NewForm(r)
	f.Extra = v
	return s.Render(w, r, http.StatusOK, "setup", f)
}

// stepUp sends the owner to confirm their password (and second factor)
// when err asks for it, and reports whether it did.
func (s *Handler) stepUp(w http.ResponseWriter, r *http.Request, err error) bool {
	if !errors.Is(err, identity.ErrStepUpRequired) {
		return false
	}
	http.Redirect(w, r, "/account/reauth?next=/account/security", http.StatusSeeOther)
	return true
}

// back returns to the page the owner manages factors from.
func (s *Handler) back(r *http.Request) string {
	if web.Principal(r.Context()).Session.MustEnrol {
		return "/account/mfa/setup"
	}
	return "/account/security"
}

// totpView is the authenticator-app enrolment page's data.
type totpView struct {
	Secret string
	QR     template.URL // data: URI of a PNG we encoded ourselves
}

func (s *Handler) startTOTP(w http.ResponseWriter, r *http.Request) error {
	ctx, p := r.Context(), web.Principal(r.Context())
	a, err := s.deps.Identity.Account(ctx, p)
	if err != nil {
		return err
	}
	e, err := s.deps.MFA.StartTOTP(ctx, p, a.Email)
	if s.stepUp(w, r, err) {
		return nil
	}
	if err != nil {
		return web.IdentityError(err)
	}
	png, err := qrcode.Encode(e.URL, qrcode.Medium, 256)
	if err != nil {
		return err
	}
	f := web.NewForm(r)
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

func (s *Handler) confirmTOTP(w http.ResponseWriter, r *http.Request) error {
	f := web.NewForm(r, "name")
	codes, err := s.deps.MFA.ConfirmTOTP(r.Context(), web.Principal(r.Context()), r.PostFormValue("code"), f.Values["name"])
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
func (s *Handler) showCodes(w http.ResponseWriter, r *http.Request, codes []string, notice string) error {
	if len(codes) == 0 {
		http.Redirect(w, r, "/account/security?notice="+strings.TrimPrefix(notice, "mfa."), http.StatusSeeOther)
		return nil
	}
	f := web.NewForm(r)
	f.Notice = notice
	f.Extra = codes
	return s.Render(w, r, http.StatusOK, "codes", f)
}

func (s *Handler) startPhone(w http.ResponseWriter, r *http.Request) error {
	f := web.NewForm(r, "phone")
	var err error
	if r.PostFormValue("channel") == identity.MethodEmail {
		_, err = s.deps.MFA.StartEmailCodes(r.Context(), web.Principal(r.Context()), web.ClientIP(r.Context()))
	} else {
		_, err = s.deps.MFA.StartPhone(r.Context(), web.Principal(r.Context()), f.Values["phone"], web.ClientIP(r.Context()))
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

func (s *Handler) confirmPhone(w http.ResponseWriter, r *http.Request) error {
	f := web.NewForm(r, "name")
	codes, err := s.deps.MFA.ConfirmSent(r.Context(), web.Principal(r.Context()), r.PostFormValue("code"), f.Values["name"])
	if err != nil {
		status, err := s.Fail(r, f, err)
		if err != nil {
			return err
		}
		return s.Render(w, r, status, "phone", f)
	}
	return s.showCodes(w, r, codes, "mfa.added")
}

func (s *Handler) passkeyRegisterBegin(w http.ResponseWriter, r *http.Request) error {
	ctx, p := r.Context(), web.Principal(r.Context())
	a, err := s.deps.Identity.Account(ctx, p)
	if err != nil {
		return err
	}
	opts, err := s.deps.MFA.BeginPasskeyRegistration(ctx, p, a.Email)
	return s.jsonOrError(w, r, map[string]any{"options": opts}, err)
}

func (s *Handler) passkeyRegister(w http.ResponseWriter, r *http.Request) error {
	f := web.NewForm(r, "name")
	codes, err := s.deps.MFA.FinishPasskeyRegistration(r.Context(), web.Principal(r.Context()), []byte(r.PostFormValue("credential")), f.Values["name"])
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
func (s *Handler) renderManage(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	if web.Principal(r.Context()).Session.MustEnrol {
		v, err := s.mfaManage(r)
		if err != nil {
			return err
		}
		f.Extra = v
		return s.Render(w, r, status, "setup", f)
	}
	return s.renderSecurity(w, r, status, f)
}

func (s *Handler) removeFactor(w http.ResponseWriter, r *http.Request) error {
	err := s.deps.MFA.RemoveFactor(r.Context(), web.Principal(r.Context()), r.PathValue("id"))
	if s.stepUp(w, r, err) {
		return nil
	}
	if err != nil {
		f := web.NewForm(r)
		status, err := s.Fail(r, f, err)
		if err != nil {
			return err
		}
		return s.renderSecurity(w, r, status, f)
	}
	http.Redirect(w, r, "/account/security?notice=removed", http.StatusSeeOther)
	return nil
}

func (s *Handler) renameFactor(w http.ResponseWriter, r *http.Request) error {
	f := web.NewForm(r, "name")
	if err := s.deps.MFA.RenameFactor(r.Context(), web.Principal(r.Context()), r.PathValue("id"), f.Values["name"]); err != nil {
		status, err := s.Fail(r, f, err)
		if err != nil {
			return err
		}
		return s.renderSecurity(w, r, status, f)
	}
	http.Redirect(w, r, "/account/security?notice=renamed", http.StatusSeeOther)
	return nil
}

func (s *Handler) regenerateCodes(w http.ResponseWriter, r *http.Request) error {
	codes, err := s.deps.MFA.RegenerateRecoveryCodes(r.Context(), web.Principal(r.Context()))
	if s.stepUp(w, r, err) {
		return nil
	}
	if err != nil {
		return web.IdentityError(err)
	}
	return s.showCodes(w, r, codes, "mfa.codes_new")
}

func (s *Handler) forgetDevice(w http.ResponseWriter, r *http.Request) error {
	if err := s.deps.Identity.ForgetDevice(r.Context(), web.Principal(r.Context()), r.PathValue("id")); err != nil {
		return web.IdentityError(err)
	}
	http.Redirect(w, r, "/account/security?notice=forgotten", http.StatusSeeOther)
	return nil
}

// Step-up.

func (s *Handler) reauthForm(r *http.Request) (*web.Form, error) {
	f := web.NewForm(r)
	f.Next = r.FormValue("next")
	st, err := web.MFAStatusOf(r, s.deps.MFA, s.deps.Identity)
	if err != nil {
		return nil, err
	}
	var methods []string
	if !st.MustEnrol && len(st.Factors) > 0 {
		seen := map[string]bool{}
		for _, fa := range st.Factors {
			if !seen[fa.Kind] && (fa.Kind != identity.MethodEmail || s.deps.Identity.Policy().EmailOTPFactor) {
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

func (s *Handler) reauthPage(w http.ResponseWriter, r *http.Request) error {
	f, err := s.reauthForm(r)
	if err != nil {
		return err
	}
	return s.Render(w, r, http.StatusOK, "reauth", f)
}

func (s *Handler) reauth(w http.ResponseWriter, r *http.Request) error {
	f, err := s.reauthForm(r)
	if err != nil {
		return err
	}
	v := f.Extra.(*mfaView)
	if r.PostFormValue("send") != "" {
		dest, err := s.deps.MFA.SendReauthCode(r.Context(), web.Principal(r.Context()), v.Method, web.ClientIP(r.Context()))
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
	if err := s.deps.Identity.Reauthenticate(r.Context(), web.Principal(r.Context()), r.PostFormValue("password"), proof); err != nil {
		status, err := s.Fail(r, f, err)
		if err != nil {
			return err
		}
		return s.Render(w, r, status, "reauth", f)
	}
	http.Redirect(w, r, safeNext(f.Next), http.StatusSeeOther)
	return nil
}

func (s *Handler) reauthWebAuthn(w http.ResponseWriter, r *http.Request) error {
	opts, err := s.deps.MFA.BeginReauthWebAuthn(r.Context(), web.Principal(r.Context()))
	return s.jsonOrError(w, r, map[string]any{"options": opts}, err)
}

// Support-assisted recovery, the customer's side.

func (s *Handler) recoveryPage(w http.ResponseWriter, r *http.Request) error {
	return s.Render(w, r, http.StatusOK, "recovery", web.NewForm(r))
}

func (s *Handler) recovery(w http.ResponseWriter, r *http.Request) error {
	f := web.NewForm(r, "email", "message")
	if err := s.deps.MFA.FileRecovery(r.Context(), f.Values["email"], f.Values["message"], web.ClientIP(r.Context())); err != nil {
		status, err := s.Fail(r, f, err)
		if err != nil {
			return err
		}
		return s.Render(w, r, status, "recovery", f)
	}
	done := web.NewForm(r)
	done.Notice, done.Valid = "recovery.received", true
	return s.Render(w, r, http.StatusOK, "recovery", done)
}

func (s *Handler) cancelRecovery(w http.ResponseWriter, r *http.Request) error {
	f := web.NewForm(r)
	if err := s.deps.MFA.CancelRecovery(r.Context(), r.PostFormValue("token")); err != nil {
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
