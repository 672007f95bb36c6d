-- Retention (internal/privacy/retention.go): the runs of the purge job and
-- its dry runs, the lease that keeps the job to one node at a time, and the
-- customers warned that their inactive account will be closed.

-- One run of the retention job: what it purged (or, for a dry run, what it
-- would purge) per class, as JSON counts and times only.
CREATE TABLE privacy_retention_runs (
	id          TEXT PRIMARY KEY,
	started_at  TIMESTAMP NOT NULL,
	finished_at TIMESTAMP,
	dry_run     BOOLEAN NOT NULL,
	status      TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed')),
	node        TEXT NOT NULL,
	started_by  TEXT NOT NULL,
	report      TEXT NOT NULL DEFAULT '',
	error       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX privacy_retention_runs_started ON privacy_retention_runs (started_at);

-- The lease that keeps the purge to one node: taken when free or lapsed,
-- renewed by every batch, released at the end.
CREATE TABLE privacy_retention_lease (
	id     INTEGER PRIMARY KEY CHECK (id = 1),
	holder TEXT NOT NULL,
	until  TIMESTAMP NOT NULL
);

-- A customer warned by e-mail that their inactive account will be closed
-- on closes_at unless they sign in; signing in after warned_at cancels it.
CREATE TABLE privacy_inactive_warnings (
	account_id TEXT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
	warned_at  TIMESTAMP NOT NULL,
	closes_at  TIMESTAMP NOT NULL
);
