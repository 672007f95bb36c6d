package kb

import (
	"context"
	"html"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/textfold"
)

// Search: every query term must match (terms.go); SQLite ranks with FTS5's
// BM25, the title weighing ten times the body; PostgreSQL with ts_rank_cd
// over the title-weighted tsvector. Among the best 50, articles whose
// title has every term come first. A query that finds nothing is tried
// again with each unknown Latin word of four letters or more replaced by
// the closest words of the index (one typo: edit distance 1, or 2 for
// words of eight letters and more), found through a trigram index of the
// vocabulary — FTS5's trigram tokenizer on SQLite, pg_trgm on PostgreSQL.
// Still nothing, and the query is counted as a content gap.

// Hit is one search result.
type Hit struct {
	ArticleID string  `json:"id"`
	Slug      string  `json:"slug"`
	Locale    string  `json:"locale"`
	Title     string  `json:"title"`
	Snippet   string  `json:"snippet"` // HTML: text escaped, matches in <mark>
	Score     float64 `json:"score"`
	InTitle   bool    `json:"-"` // every term is in the title
	// TitleTerms counts the query's terms in the title.
	TitleTerms int `json:"-"`
}

// Result is a search's answer.
type Result struct {
	Query     string   `json:"query"`
	Locale    string   `json:"locale"`
	Hits      []Hit    `json:"results"`
	Corrected []string `json:"corrected,omitempty"` // the terms searched for instead, after a typo
}

// SearchOptions adjust Search.
type SearchOptions struct {
	Locale string
	Limit  int  // default 10, at most 50
	Drafts bool // editors search drafts too
	// NoGap leaves an empty search out of the content gaps (the bot's own
	// attempts, previews).
	NoGap bool
	// Any matches articles with any of the terms, ranked (the bot reads
	// whole sentences, whose every word no article has).
	Any bool
}

// Search finds published articles in o.Locale.
func (s *Service) Search(ctx context.Context, q string, o SearchOptions) (*Result, error) {
	if !slices.Contains(Locales, o.Locale) {
		o.Locale = DefaultLocale
	}
	if o.Limit <= 0 || o.Limit > 50 {
		o.Limit = 10
	}
	q = strings.TrimSpace(q)
	if utf8.RuneCountInString(q) > 200 {
		q = string([]rune(q)[:200])
	}
	res := &Result{Query: q, Locale: o.Locale, Hits: []Hit{}}
	terms := queryTerms(q)
	if len(terms) == 0 {
		return res, nil
	}
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		hits, err := s.match(ctx, tx, terms, o)
		if err != nil {
			return err
		}
		if len(hits) == 0 {
			fixed, changed, err := s.correct(ctx, tx, terms)
			if err != nil {
				return err
			}
			if changed {
				if hits, err = s.match(ctx, tx, fixed, o); err != nil {
					return err
				}
				if len(hits) > 0 {
					res.Corrected, terms = fixed, fixed
				}
			}
		}
		res.Hits = hits
		return nil
	})
	if err != nil {
		return nil, err
	}
	for i := range res.Hits {
		res.Hits[i].Snippet = snippet(res.Hits[i].Snippet, q, terms)
	}
	if len(res.Hits) == 0 && !o.NoGap {
		s.recordMiss(ctx, q, o.Locale)
	}
	return res, nil
}

