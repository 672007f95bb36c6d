package web

import (
	"net/http"

	"github.com/frontdesk/frontdesk/internal/access"
)

// importUploadRoute takes a bulk file of up to maxUploadBytes; every other
// browser post is limited to 64 KiB.
const importUploadRoute = "POST /console/accounts/import"

// Routes returns the route table, for tests and documentation.
func (s *Server) Routes() []Route { return s.routes() }

// routes is the whole route table, in one place.
func (s *Server) routes() []Route {
	return []Route{
		// Operations.
		Probe("GET /healthz", Public, s.healthz),
		Probe("GET /readyz", Public, s.readyz),
		Probe("GET /metrics", Public, s.metricsHandler), // guarded by token or loopback inside

		// Customer portal.
		Page("GET /{$}", Public, s.home),
		Page("GET /contact", Public, s.contact),
		Page("POST /contact", Public, s.contactSend),
		Page("GET /widget.js", Public, s.widgetJS),
		Page("GET /help", Public, s.withKB(s.helpHome)),
		Page("GET /help/{slug}", Public, s.withKB(s.helpArticle)),
		Page("POST /help/{slug}/vote", Public, s.withKB(s.helpVote)),
		Page("GET /help/guides", Public, s.withKB(s.helpGuides)),
		Page("GET /help/guides/{slug}", Public, s.withKB(s.helpGuide)),
		Page("GET /help/files/{id}", Public, s.withKB(s.helpFile)), // published articles' files; editors' drafts (checked inside)
		Page("GET /chat/ws", Public, s.chatSocket),
		Page("GET /chat/attachments/{id}", Public, s.chatAttachment), // the ticket is the credential
		Page("GET /support/{id}", SignedIn, s.supportConversation),
		Page("POST /support/{id}/reply", SignedIn, s.supportReply),
		Page("POST /support/{id}/survey", SignedIn, s.surveyAnswer),
		Page("POST /support/{id}/attach", SignedIn, s.supportAttach).Limit(FileUploadLimit),
		Page("GET /support/attachments/{id}", SignedIn, s.supportAttachment),
		Page("GET /support/assist", SignedIn, s.withAssist(s.assistPortal)),
		Page("GET /support/assist/state", SignedIn, s.withAssist(s.assistState)),
		Page("GET /support/assist/ws", Public, s.withAssist(s.assistCustomerSocket)), // the single-use ticket is the credential
		Page("POST /support/{id}/steps", SignedIn, s.withAssist(s.assistStartSteps)),
		Page("GET /support/organisation", SignedIn, s.withAssist(s.orgs().Show)),
		Page("POST /support/organisation/templates", SignedIn, s.withAssist(s.orgs().SaveTemplate)),
		Page("POST /support/organisation/templates/{template}/delete", SignedIn, s.withAssist(s.orgs().DeleteTemplate)),
		Page("POST /support/organisation/members/{account}/template", SignedIn, s.withAssist(s.orgs().AssignTemplate)),
		Page("POST /support/assist/{id}/ticket", SignedIn, s.withAssist(s.assistStepsTicket)),
		Page("POST /support/assist/{id}/accept", SignedIn, s.withAssist(s.assistAccept)),
		Page("POST /support/assist/{id}/lower", SignedIn, s.withAssist(s.assistLower)),
		Page("POST /support/assist/{id}/stop", SignedIn, s.withAssist(s.assistStop)),
		Page("GET /support/assist/{id}", SignedIn, s.withAssist(s.assistReplayPage)),
		Page("GET /support/assist/{id}/recording", SignedIn, s.withAssist(s.assistRecording)),
		Page("GET /assist/static/{file}", Public, s.assistAsset),
		Page("GET /survey", Public, s.surveyPage),
		Page("POST /survey", Public, s.surveyAnswer),
		Page("GET /complaint", Public, s.complaintPage),
		Page("POST /complaint", Public, s.complaintSend),
		Page("GET /static/{file}", Public, s.static),
		Page("GET /signup", Public, s.signupPage),
		Page("POST /signup", Public, s.signup),
		Page("GET /verify", Public, s.verifyPage),
		Page("POST /verify", Public, s.verify),
		Page("GET /signin", Public, s.signinPage),
		Page("POST /signin", Public, s.signin),
		Page("POST /signout", Enrolling, s.signout),
		Page("GET /forgot", Public, s.forgotPage),
		Page("POST /forgot", Public, s.forgot),
		Page("GET /reset", Public, s.resetPage),
		Page("POST /reset", Public, s.reset),
		Page("GET /unlock", Public, s.linkPage("unlock")),
		Page("POST /unlock", Public, s.unlock),
		Page("GET /not-me", Public, s.linkPage("notme")),
		Page("POST /not-me", Public, s.notMe),
		Page("GET /account/security", SignedIn, s.securityPage),
		Page("POST /account/password", SignedIn, s.changePassword),
		Page("POST /account/sessions/{id}/end", SignedIn, s.endSession),
		Page("POST /account/sessions/end-others", SignedIn, s.endOtherSessions),

		// Portal: second factors, passkeys, step-up, recovery.
		Page("GET /signin/mfa", Public, s.withMFA(s.signinMFAPage)),
		Page("POST /signin/mfa", Public, s.withMFA(s.signinMFA)),
		Page("POST /signin/mfa/send", Public, s.withMFA(s.signinMFASend)),
		Page("POST /signin/mfa/webauthn", Public, s.withMFA(s.signinMFAWebAuthn)),
		Page("POST /signin/passkey/begin", Public, s.withMFA(s.signinPasskeyBegin)),
		Page("POST /signin/passkey", Public, s.withMFA(s.signinPasskey)),
		Page("GET /account/mfa/setup", Enrolling, s.withMFA(s.setupPage)),
		Page("POST /account/mfa/totp", Enrolling, s.withMFA(s.startTOTP)),
		Page("POST /account/mfa/totp/confirm", Enrolling, s.withMFA(s.confirmTOTP)),
		Page("POST /account/mfa/phone", Enrolling, s.withMFA(s.startPhone)),
		Page("POST /account/mfa/phone/confirm", Enrolling, s.withMFA(s.confirmPhone)),
		Page("POST /account/mfa/passkey/begin", Enrolling, s.withMFA(s.passkeyRegisterBegin)),
		Page("POST /account/mfa/passkey", Enrolling, s.withMFA(s.passkeyRegister)),
		Page("POST /account/mfa/{id}/remove", SignedIn, s.withMFA(s.removeFactor)),
		Page("POST /account/mfa/{id}/rename", SignedIn, s.withMFA(s.renameFactor)),
		Page("POST /account/mfa/recovery-codes", SignedIn, s.withMFA(s.regenerateCodes)),
		Page("POST /account/devices/{id}/forget", SignedIn, s.forgetDevice),
		Page("GET /account/reauth", Enrolling, s.withMFA(s.reauthPage)),
		Page("POST /account/reauth", Enrolling, s.withMFA(s.reauth)),
		Page("POST /account/reauth/webauthn", Enrolling, s.withMFA(s.reauthWebAuthn)),
		Page("GET /recovery", Public, s.withMFA(s.recoveryPage)),
		Page("POST /recovery", Public, s.withMFA(s.recovery)),
		Page("GET /recovery/cancel", Public, s.withMFA(s.linkPage("recovery_cancel"))),
		Page("POST /recovery/cancel", Public, s.withMFA(s.cancelRecovery)),

		// Staff console.
		Page("GET /console", access.CustomersRead, s.withAccess(s.consoleHome)),
		Page("GET /console/customers", access.CustomersRead, s.withAccess(s.consoleCustomers)),
		Page("GET /console/accounts/import", access.StaffManage, s.withAccess(s.consoleImportPage)),
		Page(importUploadRoute, access.StaffManage, s.withAccess(s.consoleImportUpload)).Limit(maxUploadBytes + 64<<10),
		Page("GET /console/accounts/import/{id}", access.StaffManage, s.withAccess(s.consoleImportJob)),
		Page("POST /console/accounts/import/{id}/run", access.StaffManage, s.withAccess(s.consoleImportRun)),
		Page("POST /console/customers/bulk", access.CustomersRead, s.withAccess(s.consoleBulk)), // and the action's own permission
		Page("GET /console/customers/{id}", access.CustomersRead, s.withAccess(s.consoleCustomer)),
		Page("POST /console/customers/{id}/reveal", access.CustomersRevealPII, s.withAccess(s.consoleReveal)),
		Page("POST /console/customers/{id}/unlock", access.CustomersUnlock, s.withAccess(s.customerAction("unlocked", consoleUnlock))),
		Page("POST /console/customers/{id}/reset", access.CustomersResetPassword, s.withAccess(s.customerAction("reset", consoleReset))),
		Page("POST /console/customers/{id}/end-sessions", access.CustomersDisable, s.withAccess(s.customerAction("ended", consoleEnd))),
		Page("POST /console/customers/{id}/disable", access.CustomersDisable, s.withAccess(s.customerAction("disabled", consoleDis))),
		Page("POST /console/customers/{id}/enable", access.CustomersDisable, s.withAccess(s.customerAction("enabled", consoleEn))),
		Page("GET /console/inbox", access.ConversationsRead, s.withSupport(s.consoleInbox)),
		Page("GET /console/live", access.ConversationsRead, s.withSupport(s.consoleLive)),
		Page("GET /console/conversations/{id}", access.ConversationsRead, s.withSupport(s.consoleConversation)),
		Page("POST /console/conversations/{id}/reply", access.ConversationsWrite, s.withSupport(s.consoleReply)),
		Page("POST /console/conversations/{id}/update", access.ConversationsWrite, s.withSupport(s.consoleConversationUpdate)),
		Page("POST /console/conversations/{id}/tags", access.ConversationsWrite, s.withSupport(s.consoleConversationTags)),
		Page("POST /console/conversations/{id}/assign", access.ConversationsWrite, s.withSupport(s.consoleAssign)),
		Page("POST /console/conversations/{id}/merge", access.ConversationsWrite, s.withSupport(s.consoleMerge)),
		Page("POST /console/conversations/{id}/recovery", access.ConversationsWrite, s.withSupport(s.consoleDeskRecovery)),
		Page("POST /console/conversations/{id}/attach", access.ConversationsWrite, s.withSupport(s.consoleAttach)).Limit(FileUploadLimit),
		Page("POST /console/conversations/{id}/assist", access.AssistStart, s.withSupport(s.withAssist(s.consoleAssistInvite))),
		Page("GET /console/assist/ws", access.AssistStart, s.withSupport(s.withAssist(s.assistAgentSocket))),
		Page("GET /console/assist/{id}", access.AssistStart, s.withSupport(s.withAssist(s.consoleAssistLive))),
		Page("POST /console/assist/{id}/ticket", access.AssistStart, s.withSupport(s.withAssist(s.consoleAssistTicket))),
		Page("POST /console/assist/{id}/stop", access.AssistStart, s.withSupport(s.withAssist(s.consoleAssistStop))),
		Page("GET /console/assist/{id}/replay", access.AssistReplay, s.withSupport(s.withAssist(s.consoleAssistReplayPage))),
		Page("GET /console/orgs", access.SettingsManage, s.withAssist(s.consoleAssistOrgs)),
		Page("POST /console/orgs", access.SettingsManage, s.withAssist(s.consoleAssistOrgCreate)),
		Page("GET /console/orgs/{id}", access.SettingsManage, s.withAssist(s.orgs().Show)),
		Page("POST /console/orgs/{id}/plan", access.SettingsManage, s.withAssist(s.consoleAssistOrgPlan)),
		Page("POST /console/orgs/{id}/members", access.SettingsManage, s.withAssist(s.consoleAssistOrgMemberAdd)),
		Page("POST /console/orgs/{id}/members/{account}/remove", access.SettingsManage, s.withAssist(s.consoleAssistOrgMemberRemove)),
		Page("POST /console/orgs/{id}/members/{account}/admin", access.SettingsManage, s.withAssist(s.consoleAssistOrgAdmin)),
		Page("POST /console/orgs/{id}/members/{account}/template", access.SettingsManage, s.withAssist(s.orgs().AssignTemplate)),
		Page("POST /console/orgs/{id}/templates", access.SettingsManage, s.withAssist(s.orgs().SaveTemplate)),
		Page("POST /console/orgs/{id}/templates/{template}/delete", access.SettingsManage, s.withAssist(s.orgs().DeleteTemplate)),
		Page("GET /console/assist/{id}/recording", access.AssistReplay, s.withSupport(s.withAssist(s.consoleAssistRecording))),
		Page("GET /console/desk/agents/{id}/card", access.DeskManage, s.withSupport(s.withAssist(s.consoleAgentCard))),
		Page(agentCardRoute, access.DeskManage, s.withSupport(s.withAssist(s.consoleAgentCardSave))).Limit(agentCardBodyLimit),
		Page("GET /console/attachments/{id}", access.ConversationsRead, s.withSupport(s.consoleAttachment)),
		Page("POST /console/conversations/{id}/calls", access.ConversationsWrite, s.withSupport(s.consoleLogCall)),
		Page("POST /console/calls", access.ConversationsWrite, s.withSupport(s.consoleStartCall)),
		Page("GET /console/analytics", access.DeskManage, s.withSupport(s.consoleAnalytics)),
		Page("GET /console/analytics/{chart}", access.DeskManage, s.withSupport(s.consoleAnalyticsCSV)),
		Page("GET /console/complaints", access.DeskManage, s.withSupport(s.consoleComplaints)),
		Page("POST /console/complaints/{id}/resolve", access.DeskManage, s.withSupport(s.consoleResolveComplaint)),
		Page("POST /console/desk/away", access.ConversationsWrite, s.withSupport(s.consoleAway)),
		Page("GET /console/desk", access.DeskManage, s.withSupport(s.consoleDesk)),
		Page("POST /console/desk/agents", access.DeskManage, s.withSupport(s.consoleDeskAgent)),
		Page("POST /console/desk/teams", access.DeskManage, s.withSupport(s.consoleDeskTeam)),
		Page("POST /console/desk/teams/{id}/members", access.DeskManage, s.withSupport(s.consoleDeskMember)),
		Page("POST /console/desk/sla", access.DeskManage, s.withSupport(s.consoleDeskSLA)),
		Page("POST /console/desk/hours", access.DeskManage, s.withSupport(s.consoleDeskHours)),
		Page("POST /console/desk/categories", access.DeskManage, s.withSupport(s.consoleDeskCategory)),
		Page("POST /console/desk/canned", access.DeskManage, s.withSupport(s.consoleDeskCanned)),
		Page("POST /console/desk/canned/{id}/delete", access.DeskManage, s.withSupport(s.consoleDeskCannedDelete)),
		Page("GET /console/staff", access.StaffManage, s.withAccess(s.consoleStaff)),
		Page("POST /console/staff", access.StaffManage, s.withAccess(s.consoleCreateStaff)),
		Page("POST /console/staff/{id}/roles", access.StaffManage, s.withAccess(s.consoleGrant)),
		Page("POST /console/staff/{id}/roles/{role}/revoke", access.StaffManage, s.withAccess(s.consoleRevoke)),
		Page("POST /console/roles", access.StaffManage, s.withAccess(s.consoleCreateRole)),
		Page("GET /console/reviews", access.AccessReview, s.withAccess(s.consoleReviews)),
		Page("POST /console/reviews", access.AccessReview, s.withAccess(s.consoleStartReview)),
		Page("GET /console/reviews/{id}", access.AccessReview, s.withAccess(s.consoleReview)),
		Page("POST /console/reviews/{id}/decide", access.AccessReview, s.withAccess(s.consoleDecide)),
		Page("GET /console/reviews/{id}/report.csv", access.AccessReview, s.withAccess(s.consoleReviewCSV)),
		Page("GET /console/recovery", access.RecoveryApprove, s.withAccess(s.consoleRecoveries)),
		Page("GET /console/recovery/{id}", access.RecoveryApprove, s.withAccess(s.consoleRecovery)),
		Page("POST /console/recovery/{id}/checks", access.RecoveryApprove, s.withAccess(s.recoveryStep(recoveryCheck))),
		Page("POST /console/recovery/{id}/approve", access.RecoveryApprove, s.withAccess(s.recoveryStep(recoveryApprove))),
		Page("POST /console/recovery/{id}/reject", access.RecoveryApprove, s.withAccess(s.recoveryStep(recoveryReject))),

		Page("GET /console/kb", access.KBEdit, s.withKBConsole(s.consoleKB)),
		Page("GET /console/kb/articles/new", access.KBEdit, s.withKBConsole(s.consoleKBNew)),
		Page("POST /console/kb/articles", access.KBEdit, s.withKBConsole(s.consoleKBSave)),
		Page("GET /console/kb/articles/{id}", access.KBEdit, s.withKBConsole(s.consoleKBArticle)),
		Page("POST /console/kb/articles/{id}", access.KBEdit, s.withKBConsole(s.consoleKBSave)),
		Page("GET /console/kb/articles/{id}/history", access.KBEdit, s.withKBConsole(s.consoleKBHistory)),
		Page(kbUploadRoute, access.KBEdit, s.withKBConsole(s.consoleKBUpload)).Limit(FileUploadLimit),
		Page("POST /console/kb/files/{id}/delete", access.KBEdit, s.withKBConsole(s.consoleKBFileDelete)),
		Page("GET /console/kb/categories", access.KBEdit, s.withKBConsole(s.consoleKBCategories)),
		Page("POST /console/kb/categories", access.KBEdit, s.withKBConsole(s.consoleKBCategorySave)),
		Page("GET /console/kb/flows", access.KBEdit, s.withKBConsole(s.consoleKBFlows)),
		Page("GET /console/kb/flows/new", access.KBEdit, s.withKBConsole(s.consoleKBFlowNew)),
		Page("POST /console/kb/flows", access.KBEdit, s.withKBConsole(s.consoleKBFlowSave)),
		Page("GET /console/kb/flows/{id}", access.KBEdit, s.withKBConsole(s.consoleKBFlow)),
		Page("POST /console/kb/flows/{id}", access.KBEdit, s.withKBConsole(s.consoleKBFlowSave)),
		Page("GET /console/kb/flows/{id}/try", access.KBEdit, s.withKBConsole(s.consoleKBFlowTry)),

		Page("GET /console/audit", access.AuditRead, s.withAccess(s.consoleAudit)),
		Page("GET /console/audit/{seq}", access.AuditRead, s.withAccess(s.consoleAuditEntry)),
		Page("POST /console/audit/verify", access.AuditRead, s.withAccess(s.consoleAuditVerify)),
		Page("GET /console/audit/export.ndjson", access.AuditRead, s.withAccess(s.consoleAuditExport("ndjson"))),
		Page("GET /console/audit/export.csv", access.AuditRead, s.withAccess(s.consoleAuditExport("csv"))),

		// JSON API: accounts and sessions.
		JSON("POST /api/v1/registrations", Public, s.apiRegister),
		JSON("POST /api/v1/registrations/verify", Public, s.apiVerify),
		JSON("POST /api/v1/sessions", Public, s.apiSignIn),
		JSON("GET /api/v1/kb/search", Public, s.withKB(s.apiKBSearch)),
		JSON("POST /api/v1/messaging/inbound", Public, s.apiMessagingInbound), // the HMAC signature is the credential
		JSON("GET /api/v1/session", Enrolling, s.apiSession),
		JSON("DELETE /api/v1/session", Enrolling, s.apiSignOut),
		JSON("GET /api/v1/sessions", SignedIn, s.apiSessions),
		JSON("DELETE /api/v1/sessions", SignedIn, s.apiEndOtherSessions),
		JSON("DELETE /api/v1/sessions/{id}", SignedIn, s.apiEndSession),
		JSON("POST /api/v1/password-resets", Public, s.apiRequestReset),
		JSON("POST /api/v1/password-resets/confirm", Public, s.apiConfirmReset),
		JSON("GET /api/v1/account", SignedIn, s.apiAccount),
		JSON("PUT /api/v1/account/password", SignedIn, s.apiChangePassword),
		JSON("GET /api/v1/account/login-history", SignedIn, s.apiLoginHistory),

		// JSON API: second factors, step-up, remembered browsers.
		JSON("POST /api/v1/sessions/mfa", Public, s.withMFA(s.apiSignInMFA)),
		JSON("POST /api/v1/sessions/mfa/send", Public, s.withMFA(s.apiSendCode)),
		JSON("POST /api/v1/sessions/mfa/webauthn", Public, s.withMFA(s.apiBeginWebAuthn)),
		JSON("POST /api/v1/sessions/passkey/begin", Public, s.withMFA(s.apiBeginPasskey)),
		JSON("POST /api/v1/sessions/passkey", Public, s.withMFA(s.apiPasskeySignIn)),
		JSON("POST /api/v1/session/reauth", Enrolling, s.apiReauth),
		JSON("POST /api/v1/session/reauth/send", Enrolling, s.withMFA(s.apiReauthSend)),
		JSON("POST /api/v1/session/reauth/webauthn", Enrolling, s.withMFA(s.apiReauthWebAuthn)),
		JSON("GET /api/v1/account/mfa", Enrolling, s.withMFA(s.apiMFA)),
		JSON("POST /api/v1/account/mfa/totp", Enrolling, s.withMFA(s.apiStartTOTP)),
		JSON("POST /api/v1/account/mfa/totp/confirm", Enrolling, s.withMFA(s.apiConfirmTOTP)),
		JSON("POST /api/v1/account/mfa/sms", Enrolling, s.withMFA(s.apiStartSMS)),
		JSON("POST /api/v1/account/mfa/sms/confirm", Enrolling, s.withMFA(s.apiConfirmSent)),
		JSON("POST /api/v1/account/mfa/email", Enrolling, s.withMFA(s.apiStartEmailCodes)),
		JSON("POST /api/v1/account/mfa/email/confirm", Enrolling, s.withMFA(s.apiConfirmSent)),
		JSON("POST /api/v1/account/mfa/webauthn", Enrolling, s.withMFA(s.apiStartPasskey)),
		JSON("POST /api/v1/account/mfa/webauthn/confirm", Enrolling, s.withMFA(s.apiConfirmPasskey)),
		JSON("PATCH /api/v1/account/mfa/{id}", SignedIn, s.withMFA(s.apiRenameFactor)),
		JSON("DELETE /api/v1/account/mfa/{id}", SignedIn, s.withMFA(s.apiRemoveFactor)),
		JSON("POST /api/v1/account/mfa/recovery-codes", SignedIn, s.withMFA(s.apiRegenerateRecoveryCodes)),
		JSON("GET /api/v1/account/remembered-devices", SignedIn, s.apiRememberedDevices),
		JSON("DELETE /api/v1/account/remembered-devices/{id}", SignedIn, s.apiForgetDevice),

		// JSON API: support-assisted recovery of a lost second factor.
		JSON("POST /api/v1/recovery-requests", Public, s.withMFA(s.apiFileRecovery)),
		JSON("POST /api/v1/recovery-requests/cancel", Public, s.withMFA(s.apiCancelRecovery)),
		JSON("GET /api/v1/recovery-requests", access.RecoveryApprove, s.withMFA(s.apiRecoveryRequests)),
		JSON("GET /api/v1/recovery-requests/{id}", access.RecoveryApprove, s.withMFA(s.apiRecoveryRequest)),
		JSON("POST /api/v1/recovery-requests/{id}/checks", access.RecoveryApprove, s.withMFA(s.apiRecoveryCheck)),
		JSON("POST /api/v1/recovery-requests/{id}/approve", access.RecoveryApprove, s.withMFA(s.apiRecoveryApprove)),
		JSON("POST /api/v1/recovery-requests/{id}/reject", access.RecoveryApprove, s.withMFA(s.apiRecoveryReject)),

		// Anything else: friendly 404s, as a page or as JSON.
		Page("/", Public, s.notFound),
		JSON("/api/", Public, s.notFound),
	}
}

// withMFA answers 404 when the server runs without the second-factor
// service (some tests build it so).
func (s *Server) withMFA(h func(http.ResponseWriter, *http.Request) error) func(http.ResponseWriter, *http.Request) error {
	if s.opts.MFA == nil {
		return s.notFound
	}
	return h
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) error { return ErrNotFound }
