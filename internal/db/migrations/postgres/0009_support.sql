-- The support desk: conversations on every channel in one inbox.
-- Free text (subjects, messages, notes, a visitor's name and e-mail) is
-- personal data: sealed with the contact's data key, found through keyed
-- search tokens.

-- Who wrote in: a customer account, or a visitor known by e-mail. Each
-- contact has a data-key subject: the account's for customers (erasing the
-- customer shreds their conversations too), its own for visitors.
CREATE TABLE support_contacts (
	id           TEXT PRIMARY KEY,
	account_id   TEXT UNIQUE,
	email_index  BYTEA UNIQUE,
	email_sealed BYTEA,
	name_sealed  BYTEA,
	key_subject  TEXT NOT NULL,
	locale       TEXT NOT NULL DEFAULT 'en',
	created_at   TIMESTAMPTZ NOT NULL
);

-- Teams of agents; an agent's languages, availability and cap.
CREATE TABLE support_teams (
	id         TEXT PRIMARY KEY,
	name       TEXT NOT NULL UNIQUE,
	created_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE support_agents (
	account_id       TEXT PRIMARY KEY,
	display_name     TEXT NOT NULL,
	languages        TEXT NOT NULL DEFAULT 'en',
	away             BOOLEAN NOT NULL DEFAULT FALSE,
	max_open         INTEGER NOT NULL DEFAULT 10,
	assigned_seq     INTEGER NOT NULL DEFAULT 0 -- round-robin: order of the last assignment
);
CREATE TABLE support_team_members (
	team_id    TEXT NOT NULL REFERENCES support_teams (id) ON DELETE CASCADE,
	account_id TEXT NOT NULL REFERENCES support_agents (account_id) ON DELETE CASCADE,
	PRIMARY KEY (team_id, account_id)
);

-- Problem categories (seeded below, editable), named per language.
CREATE TABLE support_categories (
	id       TEXT PRIMARY KEY,
	name_en  TEXT NOT NULL,
	name_vi  TEXT NOT NULL,
	name_zh  TEXT NOT NULL,
	position INTEGER NOT NULL,
	archived BOOLEAN NOT NULL DEFAULT FALSE
);
INSERT INTO support_categories (id, name_en, name_vi, name_zh, position) VALUES
	('forgotten_password', 'Forgotten password', 'Quên mật khẩu', '忘记密码', 1),
	('account_locked', 'Account locked', 'Tài khoản bị khóa', '账户被锁定', 2),
	('two_factor', 'Two-factor problem', 'Sự cố xác thực hai lớp', '双重验证问题', 3),
	('browser', 'Browser problem', 'Sự cố trình duyệt', '浏览器问题', 4),
	('server_error', 'Server error', 'Lỗi máy chủ', '服务器错误', 5),
	('billing', 'Card / billing', 'Thẻ / thanh toán', '银行卡 / 账单', 6),
	('other', 'Other', 'Khác', '其他', 7);

-- Targets per priority, in minutes (of business hours when business_hours
-- is set).
CREATE TABLE support_sla (
	priority          TEXT PRIMARY KEY CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
	first_response    INTEGER NOT NULL,
	resolution        INTEGER NOT NULL,
	business_hours    BOOLEAN NOT NULL DEFAULT TRUE
);
INSERT INTO support_sla (priority, first_response, resolution, business_hours) VALUES
	('low', 1440, 7200, TRUE),
	('normal', 240, 2880, TRUE),
	('high', 60, 480, TRUE),
	('urgent', 15, 240, FALSE);

-- Business hours: one row per weekday open (0 = Sunday), minutes after
-- midnight in the desk's time zone (support_settings).
CREATE TABLE support_hours (
	weekday    INTEGER PRIMARY KEY CHECK (weekday BETWEEN 0 AND 6),
	open_min   INTEGER NOT NULL,
	close_min  INTEGER NOT NULL
);
INSERT INTO support_hours (weekday, open_min, close_min) VALUES (1, 480, 1080), (2, 480, 1080), (3, 480, 1080), (4, 480, 1080), (5, 480, 1080);
CREATE TABLE support_settings (
	id        INTEGER PRIMARY KEY CHECK (id = 1),
	time_zone TEXT NOT NULL
);
INSERT INTO support_settings (id, time_zone) VALUES (1, 'UTC');

CREATE TABLE conversations (
	id                 TEXT PRIMARY KEY,
	contact_id         TEXT NOT NULL REFERENCES support_contacts (id),
	channel            TEXT NOT NULL CHECK (channel IN ('chat', 'email', 'phone', 'messaging', 'portal')),
	status             TEXT NOT NULL CHECK (status IN ('open', 'pending', 'resolved', 'closed')),
	priority           TEXT NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
	category           TEXT REFERENCES support_categories (id),
	team_id            TEXT REFERENCES support_teams (id),
	assignee_id        TEXT,
	language           TEXT NOT NULL,
	subject_sealed     BYTEA,
	merged_into        TEXT,
	created_at         TIMESTAMPTZ NOT NULL,
	updated_at         TIMESTAMPTZ NOT NULL,
	last_message_at    TIMESTAMPTZ NOT NULL,
	first_response_at  TIMESTAMPTZ,
	first_response_due TIMESTAMPTZ,
	resolution_due     TIMESTAMPTZ,
	resolved_at        TIMESTAMPTZ,
	breached           BOOLEAN NOT NULL DEFAULT FALSE,
	message_count      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX conversations_inbox ON conversations (status, last_message_at, id);
CREATE INDEX conversations_assignee ON conversations (assignee_id, status, last_message_at, id);
CREATE INDEX conversations_team ON conversations (team_id, status, last_message_at, id);
CREATE INDEX conversations_contact ON conversations (contact_id, last_message_at);
CREATE INDEX conversations_due ON conversations (status, first_response_due);

-- Messages in order. client_id makes a re-sent chat message a no-op.
CREATE TABLE conversation_messages (
	conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
	seq             INTEGER NOT NULL,
	id              TEXT NOT NULL UNIQUE,
	kind            TEXT NOT NULL CHECK (kind IN ('customer', 'agent', 'bot', 'system', 'note')),
	author_id       TEXT,
	client_id       TEXT,
	body_sealed     BYTEA NOT NULL,
	created_at      TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (conversation_id, seq),
	UNIQUE (conversation_id, client_id)
);

CREATE TABLE conversation_tags (
	conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
	tag             TEXT NOT NULL,
	PRIMARY KEY (conversation_id, tag)
);
CREATE INDEX conversation_tags_tag ON conversation_tags (tag);

-- Keyed hashes of the folded words of subjects and messages.
CREATE TABLE conversation_search (
	token           BYTEA NOT NULL,
	conversation_id TEXT NOT NULL,
	PRIMARY KEY (token, conversation_id)
);
CREATE INDEX conversation_search_conv ON conversation_search (conversation_id);

-- Canned replies; {{customer_name}} and {{agent_name}} are filled in.
CREATE TABLE canned_replies (
	id         TEXT PRIMARY KEY,
	title      TEXT NOT NULL,
	body       TEXT NOT NULL,
	language   TEXT NOT NULL,
	created_by TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL
);