// match runs the index query; Hit.Snippet carries the plain text until
// snippet() cuts it.
func (s *Service) match(ctx context.Context, tx *db.Tx, terms []string, o SearchOptions) ([]Hit, error) {
	status := " AND a.status = 'published'"
	if o.Drafts {
		status = " AND a.status <> 'archived'"
	}
	var query string
	var args []any
	if tx.Dialect() == db.Postgres {
		tsq := make([]string, len(terms))
		for i, t := range terms {
			tsq[i] = "'" + strings.ReplaceAll(t, "'", "''") + "'"
		}
		query = `SELECT a.id, a.slug, t.locale, t.title, t.summary || ' ' || t.body_html, t.search_title, ts_rank_cd(t.search, q, 1) AS score
			FROM kb_translations t JOIN kb_articles a ON a.id = t.article_id, to_tsquery('simple', ?) q
			WHERE t.search @@ q AND t.locale = ?` + status + ` ORDER BY score DESC, a.id LIMIT 50`
		op := " & "
		if o.Any {
			op = " | "
		}
		args = []any{strings.Join(tsq, op), o.Locale}
	} else {
		quoted := make([]string, len(terms))
		for i, t := range terms {
			quoted[i] = `"` + strings.ReplaceAll(t, `"`, `""`) + `"`
		}
		query = `SELECT a.id, a.slug, t.locale, t.title, t.summary || ' ' || t.body_html, t.search_title, -bm25(kb_fts, 10.0, 1.0) AS score
			FROM kb_fts JOIN kb_translations t ON t.rid = kb_fts.rowid JOIN kb_articles a ON a.id = t.article_id
			WHERE kb_fts MATCH ? AND t.locale = ?` + status + ` ORDER BY score DESC, a.id LIMIT 50`
		op := " AND "
		if o.Any {
			op = " OR "
		}
		args = []any{strings.Join(quoted, op), o.Locale}
	}
	rows, err := tx.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	type scored struct {
		h       Hit
		inTitle bool
		count   int
	}
	var list []scored
	for rows.Next() {
		var h Hit
		var body, titleTerms string
		if err := rows.Scan(&h.ArticleID, &h.Slug, &h.Locale, &h.Title, &body, &titleTerms, &h.Score); err != nil {
			return nil, err
		}
		h.Snippet = textOf(body)
		have := strings.Fields(titleTerms)
		n := 0
		for _, t := range terms {
			if slices.Contains(have, t) {
				n++
			}
		}
		list = append(list, scored{h, n == len(terms), n})
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sort.SliceStable(list, func(i, j int) bool {
		if list[i].inTitle != list[j].inTitle {
			return list[i].inTitle
		}
		return list[i].count > list[j].count
	})
	out := make([]Hit, 0, min(len(list), o.Limit))
	for _, sc := range list[:min(len(list), o.Limit)] {
		sc.h.InTitle, sc.h.TitleTerms = sc.inTitle, sc.count
		out = append(out, sc.h)
	}
	return out, nil
}

// correct replaces each Latin term missing from the vocabulary by the
// closest vocabulary term within one typo (two for long words).
func (s *Service) correct(ctx context.Context, tx *db.Tx, terms []string) ([]string, bool, error) {
	out := slices.Clone(terms)
	changed := false
	for i, t := range terms {
		if !isLatinWord(t) || utf8.RuneCountInString(t) < 4 {
			continue
		}
		var df int
		if err := tx.QueryRow(ctx, "SELECT df FROM kb_vocab WHERE term = ?", t).Scan(&df); err == nil {
			continue
		}
		var rows interface {
			Next() bool
			Scan(...any) error
			Close() error
			Err() error
		}
		var err error
		if tx.Dialect() == db.Postgres {
			rows, err = tx.Query(ctx, "SELECT term, df FROM kb_vocab WHERE term % ? ORDER BY similarity(term, ?) DESC, df DESC LIMIT 20", t, t)
		} else {
			// Any trigram in common: OR of the query word's trigrams.
			var grams []string
			rs := []rune(t)
			for j := 0; j+3 <= len(rs); j++ {
				grams = append(grams, `"`+string(rs[j:j+3])+`"`)
			}
			rows, err = tx.Query(ctx, `SELECT v.term, v.df FROM kb_vocab_fts f JOIN kb_vocab v ON v.rowid = f.rowid
				WHERE kb_vocab_fts MATCH ? ORDER BY rank LIMIT 20`, strings.Join(grams, " OR "))
		}
		if err != nil {
			return nil, false, err
		}
		best, bestDF, bestD := "", 0, 3
		maxD := 1
		if utf8.RuneCountInString(t) >= 8 {
			maxD = 2
		}
		for rows.Next() {
			var cand string
			var cdf int
			if err := rows.Scan(&cand, &cdf); err != nil {
				rows.Close()
				return nil, false, err
			}
			if d := distance(t, cand); d <= maxD && (d < bestD || d == bestD && cdf > bestDF) {
				best, bestDF, bestD = cand, cdf, d
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, false, err
		}
		if best != "" {
			out[i], changed = best, true
		}
	}
	return out, changed, nil
}

// distance is the Levenshtein distance, with a transposition counted as
// one edit (the commonest typo).
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}

// snippet cuts about 200 characters of text around the first match and
// marks the matching words; the text is escaped, so the result is safe
// HTML.
func snippet(text, q string, terms []string) string {
	words := strings.Fields(text)
	if len(words) == 0 {
		return ""
	}
	match := func(w string) bool {
		for _, t := range textfold.Terms(w, 1, 0) {
			if slices.Contains(terms, t) || (isLatinWord(t) && slices.Contains(terms, stem(t))) {
				return true
			}
		}
		// Chinese: a term inside the word.
		for _, t := range terms {
			if !isLatinWord(t) && strings.Contains(w, t) {
				return true
			}
		}
		return false
	}
	first := 0
	for i, w := range words {
		if match(w) {
			first = i
			break
		}
	}
	start := max(0, first-8)
	var b strings.Builder
	if start > 0 {
		b.WriteString("… ")
	}
	n := 0
	for i := start; i < len(words) && n < 200; i++ {
		if i > start {
			b.WriteByte(' ')
		}
		w := words[i]
		if match(w) {
			b.WriteString("<mark>" + html.EscapeString(w) + "</mark>")
		} else {
			b.WriteString(html.EscapeString(w))
		}
		n += utf8.RuneCountInString(w) + 1
		if i == len(words)-1 {
			return b.String()
		}
	}
	b.WriteString(" …")
	return b.String()
}

// recordMiss counts a search that found nothing.
func (s *Service) recordMiss(ctx context.Context, q, locale string) {
	norm := strings.Join(strings.Fields(strings.ToLower(q)), " ")
	if norm == "" {
		return
	}
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO kb_misses (query, locale, count, last_at) VALUES (?, ?, 1, ?)
			ON CONFLICT (query, locale) DO UPDATE SET count = kb_misses.count + 1, last_at = excluded.last_at`, norm, locale, tx.Now())
		return err
	})
	if err != nil {
		s.log.WarnContext(ctx, "search miss not counted", "error", err.Error())
	}
}

// Gap is a query that found nothing, and how often.
type Gap struct {
	Query  string `json:"query"`
	Locale string `json:"locale"`
	Count  int    `json:"count"`
}

// Gaps lists the commonest searches that found nothing.
func (s *Service) Gaps(ctx context.Context, limit int) ([]Gap, error) {
	out := []Gap{}
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		out = out[:0]
		rows, err := tx.Query(ctx, "SELECT query, locale, count FROM kb_misses ORDER BY count DESC, last_at DESC LIMIT ?", limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var g Gap
			if err := rows.Scan(&g.Query, &g.Locale, &g.Count); err != nil {
				return err
			}
			out = append(out, g)
		}
		return rows.Err()
	})
	return out, err
}
