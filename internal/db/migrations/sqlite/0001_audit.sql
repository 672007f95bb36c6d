-- The tamper-evident audit trail: every entry carries the SHA-256 of its
-- canonical encoding chained to the previous entry's hash.
CREATE TABLE audit_log (
	seq           INTEGER PRIMARY KEY,
	at            TIMESTAMP NOT NULL,
	actor_id      TEXT NOT NULL DEFAULT '',
	actor_kind    TEXT NOT NULL DEFAULT '',
	actor_session TEXT NOT NULL DEFAULT '',
	action        TEXT NOT NULL,
	target        TEXT NOT NULL DEFAULT '',
	outcome       TEXT NOT NULL,
	source_ip     TEXT NOT NULL DEFAULT '',
	user_agent    TEXT NOT NULL DEFAULT '',
	request_id    TEXT NOT NULL DEFAULT '',
	subject       TEXT NOT NULL DEFAULT '',
	details       TEXT NOT NULL DEFAULT '',
	personal      BLOB,
	prev_hash     BLOB NOT NULL,
	hash          BLOB NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_target ON audit_log (target);

-- One row: the sequence number and hash of the newest entry. Appenders lock it,
-- so concurrent transactions chain one after another.
CREATE TABLE audit_head (
	id   INTEGER PRIMARY KEY CHECK (id = 1),
	seq  INTEGER NOT NULL,
	hash BLOB NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, zeroblob(32));

-- Signed checkpoints: (seq, hash) signed with the Ed25519 audit key, so that
-- cutting entries off the tail is detectable.
CREATE TABLE audit_checkpoints (
	seq       INTEGER PRIMARY KEY,
	hash      BLOB NOT NULL,
	at        TIMESTAMP NOT NULL,
	key_id    TEXT NOT NULL,
	signature BLOB NOT NULL
);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
