package notify

import pd "github.com/frontdesk/frontdesk/internal/personaldata"

// PersonalData declares the outbox (see internal/personaldata): without an
// SMTP server or SMS provider, messages are written as files.
func PersonalData() pd.Set {
	const purpose = "Delivering e-mail and text messages when no server or provider is configured (development)"
	const erase = "Erasure deletes every message addressed to the customer's e-mail address or phone number."
	return pd.Set{Owner: "internal/notify", Files: []pd.File{
		{Pattern: "outbox/*.eml", Category: pd.Contact, Purpose: purpose, Basis: pd.Contract,
			Retention: "Until the operator clears the outbox.", Erasure: erase},
		{Pattern: "outbox/*.sms.txt", Category: pd.Contact, Purpose: purpose, Basis: pd.Contract,
			Retention: "Until the operator clears the outbox.", Erasure: erase},
	}}
}
