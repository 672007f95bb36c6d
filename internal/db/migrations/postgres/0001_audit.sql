-- The tamper-evident audit trail: every entry carries the SHA-256 of its
-- canonical encoding chained to the previous entry's hash.
CREATE TABLE audit_log (
	seq           BIGINT PRIMARY KEY,
	at            TIMESTAMPTZ NOT NULL,
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
	personal      BYTEA,
	prev_hash     BYTEA NOT NULL,
	hash          BYTEA NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_target ON audit_log (target);

-- One row: the sequence number and hash of the newest entry. Appenders lock it
-- (SELECT … FOR UPDATE), so concurrent transactions chain one after another.
CREATE TABLE audit_head (
	id   INTEGER PRIMARY KEY CHECK (id = 1),
	seq  BIGINT NOT NULL,
	hash BYTEA NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, decode(repeat('00', 32), 'hex'));

-- Signed checkpoints: (seq, hash) signed with the Ed25519 audit key, so that
-- cutting entries off the tail is detectable.
CREATE TABLE audit_checkpoints (
	seq       BIGINT PRIMARY KEY,
	hash      BYTEA NOT NULL,
	at        TIMESTAMPTZ NOT NULL,
	key_id    TEXT NOT NULL,
	signature BYTEA NOT NULL
);

-- The application may only append: UPDATE, DELETE and TRUNCATE are refused.
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
	FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
	FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
