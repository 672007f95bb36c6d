package kb

import (
	"cmp"
	"context"
	"html"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/textfold"
)

// Search: every query term must match (terms.go), in the title or the
// text; results are ranked as search_index.go says: every term in the
// title first, then more terms in the title, then shorter translations.
// A query that finds nothing is tried again with each unknown Latin word
// of four letters or more replaced by the closest words of the index (one
// typo: edit distance 1, or 2 for words of eight letters and more), found
// through a trigram index of the vocabulary — FTS5's trigram tokenizer on
// SQLite, pg_trgm on PostgreSQL. Still nothing, and the query is counted
// as a content gap.

// Hit is one search result.
type Hit struct {
	ArticleID string `json:"id"`
	Slug      string `json:"slug"`
	Locale    string `json:"locale"`
	Title     string `json:"title"`
	Snippet   string `json:"snippet"` // HTML: text escaped, matches in <mark>
	// Score orders the hits of one search, higher first: the number of
	// query terms in the title, plus a factor in (0, 1] that falls with
	// the translation's length, minus 1 for a hit with some of the terms
	// and none in its title (SearchOptions.Any).
	Score   float64 `json:"score"`
	InTitle bool    `json:"-"` // every term is in the title
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

// Search finds published articles in o.Locale, a BCP 47 tag of a
// supported language (ParseLocale; anything else is an InvalidError), or
// in every language when o.Locale is "": then the best hits of each
// language are merged by Score, and Result.Locale is "".
func (s *Service) Search(ctx context.Context, q string, o SearchOptions) (*Result, error) {
	locales := Locales
	if o.Locale != "" {
		l, err := ParseLocale(o.Locale)
		if err != nil {
			return nil, err
		}
		o.Locale, locales = l, []string{l}
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
		hits, err := s.matchIn(ctx, tx, locales, terms, o)
		if err != nil {
			return err
		}
		if len(hits) == 0 {
			fixed, changed, err := s.correct(ctx, tx, terms)
			if err != nil {
				return err
			}
			if changed {
				if hits, err = s.matchIn(ctx, tx, locales, fixed, o); err != nil {
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
		missed := o.Locale
		if missed == "" {
			missed = "*" // every language
		}
		s.recordMiss(ctx, q, missed)
	}
	return res, nil
}

// matchIn is match in each of locales, the hits merged best first (by
// Score, then in the order of locales).
func (s *Service) matchIn(ctx context.Context, tx *db.Tx, locales, terms []string, o SearchOptions) ([]Hit, error) {
	var all []Hit
	for _, l := range locales {
		o.Locale = l
		hits, err := s.match(ctx, tx, terms, o)
		if err != nil {
			return nil, err
		}
		all = append(all, hits...)
	}
	if len(locales) > 1 {
		slices.SortStableFunc(all, func(a, b Hit) int { return cmp.Compare(b.Score, a.Score) })
		all = all[:min(len(all), o.Limit)]
	}
	return all, nil
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
	// Folding and stemming cost more than the rest of a search; a text
	// repeats its words, so each is looked at once.
	var latin, other []string
	for _, t := range terms {
		if isLatinWord(t) {
			latin = append(latin, t)
		} else {
			other = append(other, t)
		}
	}
	seen := map[string]bool{}
	match := func(w string) bool {
		if m, ok := seen[w]; ok {
			return m
		}
		m := matches(w, latin, other)
		seen[w] = m
		return m
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

// matches reports whether a word of a text, folded, holds one of the
// other (Chinese) terms, or is one of the Latin terms once folded or
// stemmed. Chinese text has no spaces, so its "words" are long runs that
// are not cut into terms here.
func matches(w string, latin, other []string) bool {
	if len(other) > 0 {
		f := textfold.Fold(w)
		for _, t := range other {
			if strings.Contains(f, t) {
				return true
			}
		}
	}
	if len(latin) == 0 {
		return false
	}
	for _, t := range textfold.Terms(w, 1, 0) {
		if isLatinWord(t) && (slices.Contains(latin, t) || slices.Contains(latin, stem(t))) {
			return true
		}
	}
	return false
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
		rows, err := tx.Query(ctx, "SELECT query, locale, count FROM kb_misses ORDER BY count DESC, last_at DESC LIMIT ?", limit)
		out, err = db.Collect(rows, err, func(row db.Scanner) (g Gap, err error) {
			err = row.Scan(&g.Query, &g.Locale, &g.Count)
			return g, err
		})
		return err
	})
	return out, err
}
