package kb

import (
	"context"
	"math"
	"slices"
	"strings"

	"github.com/frontdesk/frontdesk/internal/db"
)

// Ranking without a rank function. Every term is indexed once per
// translation (terms.go), so BM25 and ts_rank_cd could only rank the
// matches of a query by where its terms are (title or text) and by the
// translation's length: among translations with the same terms in the
// title, the shorter comes first. Search ranks by exactly these: first
// the translations with every term in the title, then by the number of
// terms in the title, then shortest first (fewest index terms), then
// oldest (rid). Both databases hand out matches already sorted by length
// (migration 0016), so a search reads about as many matches as it shows,
// however common its words; it never scores every match. What this
// approximates is in docs/knowledge-base.md ("Ranking").

// Locale codes in SQLite's search_key (migration 0016).
var localeCode = map[string]int64{"en": 1, "vi": 2, "zh": 3}

const (
	ridBits = 32
	lenMask = 1<<20 - 1
	// poolFactor: tiers ordered by the number of terms in the title read
	// this many times the results they may fill, shortest first, and sort
	// those.
	poolFactor = 4
	// minPool is the least they read.
	minPool = 20
)

// cand is a translation a search found.
type cand struct {
	rid        int64
	length     int  // index terms of title and text
	titleTerms int  // the query's terms in the title
	some       bool // only some of the terms, none in the title (Any)
}

// tier is one index query. Terms are joined by AND (by OR with anyTerm);
// title limits them to the title; someInTitle also wants at least one of
// them in the title.
type tier struct {
	terms       []string
	anyTerm     bool
	title       bool
	someInTitle bool
}

// match returns up to o.Limit hits for terms, best first; Hit.Snippet
// carries the plain text until snippet() cuts it.
func (s *Service) match(ctx context.Context, tx *db.Tx, terms []string, o SearchOptions) ([]Hit, error) {
	var picked []cand
	seen := map[int64]bool{}
	take := func(cs []cand) {
		for _, c := range cs {
			if len(picked) < o.Limit && !seen[c.rid] {
				seen[c.rid] = true
				picked = append(picked, c)
			}
		}
	}
	need := func() int { return o.Limit - len(picked) }
	// Every term in the title.
	cs, err := s.scan(ctx, tx, tier{terms: terms, title: true}, terms, o, need(), seen)
	if err != nil {
		return nil, err
	}
	take(cs)
	// Some of them in the title, most first.
	if need() > 0 && len(terms) > 1 {
		pool := max(poolFactor*need(), minPool)
		if len(terms) == 2 && !o.Any {
			pool = need() // one term in the title, all alike
		}
		var cs []cand
		if o.Any {
			// Each term's title matches, shortest first: an article with
			// two words of a sentence in its title is in the list of each.
			in := map[int64]bool{}
			for _, t := range terms {
				list, err := s.scan(ctx, tx, tier{terms: []string{t}, title: true}, terms, o, pool, seen)
				if err != nil {
					return nil, err
				}
				for _, c := range list {
					if !in[c.rid] {
						in[c.rid] = true
						cs = append(cs, c)
					}
				}
			}
		} else if cs, err = s.scan(ctx, tx, tier{terms: terms, someInTitle: true}, terms, o, pool, seen); err != nil {
			return nil, err
		}
		slices.SortFunc(cs, func(a, b cand) int {
			if a.titleTerms != b.titleTerms {
				return b.titleTerms - a.titleTerms
			}
			return compareLength(a, b)
		})
		take(cs)
	}
	// Every term anywhere; with Any, then any term anywhere.
	if need() > 0 {
		if cs, err = s.scan(ctx, tx, tier{terms: terms}, terms, o, need(), seen); err != nil {
			return nil, err
		}
		take(cs)
	}
	if need() > 0 && o.Any && len(terms) > 1 {
		if cs, err = s.scan(ctx, tx, tier{terms: terms, anyTerm: true}, terms, o, need(), seen); err != nil {
			return nil, err
		}
		for i := range cs {
			cs[i].some = true
		}
		take(cs)
	}
	return s.hits(ctx, tx, picked, len(terms))
}

func compareLength(a, b cand) int {
	if a.length != b.length {
		return a.length - b.length
	}
	return int(a.rid - b.rid)
}

