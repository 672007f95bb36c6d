package api

import (
	"encoding/json"
	"net/http"

	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/frontdesk/frontdesk/internal/mfa"
	"github.com/frontdesk/frontdesk/internal/web"
)

// The JSON API of second factors, step-up and recovery; the contract is
// in docs/api.md.

// signInJSON answers a sign-in: a session, or a challenge for the
// second factor (200, no session yet).
func signInJSON(w http.ResponseWriter, res *identity.SignInResult) {
	if res.Challenge != nil {
		body := map[string]any{"mfa_required": true, "challenge": res.Challenge.Token,
			"methods": res.Challenge.Methods, "expires_at": res.Challenge.ExpiresAt}
		if res.Challenge.Reason != "" {
			body["reason"] = res.Challenge.Reason // the risk engine asked for this step
		}
		web.WriteJSON(w, http.StatusOK, body)
		return
	}
	web.WriteJSON(w, http.StatusCreated, sessionJSON{Token: res.Token, Session: res.Session, Account: res.Account})
}

func (s *Handler) apiSignInMFA(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Challenge  string          `json:"challenge"`
		Method     string          `json:"method"`
		Code       string          `json:"code"`
		Credential json.RawMessage `json:"credential"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	res, err := s.deps.Identity.CompleteMFA(r.Context(), identity.MFAAttempt{Challenge: in.Challenge, Method: in.Method, Code: in.Code,
		Credential: in.Credential, SignIn: identity.SignIn{IP: web.ClientIP(r.Context()), UserAgent: r.UserAgent(), Client: identity.ClientAPI}})
	if err != nil {
		return web.IdentityError(err)
	}
	signInJSON(w, res)
	return nil
}

func (s *Handler) apiSendCode(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Challenge string `json:"challenge"`
		Method    string `json:"method"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	dest, err := s.deps.MFA.SendCode(r.Context(), in.Challenge, in.Method, web.ClientIP(r.Context()))
	if err != nil {
		return web.IdentityError(err)
	}
	web.WriteJSON(w, http.StatusAccepted, map[string]string{"sent_to": dest})
	return nil
}

func (s *Handler) apiBeginWebAuthn(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Challenge string `json:"challenge"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	opts, err := s.deps.MFA.BeginWebAuthn(r.Context(), in.Challenge)
	if err != nil {
		return web.IdentityError(err)
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"options": opts})
	return nil
}

func (s *Handler) apiBeginPasskey(w http.ResponseWriter, r *http.Request) error {
	id, opts, err := s.deps.MFA.BeginPasskeySignInFrom(r.Context(), web.ClientIP(r.Context()))
	if err != nil {
		return web.IdentityError(err)
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"ceremony": id, "options": opts})
	return nil
}

func (s *Handler) apiPasskeySignIn(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Ceremony   string          `json:"ceremony"`
		Credential json.RawMessage `json:"credential"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	res, err := web.PasskeySignIn(r, s.deps.Identity, s.deps.MFA, in.Ceremony, in.Credential,
		identity.SignIn{IP: web.ClientIP(r.Context()), UserAgent: r.UserAgent(), Client: identity.ClientAPI})
	if err != nil {
		return web.IdentityError(err)
	}
	signInJSON(w, res)
	return nil
}

func (s *Handler) apiMFA(w http.ResponseWriter, r *http.Request) error {
	st, err := web.MFAStatusOf(r, s.deps.MFA, s.deps.Identity)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, st)
	return nil
}

func (s *Handler) apiStartTOTP(w http.ResponseWriter, r *http.Request) error {
	ctx, p := r.Context(), web.Principal(r.Context())
	a, err := s.deps.Identity.Account(ctx, p)
	if err != nil {
		return err
	}
	e, err := s.deps.MFA.StartTOTP(ctx, p, a.Email)
	if err != nil {
		return web.IdentityError(err)
	}
	web.WriteJSON(w, http.StatusOK, map[string]string{"secret": e.Secret, "otpauth_url": e.URL, "factor_id": e.FactorID})
	return nil
}

