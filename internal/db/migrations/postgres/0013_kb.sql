-- The knowledge base: articles in categories, one translation per locale,
-- their history, files, votes, and full-text search.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE kb_categories (
	id       TEXT PRIMARY KEY,
	position INTEGER NOT NULL,
	name_en  TEXT NOT NULL,
	name_vi  TEXT NOT NULL,
	name_zh  TEXT NOT NULL
);

CREATE TABLE kb_articles (
	id           TEXT PRIMARY KEY,
	slug         TEXT NOT NULL UNIQUE,
	category_id  TEXT REFERENCES kb_categories (id),
	status       TEXT NOT NULL CHECK (status IN ('draft', 'published', 'archived')),
	author_id    TEXT NOT NULL,
	helpful_yes  INTEGER NOT NULL DEFAULT 0,
	helpful_no   INTEGER NOT NULL DEFAULT 0,
	created_at   TIMESTAMPTZ NOT NULL,
	updated_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX kb_articles_category ON kb_articles (category_id, status);

-- One row per article and locale. search_title and search_body hold the
-- search terms (folded words, English stems, pairs of Chinese characters)
-- the code derives; the tsvector weighs the title above the body.
CREATE TABLE kb_translations (
	rid          BIGSERIAL PRIMARY KEY,
	article_id   TEXT NOT NULL REFERENCES kb_articles (id) ON DELETE CASCADE,
	locale       TEXT NOT NULL,
	title        TEXT NOT NULL,
	summary      TEXT NOT NULL DEFAULT '',
	body_md      TEXT NOT NULL,
	body_html    TEXT NOT NULL,
	search_title TEXT NOT NULL,
	search_body  TEXT NOT NULL,
	search       TSVECTOR GENERATED ALWAYS AS (setweight(to_tsvector('simple', search_title), 'A') || setweight(to_tsvector('simple', search_body), 'B')) STORED,
	updated_by   TEXT NOT NULL,
	updated_at   TIMESTAMPTZ NOT NULL,
	UNIQUE (article_id, locale)
);
CREATE INDEX kb_translations_locale ON kb_translations (locale);
CREATE INDEX kb_translations_search ON kb_translations USING GIN (search);

-- Every term of the index with how many translations have it, with a
-- trigram index for typo tolerance.
CREATE TABLE kb_vocab (
	term TEXT PRIMARY KEY,
	df   INTEGER NOT NULL
);
CREATE INDEX kb_vocab_trgm ON kb_vocab USING GIN (term gin_trgm_ops);

CREATE TABLE kb_revisions (
	id         TEXT PRIMARY KEY,
	article_id TEXT NOT NULL REFERENCES kb_articles (id) ON DELETE CASCADE,
	locale     TEXT NOT NULL,
	title      TEXT NOT NULL,
	body_md    TEXT NOT NULL,
	status     TEXT NOT NULL,
	author_id  TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX kb_revisions_article ON kb_revisions (article_id, created_at);

CREATE TABLE kb_files (
	id           TEXT PRIMARY KEY,
	article_id   TEXT NOT NULL REFERENCES kb_articles (id) ON DELETE CASCADE,
	filename     TEXT NOT NULL,
	content_type TEXT NOT NULL,
	data         BYTEA NOT NULL,
	created_at   TIMESTAMPTZ NOT NULL
);

CREATE TABLE kb_misses (
	query   TEXT NOT NULL,
	locale  TEXT NOT NULL,
	count   INTEGER NOT NULL,
	last_at TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (query, locale)
);
