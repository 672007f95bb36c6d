package portal

import (
	"github.com/frontdesk/frontdesk/internal/web"
)

// Routes is the customer's pages: sign-up and sign-in, the account's security, second factors, support conversations, the help centre and remote assistance.
// Each group is mounted only when the services it needs were given.
func (s *Handler) Routes() []web.Route {
	rs := []web.Route{
		web.Page("GET /{$}", web.Public, s.home),
		web.Page("GET /contact", web.Public, s.contact),
		web.Page("POST /contact", web.Public, s.contactSend),
		web.Page("GET /widget.js", web.Public, s.widgetJS),
		web.Page("GET /support/{id}", web.SignedIn, s.supportConversation),
		web.Page("POST /support/{id}/reply", web.SignedIn, s.supportReply),
		web.Page("POST /support/{id}/survey", web.SignedIn, s.surveyAnswer),
		web.Page("POST /support/{id}/attach", web.SignedIn, s.supportAttach).Limit(web.FileUploadLimit),
		web.Page("GET /support/attachments/{id}", web.SignedIn, s.supportAttachment),
		web.Page("GET /assist/static/{file}", web.Public, s.assistAsset),
		web.Page("GET /survey", web.Public, s.surveyPage),
		web.Page("POST /survey", web.Public, s.surveyAnswer),
		web.Page("GET /complaint", web.Public, s.complaintPage),
		web.Page("POST /complaint", web.Public, s.complaintSend),
		web.Page("GET /static/{file}", web.Public, s.static),
		web.Page("GET /signup", web.Public, s.signupPage),
		web.Page("POST /signup", web.Public, s.signup),
		web.Page("GET /verify", web.Public, s.verifyPage),
		web.Page("POST /verify", web.Public, s.verify),
		web.Page("POST /verify/resend", web.Public, s.resend),
		web.Page("GET /signin", web.Public, s.signinPage),
		web.Page("POST /signin", web.Public, s.signin),
		web.Page("POST /signout", web.Enrolling, s.signout),
		web.Page("GET /forgot", web.Public, s.forgotPage),
		web.Page("POST /forgot", web.Public, s.forgot),
		web.Page("GET /reset", web.Public, s.resetPage),
		web.Page("POST /reset", web.Public, s.reset),
		web.Page("GET /unlock", web.Public, s.linkPage("unlock")),
		web.Page("POST /unlock", web.Public, s.unlock),
		web.Page("GET /not-me", web.Public, s.linkPage("notme")),
		web.Page("POST /not-me", web.Public, s.notMe),
		web.Page("GET /account/security", web.SignedIn, s.securityPage),
		web.Page("POST /account/password", web.SignedIn, s.changePassword),
		web.Page("POST /account/sessions/{id}/end", web.SignedIn, s.endSession),
		web.Page("POST /account/sessions/end-others", web.SignedIn, s.endOtherSessions),
		web.Page("POST /account/devices/{id}/forget", web.SignedIn, s.forgetDevice),
	}
	if s.deps.Brand != nil {
		rs = append(rs,
			web.Page("GET /brand.css", web.Public, s.brandCSS),
			web.Page("GET /brand/{kind}", web.Public, s.brandImage),
			web.Page("GET /favicon.ico", web.Public, s.favicon),
		)
	}
	if s.deps.Privacy != nil {
		rs = append(rs,
			web.Page("GET /account/privacy", web.SignedIn, s.privacyPage),
			web.Page("POST /account/privacy/export", web.SignedIn, s.privacyExport),
			web.Page("GET /account/exports/{id}/download", web.SignedIn, s.privacyDownload),
			web.Page("POST /account/privacy/close", web.SignedIn, s.privacyClose),
			web.Page("POST /account/privacy/keep", web.SignedIn, s.privacyKeep),
			web.Page("GET /account/closure/cancel", web.Public, s.linkPage("closure_cancel")),
			web.Page("POST /account/closure/cancel", web.Public, s.closureCancel),
		)
	}
	if s.deps.Privacy != nil && s.deps.Consent != nil {
		rs = append(rs,
			web.Page("POST /account/privacy/consents", web.SignedIn, s.privacyConsent),
			web.Page("GET /account/privacy/consents/{id}/receipt", web.SignedIn, s.privacyReceipt),
		)
	}
	if s.deps.KB != nil {
		rs = append(rs,
			web.Page("GET /help", web.Public, s.helpHome),
			web.Page("GET /help/{slug}", web.Public, s.helpArticle),
			web.Page("GET /help/categories/{id}", web.Public, s.helpCategoryPage),
			web.Page("POST /help/{slug}/vote", web.Public, s.helpVote),
			web.Page("GET /help/guides", web.Public, s.helpGuides),
			web.Page("GET /help/guides/{slug}", web.Public, s.helpGuide),
			web.Page("GET /help/files/{id}", web.Public, s.helpFile), // published articles' files; editors' drafts (checked inside)
		)
	}
	if s.deps.Assist != nil {
		rs = append(rs,
			web.Page("GET /support/assist", web.SignedIn, s.assistPortal),
			web.Page("GET /support/assist/state", web.SignedIn, s.assistState),
			web.Page("POST /support/{id}/steps", web.SignedIn, s.assistStartSteps),
			web.Page("GET /support/organisation", web.SignedIn, s.orgs().Show),
			web.Page("POST /support/organisation/templates", web.SignedIn, s.orgs().SaveTemplate),
			web.Page("POST /support/organisation/templates/{template}/delete", web.SignedIn, s.orgs().DeleteTemplate),
			web.Page("POST /support/organisation/members/{account}/template", web.SignedIn, s.orgs().AssignTemplate),
			web.Page("POST /support/assist/{id}/ticket", web.SignedIn, s.assistStepsTicket),
			web.Page("POST /support/assist/{id}/accept", web.SignedIn, s.assistAccept),
			web.Page("POST /support/assist/{id}/lower", web.SignedIn, s.assistLower),
			web.Page("POST /support/assist/{id}/stop", web.SignedIn, s.assistStop),
			web.Page("GET /support/assist/{id}", web.SignedIn, s.assistReplayPage),
			web.Page("GET /support/assist/{id}/recording", web.SignedIn, s.assistRecording),
		)
	}
	if s.deps.MFA != nil {
		rs = append(rs,
			web.Page("GET /signin/mfa", web.Public, s.signinMFAPage),
			web.Page("POST /signin/mfa", web.Public, s.signinMFA),
			web.Page("POST /signin/mfa/send", web.Public, s.signinMFASend),
			web.Page("POST /signin/mfa/webauthn", web.Public, s.signinMFAWebAuthn),
			web.Page("POST /signin/passkey/begin", web.Public, s.signinPasskeyBegin),
			web.Page("POST /signin/passkey", web.Public, s.signinPasskey),
			web.Page("GET /account/mfa/setup", web.Enrolling, s.setupPage),
			web.Page("POST /account/mfa/totp", web.Enrolling, s.startTOTP),
			web.Page("POST /account/mfa/totp/confirm", web.Enrolling, s.confirmTOTP),
			web.Page("POST /account/mfa/phone", web.Enrolling, s.startPhone),
			web.Page("POST /account/mfa/phone/confirm", web.Enrolling, s.confirmPhone),
			web.Page("POST /account/mfa/passkey/begin", web.Enrolling, s.passkeyRegisterBegin),
			web.Page("POST /account/mfa/passkey", web.Enrolling, s.passkeyRegister),
			web.Page("POST /account/mfa/{id}/remove", web.SignedIn, s.removeFactor),
			web.Page("POST /account/mfa/{id}/rename", web.SignedIn, s.renameFactor),
			web.Page("POST /account/mfa/recovery-codes", web.SignedIn, s.regenerateCodes),
			web.Page("GET /account/reauth", web.Enrolling, s.reauthPage),
			web.Page("POST /account/reauth", web.Enrolling, s.reauth),
			web.Page("POST /account/reauth/webauthn", web.Enrolling, s.reauthWebAuthn),
			web.Page("GET /recovery", web.Public, s.recoveryPage),
			web.Page("POST /recovery", web.Public, s.recovery),
			web.Page("GET /recovery/cancel", web.Public, s.linkPage("recovery_cancel")),
			web.Page("POST /recovery/cancel", web.Public, s.cancelRecovery),
		)
	}
	return rs
}
