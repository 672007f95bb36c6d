-- Data protection (internal/privacy): exports of a customer's data, account
-- closures waiting out their cool-off and legal holds. The erasure ledger is
-- internal/backup's erasure_ledger, written in the erasure's transaction.

-- A customer's request for their data. The ZIP is built by a background job
-- into DATA_DIR/exports, sealed with the customer's data key, downloaded
-- once by its signed-in owner, and deleted then or when it expires.
CREATE TABLE privacy_exports (
	id            TEXT PRIMARY KEY,
	account_id    TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	status        TEXT NOT NULL CHECK (status IN ('pending', 'building', 'ready', 'downloaded', 'expired', 'failed')),
	locale        TEXT NOT NULL,
	requested_by  TEXT NOT NULL,
	done          INTEGER NOT NULL DEFAULT 0,
	total         INTEGER NOT NULL DEFAULT 0,
	size          INTEGER NOT NULL DEFAULT 0,
	created_at    TIMESTAMP NOT NULL,
	lease_until   TIMESTAMP,
	finished_at   TIMESTAMP,
	expires_at    TIMESTAMP,
	downloaded_at TIMESTAMP
);
CREATE INDEX privacy_exports_account ON privacy_exports (account_id, created_at);
CREATE INDEX privacy_exports_status ON privacy_exports (status);

-- An account closing after its cool-off; the customer cancels with the
-- mailed link (its hash only is stored) or by signing in.
CREATE TABLE privacy_closures (
	account_id   TEXT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
	requested_at TIMESTAMP NOT NULL,
	closes_at    TIMESTAMP NOT NULL,
	cancel_hash  BLOB NOT NULL UNIQUE
);
CREATE INDEX privacy_closures_due ON privacy_closures (closes_at);

-- Legal holds: what the business must keep about a customer (named tables)
-- although they asked for erasure, until when, and why. While a hold is
-- active erasure keeps those rows and the data key that opens them.
CREATE TABLE privacy_holds (
	id          TEXT PRIMARY KEY,
	account_id  TEXT NOT NULL,
	tables      TEXT NOT NULL,
	reason      TEXT NOT NULL,
	until_at    TIMESTAMP NOT NULL,
	created_by  TEXT NOT NULL,
	created_at  TIMESTAMP NOT NULL,
	released_at TIMESTAMP
);
CREATE INDEX privacy_holds_account ON privacy_holds (account_id);

-- The rows a hold keeps, copied at erasure (with their sealed columns
-- opened) and sealed again under the hold's own data key ("hold:<id>"),
-- which is destroyed when the hold ends; the customer's key is destroyed
-- with the rest of their data.
CREATE TABLE privacy_held_rows (
	hold_id    TEXT NOT NULL REFERENCES privacy_holds (id) ON DELETE CASCADE,
	seq        INTEGER NOT NULL,
	table_name TEXT NOT NULL,
	row_sealed BLOB NOT NULL,
	PRIMARY KEY (hold_id, seq)
);
