-- Personal details in audit entries can age out (the retention class
-- audit_personal, internal/audit): an entry written from now on chains the
-- SHA-256 of its sealed personal details (personal_digest) instead of the
-- details themselves, so the details can be dropped when their period ends
-- and the chain still verifies. Entries written before keep hashing their
-- details and keep them until the customer is erased (crypto-shredding).
ALTER TABLE audit_log ADD COLUMN personal_digest BLOB;

-- Still append-only, but for that one change: an entry whose digest the
-- chain holds may lose its personal details, with every other column as it
-- was.
DROP TRIGGER audit_log_no_update;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
WHEN NOT (OLD.personal_digest IS NOT NULL AND NEW.personal IS NULL
	AND NEW.seq IS OLD.seq AND NEW.at IS OLD.at AND NEW.actor_id IS OLD.actor_id AND NEW.actor_kind IS OLD.actor_kind
	AND NEW.actor_session IS OLD.actor_session AND NEW.action IS OLD.action AND NEW.target IS OLD.target
	AND NEW.outcome IS OLD.outcome AND NEW.source_ip IS OLD.source_ip AND NEW.user_agent IS OLD.user_agent
	AND NEW.request_id IS OLD.request_id AND NEW.subject IS OLD.subject AND NEW.details IS OLD.details
	AND NEW.personal_digest IS OLD.personal_digest AND NEW.prev_hash IS OLD.prev_hash AND NEW.hash IS OLD.hash)
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
