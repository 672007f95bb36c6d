package notify

import "errors"

// Sentinel errors returned (wrapped) by this package. Test with errors.Is.
var (
	// ErrInvalidConfig reports a Config that cannot be used.
	ErrInvalidConfig = errors.New("invalid mail configuration")

	// ErrHeaderInjection reports a header value (display name, address,
	// subject, Message-ID, In-Reply-To or References) that contains a CR, LF
	// or another control character, or is not valid UTF-8. Nothing is sent.
	ErrHeaderInjection = errors.New("control character in mail header")

	// ErrInvalidAddress reports an e-mail address that is not a plain
	// ASCII addr-spec such as "user@example.com".
	ErrInvalidAddress = errors.New("invalid e-mail address")

	// ErrInvalidMessageID reports a Message-ID, In-Reply-To or References
	// value that is not of the form "<left@right>".
	ErrInvalidMessageID = errors.New("invalid message id")

	// ErrUnknownTemplate reports a template name that has no templates.
	ErrUnknownTemplate = errors.New("unknown mail template")

	// ErrMissingField reports a required template data key that is absent
	// or empty.
	ErrMissingField = errors.New("missing template field")

	// ErrTLSUnavailable reports an SMTP server that does not offer STARTTLS
	// while the configuration requires it.
	ErrTLSUnavailable = errors.New("smtp server does not offer STARTTLS")

	// ErrAuthFailed reports that the SMTP server rejected the credentials
	// or offers no mechanism this package supports.
	ErrAuthFailed = errors.New("smtp authentication failed")
)
