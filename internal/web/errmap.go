package web

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/internal/assist"
	"github.com/frontdesk/frontdesk/internal/consent"
	"github.com/frontdesk/frontdesk/internal/fault"
	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/frontdesk/frontdesk/internal/kb"
	"github.com/frontdesk/frontdesk/internal/mfa"
	"github.com/frontdesk/frontdesk/internal/privacy"
	"github.com/frontdesk/frontdesk/internal/risk"
	"github.com/frontdesk/frontdesk/internal/support"
)

// AssistError maps the service's errors to client answers; none says
// whether a session the caller may not see exists.
func AssistError(err error) error {
	switch {
	case errors.Is(err, assist.ErrForbidden):
		return ErrForbidden
	case errors.Is(err, assist.ErrPlan):
		return &Error{Status: http.StatusForbidden, Code: "assist_plan", Message: "Remote assistance is not part of the customer's plan."}
	case errors.Is(err, assist.ErrNoCustomer):
		return &Error{Status: http.StatusConflict, Code: "assist_no_customer", Message: "Only a signed-in customer's conversation can be co-browsed."}
	case errors.Is(err, assist.ErrNoProfile):
		return &Error{Status: http.StatusConflict, Code: "assist_no_profile", Message: "Your identity card (staff number, department) is not set up yet."}
	case errors.Is(err, assist.ErrBusy):
		return &Error{Status: http.StatusConflict, Code: "assist_busy", Message: "This conversation already has an open session."}
	case errors.Is(err, assist.ErrLevel):
		return &Error{Status: http.StatusForbidden, Code: "assist_level", Message: "This level is above what your organisation allows."}
	case errors.Is(err, assist.ErrEnded), errors.Is(err, assist.ErrExpired):
		return &Error{Status: http.StatusConflict, Code: "assist_ended", Message: "This session has ended."}
	case errors.Is(err, assist.ErrState), errors.Is(err, assist.ErrPaused):
		return &Error{Status: http.StatusConflict, Code: "assist_state", Message: "The session is not in a state that allows this."}
	case errors.Is(err, assist.ErrNoRecording):
		return &Error{Status: http.StatusNotFound, Code: "assist_no_recording", Message: "This session was not recorded."}
	}
	return FaultError(err)
}

// UploadError maps an uploaded file's refusal, or any other support error.
func UploadError(err error) error {
	if errors.Is(err, support.ErrUploadType) {
		return &Error{Status: http.StatusUnsupportedMediaType, Code: "file_type", Field: "file", Message: "Send a picture (PNG, JPEG, GIF, WebP), a PDF or a text file."}
	}
	return SupportError(err)
}

// IdentityError maps the identity service's errors to client errors. The
// messages never say whether an account exists.
func IdentityError(err error) error {
	var fe *identity.FieldError
	var rl *identity.RateLimitedError
	var busy *identity.BusyError
	switch {
	case errors.As(err, &fe):
		e := &Error{Status: http.StatusBadRequest, Code: fe.Code, Message: fe.Message, Field: fe.Field}
		if len(fe.Details) > 1 {
			// Every broken rule at once; the message says them all too, for
			// a client that shows only the message.
			msgs := make([]string, len(fe.Details))
			for i, d := range fe.Details {
				e.Details = append(e.Details, ErrorDetail{Field: d.Field, Code: d.Code, Message: d.Message})
				msgs[i] = d.Message
			}
			e.Message = strings.Join(msgs, " ")
		}
		return e
	case errors.As(err, &rl):
		return &Error{Status: http.StatusTooManyRequests, Code: "rate_limited", Message: "Too many attempts. Wait a little and try again.", RetryAfter: rl.RetryAfter}
	case errors.As(err, &busy):
		return &Error{Status: http.StatusServiceUnavailable, Code: "busy", Message: "We are handling many sign-ins right now. Try again in a moment.", RetryAfter: busy.RetryAfter}
	case errors.Is(err, risk.ErrSecondApprover):
		return &Error{Status: http.StatusForbidden, Code: "second_approver_required", Message: "You have reached the hourly limit of reveals. Ask a security officer to approve more before revealing again."}
	case errors.Is(err, identity.ErrSignInBlocked):
		return &Error{Status: http.StatusForbidden, Code: "sign_in_blocked", Message: "We stopped this sign-in to protect your account and sent you an e-mail. If it was you, reset your password to get back in, or contact support."}
	case errors.Is(err, identity.ErrRiskRefused):
		return &Error{Status: http.StatusForbidden, Code: "risk_refused", Message: "For your safety we could not accept this from here, and we have sent you an e-mail. Try again from the network you usually use, or contact support."}
	case errors.Is(err, identity.ErrInvalidCredentials):
		return &Error{Status: http.StatusUnauthorized, Code: "invalid_credentials", Message: "The e-mail address or password is not correct."}
	case errors.Is(err, identity.ErrInvalidCode):
		return &Error{Status: http.StatusBadRequest, Code: "invalid_code", Message: "The code or link is not valid or has expired. Ask for a new one."}
	case errors.Is(err, identity.ErrEmailNotVerified):
		return &Error{Status: http.StatusForbidden, Code: "email_not_verified", Message: "Confirm your e-mail address first: we have sent you a new code."}
	case errors.Is(err, identity.ErrResetRequired):
		return &Error{Status: http.StatusForbidden, Code: "password_reset_required", Message: "Choose a new password before signing in: we have sent you a reset e-mail."}
	case errors.Is(err, identity.ErrWrongPassword):
		return &Error{Status: http.StatusBadRequest, Code: "wrong_password", Message: "Your current password is not correct.", Field: "current_password"}
	case errors.Is(err, identity.ErrUnauthenticated):
		return ErrUnauthenticated
	case errors.Is(err, identity.ErrChallengeInvalid):
		return &Error{Status: http.StatusUnauthorized, Code: "challenge_invalid", Message: "This sign-in has expired or had too many wrong codes. Sign in again."}
	case errors.Is(err, identity.ErrStepUpRequired):
		return &Error{Status: http.StatusUnauthorized, Code: "step_up_required", Message: "For your security, confirm it is you: enter your password again."}
	case errors.Is(err, identity.ErrSecondFactorRequired):
		return &Error{Status: http.StatusUnauthorized, Code: "second_factor_required", Message: "Confirm with your second sign-in step as well.", Field: "code"}
	case errors.Is(err, identity.ErrMethodUnavailable), errors.Is(err, mfa.ErrUnavailable):
		return &Error{Status: http.StatusBadRequest, Code: "method_unavailable", Message: "This sign-in method is not available for your account.", Field: "method"}
	case errors.Is(err, mfa.ErrNoEnrolment):
		return &Error{Status: http.StatusConflict, Code: "no_enrolment", Message: "Start adding the sign-in method first."}
	case errors.Is(err, mfa.ErrLastFactor):
		return &Error{Status: http.StatusConflict, Code: "last_factor", Message: "Your account must keep a second sign-in step: add another before removing this one."}
	case errors.Is(err, mfa.ErrNotSent):
		return &Error{Status: http.StatusServiceUnavailable, Code: "not_sent", Message: "We could not send the code just now. Try again in a moment, or use another method.", RetryAfter: 30 * time.Second}
	case errors.Is(err, mfa.ErrRecoveryState):
		return &Error{Status: http.StatusConflict, Code: "invalid_state", Message: "The request is not in a state that allows this."}
	case errors.Is(err, mfa.ErrSelfAction):
		return &Error{Status: http.StatusForbidden, Code: "self_action", Message: "Someone else must do this: you cannot act on your own request or approval."}
	case errors.Is(err, mfa.ErrChecklistIncomplete):
		return &Error{Status: http.StatusConflict, Code: "checklist_incomplete", Message: "Record at least two different identity checks before approving."}
	}
	return FaultError(err)
}

