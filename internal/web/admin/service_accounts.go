package admin

import (
	"net/http"

	"github.com/frontdesk/frontdesk/internal/automation"
	"github.com/frontdesk/frontdesk/internal/web"
)

// Service accounts and keys are managed by people: a call made with an API
// key cannot create, change or read service accounts or keys, whatever its
// permissions, so a leaked key cannot mint itself successors.

var errStaffOnly = &web.Error{Status: http.StatusForbidden, Code: "staff_only",
	Message: "Service accounts and their keys are managed by staff, not with an API key."}

// staff refuses calls made with an API key.
func staff(r *http.Request) (caller, error) {
	c := callerOf(r.Context())
	if c.Service {
		return c, errStaffOnly
	}
	return c, nil
}

func (s *Handler) listServiceAccounts(w http.ResponseWriter, r *http.Request) error {
	if _, err := staff(r); err != nil {
		return err
	}
	list, err := s.deps.Automation.List(r.Context())
	if err != nil {
		return err
	}
	if err := s.recordRead(r.Context(), r, "service_accounts", nil); err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"service_accounts": list})
	return nil
}

func (s *Handler) createServiceAccount(w http.ResponseWriter, r *http.Request) error {
	c, err := staff(r)
	if err != nil {
		return err
	}
	var in automation.NewAccount
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	a, err := s.deps.Automation.Create(r.Context(), c.ID, in)
	if err != nil {
		return apiError(err)
	}
	web.WriteJSON(w, http.StatusCreated, map[string]any{"service_account": a})
	return nil
}

func (s *Handler) serviceAccount(r *http.Request) (*automation.Account, error) {
	id := r.PathValue("id")
	if !validID(id) {
		return nil, web.ErrNotFound
	}
	a, err := s.deps.Automation.Get(r.Context(), id)
	if err != nil {
		return nil, apiError(err)
	}
	return a, nil
}

func (s *Handler) getServiceAccount(w http.ResponseWriter, r *http.Request) error {
	if _, err := staff(r); err != nil {
		return err
	}
	a, err := s.serviceAccount(r)
	if err != nil {
		return err
	}
	if err := s.recordRead(r.Context(), r, "service_account:"+a.ID, nil); err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"service_account": a})
	return nil
}

func (s *Handler) setServiceAccountDisabled(disabled bool) web.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		c, err := staff(r)
		if err != nil {
			return err
		}
		a, err := s.serviceAccount(r)
		if err != nil {
			return err
		}
		if err := s.deps.Automation.SetDisabled(r.Context(), a.ID, disabled, c.ID); err != nil {
			return apiError(err)
		}
		if a, err = s.deps.Automation.Get(r.Context(), a.ID); err != nil {
			return err
		}
		web.WriteJSON(w, http.StatusOK, map[string]any{"service_account": a})
		return nil
	}
}

// createKey issues a key; the answer is the only time its secret is shown.
func (s *Handler) createKey(w http.ResponseWriter, r *http.Request) error {
	c, err := staff(r)
	if err != nil {
		return err
	}
	var in automation.NewKey
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	a, err := s.serviceAccount(r)
	if err != nil {
		return err
	}
	secret, k, err := s.deps.Automation.CreateKey(r.Context(), c.ID, a.ID, in)
	if err != nil {
		return apiError(err)
	}
	web.WriteJSON(w, http.StatusCreated, map[string]any{"key": k, "secret": secret})
	return nil
}

func (s *Handler) revokeKey(w http.ResponseWriter, r *http.Request) error {
	c, err := staff(r)
	if err != nil {
		return err
	}
	a, err := s.serviceAccount(r)
	if err != nil {
		return err
	}
	if err := s.deps.Automation.RevokeKey(r.Context(), a.ID, r.PathValue("key"), c.ID); err != nil {
		return apiError(err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
