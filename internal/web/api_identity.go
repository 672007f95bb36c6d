package web

import (
	"net/http"

	"github.com/frontdesk/frontdesk/internal/identity"
)

// The JSON API of accounts and sessions; the contract is in docs/api.md.

type sessionJSON struct {
	Token   string            `json:"token"`
	Session *identity.Session `json:"session"`
	Account *identity.Account `json:"account"`
}

func (s *Server) apiRegister(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Email    string `json:"email"`
		Password string `json:"password"`
		Name     string `json:"name"`
		Phone    string `json:"phone"`
		Locale   string `json:"locale"`
	}
	if err := DecodeJSON(r, &in); err != nil {
		return err
	}
	err := s.opts.Identity.Register(r.Context(), identity.Registration{Email: in.Email, Password: in.Password,
		Name: in.Name, Phone: in.Phone, Locale: in.Locale, IP: ClientIP(r.Context())})
	if err != nil {
		return identityError(err)
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"status": "verification_sent"})
	return nil
}

func (s *Server) apiVerify(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Email string `json:"email"`
		Code  string `json:"code"`
	}
	if err := DecodeJSON(r, &in); err != nil {
		return err
	}
	a, err := s.opts.Identity.VerifyEmail(r.Context(), in.Email, in.Code)
	if err != nil {
		return identityError(err)
	}
	writeJSON(w, http.StatusOK, map[string]any{"account": a})
	return nil
}

func (s *Server) apiSignIn(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if err := DecodeJSON(r, &in); err != nil {
		return err
	}
	res, err := s.opts.Identity.SignIn(r.Context(), identity.SignIn{Email: in.Email, Password: in.Password,
		IP: ClientIP(r.Context()), UserAgent: r.UserAgent(), Client: identity.ClientAPI})
	if err != nil {
		return identityError(err)
	}
	signInJSON(w, res)
	return nil
}

func (s *Server) apiSession(w http.ResponseWriter, r *http.Request) error {
	p := principal(r.Context())
	a, err := s.opts.Identity.Account(r.Context(), p)
	if err != nil {
		return identityError(err)
	}
	writeJSON(w, http.StatusOK, map[string]any{"account": a, "session": p.Session})
	return nil
}

func (s *Server) apiAccount(w http.ResponseWriter, r *http.Request) error {
	a, err := s.opts.Identity.AccountByID(r.Context(), principal(r.Context()).AccountID)
	if err != nil {
		return identityError(err)
	}
	writeJSON(w, http.StatusOK, map[string]any{"account": a})
	return nil
}

func (s *Server) apiSignOut(w http.ResponseWriter, r *http.Request) error {
	if err := s.opts.Identity.SignOut(r.Context(), principal(r.Context())); err != nil {
		return err
	}
	clearSiteData(w)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) apiSessions(w http.ResponseWriter, r *http.Request) error {
	list, err := s.opts.Identity.Sessions(r.Context(), principal(r.Context()))
	if err != nil {
		return err
	}
	if list == nil {
		list = []identity.Session{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"sessions": list})
	return nil
}

func (s *Server) apiEndSession(w http.ResponseWriter, r *http.Request) error {
	if err := s.opts.Identity.EndSession(r.Context(), principal(r.Context()), r.PathValue("id")); err != nil {
		return identityError(err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) apiEndOtherSessions(w http.ResponseWriter, r *http.Request) error {
	n, err := s.opts.Identity.EndOtherSessions(r.Context(), principal(r.Context()))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]int{"ended": n})
	return nil
}

func (s *Server) apiRequestReset(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Email string `json:"email"`
	}
	if err := DecodeJSON(r, &in); err != nil {
		return err
	}
	if err := s.opts.Identity.RequestReset(r.Context(), in.Email, ClientIP(r.Context())); err != nil {
		return identityError(err)
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"status": "reset_sent_if_registered"})
	return nil
}

func (s *Server) apiConfirmReset(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Email    string `json:"email"`
		Code     string `json:"code"`
		Password string `json:"password"`
	}
	if err := DecodeJSON(r, &in); err != nil {
		return err
	}
	if err := s.opts.Identity.ConfirmReset(r.Context(), in.Email, in.Code, in.Password); err != nil {
		return identityError(err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) apiChangePassword(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Current  string `json:"current_password"`
		Password string `json:"password"`
	}
	if err := DecodeJSON(r, &in); err != nil {
		return err
	}
	if err := s.opts.Identity.ChangePassword(r.Context(), principal(r.Context()), in.Current, in.Password); err != nil {
		return identityError(err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) apiLoginHistory(w http.ResponseWriter, r *http.Request) error {
	events, err := s.opts.Identity.LoginHistory(r.Context(), principal(r.Context()).AccountID, 100)
	if err != nil {
		return err
	}
	if events == nil {
		events = []identity.LoginEvent{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"events": events})
	return nil
}
