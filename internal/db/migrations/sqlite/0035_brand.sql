-- The business's brand (internal/brand): one row with the brand colour
-- ("" for the default colours), the logo (PNG, JPEG or WebP) and the
-- favicon (PNG), each checked and decoded before it is stored. Kept in the
-- database so that every node shows the same. No personal data.
CREATE TABLE brand (
	id             INTEGER PRIMARY KEY CHECK (id = 1),
	colour         TEXT NOT NULL DEFAULT '',
	logo           BLOB,
	logo_type      TEXT NOT NULL DEFAULT '',
	logo_sha256    TEXT NOT NULL DEFAULT '',
	logo_width     INTEGER NOT NULL DEFAULT 0,
	logo_height    INTEGER NOT NULL DEFAULT 0,
	favicon        BLOB,
	favicon_type   TEXT NOT NULL DEFAULT '',
	favicon_sha256 TEXT NOT NULL DEFAULT '',
	updated_at     TIMESTAMP NOT NULL
);
