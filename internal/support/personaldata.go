package support

import (
	"fmt"

	pd "github.com/frontdesk/frontdesk/internal/personaldata"
)

// The subject conditions of the desk's tables: a customer's contact, their
// conversations, and what hangs off those.
const (
	contactOf      = "account_id = ?"
	byContact      = "contact_id IN (SELECT id FROM support_contacts WHERE account_id = ?)"
	inConversation = "conversation_id IN (SELECT c.id FROM conversations c JOIN support_contacts k ON k.id = c.contact_id WHERE k.account_id = ?)"
)

// PersonalData declares the personal data of the support desk (see
// internal/personaldata): contacts, conversations and everything in them,
// calls, surveys and complaints, and the agents' display names.
func PersonalData() pd.Set {
	const desk = "Answering the customer's support requests"
	const kept = "See the closed-conversation retention policy; erased with the account."
	const closed = "closed_conversations"
	return pd.Set{Owner: "internal/support", Tables: []pd.Table{
		{Name: "support_contacts", Subject: contactOf, Purpose: desk, Basis: pd.Contract, Retention: kept,
			Personal: map[string]pd.Category{"account_id": pd.Identity, "email_index": pd.Contact, "email_sealed": pd.Contact,
				"name_sealed": pd.Identity, "locale": pd.Identity},
			Other: []string{"id", "key_subject", "created_at"}},
		{Name: "conversations", Subject: byContact, Retain: closed, Purpose: desk, Basis: pd.Contract, Retention: kept,
			Personal: map[string]pd.Category{"contact_id": pd.Identity, "subject_sealed": pd.Content, "language": pd.Identity,
				"external_ref": pd.Contact},
			Other: []string{"id", "channel", "status", "priority", "category", "team_id", "assignee_id", "merged_into", "created_at",
				"updated_at", "last_message_at", "first_response_at", "first_response_due", "resolution_due", "resolved_at", "breached",
				"message_count", "customer_read_seq", "agent_read_seq", "bot_active", "bot_answers"}},
		{Name: "conversation_messages", Subject: inConversation, Retain: closed, RetainKey: "conversation_id", Purpose: desk, Basis: pd.Contract, Retention: kept,
			Personal: map[string]pd.Category{"body_sealed": pd.Content, "author_id": pd.Identity},
			Other:    []string{"conversation_id", "seq", "id", "kind", "client_id", "created_at"}},
		{Name: "conversation_tags", Subject: inConversation, Retain: closed, RetainKey: "conversation_id", Purpose: desk, Basis: pd.Contract, Retention: kept,
			Personal: map[string]pd.Category{"tag": pd.Content}, Other: []string{"conversation_id"}},
		{Name: "conversation_search", Subject: inConversation, Retain: closed, RetainKey: "conversation_id", Purpose: "Finding conversations in the inbox",
			Basis: pd.LegitimateInterests, Retention: kept,
			Personal: map[string]pd.Category{"token": pd.Content}, Other: []string{"conversation_id"}},
		{Name: "conversation_email", Subject: inConversation, Retain: closed, RetainKey: "conversation_id", Purpose: desk, Basis: pd.Contract, Retention: kept,
			Personal: map[string]pd.Category{"message_id": pd.Contact}, Other: []string{"conversation_id", "inbound", "created_at"}},
		{Name: "conversation_attachments", Subject: inConversation, Retain: closed, RetainKey: "conversation_id", Purpose: desk, Basis: pd.Contract, Retention: kept,
			Personal: map[string]pd.Category{"filename_sealed": pd.Content, "data_sealed": pd.Content, "content_type": pd.Content},
			Files:    []string{"data_sealed"},
			Other:    []string{"id", "conversation_id", "message_id", "size", "created_at"}},
		{Name: "support_calls", Subject: inConversation, Retain: closed, RetainKey: "conversation_id", Purpose: desk, Basis: pd.Contract, Retention: kept,
			Personal: map[string]pd.Category{"number_sealed": pd.Contact, "notes_sealed": pd.Content},
			Other:    []string{"id", "conversation_id", "agent_id", "direction", "duration_s", "outcome", "created_at"}},
		{Name: "support_surveys", Subject: inConversation, Retain: closed, RetainKey: "conversation_id", Purpose: "Measuring satisfaction with support",
			Basis: pd.LegitimateInterests, Retention: kept,
			AAD: func(col string, r pd.Row) []byte {
				return []byte("support_surveys.comment:" + fmt.Sprint(r["conversation_id"]))
			},
			Personal: map[string]pd.Category{"token_hash": pd.Credential, "score": pd.Content, "comment_sealed": pd.Content,
				"stayed_solved": pd.Content},
			Other: []string{"conversation_id", "sent_at", "answered_at", "followup_due", "followup_sent_at", "followup_at"}},
		{Name: "support_complaints", Subject: byContact, Purpose: "Handling complaints", Basis: pd.LegalObligation,
			Retention: kept,
			Personal:  map[string]pd.Category{"contact_id": pd.Identity, "body_sealed": pd.Content, "resolution_sealed": pd.Content},
			Other: []string{"id", "conversation_id", "assist_id", "occurred_at", "status", "assignee_id", "due_at", "created_at",
				"resolved_at"}},
		{Name: "support_agents", Subject: "account_id = ?", Purpose: "Showing staff to customers by name; routing",
			Basis: pd.Contract, Retention: "While the person is an agent.",
			Personal: map[string]pd.Category{"account_id": pd.Identity, "display_name": pd.Identity, "seen_at": pd.SecurityLog},
			Other:    []string{"languages", "away", "max_open", "assigned_seq"}},
		{Name: "support_team_members", Subject: "account_id = ?", Purpose: "Routing", Basis: pd.Contract,
			Retention: "While the person is an agent.",
			Personal:  map[string]pd.Category{"account_id": pd.Identity}, Other: []string{"team_id"}},
		{Name: "support_teams", Other: []string{"id", "name", "created_at"}},
		{Name: "support_categories", Other: []string{"id", "name_en", "name_vi", "name_zh", "position", "archived"}},
		{Name: "support_sla", Other: []string{"priority", "first_response", "resolution", "business_hours"}},
		{Name: "support_hours", Other: []string{"weekday", "open_min", "close_min"}},
		{Name: "support_settings", Other: []string{"id", "time_zone", "mail_lease_owner", "mail_lease_until"}},
		{Name: "canned_replies", Other: []string{"id", "title", "body", "language", "created_by", "created_at"}},
		{Name: "webhook_deliveries", Other: []string{"id", "seen_at"}},
	}, Policies: []pd.Policy{
		// A conversation a complaint or a remote-assistance session points
		// to stays: complaints have their own legal retention, and a
		// session's recording its own policy.
		{Class: closed, Title: "Resolved and closed conversations", Days: 3 * 365, Table: "conversations", Key: "id",
			Age: "conversations.updated_at",
			Where: "conversations.status IN ('resolved', 'closed')" +
				" AND NOT EXISTS (SELECT 1 FROM support_complaints x WHERE x.conversation_id = conversations.id)" +
				" AND NOT EXISTS (SELECT 1 FROM assist_sessions x WHERE x.conversation_id = conversations.id)" +
				" AND NOT EXISTS (SELECT 1 FROM conversations x WHERE x.merged_into = conversations.id)",
			Account: "(SELECT k.account_id FROM support_contacts k WHERE k.id = conversations.contact_id)", Action: pd.PurgeRows},
	}}
}
