// Package admin serves the admin API under /api/v1/admin: accounts, bulk
// import and export jobs, staff roles and grants, the audit trail, where
// customers stand in the consent ledger (for the business's own tools),
// and the service accounts whose API keys scripts use to call it. Staff call it
// with a session token (after a second factor), scripts with an API key;
// either way the route's permission decides, and a key can never do more
// than its service account's roles nor its creator (internal/automation).
// Every call is an audit entry naming the caller: a change's own entry,
// in the change's transaction, or an admin_api.read entry for a read.
package admin

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/frontdesk/frontdesk/internal/access"
	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/automation"
	"github.com/frontdesk/frontdesk/internal/consent"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/frontdesk/frontdesk/internal/keyring"
	"github.com/frontdesk/frontdesk/internal/web"
)

// Deps are the services the admin API uses; it is mounted only when all
// are given.
type Deps struct {
	Identity   *identity.Service
	Access     *access.Service
	Automation *automation.Service
	DB         *db.DB
	Keys       *keyring.Keyring
	Audit      *audit.Log
	// Consent is the consent ledger; nil leaves its route out.
	Consent *consent.Service
}

// Handler serves the admin API's routes.
type Handler struct {
	*web.Kit
	deps  Deps
	store *automation.Jobs // the bulk jobs
}

// New returns the admin API's handlers.
func New(kit *web.Kit, deps Deps) *Handler {
	return &Handler{Kit: kit, deps: deps, store: automation.NewJobs(deps.DB, deps.Keys)}
}

func (s *Handler) ready() bool {
	d := s.deps
	return d.Identity != nil && d.Access != nil && d.Automation != nil && d.DB != nil && d.Keys != nil && d.Audit != nil
}

// caller is who makes the request: a staff account or a service account.
type caller struct {
	ID      string
	Service bool
}

func callerOf(ctx context.Context) caller {
	p := web.Principal(ctx)
	return caller{ID: p.AccountID, Service: p.Kind == automation.KindService}
}

// by names the caller in audit details and grants: a staff account's id,
// or "service_account:<id>".
func (c caller) by() string {
	if c.Service {
		return "service_account:" + c.ID
	}
	return c.ID
}

var errBeyond = &web.Error{Status: http.StatusForbidden, Code: "beyond_your_permissions",
	Message: "A service account or key may only do what you may do yourself: choose roles or scopes within your own permissions."}

// mayGrant refuses a change to the caller's own roles, and, for a call
// made with an API key, to its creator's: a key never does more than its
// creator could, and its creator cannot change their own roles. Which
// roles staff:manage may grant is the console's rule: any role.
func (s *Handler) mayGrant(ctx context.Context, c caller, accountID string) error {
	if accountID == c.ID {
		return errSelf
	}
	if c.Service {
		creator, err := s.deps.Automation.Creator(ctx, c.ID)
		if err != nil {
			return err
		}
		if creator == accountID {
			return errSelf
		}
	}
	return nil
}

var errSelf = &web.Error{Status: http.StatusForbidden, Code: "self_grant",
	Message: "Someone else must change these roles: nobody changes their own, and a service account cannot change its creator's."}

// recordRead writes the audit entry of a read.
func (s *Handler) recordRead(ctx context.Context, r *http.Request, target string, details map[string]any) error {
	if details == nil {
		details = map[string]any{}
	}
	details["route"] = web.Info(ctx).Route
	return s.deps.DB.Write(ctx, func(tx *db.Tx) error {
		return s.deps.Audit.Record(ctx, tx, audit.Event{Action: "admin_api.read", Target: target, Details: details})
	})
}

// audited makes a refused call an audit entry too: a call that succeeds
// records its change (or its read) itself; one that fails with a client
// error (bad input, not found, a conflict) changed nothing and is recorded
// here as admin_api.call with outcome failure and the error's code.
func (s *Handler) audited(h web.HandlerFunc) web.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		err := h(w, r)
		if err == nil {
			return nil
		}
		pub := web.PublicError(err)
		if pub.Status >= 500 {
			return err
		}
		ctx := r.Context()
		if rerr := s.deps.DB.Write(ctx, func(tx *db.Tx) error {
			return s.deps.Audit.Record(ctx, tx, audit.Event{Action: "admin_api.call", Target: "route:" + web.Info(ctx).Route,
				Outcome: audit.Failure, Details: map[string]any{"code": pub.Code, "status": pub.Status}})
		}); rerr != nil {
			return rerr
		}
		return err
	}
}

// apiError maps the services' errors to client answers.
func apiError(err error) error {
	switch {
	case errors.Is(err, automation.ErrBeyondCreator):
		return errBeyond
	case errors.Is(err, automation.ErrExists):
		return &web.Error{Status: http.StatusConflict, Code: "name_taken", Field: "name", Message: "A service account with this name exists already."}
	case errors.Is(err, automation.ErrDisabled):
		return &web.Error{Status: http.StatusConflict, Code: "service_account_disabled", Message: "Enable the service account before giving it a new key."}
	case errors.Is(err, access.ErrSelfGrant):
		return errSelf
	case errors.Is(err, access.ErrUnknownRole), errors.Is(err, access.ErrInvalidRole):
		return &web.Error{Status: http.StatusBadRequest, Code: "invalid_role", Field: "role", Message: "Name an existing role (see GET /api/v1/admin/roles)."}
	case errors.Is(err, access.ErrNotStaff):
		return &web.Error{Status: http.StatusBadRequest, Code: "not_staff", Message: "Roles are for staff accounts only."}
	}
	return web.IdentityError(err)
}

// badParam is a query parameter with a bad value.
func badParam(name, reason string) error {
	return &web.Error{Status: http.StatusBadRequest, Code: "invalid_parameter", Field: name, Message: reason}
}

// idPattern checks an account or service account id from the path.
func validID(id string) bool {
	if len(id) != 32 {
		return false
	}
	return strings.Trim(id, "0123456789abcdef") == ""
}

func itoa(n int) string { return strconv.Itoa(n) }
