package mfa

import pd "github.com/frontdesk/frontdesk/internal/personaldata"

// PersonalData declares the personal data of second factors and assisted
// recovery (see internal/personaldata).
func PersonalData() pd.Set {
	const factors = "Second factors for signing in"
	return pd.Set{Owner: "internal/mfa", Tables: []pd.Table{
		{Name: "mfa_factors", Subject: "account_id = ?", Purpose: factors, Basis: pd.Contract,
			Retention: "Until removed or the account is erased.",
			Personal: map[string]pd.Category{"account_id": pd.Identity, "name": pd.Device, "secret_sealed": pd.Credential,
				"credential_id": pd.Credential, "last_used_at": pd.SecurityLog},
			Other: []string{"id", "kind", "confirmed_at", "last_step", "created_at"}},
		{Name: "recovery_codes", Subject: "account_id = ?", Purpose: factors, Basis: pd.Contract,
			Retention: "Until used, replaced or the account is erased.",
			Personal:  map[string]pd.Category{"account_id": pd.Identity, "code_hash": pd.Credential},
			Other:     []string{"id", "created_at", "used_at"}},
		{Name: "mfa_challenges", Subject: "account_id = ?", Purpose: factors, Basis: pd.Contract,
			Retention: "Minutes: until the sign-in finishes or expires.",
			Personal: map[string]pd.Category{"account_id": pd.Identity, "token_hash": pd.Credential, "client": pd.Device,
				"risk_decision": pd.SecurityLog, "risk_rule": pd.SecurityLog, "risk_signals": pd.SecurityLog},
			Other: []string{"id", "failures", "created_at", "expires_at", "finished_at", "methods"}},
		{Name: "mfa_codes", Subject: "account_id = ?", Purpose: factors, Basis: pd.Contract,
			Retention: "Minutes: until used or expired.",
			Personal:  map[string]pd.Category{"account_id": pd.Identity, "code_hash": pd.Credential},
			Other:     []string{"id", "bound_to", "channel", "attempts", "created_at", "expires_at", "used_at"}},
		{Name: "webauthn_ceremonies", Subject: "account_id = ?", Purpose: factors, Basis: pd.Contract,
			Retention: "Minutes: until the ceremony finishes or expires.",
			Personal:  map[string]pd.Category{"account_id": pd.Identity, "data": pd.Credential},
			Other:     []string{"id", "purpose", "expires_at"}},
		{Name: "recovery_requests", Subject: "account_id = ?", Purpose: "Support-assisted recovery of a lost second factor",
			Basis: pd.Contract, Retention: "Until the account is erased.",
			Personal: map[string]pd.Category{"account_id": pd.Identity, "message_sealed": pd.Content, "cancel_hash": pd.Credential,
				"reason": pd.Content},
			Other: []string{"id", "status", "created_at", "approved_by", "approved_at", "co_approved_by", "co_approved_at",
				"cooloff_until", "closed_by", "closed_at", "risk_decision", "risk_rule", "risk_signals"}},
		{Name: "recovery_checks", Subject: "request_id IN (SELECT id FROM recovery_requests WHERE account_id = ?)",
			Purpose: "Support-assisted recovery of a lost second factor", Basis: pd.Contract, Retention: "As long as its request.",
			Personal: map[string]pd.Category{"note_sealed": pd.Content}, Other: []string{"id", "request_id", "staff_id", "item", "method", "at"}},
	}}
}
