package consent

import (
	"fmt"

	pd "github.com/frontdesk/frontdesk/internal/personaldata"
)

// PersonalData declares the ledger's tables (see internal/personaldata).
// Records are never changed or deleted, not even by erasure: they are the
// proof of what the customer agreed to (GDPR 7(1)); erasure shreds their
// device details with the customer's key and leaves ids, choices and times.
func PersonalData() pd.Set {
	return pd.Set{Owner: "internal/consent", Tables: []pd.Table{
		{Name: "consent_notices", Other: []string{"id", "purpose", "version", "title_en", "title_vi", "title_zh", "body_en", "body_vi",
			"body_zh", "reconsent", "digest", "created_by", "created_at"}},
		{Name: "consent_records", Subject: "account_id = ?", Purpose: "Proving what each customer consented to, and when (GDPR 7(1))",
			Basis: pd.LegalObligation, Erasure: pd.Shred,
			Retention: "Kept for as long as the business must prove consent; erasure shreds the device details and leaves ids, choices and times.",
			Personal:  map[string]pd.Category{"account_id": pd.Identity, "recorded_by": pd.Identity, "device_sealed": pd.Device},
			Other: []string{"id", "seq", "purpose", "notice_id", "version", "choice", "channel", "created_at", "prev_hash", "receipt_hash",
				"signature"}},
		{Name: "consent_signups", Subject: "account_id = ?", Purpose: "Keeping a sign-up's choices until its e-mail address is verified",
			Basis: pd.Contract, Retention: "Until the registration is verified or expires.",
			AAD: func(_ string, r pd.Row) []byte {
				return []byte("consent_signups.device:" + fmt.Sprint(r["registration_id"]))
			},
			Personal: map[string]pd.Category{"account_id": pd.Identity, "choices": pd.Identity, "device_sealed": pd.Device},
			Other:    []string{"registration_id", "created_at"}},
	}}
}