// scan returns up to want translations of o.Locale that q matches, visible
// with o (published, or not archived for editors) and not in skip,
// shortest first. The index gives matches in that order, so it reads
// about want of them; articles that are not visible are read past.
func (s *Service) scan(ctx context.Context, tx *db.Tx, q tier, terms []string, o SearchOptions, want int, skip map[int64]bool) ([]cand, error) {
	var out []cand
	after := cand{length: -1}
	for first := true; len(out) < want; first = false {
		// A page a little larger than needed, for drafts, archived
		// articles and what earlier tiers found.
		page := want - len(out) + (want-len(out))/4 + 8
		if first {
			page += len(skip)
		}
		query, args := q.sql(tx.Dialect(), o.Locale, after, page)
		rows, err := tx.Query(ctx, query, args...)
		if err != nil {
			return nil, err
		}
		n := 0
		for rows.Next() {
			var c cand
			var key int64
			var title, status string
			if err := rows.Scan(&key, &c.rid, &title, &status); err != nil {
				rows.Close()
				return nil, err
			}
			n++
			if tx.Dialect() == db.SQLite {
				c.length = int(key >> ridBits & lenMask)
			} else {
				c.length = int(key)
			}
			after = c
			if skip[c.rid] || status == StatusArchived || status == StatusDraft && !o.Drafts || len(out) == want {
				continue
			}
			c.titleTerms = countIn(terms, title)
			out = append(out, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		if n < page {
			break
		}
	}
	return out, nil
}

// sql is the query for one page of q's matches after the translation
// after: (key, rid, search_title, status) in the order of the index.
func (q tier) sql(d db.Dialect, locale string, after cand, page int) (string, []any) {
	op := " AND "
	if q.anyTerm {
		op = " OR "
	}
	if d == db.Postgres {
		cond := "search @@ to_tsquery('simple', ?)"
		if q.title {
			cond = "title_search @@ to_tsquery('simple', ?)"
		}
		args := []any{tsquery(q.terms, op)}
		if q.someInTitle {
			cond += " AND title_search @@ to_tsquery('simple', ?)"
			args = append(args, tsquery(q.terms, " OR "))
		}
		// Matches come from the GIN index unordered; sorting the rows
		// (not the tsvectors) is cheap. Visibility is checked on the page.
		return `SELECT c.search_len, c.rid, c.search_title, a.status FROM (
				SELECT rid, article_id, search_len, search_title FROM kb_translations
				WHERE ` + cond + ` AND locale = ? AND (search_len, rid) > (?, ?)
				ORDER BY search_len, rid LIMIT ?) c
			JOIN kb_articles a ON a.id = c.article_id ORDER BY c.search_len, c.rid`,
			append(args, locale, after.length, after.rid, page)
	}
	table, match := "kb_search", fts5Query(q.terms, op)
	if q.title {
		table = "kb_search_title"
	}
	if q.someInTitle {
		match = "(" + match + ") AND title : (" + fts5Query(q.terms, " OR ") + ")"
	}
	// FTS5 walks its row ids (search keys) in order and stops at the
	// limit: the plan has no sort.
	code := localeCode[locale]
	from := code << 52
	if after.length >= 0 {
		from = code<<52 | int64(after.length)<<ridBits | after.rid
	}
	return `SELECT c.k, t.rid, t.search_title, a.status FROM (
			SELECT rowid AS k FROM ` + table + ` WHERE ` + table + ` MATCH ? AND rowid > ? AND rowid < ? ORDER BY rowid LIMIT ?) c
		JOIN kb_translations t ON t.rid = (c.k & 4294967295) JOIN kb_articles a ON a.id = t.article_id ORDER BY c.k`,
		[]any{match, from, (code + 1) << 52, page}
}

func tsquery(terms []string, op string) string {
	q := make([]string, len(terms))
	for i, t := range terms {
		q[i] = "'" + strings.ReplaceAll(t, "'", "''") + "'"
	}
	if op == " OR " {
		return strings.Join(q, " | ")
	}
	return strings.Join(q, " & ")
}

func fts5Query(terms []string, op string) string {
	q := make([]string, len(terms))
	for i, t := range terms {
		q[i] = `"` + strings.ReplaceAll(t, `"`, `""`) + `"`
	}
	return strings.Join(q, op)
}

// countIn counts the terms that are among the space-separated index terms
// of a title.
func countIn(terms []string, indexed string) int {
	have := strings.Fields(indexed)
	n := 0
	for _, t := range terms {
		if slices.Contains(have, t) {
			n++
		}
	}
	return n
}

// hits reads what the results show, in the order of picked.
func (s *Service) hits(ctx context.Context, tx *db.Tx, picked []cand, nTerms int) ([]Hit, error) {
	out := make([]Hit, 0, len(picked))
	if len(picked) == 0 {
		return out, nil
	}
	marks := make([]string, len(picked))
	args := make([]any, len(picked))
	for i, c := range picked {
		marks[i], args[i] = "?", c.rid
	}
	rows, err := tx.Query(ctx, `SELECT t.rid, a.id, a.slug, t.locale, t.title, t.summary || ' ' || t.body_html
		FROM kb_translations t JOIN kb_articles a ON a.id = t.article_id WHERE t.rid IN (`+strings.Join(marks, ", ")+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	byRID := map[int64]Hit{}
	for rows.Next() {
		var rid int64
		var h Hit
		var body string
		if err := rows.Scan(&rid, &h.ArticleID, &h.Slug, &h.Locale, &h.Title, &body); err != nil {
			return nil, err
		}
		h.Snippet = textOf(body)
		byRID[rid] = h
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, c := range picked {
		h := byRID[c.rid]
		h.TitleTerms, h.InTitle = c.titleTerms, c.titleTerms == nTerms
		h.Score = float64(c.titleTerms) + 1/(1+math.Log1p(float64(c.length)))
		if c.some {
			h.Score--
		}
		out = append(out, h)
	}
	return out, nil
}
