package privacy

import pd "github.com/frontdesk/frontdesk/internal/personaldata"

// PersonalData declares privacy's own tables and files.
func PersonalData() pd.Set {
	return pd.Set{Owner: "internal/privacy", Tables: []pd.Table{
		{Name: "privacy_exports", Subject: "account_id = ?", Purpose: "Giving customers a copy of their data (GDPR 15, 20)",
			Basis: pd.LegalObligation, Retention: "The request until erasure; the file until downloaded or expired.",
			Personal: map[string]pd.Category{"account_id": pd.Identity, "locale": pd.Identity},
			Other: []string{"id", "status", "requested_by", "done", "total", "size", "created_at", "lease_until", "finished_at",
				"expires_at", "downloaded_at"}},
		{Name: "privacy_closures", Subject: "account_id = ?", Purpose: "Closing an account after its cool-off (GDPR 17)",
			Basis: pd.LegalObligation, Retention: "Until the account is erased or the closure cancelled.",
			Personal: map[string]pd.Category{"account_id": pd.Identity, "cancel_hash": pd.Credential},
			Other:    []string{"requested_at", "closes_at"}},
		{Name: "privacy_holds", Subject: "account_id = ?", Purpose: "Keeping what the law requires although erasure was asked",
			Basis: pd.LegalObligation, Erasure: pd.Keep, Retention: "Until the hold's end date.",
			Personal: map[string]pd.Category{"account_id": pd.Identity},
			Other:    []string{"id", "tables", "reason", "until_at", "created_by", "created_at", "released_at"}},
		{Name: "privacy_held_rows", Subject: "hold_id IN (SELECT id FROM privacy_holds WHERE account_id = ?)",
			Purpose: "Keeping what the law requires although erasure was asked", Basis: pd.LegalObligation, Erasure: pd.Keep,
			Retention: "Until the hold's end date; then deleted and the hold's key destroyed.",
			AAD:       func(_ string, r pd.Row) []byte { return heldAAD(r["hold_id"], r["seq"]) },
			Personal:  map[string]pd.Category{"row_sealed": pd.Content}, Other: []string{"hold_id", "seq", "table_name"}},
		{Name: "privacy_requests", Subject: "account_id = ?", Purpose: "Answering data-subject requests within the legal deadlines (GDPR 12, 15-21; CCPA)",
			Basis: pd.LegalObligation, Erasure: pd.Shred,
			Retention: "Kept as evidence of the answer; what the customer wrote and the answer are sealed with their key and shredded by erasure.",
			Personal:  map[string]pd.Category{"account_id": pd.Identity, "details_sealed": pd.Content, "answer_sealed": pd.Content},
			Other: []string{"id", "kind", "channel", "regime", "status", "received_at", "due_at", "extended_at", "extension_reason",
				"identity_check", "conversation_id", "export_id", "hold_id", "outcome", "answered_at", "answered_by", "reminded",
				"created_by", "created_at"}},
		{Name: "privacy_incidents", Purpose: "The register of personal-data breaches (GDPR 33(5))", Basis: pd.LegalObligation,
			Retention: "Kept as the register requires; holds no customer's personal data.",
			Other: []string{"id", "title", "description", "aware_at", "occurred_at", "categories", "people", "records", "consequences",
				"measures", "risk", "authority_at", "authority_ref", "notice_en", "notice_vi", "notice_zh", "reminded", "created_by",
				"created_at", "updated_at"}},
		{Name: "privacy_incident_notices", Subject: "account_id = ?", Purpose: "Telling affected customers of a breach (GDPR 34)",
			Basis: pd.LegalObligation, Retention: "With the incident; erasure deletes the customer's deliveries (the audit trail keeps that they were sent).",
			Personal: map[string]pd.Category{"account_id": pd.Identity, "locale": pd.Identity},
			Other:    []string{"incident_id", "status", "attempts", "queued_at", "sent_at", "error"}},
		{Name: "privacy_leases", Purpose: "Running the privacy deadlines job on one node", Basis: pd.LegitimateInterests,
			Retention: "One row per job.", Other: []string{"job", "holder", "until"}},
		{Name: "privacy_retention_runs", Other: []string{"id", "started_at", "finished_at", "dry_run", "status", "node", "started_by",
			"report", "error"}},
		{Name: "privacy_retention_lease", Other: []string{"id", "holder", "until"}},
		{Name: "privacy_inactive_warnings", Subject: "account_id = ?", Purpose: "Warning a customer before their inactive account is closed",
			Basis: pd.LegitimateInterests, Retention: "Until the customer signs in or the account is closed.",
			Personal: map[string]pd.Category{"account_id": pd.Identity}, Other: []string{"warned_at", "closes_at"}},
	}, Policies: []pd.Policy{
		// Off until the business sets a period: closing accounts for
		// inactivity is a decision of its own.
		{Class: "inactive_accounts", Title: "Customer accounts not signed in to", Days: 0, Table: "accounts", Key: "id",
			Age: "COALESCE(accounts.last_active_at, accounts.created_at)",
			Where: "accounts.kind = 'customer' AND accounts.status = 'active'" +
				" AND NOT EXISTS (SELECT 1 FROM privacy_closures c WHERE c.account_id = accounts.id)",
			Account: "accounts.id", Action: pd.CloseAccount},
	}, Files: []pd.File{{Pattern: "exports/*.zip.sealed", Category: pd.Content, Purpose: "Giving customers a copy of their data",
		Basis: pd.LegalObligation, Retention: "Until downloaded (once) or expired (7 days by default).",
		Erasure: "Sealed with the customer's data key; erasure deletes the file and destroys the key."}}}
}
