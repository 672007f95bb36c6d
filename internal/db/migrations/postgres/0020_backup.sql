-- The erasure ledger: every customer whose data key was destroyed. It is
-- copied into the backup repository, apart from any backup, and replayed
-- after a restore, so that restoring a backup taken before an erasure
-- never brings the customer's data back.
CREATE TABLE erasure_ledger (
	subject   TEXT PRIMARY KEY,
	erased_at TIMESTAMPTZ NOT NULL
);

-- Backups, verifications, restores and drills as they happened: the console
-- and /metrics read the last of each kind.
CREATE TABLE backup_runs (
	id          TEXT PRIMARY KEY,
	kind        TEXT NOT NULL,
	backup_id   TEXT NOT NULL DEFAULT '',
	started_at  TIMESTAMPTZ NOT NULL,
	finished_at TIMESTAMPTZ NOT NULL,
	ok          BOOLEAN NOT NULL,
	bytes       BIGINT NOT NULL DEFAULT 0,
	uploaded    BIGINT NOT NULL DEFAULT 0,
	detail      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX backup_runs_kind ON backup_runs (kind, finished_at);

-- One node at a time runs the backup schedule: the holder of this lease,
-- renewed while it works, taken over when it lapses.
CREATE TABLE backup_lease (
	id     INTEGER PRIMARY KEY CHECK (id = 1),
	holder TEXT NOT NULL,
	until  TIMESTAMPTZ NOT NULL
);
