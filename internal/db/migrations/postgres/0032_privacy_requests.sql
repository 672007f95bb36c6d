-- Data protection work (internal/privacy): the queue of data-subject
-- requests with their legal deadlines, and the register of personal-data
-- breaches with their notices.

-- A data-subject request (GDPR 15-21, CCPA): from the customer's privacy
-- page, a support conversation or an e-mail recorded by staff. The due
-- date follows the regime (GDPR one month, extendable by two more with a
-- reason; CCPA 45 days + 45). details and answer are sealed with the
-- customer's data key, so erasure shreds them and the record of the
-- request stays as evidence of the answer.
CREATE TABLE privacy_requests (
	id               TEXT PRIMARY KEY,
	account_id       TEXT NOT NULL,
	kind             TEXT NOT NULL CHECK (kind IN ('access', 'export', 'correction', 'erasure', 'objection')),
	channel          TEXT NOT NULL CHECK (channel IN ('portal', 'conversation', 'email')),
	regime           TEXT NOT NULL CHECK (regime IN ('gdpr', 'ccpa')),
	status           TEXT NOT NULL CHECK (status IN ('open', 'fulfilled', 'refused', 'withdrawn')),
	received_at      TIMESTAMP NOT NULL,
	due_at           TIMESTAMP NOT NULL,
	extended_at      TIMESTAMP,
	extension_reason TEXT NOT NULL DEFAULT '',
	identity_check   TEXT NOT NULL CHECK (identity_check IN ('none', 'signed_in', 'account_email', 'knowledge', 'document')),
	details_sealed   BYTEA,
	conversation_id  TEXT NOT NULL DEFAULT '',
	export_id        TEXT NOT NULL DEFAULT '',
	hold_id          TEXT NOT NULL DEFAULT '',
	outcome          TEXT NOT NULL DEFAULT '',
	answer_sealed    BYTEA,
	answered_at      TIMESTAMP,
	answered_by      TEXT NOT NULL DEFAULT '',
	reminded         INTEGER NOT NULL DEFAULT 0,
	created_by       TEXT NOT NULL,
	created_at       TIMESTAMP NOT NULL
);
CREATE INDEX privacy_requests_due ON privacy_requests (status, due_at);
CREATE INDEX privacy_requests_account ON privacy_requests (account_id);

-- A personal-data breach (GDPR 33, 34): what happened, when the business
-- became aware (the 72-hour clock for the supervisory authority starts
-- there), who and what is affected, the likely consequences and the
-- measures. No customer's personal data is written here.
CREATE TABLE privacy_incidents (
	id                TEXT PRIMARY KEY,
	title             TEXT NOT NULL,
	description       TEXT NOT NULL,
	aware_at          TIMESTAMP NOT NULL,
	occurred_at       TIMESTAMP,
	categories        TEXT NOT NULL,
	people            INTEGER NOT NULL DEFAULT 0,
	records           INTEGER NOT NULL DEFAULT 0,
	consequences      TEXT NOT NULL,
	measures          TEXT NOT NULL,
	risk              TEXT NOT NULL CHECK (risk IN ('none', 'risk', 'high')),
	authority_at      TIMESTAMP,
	authority_ref     TEXT NOT NULL DEFAULT '',
	notice_en         TEXT NOT NULL DEFAULT '',
	notice_vi         TEXT NOT NULL DEFAULT '',
	notice_zh         TEXT NOT NULL DEFAULT '',
	reminded          INTEGER NOT NULL DEFAULT 0,
	created_by        TEXT NOT NULL,
	created_at        TIMESTAMP NOT NULL,
	updated_at        TIMESTAMP NOT NULL
);
CREATE INDEX privacy_incidents_aware ON privacy_incidents (aware_at);

-- One notice to one affected customer, sent through the mail queue at a
-- bounded rate; each delivery is tracked.
CREATE TABLE privacy_incident_notices (
	incident_id TEXT NOT NULL REFERENCES privacy_incidents (id) ON DELETE CASCADE,
	account_id  TEXT NOT NULL,
	status      TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
	locale      TEXT NOT NULL,
	attempts    INTEGER NOT NULL DEFAULT 0,
	queued_at   TIMESTAMP NOT NULL,
	sent_at     TIMESTAMP,
	error       TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (incident_id, account_id)
);
CREATE INDEX privacy_incident_notices_status ON privacy_incident_notices (status, queued_at);
CREATE INDEX privacy_incident_notices_sent ON privacy_incident_notices (sent_at);

-- Periodic privacy jobs (deadline reminders, incident notices) run on one
-- node at a time: the holder of the job's lease, renewed at each run,
-- taken over when it lapses.
CREATE TABLE privacy_leases (
	job    TEXT PRIMARY KEY,
	holder TEXT NOT NULL,
	until  TIMESTAMP NOT NULL
);