// SupportError maps the support desk's errors to client answers.
func SupportError(err error) error {
	switch {
	case errors.Is(err, support.ErrClosed):
		return &Error{Status: http.StatusConflict, Code: "conversation_closed", Message: "This conversation is closed. Start a new one."}
	case errors.Is(err, support.ErrNotAgent):
		return &Error{Status: http.StatusBadRequest, Code: "not_an_agent", Field: "agent", Message: "Choose an agent of the desk."}
	}
	return FaultError(err)
}

// KBError turns a knowledge-base error into one the client may see.
func KBError(err error) error {
	var fe *kb.FlowError
	switch {
	case errors.Is(err, kb.ErrFileType):
		return &Error{Status: http.StatusUnsupportedMediaType, Code: "file_type", Field: "file", Message: "Send a picture (PNG, JPEG, GIF, WebP) or a PDF file."}
	case errors.Is(err, kb.ErrFileTooLarge):
		return &Error{Status: http.StatusRequestEntityTooLarge, Code: "file_too_large", Field: "file", Message: "Send a file of at most 5 MB."}
	case errors.As(err, &fe):
		return &Error{Status: http.StatusBadRequest, Code: "invalid_flow", Field: "definition", Message: "The guide has problems: " + fe.Problems[0].String() + "."}
	}
	return FaultError(err)
}

// FaultError maps the error kinds the feature packages share (package
// fault) to client answers, once for all of them: refused input is 400 with
// the field and its reason, a missing thing is 404. Anything else is
// returned as it is.
func FaultError(err error) error {
	var inv *fault.Invalid
	switch {
	case errors.As(err, &inv):
		return &Error{Status: http.StatusBadRequest, Code: "invalid_" + inv.Field, Field: inv.Field, Message: SentenceCase(inv.Reason) + "."}
	case errors.Is(err, fault.ErrNotFound):
		return ErrNotFound
	}
	return err
}

// PrivacyError maps data-protection outcomes (exports, closures, consents) to client
// answers; identity's (a step-up needed) and the shared kinds as usual.
func PrivacyError(err error) error {
	switch {
	case errors.Is(err, privacy.ErrExportRunning):
		return &Error{Status: http.StatusConflict, Code: "export_in_progress", Message: "Your data is already being prepared. We will e-mail you when it is ready."}
	case errors.Is(err, privacy.ErrNotReady):
		return &Error{Status: http.StatusConflict, Code: "export_not_ready", Message: "Your data is still being prepared. Try again in a moment."}
	case errors.Is(err, privacy.ErrGone):
		return &Error{Status: http.StatusGone, Code: "export_gone", Message: "This download was used already or has expired. Ask for your data again."}
	case errors.Is(err, privacy.ErrClosing):
		return &Error{Status: http.StatusConflict, Code: "already_closing", Message: "Your account is already set to close."}
	case errors.Is(err, privacy.ErrNotClosing):
		return &Error{Status: http.StatusConflict, Code: "not_closing", Message: "This account is not set to close, or the link was used already."}
	case errors.Is(err, consent.ErrStale):
		return &Error{Status: http.StatusConflict, Code: "notice_changed", Message: "The notice changed since it was shown. Read the new version and choose again."}
	case errors.Is(err, consent.ErrGPC):
		return &Error{Status: http.StatusConflict, Code: "gpc_objection", Field: "consent",
			Message: "Your browser sends the Global Privacy Control signal, which we honour as a no to analytics."}
	case errors.Is(err, privacy.ErrStaffAccount):
		return &Error{Status: http.StatusForbidden, Code: "staff_account", Message: "Staff accounts are closed by an administrator."}
	}
	return IdentityError(err)
}
