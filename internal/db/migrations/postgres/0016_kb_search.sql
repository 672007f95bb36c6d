-- Knowledge-base search hands out matches in the order it ranks them
-- (issue 7; docs/knowledge-base.md): ts_rank_cd() over every match of a
-- common word took longer than the 30 ms a search may take on 50,000
-- articles. Matches are now ordered by the number of index terms of the
-- translation (shorter first), then rid, and only as many are read as a
-- search shows. title_search indexes the title alone, so that "every word
-- in the title" reads title matches only. Adding the stored generated
-- columns rewrites the table, which fills them for existing translations.
ALTER TABLE kb_translations
	ADD COLUMN title_search TSVECTOR GENERATED ALWAYS AS (to_tsvector('simple', search_title)) STORED,
	ADD COLUMN search_len INTEGER GENERATED ALWAYS AS (
		(CASE WHEN search_title = '' THEN 0 ELSE length(search_title) - length(replace(search_title, ' ', '')) + 1 END)
		+ (CASE WHEN search_body = '' THEN 0 ELSE length(search_body) - length(replace(search_body, ' ', '')) + 1 END)
	) STORED;
CREATE INDEX kb_translations_title_search ON kb_translations USING GIN (title_search);
