package admin

import (
	"net/http"
	"slices"
	"strings"

	"github.com/frontdesk/frontdesk/internal/access"
	"github.com/frontdesk/frontdesk/internal/web"
)

// Staff roles and grants: the same role model and rules as the console's
// staff page: nobody changes their own roles, and a key not its creator's.

func (s *Handler) listRoles(w http.ResponseWriter, r *http.Request) error {
	roles, err := s.deps.Access.AllRoles(r.Context())
	if err != nil {
		return err
	}
	if err := s.recordRead(r.Context(), r, "roles", nil); err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"roles": roles, "permissions": access.Permissions})
	return nil
}

func (s *Handler) createRole(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	var in struct {
		Name        string   `json:"name"`
		Description string   `json:"description"`
		Permissions []string `json:"permissions"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	c := callerOf(ctx)
	if err := s.deps.Access.CreateRole(ctx, in.Name, in.Description, in.Permissions, c.by()); err != nil {
		return &web.Error{Status: http.StatusBadRequest, Code: "invalid_role", Field: "name",
			Message: "A role needs a new name of 2 to 40 lower-case letters, digits or _, a description under 200 characters, and one or more known permissions.", Err: err}
	}
	web.WriteJSON(w, http.StatusCreated, map[string]any{"role": access.RoleInfo{Name: in.Name, Permissions: in.Permissions}})
	return nil
}

type staffJSON struct {
	accountJSON
	Roles []string `json:"roles"`
}

func (s *Handler) listStaff(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	staff, err := s.deps.Identity.StaffAccounts(ctx)
	if err != nil {
		return err
	}
	out := make([]staffJSON, 0, len(staff))
	for _, a := range staff {
		roles, err := s.deps.Access.RolesOf(ctx, a.ID)
		if err != nil {
			return err
		}
		if roles == nil {
			roles = []string{}
		}
		// Staff see each other's addresses in the console; so does the API.
		j := masked(a, false)
		j.Email, j.Name, j.Phone, j.Masked = a.Email, a.Name, "", false
		out = append(out, staffJSON{accountJSON: j, Roles: roles})
	}
	if err := s.recordRead(ctx, r, "staff", map[string]any{"count": len(out)}); err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"staff": out})
	return nil
}

func (s *Handler) grantRole(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	var in struct {
		Role string `json:"role"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	id := r.PathValue("id")
	if !validID(id) {
		return web.ErrNotFound
	}
	if ok, err := s.deps.Access.RoleExists(ctx, in.Role); err != nil {
		return err
	} else if !ok {
		return apiError(access.ErrUnknownRole)
	}
	c := callerOf(ctx)
	if err := s.mayGrant(ctx, c, id); err != nil {
		return err
	}
	if err := s.deps.Access.GrantRole(ctx, id, in.Role, c.by()); err != nil {
		return apiError(err)
	}
	return s.writeRoles(w, r, id)
}

func (s *Handler) revokeRole(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id, role := r.PathValue("id"), r.PathValue("role")
	if !validID(id) {
		return web.ErrNotFound
	}
	roles, err := s.deps.Access.RolesOf(ctx, id)
	if err != nil {
		return err
	}
	if !slices.Contains(roles, role) {
		return web.ErrNotFound
	}
	c := callerOf(ctx)
	if err := s.mayGrant(ctx, c, id); err != nil {
		return err
	}
	reason := strings.TrimSpace(r.URL.Query().Get("reason"))
	if len(reason) > 200 {
		return badParam("reason", "Keep the reason under 200 characters.")
	}
	if err := s.deps.Access.RevokeRole(ctx, id, role, c.by(), reason); err != nil {
		return apiError(err)
	}
	return s.writeRoles(w, r, id)
}

func (s *Handler) writeRoles(w http.ResponseWriter, r *http.Request, id string) error {
	roles, err := s.deps.Access.RolesOf(r.Context(), id)
	if err != nil {
		return err
	}
	if roles == nil {
		roles = []string{}
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"account_id": id, "roles": roles})
	return nil
}
