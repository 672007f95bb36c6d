-- The staff console's audit viewer filters by actor ("what did this staff
-- member do", PCI DSS 10.2.1.2) and by subject ("everything about this
-- customer"), newest first. Without these, each such page scans the whole
-- log. seq in the key lets both databases read the newest matches first
-- and stop at the page size.
CREATE INDEX audit_log_actor ON audit_log (actor_id, seq);
CREATE INDEX audit_log_subject ON audit_log (subject, seq);
