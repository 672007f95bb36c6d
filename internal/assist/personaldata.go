package assist

import (
	"fmt"

	pd "github.com/frontdesk/frontdesk/internal/personaldata"
)

// bySession selects the rows of a customer's remote-assistance sessions.
const bySession = "session_id IN (SELECT id FROM assist_sessions WHERE customer_id = ?)"

// PersonalData declares the personal data of remote assistance (see
// internal/personaldata): sessions, their timelines and recordings, the
// archives recordings move to, organisations and agents' identity cards.
func PersonalData() pd.Set {
	const assist = "Remote assistance the customer consented to"
	const kept = "See the recordings retention policy; erased with the account."
	return pd.Set{Owner: "internal/assist", Tables: []pd.Table{
		{Name: "customer_orgs", Other: []string{"id", "name", "plan", "created_at", "updated_at"}},
		{Name: "assist_templates", Other: []string{"id", "org_id", "name", "max_level", "max_duration_s", "recording",
			"masked_selectors", "is_default", "created_at", "updated_at"}},
		{Name: "customer_org_members", Subject: "account_id = ?", Purpose: "Remote-assistance plan of the customer's organisation",
			Basis: pd.Contract, Retention: "While the customer belongs to the organisation.",
			Personal: map[string]pd.Category{"account_id": pd.Identity}, Other: []string{"org_id", "admin", "template_id", "created_at"}},
		{Name: "assist_agent_profiles", Subject: "account_id = ?", Purpose: "Showing the agent's identity card to the customer",
			Basis: pd.Contract, Retention: "While the person is an agent.",
			Personal: map[string]pd.Category{"account_id": pd.Identity, "staff_number": pd.Identity, "department": pd.Identity,
				"photo": pd.Identity},
			Other: []string{"updated_at"}},
		{Name: "assist_sessions", Subject: "customer_id = ?", Purpose: assist, Basis: pd.Consent, Retention: kept,
			Personal: map[string]pd.Category{"customer_id": pd.Identity, "summary_sealed": pd.Content, "code_hash": pd.Credential,
				"code_salt": pd.Credential, "card": pd.Identity, "archive_path": pd.Recording},
			Other: []string{"id", "kind", "conversation_id", "agent_id", "state", "level", "max_level", "recording", "max_duration_s",
				"idle_timeout_s", "masked_selectors", "created_at", "invite_expires_at", "started_at", "ends_at", "warn_at", "warned_at",
				"last_activity_at", "idle_at", "paused_at", "ended_at", "end_reason", "outcome", "report_due", "recorded_bytes",
				"recorded_entries", "archived_at"}},
		{Name: "assist_timeline", Subject: bySession, Purpose: assist, Basis: pd.Consent, Retention: kept,
			Personal: map[string]pd.Category{"event": pd.SecurityLog, "actor": pd.Identity},
			Other:    []string{"session_id", "seq", "at", "level"}},
		{Name: "assist_action_counts", Subject: bySession, Purpose: assist, Basis: pd.Consent, Retention: kept,
			Personal: map[string]pd.Category{"action": pd.SecurityLog}, Other: []string{"session_id", "allowed", "refused"}},
		{Name: "assist_masked_nodes", Subject: bySession, Purpose: assist, Basis: pd.Consent, Retention: kept,
			Personal: map[string]pd.Category{"node_id": pd.Recording}, Other: []string{"session_id"}},
		{Name: "assist_tickets", Subject: bySession, Purpose: assist, Basis: pd.Consent, Retention: "Seconds: until used or expired.",
			Personal: map[string]pd.Category{"ticket_hash": pd.Credential, "account_id": pd.Identity},
			Other:    []string{"session_id", "party", "expires_at", "used_at"}},
		{Name: "assist_chunks", Subject: bySession, Purpose: assist, Basis: pd.Consent, Retention: kept,
			Retain: "recordings", RetainKey: "session_id",
			AAD: func(_ string, r pd.Row) []byte {
				return chunkAAD(fmt.Sprint(r["session_id"]), int(toInt(r["seq"])))
			},
			Personal: map[string]pd.Category{"data_sealed": pd.Recording}, Files: []string{"data_sealed"},
			Other: []string{"session_id", "seq", "first_at", "last_at", "entries"}},
	}, Files: []pd.File{{Pattern: "recordings/*/*.fdrec", Category: pd.Recording, Purpose: assist, Basis: pd.Consent,
		Retention: kept, Erasure: "Sealed with the customer's data key; erasure deletes the file and destroys the key."}},
		Policies: []pd.Policy{{Class: "recordings", Title: "Remote-assistance recordings", Days: 180, Table: "assist_sessions",
			Key: "id", Age: "assist_sessions.ended_at",
			Where: "assist_sessions.state = 'ended' AND (assist_sessions.archive_path IS NOT NULL" +
				" OR EXISTS (SELECT 1 FROM assist_chunks x WHERE x.session_id = assist_sessions.id))",
			Update: "archive_path = NULL", Account: "assist_sessions.customer_id", Action: pd.PurgeRows}}}
}

func toInt(v any) int64 {
	switch n := v.(type) {
	case int64:
		return n
	case int32:
		return int64(n)
	case int:
		return int64(n)
	}
	return 0
}
