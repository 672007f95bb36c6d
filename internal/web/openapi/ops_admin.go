package openapi

import "net/http"

var (
	adminAccount = []string{"account:#AdminAccount!"}
	adminJob     = []string{"job:#Job!"}
	staffRoles   = []string{"account_id:string!", "roles:[]string!"}
	serviceAcct  = []string{"service_account:#ServiceAccount!"}
)

// adminOps are the admin API's routes (internal/web/admin, docs/admin-api.md).
var adminOps = map[string]Op{
	"GET /api/v1/admin/accounts": {Summary: "List accounts a page at a time, or search them; personal fields masked",
		Query:  []string{"q:string", "kind:string", "limit:integer", "cursor:string"},
		Result: []string{"accounts:[]#AdminAccount!", "next_cursor:string"}},
	"POST /api/v1/admin/accounts": {Summary: "Create an account from a bulk file's fields",
		Body:   []string{"email:string!", "name:string", "phone:string", "locale:string", "role:string", "password_hash:string", "send_invite:boolean"},
		Status: http.StatusCreated, Result: []string{"account:#AdminAccount!", "invited:boolean!"}},
	"GET /api/v1/admin/accounts/{id}": {Summary: "One account, masked unless revealed", Result: adminAccount},
	"PATCH /api/v1/admin/accounts/{id}": {Summary: "Change a customer's name, phone or language",
		Body: []string{"name:string", "phone:string", "locale:string"}, Result: adminAccount},
	"POST /api/v1/admin/accounts/{id}/reveal": {Summary: "Show one account unmasked for 15 minutes, with the reason audited",
		Body: []string{"reason:string!"}, Result: adminAccount},
	"POST /api/v1/admin/accounts/{id}/disable":      {Summary: "Disable a customer and end their sessions", Result: adminAccount},
	"POST /api/v1/admin/accounts/{id}/enable":       {Summary: "Enable a customer again", Result: adminAccount},
	"POST /api/v1/admin/accounts/{id}/unlock":       {Summary: "Lift a lockout", Result: adminAccount},
	"POST /api/v1/admin/accounts/{id}/force-reset":  {Summary: "Make the owner choose a new password (reset e-mail sent)", Result: adminAccount},
	"POST /api/v1/admin/accounts/{id}/end-sessions": {Summary: "End every session of a customer", Result: adminAccount},
	"POST /api/v1/admin/jobs/imports": {Summary: "Import a bulk file (CSV or JSON Lines) in the background",
		Body: []string{"format:string!", "content:string!", "dry_run:boolean"}, Status: http.StatusAccepted, Result: adminJob},
	"POST /api/v1/admin/jobs/exports": {Summary: "Export every account to a bulk file in the background",
		Body: []string{"format:string!"}, Status: http.StatusAccepted, Result: adminJob},
	"GET /api/v1/admin/jobs/{id}":      {Summary: "A job's status, progress and report", Result: adminJob},
	"GET /api/v1/admin/jobs/{id}/file": {Summary: "A finished export's file", Media: "text/csv, application/x-ndjson"},
	"GET /api/v1/admin/roles":          {Summary: "Every role and permission", Result: []string{"roles:[]#Role!", "permissions:[]string!"}},
	"POST /api/v1/admin/roles": {Summary: "Define a custom role",
		Body: []string{"name:string!", "description:string", "permissions:[]string!"}, Status: http.StatusCreated, Result: []string{"role:#Role!"}},
	"GET /api/v1/admin/staff":                      {Summary: "Staff accounts with their roles", Result: []string{"staff:[]#Staff!"}},
	"POST /api/v1/admin/staff/{id}/roles":          {Summary: "Grant a role", Body: []string{"role:string!"}, Result: staffRoles},
	"DELETE /api/v1/admin/staff/{id}/roles/{role}": {Summary: "Revoke a role", Query: []string{"reason:string"}, Result: staffRoles},
	"GET /api/v1/admin/audit": {Summary: "Audit entries, newest first, filtered and paged",
		Query: []string{"actor:string", "actor_kind:string", "action:string", "target:string", "outcome:string", "subject:string",
			"since:date-time", "until:date-time", "limit:integer", "cursor:string"},
		Result: []string{"entries:[]#AuditEntry!", "next_cursor:string"}},
	"GET /api/v1/admin/consents": {Summary: "Where each customer stands on one consent purpose (given, withdrawn, lapsed), with their e-mail address, paged by account (consents:read)",
		Query:  []string{"purpose:string!", "choice:string", "after:string", "limit:integer"},
		Result: []string{"consents:[]#ConsentStanding!", "next_cursor:string"}},
	"GET /api/v1/admin/service-accounts": {Summary: "Service accounts and their keys (staff only)",
		Result: []string{"service_accounts:[]#ServiceAccount!"}},
	"POST /api/v1/admin/service-accounts": {Summary: "Create a service account with roles within your own permissions (staff only)",
		Body: []string{"name:string!", "description:string", "roles:[]string!"}, Status: http.StatusCreated, Result: serviceAcct},
	"GET /api/v1/admin/service-accounts/{id}":          {Summary: "One service account (staff only)", Result: serviceAcct},
	"POST /api/v1/admin/service-accounts/{id}/disable": {Summary: "Disable a service account: all its keys stop (staff only)", Result: serviceAcct},
	"POST /api/v1/admin/service-accounts/{id}/enable":  {Summary: "Enable a service account again (staff only)", Result: serviceAcct},
	"POST /api/v1/admin/service-accounts/{id}/keys": {Summary: "Issue a key; its secret is shown only in this answer (staff only)",
		Body: []string{"name:string!", "scopes:[]string", "expires_in_days:integer"}, Status: http.StatusCreated, Result: []string{"key:#ApiKey!", "secret:string!"}},
	"DELETE /api/v1/admin/service-accounts/{id}/keys/{key}": {Summary: "Revoke a key (staff only)", Status: http.StatusNoContent},
}
