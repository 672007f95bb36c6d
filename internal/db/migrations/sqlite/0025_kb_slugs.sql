-- An article's former addresses (issue 16): renaming an article keeps its
-- old slug here, and /help/{old} answers 301 to the new address, so links
-- in old e-mails, bookmarks and search engines keep working. A slug is in
-- use once: by an article now, or here as a former one.
CREATE TABLE kb_slug_history (
	slug       TEXT PRIMARY KEY,
	article_id TEXT NOT NULL REFERENCES kb_articles (id) ON DELETE CASCADE,
	created_at TIMESTAMP NOT NULL
);
CREATE INDEX kb_slug_history_article ON kb_slug_history (article_id);
