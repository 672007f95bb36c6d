-- Accounts of customers and staff. Personal fields are sealed with the
-- account's data key (subject "account:<id>"); the e-mail is found through
-- its blind index.
CREATE TABLE accounts (
	id                  TEXT PRIMARY KEY,
	kind                TEXT NOT NULL CHECK (kind IN ('customer', 'staff')),
	status              TEXT NOT NULL CHECK (status IN ('pending', 'active', 'disabled')),
	email_index         BYTEA NOT NULL UNIQUE,
	email_sealed        BYTEA NOT NULL,
	name_sealed         BYTEA,
	phone_sealed        BYTEA,
	locale              TEXT NOT NULL DEFAULT 'en',
	password_hash       TEXT NOT NULL,
	password_changed_at TIMESTAMPTZ NOT NULL,
	must_change_password BOOLEAN NOT NULL DEFAULT FALSE,
	email_verified_at   TIMESTAMPTZ,
	failed_logins       INTEGER NOT NULL DEFAULT 0,
	locked_until        TIMESTAMPTZ,
	created_at          TIMESTAMPTZ NOT NULL,
	updated_at          TIMESTAMPTZ NOT NULL
);

-- Earlier password hashes, for the pci profile's "not one of the last N".
CREATE TABLE password_history (
	account_id    TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	password_hash TEXT NOT NULL,
	created_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX password_history_account ON password_history (account_id, created_at);

-- Single-use secrets sent by e-mail: verification, reset, unlock, "this
-- wasn't me". Only hashes are stored; a code and a link share one row.
CREATE TABLE account_tokens (
	id          TEXT PRIMARY KEY,
	account_id  TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	purpose     TEXT NOT NULL,
	code_hash   BYTEA,
	link_hash   BYTEA NOT NULL UNIQUE,
	attempts    INTEGER NOT NULL DEFAULT 0,
	created_at  TIMESTAMPTZ NOT NULL,
	expires_at  TIMESTAMPTZ NOT NULL,
	used_at     TIMESTAMPTZ
);
CREATE INDEX account_tokens_account ON account_tokens (account_id, purpose);

-- Sessions: the token is 256 random bits; only its SHA-256 is stored.
CREATE TABLE sessions (
	id           TEXT PRIMARY KEY,
	token_hash   BYTEA NOT NULL UNIQUE,
	account_id   TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	client       TEXT NOT NULL,
	device       TEXT NOT NULL DEFAULT '',
	ip_sealed    BYTEA,
	created_at   TIMESTAMPTZ NOT NULL,
	auth_at      TIMESTAMPTZ NOT NULL,
	last_seen_at TIMESTAMPTZ NOT NULL,
	expires_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_account ON sessions (account_id, created_at);

-- Sign-in history shown to the owner. IP and user agent are sealed.
CREATE TABLE login_events (
	id          TEXT PRIMARY KEY,
	account_id  TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	at          TIMESTAMPTZ NOT NULL,
	result      TEXT NOT NULL,
	device      TEXT NOT NULL DEFAULT '',
	sealed      BYTEA
);
CREATE INDEX login_events_account ON login_events (account_id, at);

-- Devices an account has signed in from (keyed hash of the device cookie
-- or, for API clients, of the user agent), for "new sign-in" alerts.
CREATE TABLE known_devices (
	account_id  TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	device_key  BYTEA NOT NULL,
	first_seen  TIMESTAMPTZ NOT NULL,
	last_seen   TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (account_id, device_key)
);

-- Failure counters shared by every node: per source IP, per network, and
-- the distinct accounts a source has failed against (credential stuffing).
CREATE TABLE auth_throttle (
	key           TEXT PRIMARY KEY,
	failures      INTEGER NOT NULL,
	window_start  TIMESTAMPTZ NOT NULL,
	blocked_until TIMESTAMPTZ
);
CREATE TABLE auth_source_targets (
	source     TEXT NOT NULL,
	target     BYTEA NOT NULL,
	at         TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (source, target)
);
