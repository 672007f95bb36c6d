package admin

import (
	"github.com/frontdesk/frontdesk/internal/access"
	"github.com/frontdesk/frontdesk/internal/web"
)

// Routes is the admin API; none is mounted unless every service it needs
// was given. Each route names the staff permission it needs, for staff
// sessions and API keys alike.
func (s *Handler) Routes() []web.Route {
	if !s.ready() {
		return nil
	}
	rs := []web.Route{
		web.JSON("GET /api/v1/admin/accounts", access.CustomersRead, s.listAccounts),
		web.JSON("POST /api/v1/admin/accounts", access.StaffManage, s.createAccount),
		web.JSON("GET /api/v1/admin/accounts/{id}", access.CustomersRead, s.getAccount),
		web.JSON("PATCH /api/v1/admin/accounts/{id}", access.StaffManage, s.updateAccount),
		web.JSON("POST /api/v1/admin/accounts/{id}/reveal", access.CustomersRevealPII, s.revealAccount),
		web.JSON("POST /api/v1/admin/accounts/{id}/disable", access.CustomersDisable, s.accountAction(actDisable)),
		web.JSON("POST /api/v1/admin/accounts/{id}/enable", access.CustomersDisable, s.accountAction(actEnable)),
		web.JSON("POST /api/v1/admin/accounts/{id}/unlock", access.CustomersUnlock, s.accountAction(actUnlock)),
		web.JSON("POST /api/v1/admin/accounts/{id}/force-reset", access.CustomersResetPassword, s.accountAction(actReset)),
		web.JSON("POST /api/v1/admin/accounts/{id}/end-sessions", access.CustomersDisable, s.accountAction(actEndSessions)),

		web.JSON("POST /api/v1/admin/jobs/imports", access.StaffManage, s.startImport).Limit(maxImportBody),
		web.JSON("POST /api/v1/admin/jobs/exports", access.StaffManage, s.startExport),
		web.JSON("GET /api/v1/admin/jobs/{id}", access.StaffManage, s.getJob),
		web.JSON("GET /api/v1/admin/jobs/{id}/file", access.StaffManage, s.jobFile),

		web.JSON("GET /api/v1/admin/roles", access.StaffManage, s.listRoles),
		web.JSON("POST /api/v1/admin/roles", access.StaffManage, s.createRole),
		web.JSON("GET /api/v1/admin/staff", access.StaffManage, s.listStaff),
		web.JSON("POST /api/v1/admin/staff/{id}/roles", access.StaffManage, s.grantRole),
		web.JSON("DELETE /api/v1/admin/staff/{id}/roles/{role}", access.StaffManage, s.revokeRole),

		web.JSON("GET /api/v1/admin/audit", access.AuditRead, s.auditEntries),
	}
	if s.deps.Consent != nil {
		rs = append(rs, web.JSON("GET /api/v1/admin/consents", access.ConsentsRead, s.listConsents))
	}
	rs = append(rs,

		web.JSON("GET /api/v1/admin/service-accounts", access.StaffManage, s.listServiceAccounts),
		web.JSON("POST /api/v1/admin/service-accounts", access.StaffManage, s.createServiceAccount),
		web.JSON("GET /api/v1/admin/service-accounts/{id}", access.StaffManage, s.getServiceAccount),
		web.JSON("POST /api/v1/admin/service-accounts/{id}/disable", access.StaffManage, s.setServiceAccountDisabled(true)),
		web.JSON("POST /api/v1/admin/service-accounts/{id}/enable", access.StaffManage, s.setServiceAccountDisabled(false)),
		web.JSON("POST /api/v1/admin/service-accounts/{id}/keys", access.StaffManage, s.createKey),
		web.JSON("DELETE /api/v1/admin/service-accounts/{id}/keys/{key}", access.StaffManage, s.revokeKey),
	)
	for i := range rs {
		rs[i].Handler = s.audited(rs[i].Handler)
	}
	return rs
}
