package api

import (
	"github.com/frontdesk/frontdesk/internal/access"
	"github.com/frontdesk/frontdesk/internal/web"
)

// Routes is the JSON API under /api/v1.
// Each group is mounted only when the services it needs were given.
func (s *Handler) Routes() []web.Route {
	rs := []web.Route{
		web.JSON("POST /api/v1/registrations", web.Public, s.apiRegister),
		web.JSON("POST /api/v1/registrations/verify", web.Public, s.apiVerify),
		web.JSON("POST /api/v1/registrations/resend", web.Public, s.apiResend),
		web.JSON("POST /api/v1/sessions", web.Public, s.apiSignIn),
		web.JSON("POST /api/v1/messaging/inbound", web.Public, s.apiMessagingInbound), // the HMAC signature is the credential
		web.JSON("GET /api/v1/session", web.Enrolling, s.apiSession),
		web.JSON("DELETE /api/v1/session", web.Enrolling, s.apiSignOut),
		web.JSON("GET /api/v1/sessions", web.SignedIn, s.apiSessions),
		web.JSON("DELETE /api/v1/sessions", web.SignedIn, s.apiEndOtherSessions),
		web.JSON("DELETE /api/v1/sessions/{id}", web.SignedIn, s.apiEndSession),
		web.JSON("POST /api/v1/password-resets", web.Public, s.apiRequestReset),
		web.JSON("POST /api/v1/password-resets/confirm", web.Public, s.apiConfirmReset),
		web.JSON("GET /api/v1/account", web.SignedIn, s.apiAccount),
		web.JSON("PUT /api/v1/account/password", web.SignedIn, s.apiChangePassword),
		web.JSON("GET /api/v1/account/login-history", web.SignedIn, s.apiLoginHistory),
		web.JSON("POST /api/v1/session/reauth", web.Enrolling, s.apiReauth),
		web.JSON("GET /api/v1/account/remembered-devices", web.SignedIn, s.apiRememberedDevices),
		web.JSON("DELETE /api/v1/account/remembered-devices/{id}", web.SignedIn, s.apiForgetDevice),
	}
	if s.deps.Privacy != nil {
		rs = append(rs,
			web.JSON("POST /api/v1/account/export", web.SignedIn, s.apiRequestExport),
			web.JSON("GET /api/v1/account/exports/{id}", web.SignedIn, s.apiExport),
			web.JSON("GET /api/v1/account/exports/{id}/download", web.SignedIn, s.apiDownloadExport),
			web.JSON("DELETE /api/v1/account", web.SignedIn, s.apiCloseAccount),
			web.JSON("GET /api/v1/account/closure", web.SignedIn, s.apiClosure),
			web.JSON("DELETE /api/v1/account/closure", web.SignedIn, s.apiCancelClosure),
			web.JSON("POST /api/v1/account/closure/cancel", web.Public, s.apiCancelClosureByToken),
		)
	}
	if s.deps.Consent != nil {
		rs = append(rs,
			web.JSON("GET /api/v1/account/consents", web.SignedIn, s.apiConsents),
			web.JSON("POST /api/v1/account/consents", web.SignedIn, s.apiChooseConsent),
			web.JSON("GET /api/v1/account/consents/{id}/receipt", web.SignedIn, s.apiConsentReceipt),
		)
	}
	if s.deps.KB != nil {
		rs = append(rs,
			web.JSON("GET /api/v1/kb/search", web.Public, s.apiKBSearch),
		)
	}
	if s.deps.MFA != nil {
		rs = append(rs,
			web.JSON("POST /api/v1/sessions/mfa", web.Public, s.apiSignInMFA),
			web.JSON("POST /api/v1/sessions/mfa/send", web.Public, s.apiSendCode),
			web.JSON("POST /api/v1/sessions/mfa/webauthn", web.Public, s.apiBeginWebAuthn),
			web.JSON("POST /api/v1/sessions/passkey/begin", web.Public, s.apiBeginPasskey),
			web.JSON("POST /api/v1/sessions/passkey", web.Public, s.apiPasskeySignIn),
			web.JSON("POST /api/v1/session/reauth/send", web.Enrolling, s.apiReauthSend),
			web.JSON("POST /api/v1/session/reauth/webauthn", web.Enrolling, s.apiReauthWebAuthn),
			web.JSON("GET /api/v1/account/mfa", web.Enrolling, s.apiMFA),
			web.JSON("POST /api/v1/account/mfa/totp", web.Enrolling, s.apiStartTOTP),
			web.JSON("POST /api/v1/account/mfa/totp/confirm", web.Enrolling, s.apiConfirmTOTP),
			web.JSON("POST /api/v1/account/mfa/sms", web.Enrolling, s.apiStartSMS),
			web.JSON("POST /api/v1/account/mfa/sms/confirm", web.Enrolling, s.apiConfirmSent),
			web.JSON("POST /api/v1/account/mfa/email", web.Enrolling, s.apiStartEmailCodes),
			web.JSON("POST /api/v1/account/mfa/email/confirm", web.Enrolling, s.apiConfirmSent),
			web.JSON("POST /api/v1/account/mfa/webauthn", web.Enrolling, s.apiStartPasskey),
			web.JSON("POST /api/v1/account/mfa/webauthn/confirm", web.Enrolling, s.apiConfirmPasskey),
			web.JSON("PATCH /api/v1/account/mfa/{id}", web.SignedIn, s.apiRenameFactor),
			web.JSON("DELETE /api/v1/account/mfa/{id}", web.SignedIn, s.apiRemoveFactor),
			web.JSON("POST /api/v1/account/mfa/recovery-codes", web.SignedIn, s.apiRegenerateRecoveryCodes),
			web.JSON("POST /api/v1/recovery-requests", web.Public, s.apiFileRecovery),
			web.JSON("POST /api/v1/recovery-requests/cancel", web.Public, s.apiCancelRecovery),
			web.JSON("GET /api/v1/recovery-requests", access.RecoveryApprove, s.apiRecoveryRequests),
			web.JSON("GET /api/v1/recovery-requests/{id}", access.RecoveryApprove, s.apiRecoveryRequest),
			web.JSON("POST /api/v1/recovery-requests/{id}/checks", access.RecoveryApprove, s.apiRecoveryCheck),
			web.JSON("POST /api/v1/recovery-requests/{id}/approve", access.RecoveryApprove, s.apiRecoveryApprove),
			web.JSON("POST /api/v1/recovery-requests/{id}/reject", access.RecoveryApprove, s.apiRecoveryReject),
		)
	}
	return rs
}
