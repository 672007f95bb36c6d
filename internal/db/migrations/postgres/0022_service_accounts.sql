-- Service accounts and their API keys (internal/automation). A service
-- account is made by a staff member, holds staff roles, and acts only
-- through its keys; what a key may do is its scopes (or all of its
-- account's permissions) narrowed by the roles and by what the creator may
-- do at the time of the call. Keys are stored as SHA-256 hashes of their
-- 256-bit secrets; the secret is shown once.
CREATE TABLE service_accounts (
	id          TEXT PRIMARY KEY,
	name        TEXT NOT NULL UNIQUE,
	description TEXT NOT NULL DEFAULT '',
	created_by  TEXT NOT NULL REFERENCES accounts (id),
	created_at  TIMESTAMPTZ NOT NULL,
	disabled_at TIMESTAMPTZ
);

CREATE TABLE service_account_roles (
	service_account_id TEXT NOT NULL REFERENCES service_accounts (id) ON DELETE CASCADE,
	role               TEXT NOT NULL,
	PRIMARY KEY (service_account_id, role)
);

CREATE TABLE api_keys (
	id                 TEXT PRIMARY KEY,
	service_account_id TEXT NOT NULL REFERENCES service_accounts (id) ON DELETE CASCADE,
	name               TEXT NOT NULL,
	secret_hash        BYTEA NOT NULL,
	scopes             TEXT NOT NULL DEFAULT '',
	created_by         TEXT NOT NULL,
	created_at         TIMESTAMPTZ NOT NULL,
	expires_at         TIMESTAMPTZ NOT NULL,
	last_used_at       TIMESTAMPTZ,
	revoked_at         TIMESTAMPTZ,
	window_start       TIMESTAMPTZ,
	window_calls       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX api_keys_account ON api_keys (service_account_id);
