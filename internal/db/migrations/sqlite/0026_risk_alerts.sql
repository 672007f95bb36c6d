-- Staff monitoring (internal/risk/monitor.go). Data access by staff is
-- counted per staff member, kind of action and hour from the audit entries
-- as they are written; bursts, caps, off-hours work and staff sign-ins
-- from new countries raise alerts that security officers assign, annotate
-- and resolve in the console (every step audited). Alerts are e-mailed to
-- the security contacts by a sweep (mailed_at), so a rolled-back action
-- never mails.
CREATE TABLE risk_staff_activity (
	staff_id  TEXT NOT NULL,
	action    TEXT NOT NULL,
	hour      TIMESTAMP NOT NULL,
	count     INTEGER NOT NULL,
	PRIMARY KEY (staff_id, action, hour)
);

CREATE TABLE risk_alerts (
	id          TEXT PRIMARY KEY,
	rule        TEXT NOT NULL,
	severity    TEXT NOT NULL,
	staff_id    TEXT NOT NULL,
	dedupe_key  TEXT NOT NULL UNIQUE,
	evidence    TEXT NOT NULL,
	status      TEXT NOT NULL,
	assignee    TEXT NOT NULL DEFAULT '',
	resolution  TEXT NOT NULL DEFAULT '',
	created_at  TIMESTAMP NOT NULL,
	updated_at  TIMESTAMP NOT NULL,
	mailed_at   TIMESTAMP
);
CREATE INDEX risk_alerts_status ON risk_alerts (status, created_at);

CREATE TABLE risk_alert_notes (
	id         TEXT PRIMARY KEY,
	alert_id   TEXT NOT NULL REFERENCES risk_alerts (id) ON DELETE CASCADE,
	author_id  TEXT NOT NULL,
	body       TEXT NOT NULL,
	at         TIMESTAMP NOT NULL
);
CREATE INDEX risk_alert_notes_alert ON risk_alert_notes (alert_id, at);

-- A second approver's permission for one staff member to reveal past the
-- hourly cap, until it expires.
CREATE TABLE risk_reveal_approvals (
	staff_id     TEXT NOT NULL,
	approved_by  TEXT NOT NULL,
	approved_at  TIMESTAMP NOT NULL,
	expires_at   TIMESTAMP NOT NULL,
	PRIMARY KEY (staff_id, approved_by, approved_at)
);
