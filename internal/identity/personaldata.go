package identity

import (
	"fmt"

	pd "github.com/frontdesk/frontdesk/internal/personaldata"
)

// PersonalData declares the personal data identity keeps (see
// internal/personaldata): accounts, their sign-in secrets, sessions and
// history, registrations and the console's search tokens.
func PersonalData() pd.Set {
	const account = "Account and sign-in"
	sealedFor := func(field string) func(string, pd.Row) []byte {
		return func(_ string, r pd.Row) []byte { return []byte(field + ":" + fmt.Sprint(r["account_id"])) }
	}
	return pd.Set{Owner: "internal/identity", Tables: []pd.Table{
		{Name: "accounts", Subject: "id = ?", Purpose: account, Basis: pd.Contract,
			Retention: "Until the account is closed and erased.",
			Personal: map[string]pd.Category{"id": pd.Identity, "email_index": pd.Contact, "email_sealed": pd.Contact,
				"name_sealed": pd.Identity, "phone_sealed": pd.Contact, "locale": pd.Identity, "password_hash": pd.Credential,
				"last_active_at": pd.SecurityLog, "created_at": pd.Identity},
			Other: []string{"kind", "status", "password_changed_at", "must_change_password", "email_verified_at", "failed_logins",
				"locked_until", "updated_at", "mfa_enrol_required", "risk_recheck"}},
		{Name: "password_history", Subject: "account_id = ?", Purpose: "Refusing a recently used password (bank profile)",
			Basis: pd.LegitimateInterests, Retention: "The last passwords the policy compares with.",
			Personal: map[string]pd.Category{"account_id": pd.Identity, "password_hash": pd.Credential}, Other: []string{"created_at"}},
		{Name: "account_tokens", Subject: "account_id = ?", Purpose: "Verification, reset and unlock links",
			Basis: pd.Contract, Retention: "Until used or expired.",
			Personal: map[string]pd.Category{"account_id": pd.Identity, "code_hash": pd.Credential, "link_hash": pd.Credential},
			Other:    []string{"id", "purpose", "attempts", "created_at", "expires_at", "used_at"}},
		{Name: "sessions", Subject: "account_id = ?", Purpose: "Keeping the customer signed in; showing their devices",
			Basis: pd.Contract, Retention: "Until signed out or expired.", AAD: sealedFor("sessions.ip"),
			Personal: map[string]pd.Category{"account_id": pd.Identity, "token_hash": pd.Credential, "device": pd.Device, "ip_sealed": pd.Device},
			Other:    []string{"id", "client", "created_at", "auth_at", "last_seen_at", "expires_at", "aal", "amr", "must_enrol"}},
		{Name: "login_events", Subject: "account_id = ?", Purpose: "Sign-in history shown to the customer; fraud detection",
			Basis: pd.LegitimateInterests, Retention: "See the sign-in history retention policy.", AAD: sealedFor("login_events"), Retain: "sign_in_history",
			Personal: map[string]pd.Category{"account_id": pd.Identity, "at": pd.SecurityLog, "result": pd.SecurityLog,
				"device": pd.Device, "sealed": pd.Device, "decision": pd.SecurityLog, "rule": pd.SecurityLog, "signals": pd.SecurityLog},
			Other: []string{"id"}},
		{Name: "known_devices", Subject: "account_id = ?", Purpose: "New-device sign-in alerts",
			Basis: pd.LegitimateInterests, Retention: "Until the account is erased.",
			Personal: map[string]pd.Category{"account_id": pd.Identity, "device_key": pd.Device, "first_seen": pd.Device, "last_seen": pd.Device}},
		{Name: "auth_throttle", Purpose: "Slowing down password guessing per source address",
			Basis: pd.LegitimateInterests, Retention: "The throttle window (minutes to hours).", Erasure: pd.Keep,
			Personal: map[string]pd.Category{"key": pd.Device}, Other: []string{"failures", "window_start", "blocked_until"}},
		{Name: "auth_source_targets", Purpose: "Detecting one source trying many accounts (credential stuffing)",
			Basis: pd.LegitimateInterests, Retention: "The throttle window; the target is a keyed hash only.", Erasure: pd.Keep,
			Personal: map[string]pd.Category{"source": pd.Device, "target": pd.Contact}, Other: []string{"at"}},
		{Name: "account_search", Subject: "account_id = ?", Purpose: "Finding a customer in the console",
			Basis: pd.LegitimateInterests, Retention: "As long as the account.",
			Personal: map[string]pd.Category{"token": pd.Identity, "account_id": pd.Identity}, Other: []string{"field"}},
		{Name: "search_scheme", Other: []string{"id", "version"}},
		{Name: "setup_links", Other: []string{"id", "token_hash", "created_at", "expires_at", "used_at"}},
		{Name: "registrations", Subject: "account_id = ?", Purpose: account, Basis: pd.Contract,
			Retention: "Until verified or expired.",
			Personal: map[string]pd.Category{"account_id": pd.Identity, "secret_hash": pd.Credential, "link_hash": pd.Credential,
				"code_hash": pd.Credential, "password_hash": pd.Credential, "email_sealed": pd.Contact, "name_sealed": pd.Identity,
				"phone_sealed": pd.Contact, "locale": pd.Identity},
			Other: []string{"id", "attempts", "created_at", "expires_at"}},
		{Name: "remembered_devices", Subject: "account_id = ?", Purpose: "Skipping the second factor on a remembered browser",
			Basis: pd.Contract, Retention: "Until forgotten or expired.",
			Personal: map[string]pd.Category{"account_id": pd.Identity, "token_hash": pd.Credential, "device": pd.Device},
			Other:    []string{"id", "created_at", "last_used_at", "expires_at"}},
	}, Policies: []pd.Policy{
		{Class: "sign_in_history", Title: "Sign-in history", Days: 365, Table: "login_events", Key: "login_events.id", Age: "login_events.at",
			Account: "login_events.account_id", Action: pd.PurgeRows},
		{Class: "unverified_registrations", Title: "Registrations never verified", Days: 30, Table: "accounts", Key: "id",
			Age:     "COALESCE((SELECT MAX(r.created_at) FROM registrations r WHERE r.account_id = accounts.id), accounts.created_at)",
			Where:   "accounts.kind = 'customer' AND accounts.status = 'pending' AND accounts.email_verified_at IS NULL",
			Account: "accounts.id", Action: pd.EraseAccount},
	}}
}
