-- Sign-in with a second factor, passkeys, remembered devices and
-- support-assisted recovery.

-- aal is 1 after a password alone, 2 after a second factor or a passkey
-- with user verification; amr lists the methods used ("pwd,totp").
-- must_enrol marks a session that may only enrol a second factor.
ALTER TABLE sessions ADD COLUMN aal INTEGER NOT NULL DEFAULT 1;
ALTER TABLE sessions ADD COLUMN amr TEXT NOT NULL DEFAULT 'pwd';
ALTER TABLE sessions ADD COLUMN must_enrol BOOLEAN NOT NULL DEFAULT FALSE;

-- Set when support-assisted recovery reset the factors: the owner must
-- enrol again at the next sign-in, whatever the policy.
ALTER TABLE accounts ADD COLUMN mfa_enrol_required BOOLEAN NOT NULL DEFAULT FALSE;

-- A passkey's credential id, to find it from an assertion.
ALTER TABLE mfa_factors ADD COLUMN credential_id BYTEA;
CREATE UNIQUE INDEX mfa_factors_credential ON mfa_factors (credential_id);

-- A password accepted, a second factor awaited. Single-purpose, bound to
-- one attempt, short-lived; its failures are its own (ASVS 6.6.3).
CREATE TABLE mfa_challenges (
	id          TEXT PRIMARY KEY,
	token_hash  BYTEA NOT NULL UNIQUE,
	account_id  TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	client      TEXT NOT NULL,
	failures    INTEGER NOT NULL DEFAULT 0,
	created_at  TIMESTAMPTZ NOT NULL,
	expires_at  TIMESTAMPTZ NOT NULL,
	finished_at TIMESTAMPTZ
);
CREATE INDEX mfa_challenges_account ON mfa_challenges (account_id);

-- One-time codes sent by SMS or e-mail, bound to a challenge or to a
-- phone enrolment (ASVS 6.6.2). Keyed hashes only.
CREATE TABLE mfa_codes (
	id         TEXT PRIMARY KEY,
	bound_to   TEXT NOT NULL,
	account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	channel    TEXT NOT NULL,
	code_hash  BYTEA NOT NULL,
	attempts   INTEGER NOT NULL DEFAULT 0,
	created_at TIMESTAMPTZ NOT NULL,
	expires_at TIMESTAMPTZ NOT NULL,
	used_at    TIMESTAMPTZ
);
CREATE INDEX mfa_codes_bound ON mfa_codes (bound_to);

-- WebAuthn ceremonies in progress: the challenge the browser must sign.
CREATE TABLE webauthn_ceremonies (
	id         TEXT PRIMARY KEY,
	account_id TEXT,
	purpose    TEXT NOT NULL,
	data       BYTEA NOT NULL,
	expires_at TIMESTAMPTZ NOT NULL
);

-- Browsers whose owner chose "remember this device" after a second
-- factor: only the token's hash is stored.
CREATE TABLE remembered_devices (
	id           TEXT PRIMARY KEY,
	token_hash   BYTEA NOT NULL UNIQUE,
	account_id   TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	device       TEXT NOT NULL DEFAULT '',
	created_at   TIMESTAMPTZ NOT NULL,
	last_used_at TIMESTAMPTZ NOT NULL,
	expires_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX remembered_devices_account ON remembered_devices (account_id);

-- Support-assisted recovery of a lost second factor.
CREATE TABLE recovery_requests (
	id             TEXT PRIMARY KEY,
	account_id     TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	status         TEXT NOT NULL CHECK (status IN ('open', 'approved', 'cancelled', 'rejected', 'completed')),
	message_sealed BYTEA,
	created_at     TIMESTAMPTZ NOT NULL,
	approved_by    TEXT,
	approved_at    TIMESTAMPTZ,
	co_approved_by TEXT,
	co_approved_at TIMESTAMPTZ,
	cooloff_until  TIMESTAMPTZ,
	cancel_hash    BYTEA UNIQUE,
	closed_by      TEXT,
	closed_at      TIMESTAMPTZ,
	reason         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX recovery_requests_status ON recovery_requests (status, cooloff_until);
CREATE INDEX recovery_requests_account ON recovery_requests (account_id);

-- The identity-proofing checklist worked on a request: what was
-- verified, how, by whom. The note is sealed with the customer's key.
CREATE TABLE recovery_checks (
	id          TEXT PRIMARY KEY,
	request_id  TEXT NOT NULL REFERENCES recovery_requests (id) ON DELETE CASCADE,
	staff_id    TEXT NOT NULL,
	item        TEXT NOT NULL,
	method      TEXT NOT NULL,
	note_sealed BYTEA,
	at          TIMESTAMPTZ NOT NULL
);
CREATE INDEX recovery_checks_request ON recovery_checks (request_id);

-- Staff roles (the staff console grows this into custom roles).
CREATE TABLE staff_roles (
	account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	role       TEXT NOT NULL,
	granted_by TEXT NOT NULL DEFAULT '',
	granted_at TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (account_id, role)
);
