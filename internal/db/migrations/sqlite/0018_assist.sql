-- Remote assistance (internal/assist): customer organisations and their
-- plans, permission templates, agents' identity cards, sessions with their
-- timeline, action counts, masked nodes, join tickets, and recordings in
-- sealed chunks until they are archived to files.

-- A company with several customer accounts, on a plan. Remote assistance
-- is offered from the professional plan up.
CREATE TABLE customer_orgs (
	id         TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	plan       TEXT NOT NULL CHECK (plan IN ('basic', 'professional', 'enterprise')),
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL
);

-- What an enterprise organisation's admins allow their members' sessions:
-- never more than the platform's limits.
CREATE TABLE assist_templates (
	id               TEXT PRIMARY KEY,
	org_id           TEXT NOT NULL REFERENCES customer_orgs (id) ON DELETE CASCADE,
	name             TEXT NOT NULL,
	max_level        TEXT NOT NULL CHECK (max_level IN ('view', 'guided', 'control')),
	max_duration_s   INTEGER NOT NULL,
	recording        BOOLEAN NOT NULL,
	masked_selectors TEXT NOT NULL DEFAULT '',
	is_default       BOOLEAN NOT NULL DEFAULT FALSE,
	created_at       TIMESTAMP NOT NULL,
	updated_at       TIMESTAMP NOT NULL,
	UNIQUE (org_id, name)
);

-- One organisation per customer account; admin members manage templates.
CREATE TABLE customer_org_members (
	account_id  TEXT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
	org_id      TEXT NOT NULL REFERENCES customer_orgs (id) ON DELETE CASCADE,
	admin       BOOLEAN NOT NULL DEFAULT FALSE,
	template_id TEXT REFERENCES assist_templates (id) ON DELETE SET NULL,
	created_at  TIMESTAMP NOT NULL
);
CREATE INDEX customer_org_members_org ON customer_org_members (org_id);

-- The identity card of an agent beyond the desk's display name.
CREATE TABLE assist_agent_profiles (
	account_id   TEXT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
	staff_number TEXT NOT NULL,
	department   TEXT NOT NULL,
	photo        TEXT NOT NULL DEFAULT '',
	updated_at   TIMESTAMP NOT NULL
);

-- One remote-assistance session (kind assist) or one recording of the
-- customer's steps (kind steps). Deadlines are stored, not computed in SQL,
-- so the sweep reads the same on both databases. The verification code is
-- stored as a keyed hash only; the summary is sealed with the customer's key.
CREATE TABLE assist_sessions (
	id                TEXT PRIMARY KEY,
	kind              TEXT NOT NULL CHECK (kind IN ('assist', 'steps')),
	conversation_id   TEXT NOT NULL REFERENCES conversations (id),
	customer_id       TEXT NOT NULL REFERENCES accounts (id),
	agent_id          TEXT REFERENCES accounts (id),
	state             TEXT NOT NULL CHECK (state IN ('invited', 'active', 'paused', 'ended')),
	level             TEXT CHECK (level IN ('view', 'guided', 'control')),
	max_level         TEXT NOT NULL CHECK (max_level IN ('view', 'guided', 'control')),
	recording         BOOLEAN NOT NULL,
	max_duration_s    INTEGER NOT NULL,
	idle_timeout_s    INTEGER NOT NULL,
	masked_selectors  TEXT NOT NULL DEFAULT '',
	card              TEXT,
	code_salt         BLOB,
	code_hash         BLOB,
	created_at        TIMESTAMP NOT NULL,
	invite_expires_at TIMESTAMP,
	started_at        TIMESTAMP,
	ends_at           TIMESTAMP,
	warn_at           TIMESTAMP,
	warned_at         TIMESTAMP,
	last_activity_at  TIMESTAMP,
	idle_at           TIMESTAMP,
	paused_at         TIMESTAMP,
	ended_at          TIMESTAMP,
	end_reason        TEXT,
	summary_sealed    BLOB,
	outcome           TEXT,
	report_due        BOOLEAN NOT NULL DEFAULT FALSE,
	recorded_bytes    INTEGER NOT NULL DEFAULT 0,
	recorded_entries  INTEGER NOT NULL DEFAULT 0,
	archive_path      TEXT,
	archived_at       TIMESTAMP
);
CREATE INDEX assist_sessions_live ON assist_sessions (state) WHERE state <> 'ended';
CREATE INDEX assist_sessions_conversation ON assist_sessions (conversation_id, created_at);
CREATE INDEX assist_sessions_customer ON assist_sessions (customer_id, created_at);
CREATE INDEX assist_sessions_report ON assist_sessions (ended_at) WHERE report_due;
CREATE INDEX assist_sessions_unarchived ON assist_sessions (ended_at) WHERE state = 'ended' AND archived_at IS NULL AND recorded_entries > 0;

-- What happened when: consents, level changes, pauses, warnings, the end.
CREATE TABLE assist_timeline (
	session_id TEXT NOT NULL REFERENCES assist_sessions (id) ON DELETE CASCADE,
	seq        INTEGER NOT NULL,
	at         TIMESTAMP NOT NULL,
	event      TEXT NOT NULL,
	level      TEXT,
	actor      TEXT NOT NULL,
	PRIMARY KEY (session_id, seq)
);

-- Agent actions allowed and refused, per kind of action.
CREATE TABLE assist_action_counts (
	session_id TEXT NOT NULL REFERENCES assist_sessions (id) ON DELETE CASCADE,
	action     TEXT NOT NULL,
	allowed    INTEGER NOT NULL DEFAULT 0,
	refused    INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (session_id, action)
);

-- rrweb node ids the customer's script reports as masked: agent clicks and
-- typing aimed at them are refused.
CREATE TABLE assist_masked_nodes (
	session_id TEXT NOT NULL REFERENCES assist_sessions (id) ON DELETE CASCADE,
	node_id    INTEGER NOT NULL,
	PRIMARY KEY (session_id, node_id)
);

-- Single-use, short-lived tickets that let a WebSocket join a session.
-- Only the SHA-256 of the 256-bit ticket is stored.
CREATE TABLE assist_tickets (
	ticket_hash BLOB PRIMARY KEY,
	session_id  TEXT NOT NULL REFERENCES assist_sessions (id) ON DELETE CASCADE,
	account_id  TEXT NOT NULL,
	party       TEXT NOT NULL CHECK (party IN ('customer', 'agent')),
	expires_at  TIMESTAMP NOT NULL,
	used_at     TIMESTAMP
);
CREATE INDEX assist_tickets_expiry ON assist_tickets (expires_at);

-- Recordings: gzip-compressed JSON Lines sealed with the customer's data
-- key, moved to an archive file after the retention period.
CREATE TABLE assist_chunks (
	session_id  TEXT NOT NULL REFERENCES assist_sessions (id) ON DELETE CASCADE,
	seq         INTEGER NOT NULL,
	first_at    TIMESTAMP NOT NULL,
	last_at     TIMESTAMP NOT NULL,
	entries     INTEGER NOT NULL,
	data_sealed BLOB NOT NULL,
	PRIMARY KEY (session_id, seq)
);
