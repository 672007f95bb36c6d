-- Bulk jobs of the admin API (internal/automation/jobs.go): an import or
-- export started by POST /api/v1/admin/jobs/..., its status, progress and
-- result report, so that any node answers GET /api/v1/admin/jobs/{id} and
-- a restart loses nothing. The node running a job beats heartbeat_at; a
-- running job whose heartbeat stops (its node stopped) is marked failed
-- with reason 'interrupted'. An export's file holds every customer's
-- personal data: it is sealed with the keyring and dropped an hour after
-- the export finishes.
CREATE TABLE admin_jobs (
	id              TEXT PRIMARY KEY,
	kind            TEXT NOT NULL,
	owner           TEXT NOT NULL,
	format          TEXT NOT NULL,
	dry_run         BOOLEAN NOT NULL DEFAULT FALSE,
	status          TEXT NOT NULL,
	reason          TEXT NOT NULL DEFAULT '',
	progress        TEXT NOT NULL DEFAULT '{}',
	started_at      TIMESTAMP NOT NULL,
	heartbeat_at    TIMESTAMP NOT NULL,
	finished_at     TIMESTAMP,
	export_file     BLOB,
	file_expires_at TIMESTAMP
);
CREATE INDEX admin_jobs_started ON admin_jobs (started_at);