// codeAndName is the body of every enrolment confirmation.
type codeAndName struct {
	Code       string          `json:"code"`
	Name       string          `json:"name"`
	Credential json.RawMessage `json:"credential"`
}

func recoveryCodesJSON(w http.ResponseWriter, codes []string) {
	if codes == nil {
		codes = []string{}
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"recovery_codes": codes})
}

func (s *Handler) apiConfirmTOTP(w http.ResponseWriter, r *http.Request) error {
	var in codeAndName
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	codes, err := s.deps.MFA.ConfirmTOTP(r.Context(), web.Principal(r.Context()), in.Code, in.Name)
	if err != nil {
		return web.IdentityError(err)
	}
	recoveryCodesJSON(w, codes)
	return nil
}

func (s *Handler) apiStartSMS(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Phone string `json:"phone"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	id, err := s.deps.MFA.StartPhone(r.Context(), web.Principal(r.Context()), in.Phone, web.ClientIP(r.Context()))
	if err != nil {
		return web.IdentityError(err)
	}
	web.WriteJSON(w, http.StatusAccepted, map[string]string{"factor_id": id})
	return nil
}

func (s *Handler) apiStartEmailCodes(w http.ResponseWriter, r *http.Request) error {
	id, err := s.deps.MFA.StartEmailCodes(r.Context(), web.Principal(r.Context()), web.ClientIP(r.Context()))
	if err != nil {
		return web.IdentityError(err)
	}
	web.WriteJSON(w, http.StatusAccepted, map[string]string{"factor_id": id})
	return nil
}

func (s *Handler) apiConfirmSent(w http.ResponseWriter, r *http.Request) error {
	var in codeAndName
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	codes, err := s.deps.MFA.ConfirmSent(r.Context(), web.Principal(r.Context()), in.Code, in.Name)
	if err != nil {
		return web.IdentityError(err)
	}
	recoveryCodesJSON(w, codes)
	return nil
}

func (s *Handler) apiStartPasskey(w http.ResponseWriter, r *http.Request) error {
	ctx, p := r.Context(), web.Principal(r.Context())
	a, err := s.deps.Identity.Account(ctx, p)
	if err != nil {
		return err
	}
	opts, err := s.deps.MFA.BeginPasskeyRegistration(ctx, p, a.Email)
	if err != nil {
		return web.IdentityError(err)
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"options": opts})
	return nil
}

func (s *Handler) apiConfirmPasskey(w http.ResponseWriter, r *http.Request) error {
	var in codeAndName
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	codes, err := s.deps.MFA.FinishPasskeyRegistration(r.Context(), web.Principal(r.Context()), in.Credential, in.Name)
	if err != nil {
		return web.IdentityError(err)
	}
	recoveryCodesJSON(w, codes)
	return nil
}

func (s *Handler) apiRenameFactor(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Name string `json:"name"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	if err := s.deps.MFA.RenameFactor(r.Context(), web.Principal(r.Context()), r.PathValue("id"), in.Name); err != nil {
		return web.IdentityError(err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Handler) apiRemoveFactor(w http.ResponseWriter, r *http.Request) error {
	if err := s.deps.MFA.RemoveFactor(r.Context(), web.Principal(r.Context()), r.PathValue("id")); err != nil {
		return web.IdentityError(err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Handler) apiRegenerateRecoveryCodes(w http.ResponseWriter, r *http.Request) error {
	codes, err := s.deps.MFA.RegenerateRecoveryCodes(r.Context(), web.Principal(r.Context()))
	if err != nil {
		return web.IdentityError(err)
	}
	recoveryCodesJSON(w, codes)
	return nil
}

func (s *Handler) apiReauth(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Password   string          `json:"password"`
		Method     string          `json:"method"`
		Code       string          `json:"code"`
		Credential json.RawMessage `json:"credential"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	p := web.Principal(r.Context())
	var proof *identity.Proof
	if in.Method != "" {
		proof = &identity.Proof{Method: in.Method, Code: in.Code, Credential: in.Credential}
	}
	if err := s.deps.Identity.Reauthenticate(r.Context(), p, in.Password, proof); err != nil {
		return web.IdentityError(err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Handler) apiReauthSend(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Method string `json:"method"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	dest, err := s.deps.MFA.SendReauthCode(r.Context(), web.Principal(r.Context()), in.Method, web.ClientIP(r.Context()))
	if err != nil {
		return web.IdentityError(err)
	}
	web.WriteJSON(w, http.StatusAccepted, map[string]string{"sent_to": dest})
	return nil
}

func (s *Handler) apiReauthWebAuthn(w http.ResponseWriter, r *http.Request) error {
	opts, err := s.deps.MFA.BeginReauthWebAuthn(r.Context(), web.Principal(r.Context()))
	if err != nil {
		return web.IdentityError(err)
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"options": opts})
	return nil
}

func (s *Handler) apiRememberedDevices(w http.ResponseWriter, r *http.Request) error {
	devs, err := s.deps.Identity.RememberedDevices(r.Context(), web.Principal(r.Context()))
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"devices": devs})
	return nil
}

func (s *Handler) apiForgetDevice(w http.ResponseWriter, r *http.Request) error {
	if err := s.deps.Identity.ForgetDevice(r.Context(), web.Principal(r.Context()), r.PathValue("id")); err != nil {
		return web.IdentityError(err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// Support-assisted recovery: the customer's side is public, the staff
// side needs recovery:approve.

func (s *Handler) apiFileRecovery(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Email   string `json:"email"`
		Message string `json:"message"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	if err := s.deps.MFA.FileRecovery(r.Context(), in.Email, in.Message, web.ClientIP(r.Context())); err != nil {
		return web.IdentityError(err)
	}
	web.WriteJSON(w, http.StatusAccepted, map[string]string{"status": "received_if_registered"})
	return nil
}

func (s *Handler) apiCancelRecovery(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Token string `json:"token"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	if err := s.deps.MFA.CancelRecovery(r.Context(), in.Token); err != nil {
		return web.IdentityError(err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Handler) apiRecoveryRequests(w http.ResponseWriter, r *http.Request) error {
	list, err := s.deps.MFA.RecoveryRequests(r.Context(), r.URL.Query().Get("status"))
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"requests": list, "checklist": mfa.Checklist})
	return nil
}

func (s *Handler) apiRecoveryRequest(w http.ResponseWriter, r *http.Request) error {
	req, err := s.deps.MFA.RecoveryRequest(r.Context(), r.PathValue("id"))
	if err != nil {
		return web.IdentityError(err)
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"request": req})
	return nil
}

func (s *Handler) apiRecoveryCheck(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Item   string `json:"item"`
		Method string `json:"method"`
		Note   string `json:"note"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	p := web.Principal(r.Context())
	if err := s.deps.MFA.RecordCheck(r.Context(), p.AccountID, r.PathValue("id"), in.Item, in.Method, in.Note); err != nil {
		return web.IdentityError(err)
	}
	return s.apiRecoveryRequest(w, r)
}

func (s *Handler) apiRecoveryApprove(w http.ResponseWriter, r *http.Request) error {
	req, err := s.deps.MFA.ApproveRecovery(r.Context(), web.Principal(r.Context()).AccountID, r.PathValue("id"))
	if err != nil {
		return web.IdentityError(err)
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"request": req})
	return nil
}

func (s *Handler) apiRecoveryReject(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Reason string `json:"reason"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	if err := s.deps.MFA.RejectRecovery(r.Context(), web.Principal(r.Context()).AccountID, r.PathValue("id"), in.Reason); err != nil {
		return web.IdentityError(err)
	}
	return s.apiRecoveryRequest(w, r)
}
