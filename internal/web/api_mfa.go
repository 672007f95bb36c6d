package web

import (
	"encoding/json"
	"net/http"

	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/frontdesk/frontdesk/internal/mfa"
)

// The JSON API of second factors, step-up and recovery; the contract is
// in docs/api.md.

// signInJSON answers a sign-in: a session, or a challenge for the
// second factor (200, no session yet).
func signInJSON(w http.ResponseWriter, res *identity.SignInResult) {
	if res.Challenge != nil {
		WriteJSON(w, http.StatusOK, map[string]any{"mfa_required": true, "challenge": res.Challenge.Token,
			"methods": res.Challenge.Methods, "expires_at": res.Challenge.ExpiresAt})
		return
	}
	WriteJSON(w, http.StatusCreated, sessionJSON{Token: res.Token, Session: res.Session, Account: res.Account})
}

func (s *Server) apiSignInMFA(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Challenge  string          `json:"challenge"`
		Method     string          `json:"method"`
		Code       string          `json:"code"`
		Credential json.RawMessage `json:"credential"`
	}
	if err := DecodeJSON(r, &in); err != nil {
		return err
	}
	res, err := s.opts.Identity.CompleteMFA(r.Context(), identity.MFAAttempt{Challenge: in.Challenge, Method: in.Method, Code: in.Code,
		Credential: in.Credential, SignIn: identity.SignIn{IP: ClientIP(r.Context()), UserAgent: r.UserAgent(), Client: identity.ClientAPI}})
	if err != nil {
		return IdentityError(err)
	}
	signInJSON(w, res)
	return nil
}

func (s *Server) apiSendCode(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Challenge string `json:"challenge"`
		Method    string `json:"method"`
	}
	if err := DecodeJSON(r, &in); err != nil {
		return err
	}
	dest, err := s.opts.MFA.SendCode(r.Context(), in.Challenge, in.Method, ClientIP(r.Context()))
	if err != nil {
		return IdentityError(err)
	}
	WriteJSON(w, http.StatusAccepted, map[string]string{"sent_to": dest})
	return nil
}

func (s *Server) apiBeginWebAuthn(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Challenge string `json:"challenge"`
	}
	if err := DecodeJSON(r, &in); err != nil {
		return err
	}
	opts, err := s.opts.MFA.BeginWebAuthn(r.Context(), in.Challenge)
	if err != nil {
		return IdentityError(err)
	}
	WriteJSON(w, http.StatusOK, map[string]any{"options": opts})
	return nil
}

func (s *Server) apiBeginPasskey(w http.ResponseWriter, r *http.Request) error {
	id, opts, err := s.opts.MFA.BeginPasskeySignInFrom(r.Context(), ClientIP(r.Context()))
	if err != nil {
		return IdentityError(err)
	}
	WriteJSON(w, http.StatusOK, map[string]any{"ceremony": id, "options": opts})
	return nil
}

func (s *Server) apiPasskeySignIn(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Ceremony   string          `json:"ceremony"`
		Credential json.RawMessage `json:"credential"`
	}
	if err := DecodeJSON(r, &in); err != nil {
		return err
	}
	res, err := PasskeySignIn(r, s.opts.Identity, s.opts.MFA, in.Ceremony, in.Credential,
		identity.SignIn{IP: ClientIP(r.Context()), UserAgent: r.UserAgent(), Client: identity.ClientAPI})
	if err != nil {
		return IdentityError(err)
	}
	signInJSON(w, res)
	return nil
}

func (s *Server) apiMFA(w http.ResponseWriter, r *http.Request) error {
	st, err := MFAStatusOf(r, s.opts.MFA, s.opts.Identity)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, st)
	return nil
}

func (s *Server) apiStartTOTP(w http.ResponseWriter, r *http.Request) error {
	ctx, p := r.Context(), Principal(r.Context())
	a, err := s.opts.Identity.Account(ctx, p)
	if err != nil {
		return err
	}
	e, err := s.opts.MFA.StartTOTP(ctx, p, a.Email)
	if err != nil {
		return IdentityError(err)
	}
	WriteJSON(w, http.StatusOK, map[string]string{"secret": e.Secret, "otpauth_url": e.URL, "factor_id": e.FactorID})
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
	WriteJSON(w, http.StatusOK, map[string]any{"recovery_codes": codes})
}

