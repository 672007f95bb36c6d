package automation

import pd "github.com/frontdesk/frontdesk/internal/personaldata"

// PersonalData declares the tables of service accounts and API keys (see
// internal/personaldata). They hold no customer's data: a service account
// is not a person, and the staff member who made it is named by id, as
// custom roles name theirs.
func PersonalData() pd.Set {
	return pd.Set{Owner: "internal/automation", Tables: []pd.Table{
		{Name: "service_accounts", Other: []string{"id", "name", "description", "created_by", "created_at", "disabled_at"}},
		{Name: "service_account_roles", Other: []string{"service_account_id", "role"}},
		{Name: "api_keys", Other: []string{"id", "service_account_id", "name", "secret_hash", "scopes", "created_by", "created_at",
			"expires_at", "last_used_at", "revoked_at", "window_start", "window_calls"}},
		// An export's file holds every customer's personal data, sealed,
		// for an hour; the progress counts rows and names fields, not values.
		// Sealed with a system data key (not a customer's): erasing one
		// customer leaves it, and it is gone within the hour anyway.
		{Name: "admin_jobs", Purpose: "Handing an administrator's export file to the script that asked for it",
			Basis: pd.LegitimateInterests, Retention: "One hour after the export finishes; the job row a week.", Erasure: pd.Keep,
			Personal: map[string]pd.Category{"export_file": pd.Identity},
			Other: []string{"id", "kind", "owner", "format", "dry_run", "status", "reason", "progress", "started_at", "heartbeat_at",
				"finished_at", "file_expires_at"}},
	}}
}
