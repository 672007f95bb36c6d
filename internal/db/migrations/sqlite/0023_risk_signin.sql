-- Risk-based sign-in (internal/risk, internal/identity/risk.go). Each
-- sign-in event keeps the engine's decision, the rule that made it and the
-- names of the signals found (no personal data: the place is sealed with
-- the address in login_events.sealed). A challenge opened by a step-up
-- keeps the verdict and the methods it offers until it is completed.
ALTER TABLE login_events ADD COLUMN decision TEXT NOT NULL DEFAULT '';
ALTER TABLE login_events ADD COLUMN rule TEXT NOT NULL DEFAULT '';
ALTER TABLE login_events ADD COLUMN signals TEXT NOT NULL DEFAULT '';
CREATE INDEX login_events_at ON login_events (at);

ALTER TABLE mfa_challenges ADD COLUMN methods TEXT NOT NULL DEFAULT '';
ALTER TABLE mfa_challenges ADD COLUMN risk_decision TEXT NOT NULL DEFAULT '';
ALTER TABLE mfa_challenges ADD COLUMN risk_rule TEXT NOT NULL DEFAULT '';
ALTER TABLE mfa_challenges ADD COLUMN risk_signals TEXT NOT NULL DEFAULT '';

-- Countries and networks an account has signed in from, as keyed hashes
-- of (account, kind, value): membership can be tested, the list cannot be
-- read back.
CREATE TABLE risk_places (
	account_id  TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	kind        TEXT NOT NULL,
	place_key   BLOB NOT NULL,
	first_seen  TIMESTAMP NOT NULL,
	last_seen   TIMESTAMP NOT NULL,
	PRIMARY KEY (account_id, kind, place_key)
);

-- The account's last located sign-in (sealed coordinates and accuracy,
-- for impossible travel) and its sign-ins per local hour.
CREATE TABLE risk_profiles (
	account_id  TEXT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
	last_at     TIMESTAMP,
	last_sealed BLOB,
	hours       TEXT NOT NULL DEFAULT ''
);

-- The rules and thresholds staff edited in the console, per policy
-- profile; without a row the profile's built-in policy applies.
CREATE TABLE risk_policies (
	profile     TEXT PRIMARY KEY,
	policy      TEXT NOT NULL,
	updated_at  TIMESTAMP NOT NULL,
	updated_by  TEXT NOT NULL
);
