-- Indexes for erasure (issue 18): each erasure deletes a customer's rows
-- from every table of the personal-data registry, and deleting the account
-- row checks the tables that refer to it. Without these, each of those
-- statements read its whole table, once per erased account.
CREATE INDEX support_complaints_contact ON support_complaints (contact_id);
CREATE INDEX support_complaints_conversation ON support_complaints (conversation_id);
CREATE INDEX pii_reveals_account ON pii_reveals (account_id);
CREATE INDEX assist_tickets_session ON assist_tickets (session_id);
CREATE INDEX support_team_members_account ON support_team_members (account_id);
CREATE INDEX mfa_codes_account ON mfa_codes (account_id);
CREATE INDEX webauthn_ceremonies_account ON webauthn_ceremonies (account_id);
CREATE INDEX oidc_rp_sessions_account ON oidc_rp_sessions (account_id);
CREATE INDEX oidc_auth_requests_account ON oidc_auth_requests (account_id);
CREATE INDEX privacy_incident_notices_account ON privacy_incident_notices (account_id);
CREATE INDEX service_accounts_created_by ON service_accounts (created_by);
CREATE INDEX assist_sessions_agent ON assist_sessions (agent_id);
