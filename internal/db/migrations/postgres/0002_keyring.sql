-- Per-subject data keys, each wrapped (AES-256-GCM) by a master key that
-- never enters the database. Destroying a key clears wrapped: everything
-- sealed with it becomes unreadable (crypto-shredding).
CREATE TABLE data_keys (
	id            TEXT PRIMARY KEY,
	subject       TEXT NOT NULL UNIQUE,
	master_key_id TEXT NOT NULL,
	wrapped       BYTEA,
	created_at    TIMESTAMPTZ NOT NULL,
	destroyed_at  TIMESTAMPTZ
);
CREATE INDEX data_keys_master ON data_keys (master_key_id);

-- Which master key wraps new data keys. `frontdesk keys rotate` changes it
-- under a row lock, so no data key can be wrapped by a retiring master key
-- after the re-wrap has passed it by.
CREATE TABLE keyring_state (
	id               INTEGER PRIMARY KEY CHECK (id = 1),
	active_master_id TEXT NOT NULL
);
