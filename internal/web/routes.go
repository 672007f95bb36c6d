package web

import (
	"net/http"

	"github.com/frontdesk/frontdesk/internal/access"
)

// Tree is the family a route belongs to; each has its own protections.
type Tree int

const (
	// Browser routes render pages: session cookie, CSRF defence, nonce CSP.
	Browser Tree = iota + 1
	// API routes speak JSON only: bearer tokens, JSON bodies, no-store.
	API
	// Ops routes are probes and metrics for the platform running us.
	Ops
)

// Public marks a route that needs no permission. Every route must name
// either Public or a permission; the route test fails otherwise.
const Public = "public"

// Route is one entry of the route table.
type Route struct {
	Pattern    string // net/http pattern: "GET /healthz"
	Tree       Tree
	Permission string
	Handler    func(http.ResponseWriter, *http.Request) error
}

// importUploadRoute takes a bulk file of up to maxUploadBytes; every other
// browser post is limited to 64 KiB.
const importUploadRoute = "POST /console/accounts/import"

// Routes returns the route table, for tests and documentation.
func (s *Server) Routes() []Route { return s.routes() }

// routes is the whole route table, in one place.
func (s *Server) routes() []Route {
	return []Route{
		// Operations.
		{"GET /healthz", Ops, Public, s.healthz},
		{"GET /readyz", Ops, Public, s.readyz},
		{"GET /metrics", Ops, Public, s.metricsHandler}, // guarded by token or loopback inside

		// Customer portal.
		{"GET /{$}", Browser, Public, s.home},
		{"GET /contact", Browser, Public, s.contact},
		{"POST /contact", Browser, Public, s.contactSend},
		{"GET /widget.js", Browser, Public, s.widgetJS},
		{"GET /help", Browser, Public, s.withKB(s.helpHome)},
		{"GET /help/{slug}", Browser, Public, s.withKB(s.helpArticle)},
		{"POST /help/{slug}/vote", Browser, Public, s.withKB(s.helpVote)},
		{"GET /help/guides", Browser, Public, s.withKB(s.helpGuides)},
		{"GET /help/guides/{slug}", Browser, Public, s.withKB(s.helpGuide)},
		{"GET /help/files/{id}", Browser, Public, s.withKB(s.helpFile)}, // published articles' files; editors' drafts (checked inside)
		{"GET /chat/ws", Browser, Public, s.chatSocket},
		{"GET /chat/attachments/{id}", Browser, Public, s.chatAttachment}, // the ticket is the credential
		{"GET /support/{id}", Browser, SignedIn, s.supportConversation},
		{"POST /support/{id}/reply", Browser, SignedIn, s.supportReply},
		{"POST /support/{id}/survey", Browser, SignedIn, s.surveyAnswer},
		{"POST /support/{id}/attach", Browser, SignedIn, s.supportAttach},
		{"GET /support/attachments/{id}", Browser, SignedIn, s.supportAttachment},
		{"GET /support/assist", Browser, SignedIn, s.withAssist(s.assistPortal)},
		{"GET /support/assist/state", Browser, SignedIn, s.withAssist(s.assistState)},
		{"GET /support/assist/ws", Browser, Public, s.withAssist(s.assistCustomerSocket)}, // the single-use ticket is the credential
		{"POST /support/{id}/steps", Browser, SignedIn, s.withAssist(s.assistStartSteps)},
		{"GET /support/organisation", Browser, SignedIn, s.withAssist(s.assistOrg)},
		{"POST /support/organisation/templates", Browser, SignedIn, s.withAssist(s.assistOrgTemplateSave)},
		{"POST /support/organisation/templates/{template}/delete", Browser, SignedIn, s.withAssist(s.assistOrgTemplateDelete)},
		{"POST /support/organisation/members/{account}/template", Browser, SignedIn, s.withAssist(s.assistOrgMemberTemplate)},
		{"POST /support/assist/{id}/ticket", Browser, SignedIn, s.withAssist(s.assistStepsTicket)},
		{"POST /support/assist/{id}/accept", Browser, SignedIn, s.withAssist(s.assistAccept)},
		{"POST /support/assist/{id}/lower", Browser, SignedIn, s.withAssist(s.assistLower)},
		{"POST /support/assist/{id}/stop", Browser, SignedIn, s.withAssist(s.assistStop)},
		{"GET /support/assist/{id}", Browser, SignedIn, s.withAssist(s.assistReplayPage)},
		{"GET /support/assist/{id}/recording", Browser, SignedIn, s.withAssist(s.assistRecording)},
		{"GET /assist/static/{file}", Browser, Public, s.assistAsset},
		{"GET /survey", Browser, Public, s.surveyPage},
		{"POST /survey", Browser, Public, s.surveyAnswer},
		{"GET /complaint", Browser, Public, s.complaintPage},
		{"POST /complaint", Browser, Public, s.complaintSend},
		{"GET /static/{file}", Browser, Public, s.static},
		{"GET /signup", Browser, Public, s.signupPage},
		{"POST /signup", Browser, Public, s.signup},
		{"GET /verify", Browser, Public, s.verifyPage},
		{"POST /verify", Browser, Public, s.verify},
		{"GET /signin", Browser, Public, s.signinPage},
		{"POST /signin", Browser, Public, s.signin},
		{"POST /signout", Browser, Enrolling, s.signout},
		{"GET /forgot", Browser, Public, s.forgotPage},
		{"POST /forgot", Browser, Public, s.forgot},
		{"GET /reset", Browser, Public, s.resetPage},
		{"POST /reset", Browser, Public, s.reset},
		{"GET /unlock", Browser, Public, s.linkPage("unlock")},
		{"POST /unlock", Browser, Public, s.unlock},
		{"GET /not-me", Browser, Public, s.linkPage("notme")},
		{"POST /not-me", Browser, Public, s.notMe},
		{"GET /account/security", Browser, SignedIn, s.securityPage},
		{"POST /account/password", Browser, SignedIn, s.changePassword},
		{"POST /account/sessions/{id}/end", Browser, SignedIn, s.endSession},
		{"POST /account/sessions/end-others", Browser, SignedIn, s.endOtherSessions},

		// Portal: second factors, passkeys, step-up, recovery.
		{"GET /signin/mfa", Browser, Public, s.withMFA(s.signinMFAPage)},
		{"POST /signin/mfa", Browser, Public, s.withMFA(s.signinMFA)},
		{"POST /signin/mfa/send", Browser, Public, s.withMFA(s.signinMFASend)},
		{"POST /signin/mfa/webauthn", Browser, Public, s.withMFA(s.signinMFAWebAuthn)},
		{"POST /signin/passkey/begin", Browser, Public, s.withMFA(s.signinPasskeyBegin)},
		{"POST /signin/passkey", Browser, Public, s.withMFA(s.signinPasskey)},
		{"GET /account/mfa/setup", Browser, Enrolling, s.withMFA(s.setupPage)},
		{"POST /account/mfa/totp", Browser, Enrolling, s.withMFA(s.startTOTP)},
		{"POST /account/mfa/totp/confirm", Browser, Enrolling, s.withMFA(s.confirmTOTP)},
		{"POST /account/mfa/phone", Browser, Enrolling, s.withMFA(s.startPhone)},
		{"POST /account/mfa/phone/confirm", Browser, Enrolling, s.withMFA(s.confirmPhone)},
		{"POST /account/mfa/passkey/begin", Browser, Enrolling, s.withMFA(s.passkeyRegisterBegin)},
		{"POST /account/mfa/passkey", Browser, Enrolling, s.withMFA(s.passkeyRegister)},
		{"POST /account/mfa/{id}/remove", Browser, SignedIn, s.withMFA(s.removeFactor)},
		{"POST /account/mfa/{id}/rename", Browser, SignedIn, s.withMFA(s.renameFactor)},
		{"POST /account/mfa/recovery-codes", Browser, SignedIn, s.withMFA(s.regenerateCodes)},
		{"POST /account/devices/{id}/forget", Browser, SignedIn, s.forgetDevice},
		{"GET /account/reauth", Browser, Enrolling, s.withMFA(s.reauthPage)},
		{"POST /account/reauth", Browser, Enrolling, s.withMFA(s.reauth)},
		{"POST /account/reauth/webauthn", Browser, Enrolling, s.withMFA(s.reauthWebAuthn)},
		{"GET /recovery", Browser, Public, s.withMFA(s.recoveryPage)},
		{"POST /recovery", Browser, Public, s.withMFA(s.recovery)},
		{"GET /recovery/cancel", Browser, Public, s.withMFA(s.linkPage("recovery_cancel"))},
		{"POST /recovery/cancel", Browser, Public, s.withMFA(s.cancelRecovery)},

		// Staff console.
		{"GET /console", Browser, access.CustomersRead, s.withAccess(s.consoleHome)},
		{"GET /console/customers", Browser, access.CustomersRead, s.withAccess(s.consoleCustomers)},
		{"GET /console/accounts/import", Browser, access.StaffManage, s.withAccess(s.consoleImportPage)},
		{importUploadRoute, Browser, access.StaffManage, s.withAccess(s.consoleImportUpload)},
		{"GET /console/accounts/import/{id}", Browser, access.StaffManage, s.withAccess(s.consoleImportJob)},
		{"POST /console/accounts/import/{id}/run", Browser, access.StaffManage, s.withAccess(s.consoleImportRun)},
		{"POST /console/customers/bulk", Browser, access.CustomersRead, s.withAccess(s.consoleBulk)}, // and the action's own permission
		{"GET /console/customers/{id}", Browser, access.CustomersRead, s.withAccess(s.consoleCustomer)},
		{"POST /console/customers/{id}/reveal", Browser, access.CustomersRevealPII, s.withAccess(s.consoleReveal)},
		{"POST /console/customers/{id}/unlock", Browser, access.CustomersUnlock, s.withAccess(s.customerAction("unlocked", consoleUnlock))},
		{"POST /console/customers/{id}/reset", Browser, access.CustomersResetPassword, s.withAccess(s.customerAction("reset", consoleReset))},
		{"POST /console/customers/{id}/end-sessions", Browser, access.CustomersDisable, s.withAccess(s.customerAction("ended", consoleEnd))},
		{"POST /console/customers/{id}/disable", Browser, access.CustomersDisable, s.withAccess(s.customerAction("disabled", consoleDis))},
		{"POST /console/customers/{id}/enable", Browser, access.CustomersDisable, s.withAccess(s.customerAction("enabled", consoleEn))},
		{"GET /console/inbox", Browser, access.ConversationsRead, s.withSupport(s.consoleInbox)},
		{"GET /console/live", Browser, access.ConversationsRead, s.withSupport(s.consoleLive)},
		{"GET /console/conversations/{id}", Browser, access.ConversationsRead, s.withSupport(s.consoleConversation)},
		{"POST /console/conversations/{id}/reply", Browser, access.ConversationsWrite, s.withSupport(s.consoleReply)},
		{"POST /console/conversations/{id}/update", Browser, access.ConversationsWrite, s.withSupport(s.consoleConversationUpdate)},
		{"POST /console/conversations/{id}/tags", Browser, access.ConversationsWrite, s.withSupport(s.consoleConversationTags)},
		{"POST /console/conversations/{id}/assign", Browser, access.ConversationsWrite, s.withSupport(s.consoleAssign)},
		{"POST /console/conversations/{id}/merge", Browser, access.ConversationsWrite, s.withSupport(s.consoleMerge)},
		{"POST /console/conversations/{id}/recovery", Browser, access.ConversationsWrite, s.withSupport(s.consoleDeskRecovery)},
		{"POST /console/conversations/{id}/attach", Browser, access.ConversationsWrite, s.withSupport(s.consoleAttach)},
		{"POST /console/conversations/{id}/assist", Browser, access.AssistStart, s.withSupport(s.withAssist(s.consoleAssistInvite))},
		{"GET /console/assist/ws", Browser, access.AssistStart, s.withSupport(s.withAssist(s.assistAgentSocket))},
		{"GET /console/assist/{id}", Browser, access.AssistStart, s.withSupport(s.withAssist(s.consoleAssistLive))},
		{"POST /console/assist/{id}/ticket", Browser, access.AssistStart, s.withSupport(s.withAssist(s.consoleAssistTicket))},
		{"POST /console/assist/{id}/stop", Browser, access.AssistStart, s.withSupport(s.withAssist(s.consoleAssistStop))},
		{"GET /console/assist/{id}/replay", Browser, access.AssistReplay, s.withSupport(s.withAssist(s.consoleAssistReplayPage))},
		{"GET /console/orgs", Browser, access.SettingsManage, s.withAssist(s.consoleAssistOrgs)},
		{"POST /console/orgs", Browser, access.SettingsManage, s.withAssist(s.consoleAssistOrgCreate)},
		{"GET /console/orgs/{id}", Browser, access.SettingsManage, s.withAssist(s.assistOrg)},
		{"POST /console/orgs/{id}/plan", Browser, access.SettingsManage, s.withAssist(s.consoleAssistOrgPlan)},
		{"POST /console/orgs/{id}/members", Browser, access.SettingsManage, s.withAssist(s.consoleAssistOrgMemberAdd)},
		{"POST /console/orgs/{id}/members/{account}/remove", Browser, access.SettingsManage, s.withAssist(s.consoleAssistOrgMemberRemove)},
		{"POST /console/orgs/{id}/members/{account}/admin", Browser, access.SettingsManage, s.withAssist(s.consoleAssistOrgAdmin)},
		{"POST /console/orgs/{id}/members/{account}/template", Browser, access.SettingsManage, s.withAssist(s.assistOrgMemberTemplate)},
		{"POST /console/orgs/{id}/templates", Browser, access.SettingsManage, s.withAssist(s.assistOrgTemplateSave)},
		{"POST /console/orgs/{id}/templates/{template}/delete", Browser, access.SettingsManage, s.withAssist(s.assistOrgTemplateDelete)},
		{"GET /console/assist/{id}/recording", Browser, access.AssistReplay, s.withSupport(s.withAssist(s.consoleAssistRecording))},
		{"GET /console/desk/agents/{id}/card", Browser, access.DeskManage, s.withSupport(s.withAssist(s.consoleAgentCard))},
		{agentCardRoute, Browser, access.DeskManage, s.withSupport(s.withAssist(s.consoleAgentCardSave))},
		{"GET /console/attachments/{id}", Browser, access.ConversationsRead, s.withSupport(s.consoleAttachment)},
		{"POST /console/conversations/{id}/calls", Browser, access.ConversationsWrite, s.withSupport(s.consoleLogCall)},
		{"POST /console/calls", Browser, access.ConversationsWrite, s.withSupport(s.consoleStartCall)},
		{"GET /console/analytics", Browser, access.DeskManage, s.withSupport(s.consoleAnalytics)},
		{"GET /console/analytics/{chart}", Browser, access.DeskManage, s.withSupport(s.consoleAnalyticsCSV)},
		{"GET /console/complaints", Browser, access.DeskManage, s.withSupport(s.consoleComplaints)},
		{"POST /console/complaints/{id}/resolve", Browser, access.DeskManage, s.withSupport(s.consoleResolveComplaint)},
		{"POST /console/desk/away", Browser, access.ConversationsWrite, s.withSupport(s.consoleAway)},
		{"GET /console/desk", Browser, access.DeskManage, s.withSupport(s.consoleDesk)},
		{"POST /console/desk/agents", Browser, access.DeskManage, s.withSupport(s.consoleDeskAgent)},
		{"POST /console/desk/teams", Browser, access.DeskManage, s.withSupport(s.consoleDeskTeam)},
		{"POST /console/desk/teams/{id}/members", Browser, access.DeskManage, s.withSupport(s.consoleDeskMember)},
		{"POST /console/desk/sla", Browser, access.DeskManage, s.withSupport(s.consoleDeskSLA)},
		{"POST /console/desk/hours", Browser, access.DeskManage, s.withSupport(s.consoleDeskHours)},
		{"POST /console/desk/categories", Browser, access.DeskManage, s.withSupport(s.consoleDeskCategory)},
		{"POST /console/desk/canned", Browser, access.DeskManage, s.withSupport(s.consoleDeskCanned)},
		{"POST /console/desk/canned/{id}/delete", Browser, access.DeskManage, s.withSupport(s.consoleDeskCannedDelete)},
		{"GET /console/staff", Browser, access.StaffManage, s.withAccess(s.consoleStaff)},
		{"POST /console/staff", Browser, access.StaffManage, s.withAccess(s.consoleCreateStaff)},
		{"POST /console/staff/{id}/roles", Browser, access.StaffManage, s.withAccess(s.consoleGrant)},
		{"POST /console/staff/{id}/roles/{role}/revoke", Browser, access.StaffManage, s.withAccess(s.consoleRevoke)},
		{"POST /console/roles", Browser, access.StaffManage, s.withAccess(s.consoleCreateRole)},
		{"GET /console/reviews", Browser, access.AccessReview, s.withAccess(s.consoleReviews)},
		{"POST /console/reviews", Browser, access.AccessReview, s.withAccess(s.consoleStartReview)},
		{"GET /console/reviews/{id}", Browser, access.AccessReview, s.withAccess(s.consoleReview)},
		{"POST /console/reviews/{id}/decide", Browser, access.AccessReview, s.withAccess(s.consoleDecide)},
		{"GET /console/reviews/{id}/report.csv", Browser, access.AccessReview, s.withAccess(s.consoleReviewCSV)},
		{"GET /console/recovery", Browser, access.RecoveryApprove, s.withAccess(s.consoleRecoveries)},
		{"GET /console/recovery/{id}", Browser, access.RecoveryApprove, s.withAccess(s.consoleRecovery)},
		{"POST /console/recovery/{id}/checks", Browser, access.RecoveryApprove, s.withAccess(s.recoveryStep(recoveryCheck))},
		{"POST /console/recovery/{id}/approve", Browser, access.RecoveryApprove, s.withAccess(s.recoveryStep(recoveryApprove))},
		{"POST /console/recovery/{id}/reject", Browser, access.RecoveryApprove, s.withAccess(s.recoveryStep(recoveryReject))},

		{"GET /console/kb", Browser, access.KBEdit, s.withKBConsole(s.consoleKB)},
		{"GET /console/kb/articles/new", Browser, access.KBEdit, s.withKBConsole(s.consoleKBNew)},
		{"POST /console/kb/articles", Browser, access.KBEdit, s.withKBConsole(s.consoleKBSave)},
		{"GET /console/kb/articles/{id}", Browser, access.KBEdit, s.withKBConsole(s.consoleKBArticle)},
		{"POST /console/kb/articles/{id}", Browser, access.KBEdit, s.withKBConsole(s.consoleKBSave)},
		{"GET /console/kb/articles/{id}/history", Browser, access.KBEdit, s.withKBConsole(s.consoleKBHistory)},
		{kbUploadRoute, Browser, access.KBEdit, s.withKBConsole(s.consoleKBUpload)},
		{"POST /console/kb/files/{id}/delete", Browser, access.KBEdit, s.withKBConsole(s.consoleKBFileDelete)},
		{"GET /console/kb/categories", Browser, access.KBEdit, s.withKBConsole(s.consoleKBCategories)},
		{"POST /console/kb/categories", Browser, access.KBEdit, s.withKBConsole(s.consoleKBCategorySave)},
		{"GET /console/kb/flows", Browser, access.KBEdit, s.withKBConsole(s.consoleKBFlows)},
		{"GET /console/kb/flows/new", Browser, access.KBEdit, s.withKBConsole(s.consoleKBFlowNew)},
		{"POST /console/kb/flows", Browser, access.KBEdit, s.withKBConsole(s.consoleKBFlowSave)},
		{"GET /console/kb/flows/{id}", Browser, access.KBEdit, s.withKBConsole(s.consoleKBFlow)},
		{"POST /console/kb/flows/{id}", Browser, access.KBEdit, s.withKBConsole(s.consoleKBFlowSave)},
		{"GET /console/kb/flows/{id}/try", Browser, access.KBEdit, s.withKBConsole(s.consoleKBFlowTry)},

		{"GET /console/audit", Browser, access.AuditRead, s.withAccess(s.consoleAudit)},
		{"GET /console/audit/{seq}", Browser, access.AuditRead, s.withAccess(s.consoleAuditEntry)},
		{"POST /console/audit/verify", Browser, access.AuditRead, s.withAccess(s.consoleAuditVerify)},
		{"GET /console/audit/export.ndjson", Browser, access.AuditRead, s.withAccess(s.consoleAuditExport("ndjson"))},
		{"GET /console/audit/export.csv", Browser, access.AuditRead, s.withAccess(s.consoleAuditExport("csv"))},

		// JSON API: accounts and sessions.
		{"POST /api/v1/registrations", API, Public, s.apiRegister},
		{"POST /api/v1/registrations/verify", API, Public, s.apiVerify},
		{"POST /api/v1/sessions", API, Public, s.apiSignIn},
		{"GET /api/v1/kb/search", API, Public, s.withKB(s.apiKBSearch)},
		{"POST /api/v1/messaging/inbound", API, Public, s.apiMessagingInbound}, // the HMAC signature is the credential
		{"GET /api/v1/session", API, Enrolling, s.apiSession},
		{"DELETE /api/v1/session", API, Enrolling, s.apiSignOut},
		{"GET /api/v1/sessions", API, SignedIn, s.apiSessions},
		{"DELETE /api/v1/sessions", API, SignedIn, s.apiEndOtherSessions},
		{"DELETE /api/v1/sessions/{id}", API, SignedIn, s.apiEndSession},
		{"POST /api/v1/password-resets", API, Public, s.apiRequestReset},
		{"POST /api/v1/password-resets/confirm", API, Public, s.apiConfirmReset},
		{"GET /api/v1/account", API, SignedIn, s.apiAccount},
		{"PUT /api/v1/account/password", API, SignedIn, s.apiChangePassword},
		{"GET /api/v1/account/login-history", API, SignedIn, s.apiLoginHistory},

		// JSON API: second factors, step-up, remembered browsers.
		{"POST /api/v1/sessions/mfa", API, Public, s.withMFA(s.apiSignInMFA)},
		{"POST /api/v1/sessions/mfa/send", API, Public, s.withMFA(s.apiSendCode)},
		{"POST /api/v1/sessions/mfa/webauthn", API, Public, s.withMFA(s.apiBeginWebAuthn)},
		{"POST /api/v1/sessions/passkey/begin", API, Public, s.withMFA(s.apiBeginPasskey)},
		{"POST /api/v1/sessions/passkey", API, Public, s.withMFA(s.apiPasskeySignIn)},
		{"POST /api/v1/session/reauth", API, Enrolling, s.apiReauth},
		{"POST /api/v1/session/reauth/send", API, Enrolling, s.withMFA(s.apiReauthSend)},
		{"POST /api/v1/session/reauth/webauthn", API, Enrolling, s.withMFA(s.apiReauthWebAuthn)},
		{"GET /api/v1/account/mfa", API, Enrolling, s.withMFA(s.apiMFA)},
		{"POST /api/v1/account/mfa/totp", API, Enrolling, s.withMFA(s.apiStartTOTP)},
		{"POST /api/v1/account/mfa/totp/confirm", API, Enrolling, s.withMFA(s.apiConfirmTOTP)},
		{"POST /api/v1/account/mfa/sms", API, Enrolling, s.withMFA(s.apiStartSMS)},
		{"POST /api/v1/account/mfa/sms/confirm", API, Enrolling, s.withMFA(s.apiConfirmSent)},
		{"POST /api/v1/account/mfa/email", API, Enrolling, s.withMFA(s.apiStartEmailCodes)},
		{"POST /api/v1/account/mfa/email/confirm", API, Enrolling, s.withMFA(s.apiConfirmSent)},
		{"POST /api/v1/account/mfa/webauthn", API, Enrolling, s.withMFA(s.apiStartPasskey)},
		{"POST /api/v1/account/mfa/webauthn/confirm", API, Enrolling, s.withMFA(s.apiConfirmPasskey)},
		{"PATCH /api/v1/account/mfa/{id}", API, SignedIn, s.withMFA(s.apiRenameFactor)},
		{"DELETE /api/v1/account/mfa/{id}", API, SignedIn, s.withMFA(s.apiRemoveFactor)},
		{"POST /api/v1/account/mfa/recovery-codes", API, SignedIn, s.withMFA(s.apiRegenerateRecoveryCodes)},
		{"GET /api/v1/account/remembered-devices", API, SignedIn, s.apiRememberedDevices},
		{"DELETE /api/v1/account/remembered-devices/{id}", API, SignedIn, s.apiForgetDevice},

		// JSON API: support-assisted recovery of a lost second factor.
		{"POST /api/v1/recovery-requests", API, Public, s.withMFA(s.apiFileRecovery)},
		{"POST /api/v1/recovery-requests/cancel", API, Public, s.withMFA(s.apiCancelRecovery)},
		{"GET /api/v1/recovery-requests", API, access.RecoveryApprove, s.withMFA(s.apiRecoveryRequests)},
		{"GET /api/v1/recovery-requests/{id}", API, access.RecoveryApprove, s.withMFA(s.apiRecoveryRequest)},
		{"POST /api/v1/recovery-requests/{id}/checks", API, access.RecoveryApprove, s.withMFA(s.apiRecoveryCheck)},
		{"POST /api/v1/recovery-requests/{id}/approve", API, access.RecoveryApprove, s.withMFA(s.apiRecoveryApprove)},
		{"POST /api/v1/recovery-requests/{id}/reject", API, access.RecoveryApprove, s.withMFA(s.apiRecoveryReject)},

		// Anything else: friendly 404s, as a page or as JSON.
		{"/", Browser, Public, s.notFound},
		{"/api/", API, Public, s.notFound},
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
