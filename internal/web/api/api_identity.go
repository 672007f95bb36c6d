package api

import (
	"net/http"

	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/frontdesk/frontdesk/internal/web"
)

// The JSON API of accounts and sessions; the contract is in docs/api.md.

type sessionJSON struct {
	Token   string            `json:"token"`
	Session *identity.Session `json:"session"`
	Account *identity.Account `json:"account"`
}

func (s *Handler) apiRegister(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Email    string `json:"email"`
		Password string `json:"password"`
		Name     string `json:"name"`
		Phone    string `json:"phone"`
		Locale   string `json:"locale"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	secret, err := s.deps.Identity.Register(r.Context(), identity.Registration{Email: in.Email, Password: in.Password,
		Name: in.Name, Phone: in.Phone, Locale: in.Locale, IP: web.ClientIP(r.Context())})
	if err != nil {
		return web.IdentityError(err)
	}
	// "registration" is this attempt's secret, required on verify; an
	// address already registered gets one of the same shape (ASVS 6.3.8).
	web.WriteJSON(w, http.StatusAccepted, map[string]string{"status": "verification_sent", "registration": secret})
	return nil
}

func (s *Handler) apiVerify(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Email        string `json:"email"`
		Code         string `json:"code"`
		Registration string `json:"registration"` // from the 202 of POST /registrations
		Password     string `json:"password"`     // or the password chosen there
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	a, err := s.deps.Identity.VerifyEmail(r.Context(), in.Email, in.Code, identity.RegistrantProof{Registration: in.Registration, Password: in.Password})
	if err != nil {
		return web.IdentityError(err)
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"account": a})
	return nil
}

// apiResend mails a new verification code for a registration still
// waiting. The answer is the same 202 whether or not anything was sent
// (ASVS 6.3.8): only the registration's secret makes a code go out.
func (s *Handler) apiResend(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Email        string `json:"email"`
		Registration string `json:"registration"` // from the 202 of POST /registrations
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	if err := s.deps.Identity.ResendVerification(r.Context(), in.Email, in.Registration, web.ClientIP(r.Context())); err != nil {
		return web.IdentityError(err)
	}
	web.WriteJSON(w, http.StatusAccepted, map[string]string{"status": "verification_sent"})
	return nil
}

func (s *Handler) apiSignIn(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	res, err := s.deps.Identity.SignIn(r.Context(), identity.SignIn{Email: in.Email, Password: in.Password,
		IP: web.ClientIP(r.Context()), UserAgent: r.UserAgent(), Client: identity.ClientAPI})
	if err != nil {
		return web.IdentityError(err)
	}
	signInJSON(w, res)
	return nil
}

func (s *Handler) apiSession(w http.ResponseWriter, r *http.Request) error {
	p := web.Principal(r.Context())
	a, err := s.deps.Identity.Account(r.Context(), p)
	if err != nil {
		return web.IdentityError(err)
	}
	// A struct rather than a map: the same JSON, without sorting map keys
	// on every session check.
	web.WriteJSON(w, http.StatusOK, struct {
		Account *identity.Account `json:"account"`
		Session identity.Session  `json:"session"`
	}{a, p.Session})
	return nil
}

func (s *Handler) apiAccount(w http.ResponseWriter, r *http.Request) error {
	a, err := s.deps.Identity.AccountByID(r.Context(), web.Principal(r.Context()).AccountID)
	if err != nil {
		return web.IdentityError(err)
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"account": a})
	return nil
}

func (s *Handler) apiSignOut(w http.ResponseWriter, r *http.Request) error {
	if err := s.deps.Identity.SignOut(r.Context(), web.Principal(r.Context())); err != nil {
		return err
	}
	web.ClearSiteData(w)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Handler) apiSessions(w http.ResponseWriter, r *http.Request) error {
	list, err := s.deps.Identity.Sessions(r.Context(), web.Principal(r.Context()))
	if err != nil {
		return err
	}
	if list == nil {
		list = []identity.Session{}
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"sessions": list})
	return nil
}

func (s *Handler) apiEndSession(w http.ResponseWriter, r *http.Request) error {
	if err := s.deps.Identity.EndSession(r.Context(), web.Principal(r.Context()), r.PathValue("id")); err != nil {
		return web.IdentityError(err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Handler) apiEndOtherSessions(w http.ResponseWriter, r *http.Request) error {
	n, err := s.deps.Identity.EndOtherSessions(r.Context(), web.Principal(r.Context()))
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]int{"ended": n})
	return nil
}

func (s *Handler) apiRequestReset(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Email string `json:"email"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	if err := s.deps.Identity.RequestReset(r.Context(), in.Email, web.ClientIP(r.Context())); err != nil {
		return web.IdentityError(err)
	}
	web.WriteJSON(w, http.StatusAccepted, map[string]string{"status": "reset_sent_if_registered"})
	return nil
}

func (s *Handler) apiConfirmReset(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Email    string `json:"email"`
		Code     string `json:"code"`
		Password string `json:"password"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	if err := s.deps.Identity.ConfirmReset(r.Context(), in.Email, in.Code, in.Password); err != nil {
		return web.IdentityError(err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Handler) apiChangePassword(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Current  string `json:"current_password"`
		Password string `json:"password"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	if err := s.deps.Identity.ChangePassword(r.Context(), web.Principal(r.Context()), in.Current, in.Password); err != nil {
		return web.IdentityError(err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Handler) apiLoginHistory(w http.ResponseWriter, r *http.Request) error {
	events, err := s.deps.Identity.LoginHistory(r.Context(), web.Principal(r.Context()).AccountID, 100)
	if err != nil {
		return err
	}
	if events == nil {
		events = []identity.LoginEvent{}
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"events": events})
	return nil
}
