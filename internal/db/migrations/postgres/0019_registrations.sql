-- Registration attempts (internal/identity/register.go). Each attempt to
-- register an address is its own record with its own password hash,
-- profile, code, link and secret, so a later registration can never change
-- what an earlier e-mail activates. The secret goes back to the
-- registrant's client only; verifying needs it (or the attempt's password)
-- as well as the mailed code or link. The account row is the address's
-- reservation; verification copies the winning attempt into it and deletes
-- the others. Names and phones are sealed with the account's data key.
CREATE TABLE registrations (
	id            TEXT PRIMARY KEY,
	account_id    TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	secret_hash   BYTEA NOT NULL UNIQUE,
	link_hash     BYTEA NOT NULL UNIQUE,
	code_hash     BYTEA NOT NULL,
	attempts      INTEGER NOT NULL DEFAULT 0,
	password_hash TEXT NOT NULL,
	email_sealed  BYTEA NOT NULL,
	name_sealed   BYTEA,
	phone_sealed  BYTEA,
	locale        TEXT NOT NULL,
	created_at    TIMESTAMPTZ NOT NULL,
	expires_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX registrations_account ON registrations (account_id);

-- Verification codes issued before attempts had their own records cannot
-- tell which password they were meant for: they are withdrawn. Signing in
-- to a pending account with its password sends a new, bound code.
DELETE FROM account_tokens WHERE purpose = 'verify';
