-- The consent ledger (internal/consent, GDPR 7). Notices are versioned:
-- each edit in the console adds a version, a published one never changes.
-- A customer's choices are appended, never updated or deleted (the
-- triggers below refuse it); the latest row of a purpose is the state.
CREATE TABLE consent_notices (
	id         TEXT PRIMARY KEY,
	purpose    TEXT NOT NULL CHECK (purpose IN ('privacy_policy', 'marketing_email', 'analytics', 'assist_recording')),
	version    INTEGER NOT NULL,
	title_en   TEXT NOT NULL,
	title_vi   TEXT NOT NULL,
	title_zh   TEXT NOT NULL,
	body_en    TEXT NOT NULL,
	body_vi    TEXT NOT NULL,
	body_zh    TEXT NOT NULL,
	-- reconsent: consents given under earlier versions stop counting.
	reconsent  BOOLEAN NOT NULL DEFAULT FALSE,
	digest     BYTEA NOT NULL,
	created_by TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL,
	UNIQUE (purpose, version)
);

CREATE FUNCTION consent_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER consent_notices_no_change BEFORE UPDATE OR DELETE ON consent_notices
	FOR EACH ROW EXECUTE FUNCTION consent_append_only();
CREATE TRIGGER consent_notices_no_truncate BEFORE TRUNCATE ON consent_notices
	FOR EACH STATEMENT EXECUTE FUNCTION consent_append_only();

-- One choice: given, withdrawn, or (for the privacy policy) acknowledged,
-- under one notice version, through one channel. The receipt is the
-- SHA-256 of the canonical receipt (which names the account's previous
-- record, so a customer's records form a chain) and its signature an
-- HMAC under the keyring's key. No foreign key to accounts: the ledger
-- outlives an erasure, with its device details shredded.
CREATE TABLE consent_records (
	id            TEXT PRIMARY KEY,
	account_id    TEXT NOT NULL,
	seq           INTEGER NOT NULL,
	purpose       TEXT NOT NULL,
	notice_id     TEXT NOT NULL REFERENCES consent_notices (id),
	version       INTEGER NOT NULL,
	choice        TEXT NOT NULL CHECK (choice IN ('given', 'withdrawn', 'acknowledged')),
	channel       TEXT NOT NULL CHECK (channel IN ('portal', 'api', 'support', 'gpc')),
	recorded_by   TEXT NOT NULL,
	device_sealed BYTEA,
	created_at    TIMESTAMP NOT NULL,
	prev_hash     BYTEA,
	receipt_hash  BYTEA NOT NULL,
	signature     BYTEA NOT NULL,
	UNIQUE (account_id, seq)
);
CREATE INDEX consent_records_purpose ON consent_records (account_id, purpose, seq);

CREATE TRIGGER consent_records_no_change BEFORE UPDATE OR DELETE ON consent_records
	FOR EACH ROW EXECUTE FUNCTION consent_append_only();
CREATE TRIGGER consent_records_no_truncate BEFORE TRUNCATE ON consent_records
	FOR EACH STATEMENT EXECUTE FUNCTION consent_append_only();

-- The choices made at sign-up wait with their registration attempt and
-- enter the ledger when that attempt is verified (another attempt at the
-- same address never speaks for the account).
CREATE TABLE consent_signups (
	registration_id TEXT PRIMARY KEY REFERENCES registrations (id) ON DELETE CASCADE,
	account_id      TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	choices         TEXT NOT NULL,
	device_sealed   BYTEA,
	created_at      TIMESTAMP NOT NULL
);
CREATE INDEX consent_signups_account ON consent_signups (account_id);
