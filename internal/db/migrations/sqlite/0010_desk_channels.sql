-- The desk's channels and after-care: e-mail threading and attachments,
-- phone calls, messaging bridges, satisfaction surveys and follow-ups,
-- complaints.

-- Every Message-ID of a conversation's e-mails, ours and the customer's,
-- so a reply (In-Reply-To, References) finds its conversation.
CREATE TABLE conversation_email (
	message_id      TEXT PRIMARY KEY,
	conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
	inbound         BOOLEAN NOT NULL,
	created_at      TIMESTAMP NOT NULL
);
CREATE INDEX conversation_email_conv ON conversation_email (conversation_id, created_at);

-- Files attached to a message (e-mail attachments, chat uploads), sealed
-- with the contact's key.
CREATE TABLE conversation_attachments (
	id              TEXT PRIMARY KEY,
	conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
	message_id      TEXT NOT NULL,
	filename_sealed BLOB NOT NULL,
	content_type    TEXT NOT NULL,
	size            INTEGER NOT NULL,
	data_sealed     BLOB NOT NULL,
	created_at      TIMESTAMP NOT NULL
);
CREATE INDEX conversation_attachments_conv ON conversation_attachments (conversation_id);

-- Phone calls logged by agents.
CREATE TABLE support_calls (
	id              TEXT PRIMARY KEY,
	conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
	agent_id        TEXT NOT NULL,
	direction       TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),
	number_sealed   BLOB,
	duration_s      INTEGER NOT NULL,
	outcome         TEXT NOT NULL CHECK (outcome IN ('solved', 'follow_up', 'no_answer', 'voicemail', 'transferred')),
	notes_sealed    BLOB,
	created_at      TIMESTAMP NOT NULL
);
CREATE INDEX support_calls_conv ON support_calls (conversation_id, created_at);

-- A messaging bridge's conversation: the platform and its chat id.
ALTER TABLE conversations ADD COLUMN external_ref TEXT;
CREATE UNIQUE INDEX conversations_external ON conversations (external_ref);

-- Inbound webhook deliveries seen, against replays (kept past the
-- signature's time window).
CREATE TABLE webhook_deliveries (
	id      TEXT PRIMARY KEY,
	seen_at TIMESTAMP NOT NULL
);

-- The satisfaction survey sent on resolve, and the follow-up days later
-- asking whether the problem stayed solved. The link's token is hashed.
CREATE TABLE support_surveys (
	conversation_id  TEXT PRIMARY KEY REFERENCES conversations (id) ON DELETE CASCADE,
	token_hash       BLOB NOT NULL UNIQUE,
	sent_at          TIMESTAMP NOT NULL,
	score            INTEGER CHECK (score BETWEEN 1 AND 5),
	comment_sealed   BLOB,
	answered_at      TIMESTAMP,
	followup_due     TIMESTAMP NOT NULL,
	followup_sent_at TIMESTAMP,
	stayed_solved    BOOLEAN,
	followup_at      TIMESTAMP
);
CREATE INDEX support_surveys_followup ON support_surveys (followup_due);

-- Complaints about a conversation (or, later, a remote-assistance
-- session), for supervisors, with their own due time.
CREATE TABLE support_complaints (
	id              TEXT PRIMARY KEY,
	contact_id      TEXT NOT NULL REFERENCES support_contacts (id),
	conversation_id TEXT REFERENCES conversations (id),
	assist_id       TEXT,
	occurred_at     TIMESTAMP,
	body_sealed     BLOB NOT NULL,
	status          TEXT NOT NULL CHECK (status IN ('open', 'resolved')),
	assignee_id     TEXT,
	due_at          TIMESTAMP NOT NULL,
	resolution_sealed BLOB,
	created_at      TIMESTAMP NOT NULL,
	resolved_at     TIMESTAMP
);
CREATE INDEX support_complaints_open ON support_complaints (status, due_at);
