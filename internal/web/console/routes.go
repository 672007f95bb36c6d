package console

import (
	"github.com/frontdesk/frontdesk/internal/access"
	"github.com/frontdesk/frontdesk/internal/web"
)

// Routes is the staff console's pages: customers, staff and roles, access reviews, recovery requests, the support desk, the knowledge base editor, remote assistance and the audit trail.
// Each group is mounted only when the services it needs were given.
func (s *Handler) Routes() []web.Route {
	rs := []web.Route{}
	if s.deps.Access != nil && s.deps.MFA != nil {
		rs = append(rs,
			// The first-run link: public, its secret is the credential.
			web.Page("GET /setup/{token}", web.Public, s.setupPage),
			web.Page("POST /setup/{token}", web.Public, s.setupCreate),
			web.Page("GET /console", access.CustomersRead, s.consoleHome),
			web.Page("GET /console/customers", access.CustomersRead, s.consoleCustomers),
			web.Page("GET /console/accounts/import", access.StaffManage, s.consoleImportPage),
			web.Page("POST /console/accounts/import", access.StaffManage, s.consoleImportUpload).Limit(maxUploadBytes+64<<10),
			web.Page("GET /console/accounts/import/{id}", access.StaffManage, s.consoleImportJob),
			web.Page("POST /console/accounts/import/{id}/run", access.StaffManage, s.consoleImportRun),
			web.Page("POST /console/customers/bulk", access.CustomersRead, s.consoleBulk), // and the action's own permission
			web.Page("GET /console/customers/{id}", access.CustomersRead, s.consoleCustomer),
			web.Page("POST /console/customers/{id}/reveal", access.CustomersRevealPII, s.consoleReveal),
			web.Page("POST /console/customers/{id}/unlock", access.CustomersUnlock, s.customerAction("unlocked", consoleUnlock)),
			web.Page("POST /console/customers/{id}/reset", access.CustomersResetPassword, s.customerAction("reset", consoleReset)),
			web.Page("POST /console/customers/{id}/end-sessions", access.CustomersDisable, s.customerAction("ended", consoleEnd)),
			web.Page("POST /console/customers/{id}/disable", access.CustomersDisable, s.customerAction("disabled", consoleDis)),
			web.Page("POST /console/customers/{id}/enable", access.CustomersDisable, s.customerAction("enabled", consoleEn)),
			web.Page("GET /console/staff", access.StaffManage, s.consoleStaff),
			web.Page("POST /console/staff", access.StaffManage, s.consoleCreateStaff),
			web.Page("POST /console/staff/{id}/roles", access.StaffManage, s.consoleGrant),
			web.Page("POST /console/staff/{id}/roles/{role}/revoke", access.StaffManage, s.consoleRevoke),
			web.Page("POST /console/roles", access.StaffManage, s.consoleCreateRole),
			web.Page("GET /console/reviews", access.AccessReview, s.consoleReviews),
			web.Page("POST /console/reviews", access.AccessReview, s.consoleStartReview),
			web.Page("GET /console/reviews/{id}", access.AccessReview, s.consoleReview),
			web.Page("POST /console/reviews/{id}/decide", access.AccessReview, s.consoleDecide),
			web.Page("GET /console/reviews/{id}/report.csv", access.AccessReview, s.consoleReviewCSV),
			web.Page("GET /console/recovery", access.RecoveryApprove, s.consoleRecoveries),
			web.Page("GET /console/recovery/{id}", access.RecoveryApprove, s.consoleRecovery),
			web.Page("POST /console/recovery/{id}/checks", access.RecoveryApprove, s.recoveryStep(recoveryCheck)),
			web.Page("POST /console/recovery/{id}/approve", access.RecoveryApprove, s.recoveryStep(recoveryApprove)),
			web.Page("POST /console/recovery/{id}/reject", access.RecoveryApprove, s.recoveryStep(recoveryReject)),
			web.Page("GET /console/audit", access.AuditRead, s.consoleAudit),
			web.Page("GET /console/audit/{seq}", access.AuditRead, s.consoleAuditEntry),
			web.Page("POST /console/audit/verify", access.AuditRead, s.consoleAuditVerify),
			web.Page("GET /console/audit/export.ndjson", access.AuditRead, s.consoleAuditExport("ndjson")),
			web.Page("GET /console/audit/export.csv", access.AuditRead, s.consoleAuditExport("csv")),
		)
	}
	if s.deps.Access != nil && s.deps.MFA != nil && s.deps.Risk != nil {
		rs = append(rs,
			web.Page("GET /console/security/alerts", access.SecurityMonitor, s.consoleAlerts),
			web.Page("GET /console/security/alerts/{id}", access.SecurityMonitor, s.consoleAlert),
			web.Page("POST /console/security/alerts/{id}/assign", access.SecurityMonitor, s.alertStep("assigned", alertAssign)),
			web.Page("POST /console/security/alerts/{id}/note", access.SecurityMonitor, s.alertStep("noted", alertNote)),
			web.Page("POST /console/security/alerts/{id}/resolve", access.SecurityMonitor, s.alertStep("resolved", alertResolve)),
			web.Page("POST /console/security/alerts/{id}/approve", access.SecurityMonitor, s.alertStep("approved", alertApprove)),
			web.Page("GET /console/security/rules", access.SecurityMonitor, s.consoleRules),
			web.Page("POST /console/security/rules", access.SecurityMonitor, s.consoleRulesPost),
		)
	}
	if s.deps.Access != nil && s.deps.Brand != nil {
		rs = append(rs, web.Page("GET /console/branding", access.SettingsManage, s.consoleBranding),
			web.Page("POST /console/branding", access.SettingsManage, s.consoleBrandingSave).Limit(brandUploadLimit))
	}
	if s.deps.Access != nil && s.deps.MFA != nil && s.deps.Privacy != nil {
		rs = append(rs,
			web.Page("GET /console/privacy/requests", access.PrivacyManage, s.consolePrivacyRequests),
			web.Page("POST /console/privacy/requests", access.PrivacyManage, s.consolePrivacyCreate),
			web.Page("GET /console/privacy/requests/{id}", access.PrivacyManage, s.consolePrivacyRequest),
			web.Page("POST /console/privacy/requests/{id}/identity", access.PrivacyManage, s.requestStep("identity", []string{"identity", "note"}, requestIdentity)),
			web.Page("POST /console/privacy/requests/{id}/extend", access.PrivacyManage, s.requestStep("extended", []string{"reason"}, requestExtend)),
			web.Page("POST /console/privacy/requests/{id}/hold", access.PrivacyManage, s.requestStep("hold", []string{"reason", "until"}, requestHold)),
			web.Page("POST /console/privacy/requests/{id}/release", access.PrivacyManage, s.requestStep("released", []string{"reason"}, requestRelease)),
			web.Page("POST /console/privacy/requests/{id}/answer", access.PrivacyManage, s.requestStep("answered", []string{"decision"}, requestAnswer)),
			web.Page("GET /console/privacy/incidents", access.PrivacyManage, s.consoleIncidents),
			web.Page("POST /console/privacy/incidents", access.PrivacyManage, s.consoleIncidentCreate),
			web.Page("GET /console/privacy/incidents/{id}", access.PrivacyManage, s.consoleIncident),
			web.Page("POST /console/privacy/incidents/{id}", access.PrivacyManage, s.incidentStep("saved", incidentSave)),
			web.Page("POST /console/privacy/incidents/{id}/authority", access.PrivacyManage, s.incidentStep("authority", incidentAuthority)),
			web.Page("GET /console/privacy/incidents/{id}/authority.md", access.PrivacyManage, s.consoleAuthorityNotice),
			web.Page("POST /console/privacy/incidents/{id}/notices", access.PrivacyManage, s.incidentStep("queued", incidentNotices)),
			web.Page("GET /console/privacy/record", access.PrivacyManage, s.consolePrivacyRecord),
			web.Page("GET /console/privacy/record.md", access.PrivacyManage, s.consolePrivacyRecordFile("md")),
			web.Page("GET /console/privacy/record.csv", access.PrivacyManage, s.consolePrivacyRecordFile("csv")),
			web.Page("GET /console/privacy/retention", access.PrivacyManage, s.consoleRetention),
			web.Page("POST /console/privacy/retention/dry-run", access.PrivacyManage, s.consoleRetentionDryRun),
			web.Page("POST /console/privacy/retention/purge", access.PrivacyManage, s.consoleRetentionPurge),
		)
		if s.deps.Support != nil {
			rs = append(rs, web.Page("POST /console/conversations/{id}/privacy-request", access.ConversationsWrite, s.consoleConversationPrivacy))
		}
	}
	if s.deps.Access != nil && s.deps.MFA != nil && s.deps.Consent != nil {
		rs = append(rs,
			web.Page("GET /console/privacy/notices", access.PrivacyManage, s.consoleNotices),
			web.Page("GET /console/privacy/notices/{purpose}", access.PrivacyManage, s.consoleNotice),
			web.Page("POST /console/privacy/notices/{purpose}", access.PrivacyManage, s.consoleNoticePublish).Limit(noticeBodyLimit),
			// Staff who answer customers record a choice told by phone or in person.
			web.Page("POST /console/customers/{id}/consents", access.ConversationsWrite, s.consoleRecordConsent),
		)
	}
	if s.deps.Access != nil && s.deps.MFA != nil && s.deps.OIDC != nil {
		rs = append(rs,
			web.Page("GET /console/oidc-clients", access.SettingsManage, s.consoleOIDCClients),
			web.Page("POST /console/oidc-clients", access.SettingsManage, s.consoleAddOIDCClient),
			web.Page("GET /console/oidc-clients/{id}", access.SettingsManage, s.consoleOIDCClient),
			web.Page("POST /console/oidc-clients/{id}", access.SettingsManage, s.consoleSaveOIDCClient),
			web.Page("POST /console/oidc-clients/{id}/secret", access.SettingsManage, s.consoleRotateOIDCSecret),
			web.Page("POST /console/oidc-clients/{id}/remove", access.SettingsManage, s.consoleRemoveOIDCClient),
		)
	}
	if s.deps.Access != nil && s.deps.Backups != nil {
		rs = append(rs, web.Page("GET /console/backups", access.SettingsManage, s.consoleBackups))
	}
	if s.deps.Access != nil && s.deps.MFA != nil && s.deps.Automation != nil {
		rs = append(rs,
			web.Page("GET /console/service-accounts", access.StaffManage, s.consoleServiceAccounts),
			web.Page("POST /console/service-accounts", access.StaffManage, s.consoleCreateServiceAccount),
			web.Page("POST /console/service-accounts/{id}/keys", access.StaffManage, s.consoleCreateKey),
			web.Page("POST /console/service-accounts/{id}/keys/{key}/revoke", access.StaffManage, s.consoleRevokeKey),
			web.Page("POST /console/service-accounts/{id}/disable", access.StaffManage, s.consoleServiceAccountState),
			web.Page("POST /console/service-accounts/{id}/enable", access.StaffManage, s.consoleServiceAccountState),
		)
	}
	if s.deps.Access != nil && s.deps.Support != nil {
		rs = append(rs,
			web.Page("GET /console/inbox", access.ConversationsRead, s.consoleInbox),
			web.Page("GET /console/conversations/{id}", access.ConversationsRead, s.consoleConversation),
			web.Page("POST /console/conversations/{id}/reply", access.ConversationsWrite, s.consoleReply),
			web.Page("POST /console/conversations/{id}/update", access.ConversationsWrite, s.consoleConversationUpdate),
			web.Page("POST /console/conversations/{id}/tags", access.ConversationsWrite, s.consoleConversationTags),
			web.Page("POST /console/conversations/{id}/assign", access.ConversationsWrite, s.consoleAssign),
			web.Page("POST /console/conversations/{id}/merge", access.ConversationsWrite, s.consoleMerge),
			web.Page("POST /console/conversations/{id}/recovery", access.ConversationsWrite, s.consoleDeskRecovery),
			web.Page("POST /console/conversations/{id}/attach", access.ConversationsWrite, s.consoleAttach).Limit(web.FileUploadLimit),
			web.Page("GET /console/attachments/{id}", access.ConversationsRead, s.consoleAttachment),
			web.Page("POST /console/conversations/{id}/calls", access.ConversationsWrite, s.consoleLogCall),
			web.Page("POST /console/calls", access.ConversationsWrite, s.consoleStartCall),
			web.Page("GET /console/analytics", access.DeskManage, s.consoleAnalytics),
			web.Page("GET /console/analytics/{chart}", access.DeskManage, s.consoleAnalyticsCSV),
			web.Page("GET /console/complaints", access.DeskManage, s.consoleComplaints),
			web.Page("POST /console/complaints/{id}/resolve", access.DeskManage, s.consoleResolveComplaint),
			web.Page("POST /console/desk/away", access.ConversationsWrite, s.consoleAway),
			web.Page("GET /console/desk", access.DeskManage, s.consoleDesk),
			web.Page("POST /console/desk/agents", access.DeskManage, s.consoleDeskAgent),
			web.Page("POST /console/desk/teams", access.DeskManage, s.consoleDeskTeam),
			web.Page("POST /console/desk/teams/{id}/members", access.DeskManage, s.consoleDeskMember),
			web.Page("POST /console/desk/sla", access.DeskManage, s.consoleDeskSLA),
			web.Page("POST /console/desk/hours", access.DeskManage, s.consoleDeskHours),
			web.Page("POST /console/desk/categories", access.DeskManage, s.consoleDeskCategory),
			web.Page("POST /console/desk/canned", access.DeskManage, s.consoleDeskCanned),
			web.Page("POST /console/desk/canned/{id}/delete", access.DeskManage, s.consoleDeskCannedDelete),
		)
	}
	if s.deps.Access != nil && s.deps.Assist != nil && s.deps.Support != nil {
		rs = append(rs,
			web.Page("POST /console/conversations/{id}/assist", access.AssistStart, s.consoleAssistInvite),
			web.Page("GET /console/assist/{id}", access.AssistStart, s.consoleAssistLive),
			web.Page("POST /console/assist/{id}/ticket", access.AssistStart, s.consoleAssistTicket),
			web.Page("POST /console/assist/{id}/stop", access.AssistStart, s.consoleAssistStop),
			web.Page("GET /console/assist/{id}/replay", access.AssistReplay, s.consoleAssistReplayPage),
			web.Page("GET /console/assist/{id}/recording", access.AssistReplay, s.consoleAssistRecording),
			web.Page("GET /console/desk/agents/{id}/card", access.DeskManage, s.consoleAgentCard),
			web.Page(agentCardRoute, access.DeskManage, s.consoleAgentCardSave).Limit(agentCardBodyLimit),
		)
	}
	if s.deps.Assist != nil {
		rs = append(rs,
			web.Page("GET /console/orgs", access.SettingsManage, s.consoleAssistOrgs),
			web.Page("POST /console/orgs", access.SettingsManage, s.consoleAssistOrgCreate),
			web.Page("GET /console/orgs/{id}", access.SettingsManage, s.orgs().Show),
			web.Page("POST /console/orgs/{id}/plan", access.SettingsManage, s.consoleAssistOrgPlan),
			web.Page("POST /console/orgs/{id}/members", access.SettingsManage, s.consoleAssistOrgMemberAdd),
			web.Page("POST /console/orgs/{id}/members/{account}/remove", access.SettingsManage, s.consoleAssistOrgMemberRemove),
			web.Page("POST /console/orgs/{id}/members/{account}/admin", access.SettingsManage, s.consoleAssistOrgAdmin),
			web.Page("POST /console/orgs/{id}/members/{account}/template", access.SettingsManage, s.orgs().AssignTemplate),
			web.Page("POST /console/orgs/{id}/templates", access.SettingsManage, s.orgs().SaveTemplate),
			web.Page("POST /console/orgs/{id}/templates/{template}/delete", access.SettingsManage, s.orgs().DeleteTemplate),
		)
	}
	if s.deps.Access != nil && s.deps.KB != nil && s.deps.MFA != nil {
		rs = append(rs,
			web.Page("GET /console/kb", access.KBEdit, s.consoleKB),
			web.Page("GET /console/kb/articles/new", access.KBEdit, s.consoleKBNew),
			web.Page("POST /console/kb/articles", access.KBEdit, s.consoleKBSave),
			web.Page("GET /console/kb/articles/{id}", access.KBEdit, s.consoleKBArticle),
			web.Page("POST /console/kb/articles/{id}", access.KBEdit, s.consoleKBSave),
			web.Page("GET /console/kb/articles/{id}/history", access.KBEdit, s.consoleKBHistory),
			web.Page("POST /console/kb/preview", access.KBEdit, s.consoleKBPreview),
			web.Page(kbUploadRoute, access.KBEdit, s.consoleKBUpload).Limit(web.FileUploadLimit),
			web.Page("POST /console/kb/files/{id}/delete", access.KBEdit, s.consoleKBFileDelete),
			web.Page("GET /console/kb/categories", access.KBEdit, s.consoleKBCategories),
			web.Page("POST /console/kb/categories", access.KBEdit, s.consoleKBCategorySave),
			web.Page("GET /console/kb/flows", access.KBEdit, s.consoleKBFlows),
			web.Page("GET /console/kb/flows/new", access.KBEdit, s.consoleKBFlowNew),
			web.Page("POST /console/kb/flows", access.KBEdit, s.consoleKBFlowSave),
			web.Page("GET /console/kb/flows/{id}", access.KBEdit, s.consoleKBFlow),
			web.Page("POST /console/kb/flows/{id}", access.KBEdit, s.consoleKBFlowSave),
			web.Page("GET /console/kb/flows/{id}/try", access.KBEdit, s.consoleKBFlowTry),
		)
	}
	return rs
}
