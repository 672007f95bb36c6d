package audit

import (
	"fmt"

	pd "github.com/frontdesk/frontdesk/internal/personaldata"
)

// PersonalData declares the audit trail's personal data (see
// internal/personaldata). Entries are never deleted: the chain must verify.
// Personal details are sealed with the subject's data key, which erasure
// destroys; what stays in clear names no one but by account id. The
// retention class audit_personal drops the sealed details of entries older
// than its period; the chain holds their digest, so it still verifies
// (entries written before the digest keep theirs until erasure).
func PersonalData() pd.Set {
	return pd.Set{Owner: "internal/audit", Tables: []pd.Table{
		{Name: "audit_log", Subject: "subject = 'account:' || ?", Purpose: "Tamper-evident record of every account change",
			Basis: pd.LegalObligation, Erasure: pd.Shred,
			Retention: "Kept as long as the business must keep its audit trail; personal details go after the audit_personal retention period, or are shredded by erasure.",
			AAD: func(_ string, r pd.Row) []byte {
				return []byte("audit_log.personal:" + fmt.Sprint(r["seq"]))
			},
			Personal: map[string]pd.Category{"actor_id": pd.Identity, "subject": pd.Identity, "source_ip": pd.Device,
				"user_agent": pd.Device, "personal": pd.SecurityLog, "target": pd.Identity},
			Other: []string{"seq", "at", "actor_kind", "actor_session", "action", "outcome", "request_id", "details", "personal_digest",
				"prev_hash", "hash"}},
		{Name: "audit_head", Other: []string{"id", "seq", "hash"}},
		{Name: "audit_checkpoints", Other: []string{"seq", "hash", "at", "key_id", "signature"}},
	}, Policies: []pd.Policy{{Class: "audit_personal", Title: "Personal details in audit entries", Days: PersonalRetentionDays,
		Table: "audit_log", Key: "audit_log.seq", Age: "audit_log.at",
		Where:  "audit_log.personal IS NOT NULL AND audit_log.personal_digest IS NOT NULL",
		Update: "personal = NULL", Account: "SUBSTR(audit_log.subject, 9)", Action: pd.PurgeRows}}}
}

// PersonalRetentionDays is the default period of the audit_personal class:
// five years, the record-keeping period banks commonly answer to (e.g. the
// EU anti-money-laundering directive, art. 40), after which an entry keeps
// who did what and when, by id, without the personal details.
const PersonalRetentionDays = 1825
