-- Which scheme of search tokens account_search holds (identity/search.go).
-- 0: accounts created before the console's search (schema 6) have none,
-- or older tokens. On start the server re-indexes every account in the
-- background when the code's scheme is newer, then records it here. An
-- installation without accounts is current (scheme 2: words, pairs and
-- triples of words).
CREATE TABLE search_scheme (
	id      INTEGER PRIMARY KEY CHECK (id = 1),
	version INTEGER NOT NULL
);
INSERT INTO search_scheme (id, version) SELECT 1, CASE WHEN EXISTS (SELECT 1 FROM accounts) THEN 0 ELSE 2 END;
