-- First-run setup links (internal/identity/setup.go). On a fresh install
-- with no staff account, `frontdesk serve` prints a link that creates the
-- first administrator. The link's secret is stored as its SHA-256 only; it
-- works once, for 24 hours, and only while no staff account exists. A new
-- link replaces the earlier one.
CREATE TABLE setup_links (
	id         TEXT PRIMARY KEY,
	token_hash BLOB NOT NULL UNIQUE,
	created_at TIMESTAMP NOT NULL,
	expires_at TIMESTAMP NOT NULL,
	used_at    TIMESTAMP
);
