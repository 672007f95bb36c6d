-- Accounts of customers and staff. Personal fields are sealed with the
-- account's data key (subject "account:<id>"); the e-mail is found through
-- its blind index.
CREATE TABLE accounts (
	id                  TEXT PRIMARY KEY,
	kind                TEXT NOT NULL CHECK (kind IN ('customer', 'staff')),
	status              TEXT NOT NULL CHECK (status IN ('pending', 'active', 'disabled')),
	email_index         BLOB NOT NULL UNIQUE,
	email_sealed        BLOB NOT NULL,
	name_sealed         BLOB,
	phone_sealed        BLOB,
	locale              TEXT NOT NULL DEFAULT 'en',
	password_hash       TEXT NOT NULL,
	password_changed_at TIMESTAMP NOT NULL,
	must_change_password BOOLEAN NOT NULL DEFAULT FALSE,
	email_verified_at   TIMESTAMP,
	failed_logins       INTEGER NOT NULL DEFAULT 0,
	locked_until        TIMESTAMP,
	created_at          TIMESTAMP NOT NULL,
	updated_at          TIMESTAMP NOT NULL
);

-- Earlier password hashes, for the pci profile's "not one of the last N".
CREATE TABLE password_history (
	account_id    TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	password_hash TEXT NOT NULL,
	created_at    TIMESTAMP NOT NULL
);
CREATE INDEX password_history_account ON password_history (account_id, created_at);

-- Single-use secrets sent by e-mail: verification, reset, unlock, "this
-- wasn't me". Only hashes are stored; a code and a link share one row.
CREATE TABLE account_tokens (
	id          TEXT PRIMARY KEY,
	account_id  TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	purpose     TEXT NOT NULL,
	code_hash   BLOB,
	link_hash   BLOB NOT NULL UNIQUE,
	attempts    INTEGER NOT NULL DEFAULT 0,
	created_at  TIMESTAMP NOT NULL,
	expires_at  TIMESTAMP NOT NULL,
	used_at     TIMESTAMP
);
CREATE INDEX account_tokens_account ON account_tokens (account_id, purpose);

-- Sessions: the token is 256 random bits; only its SHA-256 is stored.
CREATE TABLE sessions (
	id           TEXT PRIMARY KEY,
	token_hash   BLOB NOT NULL UNIQUE,
	account_id   TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	client       TEXT NOT NULL,
	device       TEXT NOT NULL DEFAULT '',
	ip_sealed    BLOB,
	created_at   TIMESTAMP NOT NULL,
	auth_at      TIMESTAMP NOT NULL,
	last_seen_at TIMESTAMP NOT NULL,
	expires_at   TIMESTAMP NOT NULL
);
CREATE INDEX sessions_account ON sessions (account_id, created_at);

-- Sign-in history shown to the owner. IP and user agent are sealed.
CREATE TABLE login_events (
	id          TEXT PRIMARY KEY,
	account_id  TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	at          TIMESTAMP NOT NULL,
	result      TEXT NOT NULL,
	device      TEXT NOT NULL DEFAULT '',
	sealed      BLOB
);
CREATE INDEX login_events_account ON login_events (account_id, at);

-- Devices an account has signed in from (keyed hash of the device cookie
-- or, for API clients, of the user agent), for "new sign-in" alerts.
CREATE TABLE known_devices (
	account_id  TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	device_key  BLOB NOT NULL,
	first_seen  TIMESTAMP NOT NULL,
	last_seen   TIMESTAMP NOT NULL,
	PRIMARY KEY (account_id, device_key)
);

-- Failure counters shared by every node: per source IP, per network, and
-- the distinct accounts a source has failed against (credential stuffing).
CREATE TABLE auth_throttle (
	key           TEXT PRIMARY KEY,
	failures      INTEGER NOT NULL,
	window_start  TIMESTAMP NOT NULL,
	blocked_until TIMESTAMP
);
CREATE TABLE auth_source_targets (
	source     TEXT NOT NULL,
	target     BLOB NOT NULL,
	at         TIMESTAMP NOT NULL,
	PRIMARY KEY (source, target)
);