func (s *Server) apiConfirmTOTP(w http.ResponseWriter, r *http.Request) error {
	var in codeAndName
	if err := DecodeJSON(r, &in); err != nil {
		return err
	}
	codes, err := s.opts.MFA.ConfirmTOTP(r.Context(), Principal(r.Context()), in.Code, in.Name)
	if err != nil {
		return IdentityError(err)
	}
	recoveryCodesJSON(w, codes)
	return nil
}

func (s *Server) apiStartSMS(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Phone string `json:"phone"`
	}
	if err := DecodeJSON(r, &in); err != nil {
		return err
	}
	id, err := s.opts.MFA.StartPhone(r.Context(), Principal(r.Context()), in.Phone, ClientIP(r.Context()))
	if err != nil {
		return IdentityError(err)
	}
	WriteJSON(w, http.StatusAccepted, map[string]string{"factor_id": id})
	return nil
}

func (s *Server) apiStartEmailCodes(w http.ResponseWriter, r *http.Request) error {
	id, err := s.opts.MFA.StartEmailCodes(r.Context(), Principal(r.Context()), ClientIP(r.Context()))
	if err != nil {
		return IdentityError(err)
	}
	WriteJSON(w, http.StatusAccepted, map[string]string{"factor_id": id})
	return nil
}

func (s *Server) apiConfirmSent(w http.ResponseWriter, r *http.Request) error {
	var in codeAndName
	if err := DecodeJSON(r, &in); err != nil {
		return err
	}
	codes, err := s.opts.MFA.ConfirmSent(r.Context(), Principal(r.Context()), in.Code, in.Name)
	if err != nil {
		return IdentityError(err)
	}
	recoveryCodesJSON(w, codes)
	return nil
}

func (s *Server) apiStartPasskey(w http.ResponseWriter, r *http.Request) error {
	ctx, p := r.Context(), Principal(r.Context())
	a, err := s.opts.Identity.Account(ctx, p)
	if err != nil {
		return err
	}
	opts, err := s.opts.MFA.BeginPasskeyRegistration(ctx, p, a.Email)
	if err != nil {
		return IdentityError(err)
	}
	WriteJSON(w, http.StatusOK, map[string]any{"options": opts})
	return nil
}

func (s *Server) apiConfirmPasskey(w http.ResponseWriter, r *http.Request) error {
	var in codeAndName
	if err := DecodeJSON(r, &in); err != nil {
		return err
	}
	codes, err := s.opts.MFA.FinishPasskeyRegistration(r.Context(), Principal(r.Context()), in.Credential, in.Name)
	if err != nil {
		return IdentityError(err)
	}
	recoveryCodesJSON(w, codes)
	return nil
}

