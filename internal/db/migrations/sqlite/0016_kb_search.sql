-- Knowledge-base search hands out matches in the order it ranks them
-- (issue 7; docs/knowledge-base.md): ranking every match of a common word
-- with bm25() took longer than the 30 ms a search may take on 50,000
-- articles. Each translation gets a search key that sorts first by
-- locale, then by length in index terms (shorter first), then by rid, and
-- the full-text indexes use it as their row id, so a search reads matches
-- shortest first and stops after the few it shows.
--
-- search_key: locale code in bits 52 and up (en 1, vi 2, zh 3), the number
-- of index terms of title and text (at most 2^20 - 1) in bits 32 to 51,
-- rid in bits 0 to 31. kb/search_index.go reads it the same way.
ALTER TABLE kb_translations ADD COLUMN search_key INTEGER GENERATED ALWAYS AS (
	(CASE locale WHEN 'en' THEN 1 WHEN 'vi' THEN 2 WHEN 'zh' THEN 3 ELSE 0 END << 52)
	| (min(1048575,
		(search_title <> '') + length(search_title) - length(replace(search_title, ' ', ''))
		+ (search_body <> '') + length(search_body) - length(replace(search_body, ' ', ''))) << 32)
	| rid
) VIRTUAL;

-- The old index was keyed by rid; both new ones are keyed by search_key.
-- kb_search_title holds the titles alone, so that "every word in the
-- title" reads title matches only.
DROP TABLE kb_fts;
CREATE VIRTUAL TABLE kb_search USING fts5(title, body, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 0');
CREATE VIRTUAL TABLE kb_search_title USING fts5(title, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 0');
INSERT INTO kb_search (rowid, title, body) SELECT search_key, search_title, search_body FROM kb_translations;
INSERT INTO kb_search_title (rowid, title) SELECT search_key, search_title FROM kb_translations;

-- The indexes follow the table, whichever statement changes it (a
-- deleted article's translations go by cascade).
CREATE TRIGGER kb_translations_search_ai AFTER INSERT ON kb_translations BEGIN
	INSERT INTO kb_search (rowid, title, body) VALUES (new.search_key, new.search_title, new.search_body);
	INSERT INTO kb_search_title (rowid, title) VALUES (new.search_key, new.search_title);
END;
CREATE TRIGGER kb_translations_search_ad AFTER DELETE ON kb_translations BEGIN
	DELETE FROM kb_search WHERE rowid = old.search_key;
	DELETE FROM kb_search_title WHERE rowid = old.search_key;
END;
CREATE TRIGGER kb_translations_search_au AFTER UPDATE OF locale, search_title, search_body ON kb_translations BEGIN
	DELETE FROM kb_search WHERE rowid = old.search_key;
	DELETE FROM kb_search_title WHERE rowid = old.search_key;
	INSERT INTO kb_search (rowid, title, body) VALUES (new.search_key, new.search_title, new.search_body);
	INSERT INTO kb_search_title (rowid, title) VALUES (new.search_key, new.search_title);
END;
