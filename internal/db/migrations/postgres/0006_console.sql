-- The staff console: customer search, custom roles, time-limited reveals
-- of personal data, access reviews, staff inactivity.

-- When the account last signed in; staff unused for 90 days are disabled.
ALTER TABLE accounts ADD COLUMN last_active_at TIMESTAMPTZ;

-- Search tokens of sealed fields: keyed hashes of the e-mail, the phone
-- number and each word of the name (folded: case, diacritics, đ → d), so
-- staff can find customers without the database holding them in clear.
-- Written with the sealed fields (before the account row exists), so no
-- foreign key; erasure deletes them with the account.
CREATE TABLE account_search (
	token      BYTEA NOT NULL,
	account_id TEXT NOT NULL,
	field      TEXT NOT NULL,
	PRIMARY KEY (token, account_id, field)
);
CREATE INDEX account_search_account ON account_search (account_id);

-- Roles defined by the business beside the built-in ones.
CREATE TABLE custom_roles (
	name        TEXT PRIMARY KEY,
	description TEXT NOT NULL DEFAULT '',
	created_by  TEXT NOT NULL,
	created_at  TIMESTAMPTZ NOT NULL
);
CREATE TABLE custom_role_permissions (
	role       TEXT NOT NULL REFERENCES custom_roles (name) ON DELETE CASCADE,
	permission TEXT NOT NULL,
	PRIMARY KEY (role, permission)
);

-- A staff member allowed to see one customer's personal data unmasked,
-- until expires_at.
CREATE TABLE pii_reveals (
	staff_id   TEXT NOT NULL,
	account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	expires_at TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (staff_id, account_id)
);

-- Access review campaigns: every grant certified or revoked by someone
-- other than the grantee before the deadline.
CREATE TABLE access_reviews (
	id         TEXT PRIMARY KEY,
	status     TEXT NOT NULL CHECK (status IN ('open', 'closed')),
	started_by TEXT NOT NULL,
	started_at TIMESTAMPTZ NOT NULL,
	deadline   TIMESTAMPTZ NOT NULL,
	closed_at  TIMESTAMPTZ
);
CREATE TABLE access_review_items (
	review_id   TEXT NOT NULL REFERENCES access_reviews (id) ON DELETE CASCADE,
	account_id  TEXT NOT NULL,
	role        TEXT NOT NULL,
	decision    TEXT CHECK (decision IN ('certified', 'revoked', 'expired')),
	reviewer_id TEXT,
	reason      TEXT NOT NULL DEFAULT '',
	decided_at  TIMESTAMPTZ,
	PRIMARY KEY (review_id, account_id, role)
);