func (s *Server) apiRenameFactor(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Name string `json:"name"`
	}
	if err := DecodeJSON(r, &in); err != nil {
		return err
	}
	if err := s.opts.MFA.RenameFactor(r.Context(), Principal(r.Context()), r.PathValue("id"), in.Name); err != nil {
		return IdentityError(err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) apiRemoveFactor(w http.ResponseWriter, r *http.Request) error {
	if err := s.opts.MFA.RemoveFactor(r.Context(), Principal(r.Context()), r.PathValue("id")); err != nil {
		return IdentityError(err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) apiRegenerateRecoveryCodes(w http.ResponseWriter, r *http.Request) error {
	codes, err := s.opts.MFA.RegenerateRecoveryCodes(r.Context(), Principal(r.Context()))
	if err != nil {
		return IdentityError(err)
	}
	recoveryCodesJSON(w, codes)
	return nil
}

func (s *Server) apiReauth(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Password   string          `json:"password"`
		Method     string          `json:"method"`
		Code       string          `json:"code"`
		Credential json.RawMessage `json:"credential"`
	}
	if err := DecodeJSON(r, &in); err != nil {
		return err
	}
	p := Principal(r.Context())
	var proof *identity.Proof
	if in.Method != "" {
		proof = &identity.Proof{Method: in.Method, Code: in.Code, Credential: in.Credential}
	}
	if err := s.opts.Identity.Reauthenticate(r.Context(), p, in.Password, proof); err != nil {
		return IdentityError(err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) apiReauthSend(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Method string `json:"method"`
	}
	if err := DecodeJSON(r, &in); err != nil {
		return err
	}
	dest, err := s.opts.MFA.SendReauthCode(r.Context(), Principal(r.Context()), in.Method, ClientIP(r.Context()))
	if err != nil {
		return IdentityError(err)
	}
	WriteJSON(w, http.StatusAccepted, map[string]string{"sent_to": dest})
	return nil
}

func (s *Server) apiReauthWebAuthn(w http.ResponseWriter, r *http.Request) error {
	opts, err := s.opts.MFA.BeginReauthWebAuthn(r.Context(), Principal(r.Context()))
	if err != nil {
		return IdentityError(err)
	}
	WriteJSON(w, http.StatusOK, map[string]any{"options": opts})
	return nil
}

func (s *Server) apiRememberedDevices(w http.ResponseWriter, r *http.Request) error {
	devs, err := s.opts.Identity.RememberedDevices(r.Context(), Principal(r.Context()))
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, map[string]any{"devices": devs})
	return nil
}

func (s *Server) apiForgetDevice(w http.ResponseWriter, r *http.Request) error {
	if err := s.opts.Identity.ForgetDevice(r.Context(), Principal(r.Context()), r.PathValue("id")); err != nil {
		return IdentityError(err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// Support-assisted recovery: the customer's side is public, the staff
// side needs recovery:approve.

func (s *Server) apiFileRecovery(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Email   string `json:"email"`
		Message string `json:"message"`
	}
	if err := DecodeJSON(r, &in); err != nil {
		return err
	}
	if err := s.opts.MFA.FileRecovery(r.Context(), in.Email, in.Message, ClientIP(r.Context())); err != nil {
		return IdentityError(err)
	}
	WriteJSON(w, http.StatusAccepted, map[string]string{"status": "received_if_registered"})
	return nil
}

func (s *Server) apiCancelRecovery(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Token string `json:"token"`
	}
	if err := DecodeJSON(r, &in); err != nil {
		return err
	}
	if err := s.opts.MFA.CancelRecovery(r.Context(), in.Token); err != nil {
		return IdentityError(err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) apiRecoveryRequests(w http.ResponseWriter, r *http.Request) error {
	list, err := s.opts.MFA.RecoveryRequests(r.Context(), r.URL.Query().Get("status"))
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, map[string]any{"requests": list, "checklist": mfa.Checklist})
	return nil
}

func (s *Server) apiRecoveryRequest(w http.ResponseWriter, r *http.Request) error {
	req, err := s.opts.MFA.RecoveryRequest(r.Context(), r.PathValue("id"))
	if err != nil {
		return IdentityError(err)
	}
	WriteJSON(w, http.StatusOK, map[string]any{"request": req})
	return nil
}

func (s *Server) apiRecoveryCheck(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Item   string `json:"item"`
		Method string `json:"method"`
		Note   string `json:"note"`
	}
	if err := DecodeJSON(r, &in); err != nil {
		return err
	}
	p := Principal(r.Context())
	if err := s.opts.MFA.RecordCheck(r.Context(), p.AccountID, r.PathValue("id"), in.Item, in.Method, in.Note); err != nil {
		return IdentityError(err)
	}
	return s.apiRecoveryRequest(w, r)
}

func (s *Server) apiRecoveryApprove(w http.ResponseWriter, r *http.Request) error {
	req, err := s.opts.MFA.ApproveRecovery(r.Context(), Principal(r.Context()).AccountID, r.PathValue("id"))
	if err != nil {
		return IdentityError(err)
	}
	WriteJSON(w, http.StatusOK, map[string]any{"request": req})
	return nil
}

func (s *Server) apiRecoveryReject(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Reason string `json:"reason"`
	}
	if err := DecodeJSON(r, &in); err != nil {
		return err
	}
	if err := s.opts.MFA.RejectRecovery(r.Context(), Principal(r.Context()).AccountID, r.PathValue("id"), in.Reason); err != nil {
		return IdentityError(err)
	}
	return s.apiRecoveryRequest(w, r)
}
