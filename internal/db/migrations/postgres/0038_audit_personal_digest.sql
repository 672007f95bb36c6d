-- Personal details in audit entries can age out (the retention class
-- audit_personal, internal/audit): an entry written from now on chains the
-- SHA-256 of its sealed personal details (personal_digest) instead of the
-- details themselves, so the details can be dropped when their period ends
-- and the chain still verifies. Entries written before keep hashing their
-- details and keep them until the customer is erased (crypto-shredding).
ALTER TABLE audit_log ADD COLUMN personal_digest BYTEA;

-- Still append-only, but for that one change: an entry whose digest the
-- chain holds may lose its personal details, with every other column as it
-- was. DELETE and TRUNCATE stay refused.
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'UPDATE' THEN
		IF OLD.personal_digest IS NOT NULL AND NEW.personal IS NULL
			AND (to_jsonb(NEW) - 'personal') = (to_jsonb(OLD) - 'personal') THEN
			RETURN NEW;
		END IF;
	END IF;
	RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
END
$$;
