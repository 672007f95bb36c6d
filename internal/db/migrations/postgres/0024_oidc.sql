-- The OpenID Connect provider (internal/oidc). Client secrets, codes and
-- refresh tokens are stored as SHA-256 hashes of 256-bit random values;
-- signing keys' private halves are sealed with the keyring. No personal
-- data is stored here: claims are read from the sealed profile when a
-- token is used.
CREATE TABLE oidc_clients (
	id                        TEXT PRIMARY KEY,
	name                      TEXT NOT NULL,
	logo_url                  TEXT NOT NULL DEFAULT '',
	secret_hash               BYTEA,
	public                    BOOLEAN NOT NULL DEFAULT FALSE,
	first_party               BOOLEAN NOT NULL DEFAULT FALSE,
	redirect_uris             TEXT NOT NULL,
	post_logout_redirect_uris TEXT NOT NULL DEFAULT '',
	backchannel_logout_uri    TEXT NOT NULL DEFAULT '',
	scopes                    TEXT NOT NULL,
	access_token_type         TEXT NOT NULL DEFAULT 'jwt',
	access_ttl_seconds        INTEGER NOT NULL,
	refresh_ttl_seconds       INTEGER NOT NULL,
	id_token_ttl_seconds      INTEGER NOT NULL,
	created_at                TIMESTAMPTZ NOT NULL,
	updated_at                TIMESTAMPTZ NOT NULL
);

-- One authorization request from /oauth/authorize until its code is
-- exchanged; kept after the exchange (code_used_at) so that a second use
-- of the code is recognised and revokes what the first one issued.
CREATE TABLE oidc_auth_requests (
	id             TEXT PRIMARY KEY,
	client_id      TEXT NOT NULL REFERENCES oidc_clients (id) ON DELETE CASCADE,
	redirect_uri   TEXT NOT NULL,
	scopes         TEXT NOT NULL,
	state          TEXT NOT NULL,
	nonce          TEXT NOT NULL,
	response_mode  TEXT NOT NULL,
	code_challenge TEXT NOT NULL,
	prompt         TEXT NOT NULL,
	max_age        INTEGER,
	acr_values     TEXT NOT NULL,
	created_at     TIMESTAMPTZ NOT NULL,
	expires_at     TIMESTAMPTZ NOT NULL,
	account_id     TEXT,
	session_id     TEXT,
	auth_time      TIMESTAMPTZ,
	amr            TEXT NOT NULL DEFAULT '',
	acr            TEXT NOT NULL DEFAULT '',
	done           BOOLEAN NOT NULL DEFAULT FALSE,
	code_hash      BYTEA UNIQUE,
	code_used_at   TIMESTAMPTZ
);
CREATE INDEX oidc_auth_requests_expiry ON oidc_auth_requests (expires_at);

-- Access and refresh tokens. A family is every token descended from one
-- code exchange: a refresh token used twice revokes the whole family.
CREATE TABLE oidc_tokens (
	id              TEXT PRIMARY KEY,
	family_id       TEXT NOT NULL,
	kind            TEXT NOT NULL,
	token_hash      BYTEA UNIQUE,
	client_id       TEXT NOT NULL REFERENCES oidc_clients (id) ON DELETE CASCADE,
	account_id      TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	session_id      TEXT NOT NULL,
	auth_request_id TEXT NOT NULL,
	scopes          TEXT NOT NULL,
	amr             TEXT NOT NULL,
	auth_time       TIMESTAMPTZ NOT NULL,
	created_at      TIMESTAMPTZ NOT NULL,
	expires_at      TIMESTAMPTZ NOT NULL,
	used_at         TIMESTAMPTZ,
	revoked_at      TIMESTAMPTZ
);
CREATE INDEX oidc_tokens_family ON oidc_tokens (family_id);
CREATE INDEX oidc_tokens_session ON oidc_tokens (session_id);
CREATE INDEX oidc_tokens_account ON oidc_tokens (account_id, client_id);
CREATE INDEX oidc_tokens_expiry ON oidc_tokens (expires_at);

-- Consent given by a customer to a third-party client, per scope.
CREATE TABLE oidc_consents (
	account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	client_id  TEXT NOT NULL REFERENCES oidc_clients (id) ON DELETE CASCADE,
	scopes     TEXT NOT NULL,
	granted_at TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (account_id, client_id)
);

-- The clients signed in through a Frontdesk session: told by back-channel
-- logout when that session ends.
CREATE TABLE oidc_rp_sessions (
	session_id TEXT NOT NULL,
	client_id  TEXT NOT NULL REFERENCES oidc_clients (id) ON DELETE CASCADE,
	account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	created_at TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (session_id, client_id)
);

-- Signing keys. A key signs until retired_at, and is published in the
-- JWKS until expires_at, after every token it signed has expired.
CREATE TABLE oidc_keys (
	id             TEXT PRIMARY KEY,
	alg            TEXT NOT NULL,
	private_sealed BYTEA NOT NULL,
	created_at     TIMESTAMPTZ NOT NULL,
	retired_at     TIMESTAMPTZ,
	expires_at     TIMESTAMPTZ
);
