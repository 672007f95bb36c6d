-- Second factors. A TOTP seed is sealed with the account's data key;
-- last_step is the last time step accepted, so a code is never accepted
-- twice (ASVS 6.5.1).
CREATE TABLE mfa_factors (
	id            TEXT PRIMARY KEY,
	account_id    TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	kind          TEXT NOT NULL CHECK (kind IN ('totp', 'webauthn', 'sms', 'email')),
	name          TEXT NOT NULL,
	secret_sealed BLOB,
	confirmed_at  TIMESTAMP,
	last_step     BIGINT NOT NULL DEFAULT 0,
	created_at    TIMESTAMP NOT NULL,
	last_used_at  TIMESTAMP
);
CREATE INDEX mfa_factors_account ON mfa_factors (account_id);

-- Recovery codes carry 125 bits, so SHA-256 is enough to store them
-- (ASVS 6.5.2 asks for a password hash only below 112 bits).
CREATE TABLE recovery_codes (
	id         TEXT PRIMARY KEY,
	account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	code_hash  BLOB NOT NULL UNIQUE,
	created_at TIMESTAMP NOT NULL,
	used_at    TIMESTAMP
);
CREATE INDEX recovery_codes_account ON recovery_codes (account_id);
